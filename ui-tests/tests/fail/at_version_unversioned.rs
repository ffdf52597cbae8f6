//! `at_version` on the key of an item without a version attribute.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
}

fn main() {
    let _ = Product::key("a").at_version(3);
}
