//! A variant with data in a `#[derive(Value)]` enum.

#[derive(dynatomic::Value)]
enum Status {
    Pending,
    Paid { amount: u64 },
    Refunded(u64),
}

fn main() {}
