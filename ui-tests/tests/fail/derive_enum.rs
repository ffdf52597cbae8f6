//! An enum cannot derive `Item`.

#[derive(dynatomic::Item)]
enum Product {
    Book { pk: String },
}

fn main() {}
