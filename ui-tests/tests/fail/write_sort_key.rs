//! Setting the sort key from another attribute.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: sk = #note);
}
