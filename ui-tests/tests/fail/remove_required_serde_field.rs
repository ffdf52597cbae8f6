//! `remove()` on a `#[dynatomic(serde)]` field that is not an `Option`.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::update!(Order: prefs.remove());
}
