//! `version` given twice on one field.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(version)]
    #[dynatomic(version)]
    version: u64,
}

fn main() {}
