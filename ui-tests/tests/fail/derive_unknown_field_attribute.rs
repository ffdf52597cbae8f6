//! A misspelled field attribute.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition)]
    pk: String,
    stock: i64,
}

fn main() {}
