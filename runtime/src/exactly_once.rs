//! Writes applied at most once however often they are sent: each is sent as a TransactWriteItems of one
//! action whose client request token is an operation id the caller keeps, so that DynamoDB applies a resend
//! of it (by the SDK after a lost answer, or by the caller after a crash) only once within 10 minutes.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::error::{Error, ValueError};
use crate::limits::MAX_TOKEN_CHARS;
use crate::schema::Item;
use crate::table::Table;
use crate::transaction::{ActionKind, TransactionError};
use crate::write::Prepared;

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
