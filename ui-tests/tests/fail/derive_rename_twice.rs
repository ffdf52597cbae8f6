//! `rename` given twice on one field.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(rename = "qty", rename = "quantity")]
    stock: i64,
}

fn main() {}
