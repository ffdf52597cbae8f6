//! Two assignments without a `,` between them.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: stock -= 1 reserved += 1);
}
