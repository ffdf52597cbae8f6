//! Writes applied at most once however often they are sent: each is sent as a TransactWriteItems of one
//! action whose client request token is an operation id the caller keeps, so that DynamoDB applies a resend
//! of it (by the SDK after a lost answer, or by the caller after a crash) only once within 10 minutes.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::error::{Error, ValueError};
use crate::guard::Presence;
use crate::limits::MAX_TOKEN_CHARS;
use crate::request::Returning;
use crate::schema::Item;
use crate::table::Table;
use crate::transaction::{ActionKind, TransactionError};
use crate::write::{DeleteWrite, Prepared, PutWrite, UpdateWrite};

impl<'t, T: Item> UpdateWrite<'t, T> {
    /// Applies the update at most once for this operation id, however often it is sent within 10 minutes: by
    /// aws-sdk-dynamodb after an answer was lost (a timeout, a closed connection), or by the caller after a
    /// crash, with the same id and the same update. Without it, a resent `hits += 1` whose first answer was lost
    /// counts twice.
    ///
    /// The id names this one write: 1 to 36 characters (a UUID the caller generates and keeps with the work it
    /// does), used for no other write within 10 minutes (another write with it is
    /// [`Error::OperationIdReused`]). The write is sent as a TransactWriteItems of one action with the id as its
    /// client request token, which DynamoDB remembers for 10 minutes: after that window a resend is applied
    /// again. It costs twice the write units of the plain write, and returns nothing.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Page { #[dynatomic(partition_key)] path: String, hits: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Page>> {
    /// let pages = dynatomic::Db::memory().table::<Page>();
    /// pages.create_table().await?;
    /// pages.put(&Page { path: "/".into(), hits: 0 }).await?;
    /// let id = "5f0c3e4a-9b1d-4c2e-8f7a-0d6b1e2c3a4b"; // kept with the work, reused by every retry of it
    /// for _ in 0..3 {
    ///     pages.update(Page::key("/"), dynatomic::update!(Page: hits += 1)).exactly_once(id).await?;
    /// }
    /// assert_eq!(pages.get(Page::key("/")).await?.map(|page| page.hits), Some(1));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn exactly_once(self, id: impl Into<String>) -> ExactlyOnce<'t, T> {
        let kind = match self.presence {
            Presence::Any => ActionKind::Upsert,
            _ => ActionKind::Update,
        };
        let prepared = self.table.prepare_update(self.key, self.update, self.presence, Returning::Nothing);
        ExactlyOnce::new(self.table, kind, prepared, id.into())
    }
}

impl<'t, T: Item> PutWrite<'t, T> {
    /// Applies the put at most once for this operation id, as [`UpdateWrite::exactly_once`] does.
    pub fn exactly_once(self, id: impl Into<String>) -> ExactlyOnce<'t, T> {
        let prepared = self.table.prepare_put(self.item, self.condition);
        ExactlyOnce::new(self.table, ActionKind::Put, prepared, id.into())
    }
}

impl<'t, T: Item> DeleteWrite<'t, T> {
    /// Deletes at most once for this operation id, as [`UpdateWrite::exactly_once`] does; the deleted item is
    /// not returned.
    pub fn exactly_once(self, id: impl Into<String>) -> ExactlyOnce<'t, T> {
        let prepared = self.table.prepare_delete(self.key, self.condition, Returning::Nothing);
        ExactlyOnce::new(self.table, ActionKind::Delete, prepared, id.into())
    }
}

/// A write sent so that it is applied at most once: see [`UpdateWrite::exactly_once`](crate::UpdateWrite::exactly_once).
#[must_use = "a write runs only when it is awaited"]
pub struct ExactlyOnce<'t, T> {
    table: &'t Table<T>,
    kind: ActionKind,
    prepared: Result<Prepared, ValueError>,
    id: String,
}

impl<'t, T> ExactlyOnce<'t, T> {
    pub(crate) fn new(
        table: &'t Table<T>,
        kind: ActionKind,
        prepared: Result<Prepared, ValueError>,
        id: String,
    ) -> Self {
        ExactlyOnce { table, kind, prepared, id }
    }
}

impl<'t, T: Item + Send + Sync> IntoFuture for ExactlyOnce<'t, T> {
    type Output = Result<(), Error<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        let ExactlyOnce { table, kind, prepared, id } = self;
        Box::pin(async move {
            if !(1..=MAX_TOKEN_CHARS).contains(&id.chars().count()) {
                return Err(ValueError::InvalidOperationId(id).into());
            }
            let transaction = table.db.transaction().with_token(id.clone()).push::<T>(kind, prepared);
            transaction.commit().await.map_err(|error| match error {
                TransactionError::TokenMismatch { .. } => Error::OperationIdReused { id },
                error => table.action_error(error).map_or_else(|error| error, |(_, error)| error),
            })
        })
    }
}
