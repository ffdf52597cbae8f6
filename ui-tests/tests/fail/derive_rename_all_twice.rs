//! `rename_all` on a struct given twice, and with an unknown convention.

#[derive(dynatomic::Item)]
#[dynatomic(rename_all = "camelCase", rename_all = "snake_case")]
struct Session {
    #[dynatomic(partition_key)]
    id: String,
}

#[derive(dynatomic::Item)]
#[dynatomic(rename_all = "camel_case")]
struct Token {
    #[dynatomic(partition_key)]
    id: String,
}

fn main() {}
