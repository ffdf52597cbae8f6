//! Tokens after a complete assignment.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: note.remove() now);
}
