//! A misspelled struct attribute.

#[derive(dynatomic::Item)]
#[dynatomic(tabel = "products")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
