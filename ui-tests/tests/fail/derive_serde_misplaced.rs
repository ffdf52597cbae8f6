//! `serde` on a key field and on the version.

#[derive(dynatomic::Item)]
struct Session {
    #[dynatomic(partition_key, serde)]
    id: String,
    #[dynatomic(version, serde)]
    version: u64,
}

fn main() {}
