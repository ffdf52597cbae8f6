//! Independent mistakes in one derive, on the struct and on its fields: each must be reported.

#[derive(dynatomic::Item)]
#[dynatomic(table = "pr", table = "products")]
struct Product {
    #[dynatomic(partition_key, partition_key)]
    pk: String,
    #[dynatomic(rename = "qty", rename = "quantity")]
    stock: i64,
    #[dynatomic(rename = "")]
    note: String,
    #[dynatomic(version, sort_key)]
    #[dynatomic(version)]
    version: u64,
}

fn main() {}
