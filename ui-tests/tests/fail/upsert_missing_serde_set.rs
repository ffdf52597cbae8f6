//! A set stored with `#[dynatomic(serde)]` needs its attribute (serde reads no missing set as empty), so an
//! `upsert!` must set it; an `Option` stored with serde may be left out.

#[derive(serde::Serialize, serde::Deserialize)]
struct Theme {
    dark: bool,
}

#[derive(dynatomic::Item)]
struct Profile {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(serde)]
    tags: std::collections::HashSet<String>,
    #[dynatomic(serde)]
    theme: Option<Theme>,
}

fn main() {
    let _ = dynatomic::upsert!(Profile: theme.remove());
}
