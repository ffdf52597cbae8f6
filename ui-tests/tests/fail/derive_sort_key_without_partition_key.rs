//! A sort key needs a partition key.

#[derive(dynatomic::Item)]
struct Event {
    stream: String,
    #[dynatomic(sort_key)]
    seq: u64,
}

fn main() {}
