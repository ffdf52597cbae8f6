//! `partition_key` given twice on one field, in one attribute and across two.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key, partition_key)]
    pk: String,
}

#[derive(dynatomic::Item)]
struct Order {
    #[dynatomic(partition_key)]
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
