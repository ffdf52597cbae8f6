//! A generic struct (lifetime, type and const parameters) is refused with one error and nothing else.

#[derive(dynatomic::Item)]
struct Product<'a, T, const N: usize> {
    #[dynatomic(partition_key)]
    pk: &'a str,
    tags: [T; N],
}

fn main() {}
