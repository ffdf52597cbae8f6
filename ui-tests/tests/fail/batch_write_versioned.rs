//! BatchWriteItem takes no conditions, so a batch write of an item with a version attribute would overwrite
//! newer versions unchecked: `batch_put` and `batch_delete` need an item without one.

#[derive(dynatomic::Item)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    #[dynatomic(version)]
    version: u64,
}

async fn write(docs: dynatomic::Table<Doc>, all: Vec<Doc>) {
    let _ = docs.batch_put(&all).await;
    let _ = docs.batch_delete([Doc::key("a").at_version(1)]).await;
}

fn main() {
    let _ = write;
}
