//! Five independent mistakes in one `update!`: each must be reported.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stok = 1, stock = "x", note += 1, hits =+ 1, tags.apend(["a"]); where price.begins_with("p") && activ == true);
}
