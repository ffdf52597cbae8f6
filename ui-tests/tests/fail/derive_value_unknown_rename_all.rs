//! An unknown `rename_all` convention on a `#[derive(Value)]` enum.

#[derive(dynatomic::Value)]
#[dynatomic(rename_all = "snakecase")]
enum Status {
    Pending,
    Paid,
}

fn main() {}
