//! A struct with a table is an item, and an item needs a partition key.

#[derive(dynatomic::Item)]
#[dynatomic(table = "products")]
struct Product {
    sku: String,
    stock: i64,
}

fn main() {}
