//! A field stands alone as a condition only when it is a `bool` (`where active`, `!frozen`); a number does not.

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    let _ = dynatomic::condition!(Product: stock);
    let _ = dynatomic::update!(Product: hits += 1; where active && !note);
}
