//! A syntax error in one part of a condition; the type error in the other part (`stock == "x"`) should still be reported.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: hits += 1; where stock == "x" || !active.exist());
}
