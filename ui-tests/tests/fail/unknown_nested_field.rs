//! A typo in a nested struct field: `Address` has `city`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: address.cty = "Oslo");
}
