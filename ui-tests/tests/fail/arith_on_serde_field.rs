//! `+=` on a `#[dynatomic(serde)]` field.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::update!(Order: prefs += 1);
}
