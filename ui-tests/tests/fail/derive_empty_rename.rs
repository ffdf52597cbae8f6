//! An attribute name cannot be empty.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(rename = "")]
    stock: i64,
}

fn main() {}
