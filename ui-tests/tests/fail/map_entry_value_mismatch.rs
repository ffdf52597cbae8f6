//! A map entry takes the map's value type (`i64`), not a string.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let user = String::from("alice");
    let _ = dynatomic::update!(Product: scores[user] = "high");
}
