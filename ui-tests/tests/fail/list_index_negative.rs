//! A negative list index.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: tags[-1].remove());
}
