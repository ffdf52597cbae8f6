//! Consumed capacity: what DynamoDB charges a request, in read and write units. The one home of the rules
//! the memory backend counts units by, of how DynamoDB's reports are read, and of [`Capacity::of`], which adds
//! up what an operation's requests consumed.

use std::collections::BTreeMap;
use std::future::IntoFuture;

use aws_sdk_dynamodb::types::ConsumedCapacity;

/// Bytes of item per write unit.
const WRITE_UNIT_BYTES: usize = 1024;
/// Bytes of item per read unit (a strongly consistent read).
const READ_UNIT_BYTES: usize = 4096;
/// A transaction consumes twice the units of the same reads and writes outside one.
const TRANSACTION_FACTOR: f64 = 2.0;

/// Read and write capacity units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Units {
    /// Read capacity units.
    pub read: f64,
    /// Write capacity units.
    pub write: f64,
}

impl Units {
    fn add(&mut self, other: Units) {
        self.read += other.read;
        self.write += other.write;
    }
}

/// What one table (and its indexes) consumed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableCapacity {
    /// The units of the table and all its indexes.
    pub total: Units,
    /// The units of each secondary index, by name, when DynamoDB reported them (a table created by
    /// [`Table::create_table`](crate::Table::create_table) has none).
    pub indexes: BTreeMap<String, Units>,
}

/// The capacity units requests consumed, by table: what DynamoDB reported (ReturnConsumedCapacity `INDEXES`), or
/// on [`Db::memory`](crate::Db::memory) what DynamoDB's rules give.
///
/// The rules: a write consumes one write unit per KB (1,024 bytes, rounded up) of the larger of the item
/// before and after it; a strongly consistent read one read unit per 4 KB of the item read (one for no item);
/// a transaction twice as many (a ConditionCheck as a transactional read). A write whose condition fails is
/// charged by DynamoDB too (the stored item's units), but DynamoDB reports no capacity with the failure, and
/// neither does dynatomic.
///
/// [`Capacity::of`] adds up what one operation's requests consumed; [`Db::with_consumed_capacity`](crate::Db::with_consumed_capacity)
/// records it on every request's span and metrics.
///
/// ```
/// # #[derive(dynatomic::Item, Debug)]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
/// # async fn demo() -> Result<(), dynatomic::Error<Product>> {
/// use dynatomic::Capacity;
/// let products = dynatomic::Db::memory().table::<Product>();
/// products.create_table().await?;
/// let (put, capacity) = Capacity::of(products.put(&Product { sku: "a".into(), stock: 5 })).await;
/// put?;
/// assert_eq!(capacity.total().write, 1.0);
/// assert_eq!(capacity.table("Product").map(|table| table.total.write), Some(1.0));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capacity {
    tables: BTreeMap<String, TableCapacity>,
}

tokio::task_local! {
    /// The capacity [`Capacity::of`] is adding up for the task it runs in.
    static METER: std::cell::RefCell<Capacity>;
}

impl Capacity {
    /// Runs `operation` (a write builder, a transaction's commit, any future) and returns its output with the capacity that every request it sent on this task
    /// consumed: one request for a write, each attempt of [`Table::modify`](crate::Table::modify) or
    /// [`Db::retry`](crate::Db::retry), each chunk of a batch. Requests sent from other tasks (a lock's
    /// renewals) are not counted. Its requests ask DynamoDB for their capacity whatever the database's settings.
    pub async fn of<F: IntoFuture>(operation: F) -> (F::Output, Capacity) {
        let (output, capacity) = METER
            .scope(std::cell::RefCell::new(Capacity::default()), async {
                let output = operation.into_future().await;
                (output, METER.with(|meter| meter.take()))
            })
            .await;
        (output, capacity)
    }

    /// The units of all tables and indexes.
    pub fn total(&self) -> Units {
        let mut total = Units::default();
        self.tables.values().for_each(|table| total.add(table.total));
        total
    }

    /// What one table consumed, if requests on it reported anything.
    pub fn table(&self, name: &str) -> Option<&TableCapacity> {
        self.tables.get(name)
    }

    /// Each table's capacity, by name.
    pub fn tables(&self) -> impl Iterator<Item = (&str, &TableCapacity)> {
        self.tables.iter().map(|(name, table)| (name.as_str(), table))
    }

    /// Whether no capacity was reported.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Adds DynamoDB's reports of one request; `kind` says which units a report without the read and write
    /// split is in (DynamoDB reports `CapacityUnits` alone on tables with on-demand capacity).
    pub(crate) fn add_reported(&mut self, kind: UnitKind, reports: &[ConsumedCapacity]) {
        for report in reports {
            let Some(name) = report.table_name() else { continue };
            let table = self.tables.entry(name.to_owned()).or_default();
            table.total.add(kind.units(report.read_capacity_units, report.write_capacity_units, report.capacity_units));
            let indexes = report.global_secondary_indexes().into_iter().chain(report.local_secondary_indexes());
            for (index, capacity) in indexes.flatten() {
                let units =
                    kind.units(capacity.read_capacity_units, capacity.write_capacity_units, capacity.capacity_units);
                table.indexes.entry(index.clone()).or_default().add(units);
            }
        }
    }

