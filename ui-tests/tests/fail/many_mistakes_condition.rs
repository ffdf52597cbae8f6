//! Five independent type and field mistakes in one `condition!`: each must be reported.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock == "x" || active < true && tags.len() > "x" && address.cty == "Oslo" || !note.begins_with(1));
}
