//! `len()` of a number field.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock.len() > 1);
}
