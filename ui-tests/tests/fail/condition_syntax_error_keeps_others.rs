//! A syntax error in one part of a condition does not hide the type error in the other part (`stock == "x"`):
//! both are reported.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: hits += 1; where stock == "x" || !active.exist());
}
