//! `remove()` on a field that is not an `Option`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stock.remove());
}
