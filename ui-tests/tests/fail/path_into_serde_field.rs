//! A path into a `#[dynatomic(serde)]` field, whose inside the DSL cannot see.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::update!(Order: prefs.theme = "x");
}
