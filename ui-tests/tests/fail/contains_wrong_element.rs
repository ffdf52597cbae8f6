//! `contains` on a list of strings, looking for a number.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: tags.contains(1));
}
