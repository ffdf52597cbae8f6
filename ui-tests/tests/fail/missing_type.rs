//! The item type is left out.

#[path = "../common/schema.rs"]
mod schema;
#[allow(unused_imports)]
use schema::*;

fn main() {
    let _ = dynatomic::update!(stock = 1);
}
