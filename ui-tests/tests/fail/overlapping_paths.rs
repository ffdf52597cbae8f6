//! Writing a struct and one of its fields in one update.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let a = Address { city: "Oslo".into(), zip: None };
    let _ = dynatomic::update!(Product: address = a, address.city = "x");
}
