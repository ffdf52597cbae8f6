//! `remove()` on the sort key (which is also a required field).

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: sk.remove());
}
