//! Typed table handles: every single-item operation on a table of `T`.

use std::borrow::Cow;

use crate::db::Db;
use crate::error::{Error, Stored};
use crate::operation::{Update, Upsert};
use crate::request::RawItem;
use crate::schema::{Item, Key};
use crate::write::{CreateWrite, DeleteWrite, PutWrite, UpdateWrite};

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
    /// is active. A table that already exists is left as it is.
    pub async fn create_table(&self) -> Result<(), Error<T>> {
        Ok(self.db.backend.create_table(&self.name, T::KEY).await?)
    }

    /// Reads the item with this key (a strongly consistent read); `None` when there is none.
    pub async fn get(&self, key: Key<T>) -> Result<Option<T>, Error<T>> {
        let stored = self.db.backend.get(&self.name, key.into_attributes()?).await?;
        Ok(stored.filter(|item| !item.is_empty()).map(T::from_item).transpose()?)
    }

    /// Writes the whole item, replacing any item with the same key, and returns the version it stored (`()`
    /// for an item without a version). A versioned item must be at the stored version (0: no item yet), and is
    /// stored at the next: otherwise [`Error::VersionConflict`]. Options: [`when`](PutWrite::when).
    pub fn put<'t>(&'t self, item: &'t T) -> PutWrite<'t, T> {
        PutWrite::new(self, item)
    }

    /// Writes the item only if no item has its key (a versioned item starts at version 1), and returns the
    /// version it stored; an item with the key gives [`Error::ConditionFailed`] with the stored item.
    pub fn create<'t>(&'t self, item: &'t T) -> CreateWrite<'t, T> {
        CreateWrite::new(self, item)
    }

    /// Deletes the item with this key and returns it as it was (`None` when there was none). Options:
    /// [`when`](DeleteWrite::when).
    pub fn delete(&self, key: Key<T>) -> DeleteWrite<'_, T> {
        DeleteWrite::new(self, key)
    }

    /// Applies an update built by [`update!`](crate::update) to the item with this key, which must exist: a
    /// missing item is [`Error::NotFound`] and nothing is written (an update never creates an item that `T`
    /// could not read; use [`upsert`](Self::upsert) to create it). A `where` part that is false gives
    /// [`Error::ConditionFailed`]. Options: [`returning`](UpdateWrite::returning),
    /// [`ignore_missing`](UpdateWrite::ignore_missing).
    pub fn update(&self, key: Key<T>, update: Update<T>) -> UpdateWrite<'_, T> {
        UpdateWrite::existing(self, key, update)
    }

    /// Applies an update built by [`upsert!`](crate::upsert), which sets every field of `T` without a default,
    /// creating the item when there is none. Options: [`returning`](UpdateWrite::returning).
    pub fn upsert(&self, key: Key<T>, upsert: Upsert<T>) -> UpdateWrite<'_, T> {
        UpdateWrite::upsert(self, key, upsert.into_update())
    }

    /// The item as stored when a write on it failed, read as `T`.
    pub(crate) fn stored(&self, attributes: RawItem) -> Box<Stored<T>> {
        Box::new(Stored::read(attributes, T::from_item))
    }
}
