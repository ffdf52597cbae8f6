//! A struct cannot derive `Value`.

#[derive(dynatomic::Value)]
struct Status {
    name: String,
}

fn main() {}
