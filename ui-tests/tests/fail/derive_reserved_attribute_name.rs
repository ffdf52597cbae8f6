//! A field stored under a name that starts with `dynatomic:`, where locks are stored.

#[derive(dynatomic::Item)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(rename = "dynatomic:lock:transfer:holder")]
    holder: String,
}

fn main() {}
