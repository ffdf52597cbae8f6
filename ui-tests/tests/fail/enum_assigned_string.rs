//! A string assigned to a `#[derive(Value)]` enum field.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::update!(Order: status = "paid");
}
