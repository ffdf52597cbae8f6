//! `ttl` on a key, on the version, with `default`, on a second field, with `serde`, given twice, and on a
//! struct that is no table's item.

use std::time::SystemTime;

#[derive(dynatomic::Item)]
struct OnKey {
    #[dynatomic(partition_key, ttl)]
    created_at: SystemTime,
}

#[derive(dynatomic::Item)]
struct OnVersion {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(version, ttl)]
    version: u64,
}

#[derive(dynatomic::Item)]
struct WithDefault {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(ttl, default)]
    expires_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct TwoTtls {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(ttl)]
    expires_at: Option<SystemTime>,
    #[dynatomic(ttl)]
    deleted_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct WithSerde {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(ttl, serde)]
    expires_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct Twice {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(ttl, ttl)]
    expires_at: Option<SystemTime>,
}

/// Nested in an item: DynamoDB's TTL reads only top-level attributes.
#[derive(dynatomic::Item)]
struct Nested {
    #[dynatomic(ttl)]
    expires_at: Option<SystemTime>,
}

fn main() {}
