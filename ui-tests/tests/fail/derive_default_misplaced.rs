//! `#[dynatomic(default)]` reads a missing attribute as `Default::default()`: a key attribute and the version
//! have none, and it is given once.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key, default)]
    id: String,
    #[dynatomic(version, default)]
    version: u64,
    #[dynatomic(default, default)]
    hits: u64,
}

fn main() {}
