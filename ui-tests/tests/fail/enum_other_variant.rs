//! Comparing an enum field with a variant of another enum.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::condition!(Order: status == Color::Red);
}
