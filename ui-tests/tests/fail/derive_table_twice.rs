//! `table` given twice, in one attribute and across two.

#[derive(dynatomic::Item)]
#[dynatomic(table = "products", table = "items")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
}

#[derive(dynatomic::Item)]
#[dynatomic(table = "orders")]
#[dynatomic(table = "purchases")]
struct Order {
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
