//! A typo in a method name: `append`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: tags.apend(["a"]));
}
