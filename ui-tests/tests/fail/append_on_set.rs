//! `append` on a set: sets take `insert`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: labels.append(["a"]));
}
