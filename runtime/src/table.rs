//! Typed table handles: every single-item operation on a table of `T`.

use std::borrow::Cow;

use crate::db::Db;
use crate::error::{Error, Stored};
use crate::request::{RawItem, present};
use crate::schema::{Item, Key};

/// A handle on one table whose items are `T`, on DynamoDB or on [`Db::memory`]. Cheap to clone and safe to
/// share across tasks.
///
/// Writes return a builder that runs when awaited, and takes options first:
/// `table.update(key, op).returning(AllNew).await`, `table.delete(key).when(condition).await`.
///
/// ```no_run
/// # #[derive(dynatomic::Item)]
/// # #[dynatomic(table = "products")]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, reserved: i64 }
/// # async fn demo(db: dynatomic::Db) -> Result<(), dynatomic::Error<Product>> {
/// let products = db.table::<Product>();
/// let qty = 2;
/// let op = dynatomic::update!(Product: stock -= qty, reserved += qty; where stock >= qty);
/// products.update(Product::key("sku-1"), op).await?;
/// # Ok(()) }
/// ```
pub struct Table<T> {
    pub(crate) db: Db,
    name: Cow<'static, str>,
    item: std::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Table { db: self.db.clone(), name: self.name.clone(), item: std::marker::PhantomData }
    }
}

impl<T> std::fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Db {
    /// The table of `T`, named by `#[dynatomic(table = "...")]` (by default the struct's name).
    pub fn table<T: Item>(&self) -> Table<T> {
        Table { db: self.clone(), name: Cow::Borrowed(T::TABLE), item: std::marker::PhantomData }
    }

    /// The table of `T` under another name (per environment, per test).
    pub fn table_named<T: Item>(&self, name: impl Into<String>) -> Table<T> {
        Table { db: self.clone(), name: Cow::Owned(name.into()), item: std::marker::PhantomData }
    }
}

impl<T: Item> Table<T> {
    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database the table is on.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Creates the table, with on-demand capacity and `T`'s key schema, and waits up to two minutes until it
    /// is active. A table that already exists is left as it is. When `T` has a `#[dynatomic(ttl)]` field, TTL is
    /// then enabled on its attribute (UpdateTimeToLive) unless it is already; a table whose TTL is on another
    /// attribute is refused with DynamoDB's `ValidationException` (change it in the table's settings).
    pub async fn create_table(&self) -> Result<(), Error<T>> {
        Ok(self.db.backend.create_table(&self.name, T::KEY, T::TTL).await?)
    }

    /// The attribute DynamoDB's TTL expires the table's items by, if TTL is enabled (DescribeTimeToLive).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// #[derive(dynatomic::Item, Debug)]
    /// #[dynatomic(table = "sessions")]
    /// struct Session {
    ///     #[dynatomic(partition_key)]
    ///     id: String,
    ///     #[dynatomic(ttl)]
    ///     expires_at: std::time::SystemTime,
    /// }
    ///
    /// let sessions = dynatomic::Db::memory().table::<Session>();
    /// sessions.create_table().await?;
    /// assert_eq!(sessions.time_to_live().await?.as_deref(), Some("expires_at"));
    /// # Ok(()) }
    /// ```
    pub async fn time_to_live(&self) -> Result<Option<String>, Error<T>> {
        Ok(self.db.backend.time_to_live(&self.name).await?)
    }

    /// Reads the item with this key (a strongly consistent read); `None` when there is none.
    pub async fn get(&self, key: Key<T>) -> Result<Option<T>, Error<T>> {
        let stored = self.db.backend.get(&self.name, key.into_attributes()?).await?;
        Ok(present(stored).map(T::from_item).transpose()?)
    }

    /// The item as stored when a write on it failed, read as `T`.
    pub(crate) fn stored(&self, attributes: RawItem) -> Box<Stored<T>> {
        Box::new(Stored::read(attributes, T::from_item))
    }
}
