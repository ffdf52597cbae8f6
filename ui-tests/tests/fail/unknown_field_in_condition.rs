//! An unknown field on the right of a comparison, as `#path`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock > #reserve);
}
