//! `is_in` with a vector instead of an array literal.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock.is_in(vec![1, 2]));
}
