//! A type that does not derive `Item`.

struct Plain {
    stock: i64,
}

fn main() {
    let _ = dynatomic::update!(Plain: stock = 1);
}
