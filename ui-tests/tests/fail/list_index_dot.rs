//! A list element written as a tuple field, `tags.0`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: tags.0 = "x");
}
