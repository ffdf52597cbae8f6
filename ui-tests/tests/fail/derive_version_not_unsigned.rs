//! A version field that is not an unsigned integer.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(version)]
    version: String,
}

fn main() {}
