//! `table` and `rename` take string literals.

#[derive(dynatomic::Item)]
#[dynatomic(table = products)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(rename = 7)]
    stock: i64,
}

fn main() {}
