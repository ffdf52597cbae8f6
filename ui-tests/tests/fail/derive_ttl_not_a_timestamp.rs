//! `ttl` on a field that is not a timestamp.

#[derive(dynatomic::Item)]
struct Session {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(ttl)]
    expires_at: u64,
}

fn main() {}
