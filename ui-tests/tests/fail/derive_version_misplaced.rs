//! `#[dynatomic(version)]` on a key field, twice, and on a struct without a key.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key, version)]
    id: u64,
    #[dynatomic(version)]
    first: u64,
    #[dynatomic(version)]
    second: u64,
}

#[derive(dynatomic::Item)]
struct Nested {
    #[dynatomic(version)]
    version: u64,
}

fn main() {}
