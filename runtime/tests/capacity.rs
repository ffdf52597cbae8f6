//! Consumed capacity: the memory backend counts the units DynamoDB Local reports, for items of 0.5 KB, 1 KB,
//! 3.9 KB and 10 KB, for puts, updates, deletes, reads, failed conditions, transactions and batches.

mod common;

use common::{Backend, Fixture};
use dynatomic::{Capacity, Error, Item, Units, condition, update};

/// An item whose size is set by its `data`.
#[derive(Item, Debug, Clone, PartialEq)]
struct Blob {
    #[dynatomic(partition_key)]
    pk: String,
    data: String,
    extra: Option<String>,
}

impl Blob {
    /// An item of exactly `bytes` bytes as DynamoDB counts them (names and values).
    fn of_size(pk: &str, bytes: usize) -> Self {
        let overhead = "pk".len() + pk.len() + "data".len();
        Blob { pk: pk.to_owned(), data: "x".repeat(bytes - overhead), extra: None }
    }
}

/// Sizes in bytes: 0.5 KB, 1 KB, 3.9 KB and 10 KB.
const SIZES: [usize; 4] = [512, 1024, 3994, 10240];

/// What each operation on an item of one size consumed, by operation.
async fn consumed(backend: Backend, bytes: usize) -> Vec<(&'static str, Units)> {
    let fx = Fixture::<Blob>::new(backend, &format!("capacity_{bytes}")).await;
    let (db, table) = (&fx.db, &fx.table);
    let other = db.table_named::<Blob>(common::unique_table_name(&format!("capacity_other_{bytes}")));
    other.create_table().await.expect("create the other table");
    let item = Blob::of_size("a", bytes);
    let mut units = Vec::new();
    let mut measure = |name, capacity: Capacity| units.push((name, capacity.total()));

    let (put, capacity) = Capacity::of(table.put(&item)).await;
    put.expect("put");
    measure("put a new item", capacity);
    let (put, capacity) = Capacity::of(table.put(&Blob::of_size("a", 100))).await;
    put.expect("put");
    measure("put over a larger item", capacity);
    table.put(&item).await.expect("put");
    let (updated, capacity) = Capacity::of(table.update(Blob::key("a"), update!(Blob: extra = "x"))).await;
    updated.expect("update");
    measure("update that grows it", capacity);
    let (failed, capacity) =
        Capacity::of(table.update(Blob::key("a"), update!(Blob: extra.remove(); where data == "nope"))).await;
    assert!(matches!(failed, Err(Error::ConditionFailed { .. })), "{failed:?}");
    assert!(capacity.is_empty(), "DynamoDB reports no capacity with a failed condition: {capacity:?}");
    let (read, capacity) = Capacity::of(table.get(Blob::key("a"))).await;
    read.expect("get");
    measure("get", capacity);
    let (read, capacity) = Capacity::of(table.get(Blob::key("none"))).await;
    read.expect("get");
    measure("get of no item", capacity);

    let transaction = db.transaction().update(table, Blob::key("a"), update!(Blob: extra = "y"));
    let (committed, capacity) = Capacity::of(transaction.commit()).await;
    committed.expect("commit");
    measure("transaction: update", capacity);
    let transaction = db.transaction().check(table, Blob::key("a"), condition!(Blob: extra.exists()));
    let (committed, capacity) = Capacity::of(transaction.commit()).await;
    committed.expect("commit");
    measure("transaction: check", capacity);
    let transaction = db
        .transaction()
        .update(table, Blob::key("a"), update!(Blob: extra.remove()))
        .put(&other, &Blob::of_size("b", 3000));
    let (committed, capacity) = Capacity::of(transaction.commit()).await;
    committed.expect("commit");
    assert_eq!(capacity.tables().count(), 2);
    let other_units = capacity.table(other.name()).map(|table| table.total);
    assert_eq!(other_units, Some(Units { read: 0.0, write: 6.0 }), "3 KB written in a transaction");
    measure("transaction: two tables", capacity);
    let mut reads = db.read_transaction();
    let _item = reads.get(table, Blob::key("a"));
    let (snapshot, capacity) = Capacity::of(reads.send()).await;
    snapshot.expect("read transaction");
    measure("read transaction", capacity);

    let batch: Vec<Blob> = (0..3).map(|i| Blob::of_size(&format!("b{i}"), bytes)).collect();
    let (written, capacity) = Capacity::of(table.batch_put(&batch)).await;
    written.expect("batch put");
    measure("batch put", capacity);
    let keys = ["b0", "b1", "none"].map(Blob::key);
    let (found, capacity) = Capacity::of(table.batch_get(keys)).await;
    found.expect("batch get");
    measure("batch get", capacity);
    let (deleted, capacity) = Capacity::of(table.delete(Blob::key("a"))).await;
    deleted.expect("delete");
    measure("delete", capacity);
    units
}

#[tokio::test]
async fn the_memory_backend_counts_the_units_dynamodb_local_reports() {
    for bytes in SIZES {
        let local = consumed(Backend::DynamoDbLocal, bytes).await;
        let memory = consumed(Backend::Memory, bytes).await;
        assert_eq!(memory, local, "items of {bytes} bytes");
        // And the units are DynamoDB's: one write unit per KB, one read unit per 4 KB, twice in transactions.
        let write = bytes.div_ceil(1024) as f64;
        let read = bytes.div_ceil(4096) as f64;
        // The update adds `extra` = "x": six bytes.
        let grown = (bytes + 6).div_ceil(1024) as f64;
        let grown_read = (bytes + 6).div_ceil(4096) as f64;
        let unit = |name: &str| memory.iter().find(|(n, _)| *n == name).map(|(_, units)| *units);
        assert_eq!(unit("put a new item"), Some(Units { read: 0.0, write }));
        assert_eq!(unit("put over a larger item"), Some(Units { read: 0.0, write }), "the larger of the two items");
        assert_eq!(unit("update that grows it"), Some(Units { read: 0.0, write: grown }));
        assert_eq!(unit("get"), Some(Units { read: grown_read, write: 0.0 }));
        assert_eq!(unit("get of no item"), Some(Units { read: 1.0, write: 0.0 }));
        assert_eq!(unit("transaction: update"), Some(Units { read: 0.0, write: 2.0 * grown }));
        assert_eq!(unit("batch put"), Some(Units { read: 0.0, write: 3.0 * write }));
        assert_eq!(unit("batch get"), Some(Units { read: 2.0 * read, write: 0.0 }), "the items found");
    }
}

#[tokio::test]
async fn capacity_of_counts_every_request_of_an_operation() {
    let fx = Fixture::<Blob>::new(Backend::Memory, "capacity_modify").await;
    fx.table.put(&Blob::of_size("a", 100)).await.expect("put");
    let change = |blob: &Blob| update!(Blob: data = format!("{}!", blob.data));
    let (modified, capacity) = Capacity::of(fx.table.modify(Blob::key("a"), change)).await;
    modified.expect("modify");
    assert_eq!(capacity.total(), Units { read: 1.0, write: 1.0 }, "a read and a write");
    let (_, outside) = Capacity::of(async {}).await;
    assert!(outside.is_empty());
}
