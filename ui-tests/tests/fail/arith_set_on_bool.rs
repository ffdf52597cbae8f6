//! `= #field + v` on a bool field.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: active = #active + 1);
}
