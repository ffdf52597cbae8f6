//! An assignment still being typed: the macro reports it and still expands a probe of the field, which is
//! what lets an editor complete field names inside the macro (here the probe reports the unknown field).
#[path = "../common/schema.rs"]
mod schema;
use schema::Product;

fn main() {
    let _ = dynatomic::update!(Product: stock += 1, addres);
}
