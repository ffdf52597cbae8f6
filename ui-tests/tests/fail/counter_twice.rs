//! Two counter updates of one attribute.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: hits += 1, hits -= 2);
}
