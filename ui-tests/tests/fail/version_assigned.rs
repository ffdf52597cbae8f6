//! Writing the version attribute by hand in `update!`: dynatomic manages it.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    text: String,
    #[dynatomic(version)]
    version: u64,
}

fn main() {
    let _ = dynatomic::update!(Doc: text = "new", version += 1);
    let _ = dynatomic::update!(Doc: version = 7);
    // Reading it in a condition is fine.
    let _ = dynatomic::update!(Doc: text = "new"; where version >= 2);
}
