//! A field type that dynatomic cannot store.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    weight: Box<i64>,
}

fn main() {}
