//! A keyword where an attribute name goes is refused on the keyword, and the rest is still checked; a field
//! named like a keyword is written as a raw identifier (`r#type`).

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: fn = 1, stok = 2);
    let _ = dynatomic::condition!(Product: address.type == "x" || self.stock > 0);
}
