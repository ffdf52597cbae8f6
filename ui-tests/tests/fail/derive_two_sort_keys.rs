//! Two fields marked as the sort key.

#[derive(dynatomic::Item)]
struct Event {
    #[dynatomic(partition_key)]
    stream: String,
    #[dynatomic(sort_key)]
    seq: u64,
    #[dynatomic(sort_key)]
    at: u64,
}

fn main() {}