    /// Adds another capacity.
    pub(crate) fn add(&mut self, other: &Capacity) {
        for (name, capacity) in &other.tables {
            let table = self.tables.entry(name.clone()).or_default();
            table.total.add(capacity.total);
            for (index, units) in &capacity.indexes {
                table.indexes.entry(index.clone()).or_default().add(*units);
            }
        }
    }

    /// Adds a request's capacity to the one [`Capacity::of`] is adding up on this task, if it is.
    pub(crate) fn meter(&self) {
        let _outside = METER.try_with(|meter| meter.borrow_mut().add(self));
    }

    /// Whether a [`Capacity::of`] on this task wants the requests' capacity.
    pub(crate) fn metered() -> bool {
        METER.try_with(|_| ()).is_ok()
    }
}

/// Which units a request consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitKind {
    Read,
    Write,
}

impl UnitKind {
    /// The units of a report: its read and write split if it has one, otherwise its total as this kind.
    fn units(self, read: Option<f64>, write: Option<f64>, total: Option<f64>) -> Units {
        match (read, write, self) {
            (None, None, UnitKind::Read) => Units { read: total.unwrap_or_default(), write: 0.0 },
            (None, None, UnitKind::Write) => Units { read: 0.0, write: total.unwrap_or_default() },
            (read, write, _) => Units { read: read.unwrap_or_default(), write: write.unwrap_or_default() },
        }
    }
}

/// The write units of writing an item of `bytes` over one of `stored` bytes (0: none), outside a transaction.
pub(crate) fn write_units(bytes: usize, stored: usize) -> f64 {
    units(bytes.max(stored), WRITE_UNIT_BYTES)
}

/// The read units of a strongly consistent read of an item of `bytes` (0: none), outside a transaction.
pub(crate) fn read_units(bytes: usize) -> f64 {
    units(bytes, READ_UNIT_BYTES)
}

/// Units of a request inside a transaction.
pub(crate) fn transactional(units: f64) -> f64 {
    units * TRANSACTION_FACTOR
}

/// The units of a transaction's delete of an item that does not exist: one, as DynamoDB Local counts it (not
/// twice the unit of a delete of no item outside a transaction).
pub(crate) const TRANSACTIONAL_DELETE_OF_NOTHING: f64 = 1.0;

/// `bytes` in units of `unit` bytes, rounded up, at least one.
fn units(bytes: usize, unit: usize) -> f64 {
    // Items are at most 400 KB: at most 400 units, exact in an f64.
    bytes.div_ceil(unit).max(1) as f64
}

/// The capacity one request on the memory backend consumed, by table, counted only when it is wanted.
#[derive(Debug)]
pub(crate) struct Tally {
    counting: bool,
    tables: Vec<(String, f64)>,
}

impl Tally {
    /// A tally of a request, counting when `counting`.
    pub(crate) fn new(counting: Counting) -> Self {
        Tally { counting: counting == Counting::Yes, tables: Vec::new() }
    }

    /// Adds `units` consumed on `table`.
    pub(crate) fn add(&mut self, table: &str, units: f64) {
        if !self.counting {
            return;
        }
        match self.tables.iter_mut().find(|(name, _)| name == table) {
            Some((_, total)) => *total += units,
            None => self.tables.push((table.to_owned(), units)),
        }
    }

    /// The tally as DynamoDB reports capacity (one report per table, in `CapacityUnits`).
    pub(crate) fn reports(&self) -> Vec<ConsumedCapacity> {
        self.tables
            .iter()
            .map(|(table, units)| {
                let table_units = aws_sdk_dynamodb::types::Capacity::builder().capacity_units(*units).build();
                ConsumedCapacity::builder().table_name(table).capacity_units(*units).table(table_units).build()
            })
            .collect()
    }

    /// A tally that counts nothing, for tests of the memory backend's answers.
    #[cfg(test)]
    pub(crate) fn ignored() -> Self {
        Tally::new(Counting::No)
    }
}

/// Whether a request's capacity is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counting {
    Yes,
    No,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_up_per_item_and_double_in_transactions() {
        assert_eq!(write_units(0, 0), 1.0, "a write of nothing (a delete of no item) is one unit");
        assert_eq!(write_units(1024, 0), 1.0);
        assert_eq!(write_units(1025, 0), 2.0);
        assert_eq!(write_units(10, 3000), 3.0, "the larger of the item before and after");
        assert_eq!(read_units(4096), 1.0);
        assert_eq!(read_units(4097), 2.0);
        assert_eq!(transactional(read_units(0)), 2.0);
    }

    #[test]
    fn reports_without_a_split_are_in_the_units_of_the_request() {
        let mut tally = Tally::new(Counting::Yes);
        tally.add("a", 1.0);
        tally.add("b", 2.0);
        tally.add("a", 2.0);
        let mut capacity = Capacity::default();
        capacity.add_reported(UnitKind::Write, &tally.reports());
        assert_eq!(capacity.table("a").map(|t| t.total), Some(Units { read: 0.0, write: 3.0 }));
        assert_eq!(capacity.total(), Units { read: 0.0, write: 5.0 });
        let split = ConsumedCapacity::builder().table_name("a").read_capacity_units(1.0).write_capacity_units(2.0);
        capacity.add_reported(UnitKind::Read, &[split.build()]);
        assert_eq!(capacity.table("a").map(|t| t.total), Some(Units { read: 1.0, write: 5.0 }));
        let mut ignored = Tally::ignored();
        ignored.add("a", 1.0);
        assert!(ignored.reports().is_empty());
    }
}
