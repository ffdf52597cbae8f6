//! `*` is not an update operator.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: price = #price * 2.0);
}
