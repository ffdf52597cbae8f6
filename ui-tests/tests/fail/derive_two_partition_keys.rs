//! Two fields marked as the partition key.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(partition_key)]
    id: String,
}

fn main() {}
