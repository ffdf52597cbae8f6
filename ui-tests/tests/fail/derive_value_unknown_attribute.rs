//! Unknown `dynatomic` attributes on a `#[derive(Value)]` enum and on a variant.

#[derive(dynatomic::Value)]
#[dynatomic(table = "statuses")]
enum Status {
    Pending,
    #[dynatomic(default)]
    Paid,
}

fn main() {}
