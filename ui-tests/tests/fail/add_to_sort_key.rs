//! `+=` on a number sort key.

#[derive(dynatomic::Item)]
struct Event {
    #[dynatomic(partition_key)]
    stream: String,
    #[dynatomic(sort_key)]
    seq: u64,
    body: String,
}

fn main() {
    let _ = dynatomic::update!(Event: seq += 1);
}
