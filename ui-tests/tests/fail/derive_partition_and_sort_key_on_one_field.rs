//! One field marked as both the partition key and the sort key, in one attribute and across two.

#[derive(dynatomic::Item)]
struct Event {
    #[dynatomic(partition_key, sort_key)]
    stream: String,
}

#[derive(dynatomic::Item)]
struct Order {
    #[dynatomic(sort_key)]
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
