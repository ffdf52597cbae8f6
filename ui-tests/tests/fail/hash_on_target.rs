//! The target of an assignment written with `#`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: #stock = 1);
}
