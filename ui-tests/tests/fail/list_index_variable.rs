//! A list index must be an integer literal, not a variable.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let i = 0usize;
    let _ = dynatomic::update!(Product: tags[i] = "x");
}
