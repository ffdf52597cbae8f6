//! A tuple struct has no field names to use as attribute names.

#[derive(dynatomic::Item)]
struct Product(String, i64);

fn main() {}
