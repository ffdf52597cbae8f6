//! A struct that derives `Item` without a partition key is a nested document, not an item.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Address: city = "Oslo");
}
