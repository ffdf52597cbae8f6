//! `+=` on a `SystemTime` field: a timestamp is not a number.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::update!(Order: created_at += 1);
}
