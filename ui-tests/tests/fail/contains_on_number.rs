//! `contains` looks into strings, bytes, lists and sets; a number has nothing to look into.
#[path = "../common/schema.rs"]
mod schema;
use schema::Product;

fn main() {
    let _ = dynatomic::condition!(Product: stock.contains(1));
}
