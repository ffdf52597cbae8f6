//! `ttl` on a key, on the version, with `default`, on a second field, with `serde`, and given twice.

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
    #[dynatomic(ttl, default)]
    expires_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct TwoTtls {
    #[dynatomic(ttl)]
    expires_at: Option<SystemTime>,
    #[dynatomic(ttl)]
    deleted_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct WithSerde {
    #[dynatomic(ttl, serde)]
    expires_at: Option<SystemTime>,
}

#[derive(dynatomic::Item)]
struct Twice {
    #[dynatomic(ttl, ttl)]
    expires_at: Option<SystemTime>,
}

fn main() {}
