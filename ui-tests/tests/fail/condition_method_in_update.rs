//! A condition method (`exists`) used as an assignment.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::update!(Product: note.exists());
}
