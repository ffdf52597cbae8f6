//! `insert` on a list: lists take `append`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: tags.insert(["a"]));
}
