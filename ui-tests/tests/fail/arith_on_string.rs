//! `+=` on an `Option<String>` field.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: note += 1);
}
