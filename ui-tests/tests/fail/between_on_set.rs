//! `between` on a set.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: labels.between(["a"], ["b"]));
}
