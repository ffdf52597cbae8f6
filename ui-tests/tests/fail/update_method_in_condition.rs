//! An update method (`append`) used as a condition.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: hits += 1; where tags.append(["a"]));
}
