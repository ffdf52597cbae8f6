//! A second `;` part after the condition.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stock = 1; where stock > 0; hits = 2);
}
