//! A condition after `;` without `where`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stock = 1; stock > 0);
}
