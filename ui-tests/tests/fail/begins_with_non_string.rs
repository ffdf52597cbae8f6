//! `begins_with` on a number field.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock.begins_with(1));
}
