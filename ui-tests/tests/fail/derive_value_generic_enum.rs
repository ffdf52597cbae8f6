//! A generic enum cannot derive `Value`.

#[derive(dynatomic::Value)]
enum Status<T> {
    Pending,
    Paid,
    Never(std::marker::PhantomData<T>),
}

fn main() {}
