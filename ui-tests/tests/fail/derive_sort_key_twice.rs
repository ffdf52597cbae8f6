//! `sort_key` given twice on one field.

#[derive(dynatomic::Item)]
struct Event {
    #[dynatomic(partition_key)]
    stream: String,
    #[dynatomic(sort_key, sort_key)]
    seq: u64,
}

fn main() {}
