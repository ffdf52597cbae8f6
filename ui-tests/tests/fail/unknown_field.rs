//! A typo in a field name: rustc should suggest `stock`.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stok = 1);
}
