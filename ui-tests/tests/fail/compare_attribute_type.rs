//! Comparing a number field with a string attribute.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: hits += 1; where stock > #note);
}
