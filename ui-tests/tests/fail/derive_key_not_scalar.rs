//! A DynamoDB key is a string, a number or binary: a list cannot be the partition key.
#[derive(dynatomic::Item)]
struct Order {
    #[dynatomic(partition_key)]
    lines: Vec<String>,
    total: i64,
}

fn main() {}
