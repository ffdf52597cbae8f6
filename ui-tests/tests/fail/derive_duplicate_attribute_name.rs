//! A `rename` that collides with another field's attribute name.

#[derive(dynatomic::Item)]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    version: u64,
    #[dynatomic(rename = "version")]
    revision: u64,
}

fn main() {}
