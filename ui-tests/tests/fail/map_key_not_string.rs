//! A map key that is a number.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let user_id: u64 = 7;
    let _ = dynatomic::update!(Product: scores[user_id] += 1);
}
