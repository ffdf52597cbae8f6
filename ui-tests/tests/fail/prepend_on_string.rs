//! `prepend` on a string field.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: address.city.prepend(["a"]));
}
