//! Ordering a `#[derive(Value)]` enum field: its variants have no order in DynamoDB.

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    let _ = dynatomic::condition!(Order: status < Status::Paid);
}
