//! Checked batch writes: many items of one table written in transactions of up to 100 actions, each with the
//! checks a single [`put`](crate::Table::put) or [`delete`](crate::Table::delete) makes, such as the version of
//! a versioned item, which BatchWriteItem cannot make. Each transaction is all or nothing; the batch as a whole
//! is not.

use std::collections::HashMap;

use crate::error::{Error, InternalError, ServiceError, ServiceErrorKind, ValueError};
use crate::identity::{ItemKey, identity};
use crate::limits::{MAX_TRANSACTION_ACTIONS as MAX_ACTIONS, MAX_TRANSACTION_BYTES as MAX_BYTES};
use crate::prechecks;
use crate::request::Returning;
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::transaction::{ActionKind, Reason, TransactionError, key_of};
use crate::write::Prepared;

impl<T: Item + Send + Sync> Table<T> {
    /// Writes many items as [`put`](Self::put) does, with its checks (the version of a versioned item must be
    /// the stored one; it is stored at the next), in transactions of up to 100 items and 4 MB. Each transaction
    /// is all or nothing; one canceled by another transaction is sent again with the database's
    /// [`Backoff`](crate::Backoff). Refused before anything is sent: an invalid item
    /// ([`Error::InvalidEntry`]) or two items with one key ([`Error::DuplicateKey`]). When an item fails its
    /// check, the batch stops: [`Error::BatchIncomplete`] names the entries not written, and its cause is an
    /// [`Error::EntryFailed`] that says which entry failed and why. Transactions cost twice the write
    /// capacity of a batch write.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Doc { #[dynatomic(partition_key)] id: String, #[dynatomic(version)] version: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Doc>> {
    /// let docs = dynatomic::Db::memory().table::<Doc>();
    /// docs.create_table().await?;
    /// let new: Vec<Doc> = (0..150).map(|i| Doc { id: format!("doc-{i}"), version: 0 }).collect();
    /// docs.batch_put_checked(&new).await?; // two transactions; each item stored at version 1
    /// assert_eq!(docs.get(Doc::key("doc-7")).await?.map(|d| d.version), Some(1));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn batch_put_checked(&self, items: &[T]) -> Result<(), Error<T>> {
        let prepared = items.iter().map(|item| self.prepare_put(item, None));
        self.write_checked(ActionKind::Put, prepared.collect()).await
    }

    /// Deletes the items with these keys as [`delete`](Self::delete) does, with its checks (a versioned item's
    /// key says which version it expects: [`Key::at_version`] or [`Key::any_version`]), in transactions of up to
    /// 100, like [`batch_put_checked`](Self::batch_put_checked) and with its errors.
    pub async fn batch_delete_checked(&self, keys: impl IntoIterator<Item = Key<T>>) -> Result<(), Error<T>> {
        let prepared = keys.into_iter().map(|key| self.prepare_delete(key, None, Returning::Nothing));
        self.write_checked(ActionKind::Delete, prepared.collect()).await
    }

    /// Refuses invalid entries and duplicate keys, then commits the writes in transactions, in order.
    async fn write_checked(
        &self,
        kind: ActionKind,
        prepared: Vec<Result<Prepared, ValueError>>,
    ) -> Result<(), Error<T>> {
        let prepared = prepared
            .into_iter()
            .enumerate()
            .map(|(index, write)| write.map_err(|source| Error::InvalidEntry { index, source }))
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen: HashMap<ItemKey, usize> = HashMap::with_capacity(prepared.len());
        for (index, write) in prepared.iter().enumerate() {
            if let Some(first) = seen.insert(identity(&key_of(&write.write, T::KEY), T::KEY)?, index) {
                return Err(Error::DuplicateKey { first, second: index });
            }
        }
        let total = prepared.len();
        let mut rest = prepared.into_iter();
        let mut start = 0;
        while start < total {
            let len = chunk_len(rest.as_slice());
            let transaction = rest
                .by_ref()
                .take(len)
                .fold(self.db.transaction(), |transaction, write| transaction.push::<T>(kind, Ok(write)));
            let mut attempts = self.db.backoff.start();
            loop {
                match transaction.commit().await {
                    Ok(()) => break,
                    Err(error) if transient(&error) && attempts.retry_conflict("checked_batch").await => {}
                    Err(error) => {
                        let cause = self.entry_error(start, error);
                        let unprocessed = (start..total).collect();
                        return Err(Error::BatchIncomplete { unprocessed, cause: Some(Box::new(cause)) });
                    }
                }
            }
            start += len;
        }
        Ok(())
    }

    /// The error of the entries of a transaction that starts at entry `start` and failed with `error`.
    fn entry_error(&self, start: usize, error: TransactionError) -> Error<T> {
        match self.action_error(error) {
            Ok((index, source)) => Error::EntryFailed { index: start + index, failure: Box::new(source) },
            Err(error) => error,
        }
    }

    /// What failed in a transaction of writes of this table: the first failed action's index and its error, or
    /// the error of the whole transaction.
    pub(crate) fn action_error(&self, error: TransactionError) -> Result<(usize, Error<T>), Error<T>> {
        let canceled = match error {
            TransactionError::Canceled(canceled) => canceled,
            TransactionError::Service(error) => return Err(Error::Service(error)),
            TransactionError::Internal(error) => return Err(Error::Internal(error)),
            TransactionError::InvalidValue { action, source } => return Ok((action, Error::InvalidValue(source))),
            other => {
                return Err(InternalError::new(format!("dynatomic built an invalid transaction: {other}")).into());
            }
        };
        let Some(action) = canceled.actions.into_iter().find(|action| action.reason != Reason::None) else {
            return Err(InternalError::new("a transaction was canceled without a failed action").into());
        };
        let stored = action.stored.and_then(|stored| stored.downcast::<T>()).map(Box::new);
        let source = match action.reason {
            Reason::ConditionFailed => Error::ConditionFailed { stored, explanation: action.explanation },
            Reason::NotFound => Error::NotFound { table: self.name().to_owned() },
            Reason::VersionConflict { expected, stored: version } => {
                Error::VersionConflict { expected, stored: version, item: stored }
            }
            Reason::Changed => Error::Changed { stored },
            Reason::VersionOverflow => Error::InvalidValue(ValueError::VersionOverflow),
            reason => {
                let (kind, code) = match &reason {
                    Reason::Validation => (ServiceErrorKind::Validation, "ValidationError".to_owned()),
                    Reason::Throttled => (ServiceErrorKind::Throttling, "ThrottlingError".to_owned()),
                    Reason::Conflict => (ServiceErrorKind::Other, "TransactionConflict".to_owned()),
                    other => (ServiceErrorKind::Other, other.to_string()),
                };
                Error::Service(ServiceError::of_kind(kind, &code, action.message.unwrap_or_default()))
            }
        };
        Ok((action.index, source))
    }
}

/// How many of `prepared`, from the first, the next transaction holds: at most 100 actions and 4 MB (and
/// always the first).
fn chunk_len(prepared: &[Prepared]) -> usize {
    let mut bytes = 0;
    let mut len = 0;
    for write in prepared.iter().take(MAX_ACTIONS) {
        bytes += prechecks::transaction_payload(&write.write);
        if bytes > MAX_BYTES && len > 0 {
            break;
        }
        len += 1;
    }
    len
}

/// Whether a transaction was canceled only because another transaction or the throughput got in the way, so that
/// sending it again may succeed.
fn transient(error: &TransactionError) -> bool {
    match error {
        TransactionError::Canceled(canceled) => {
            canceled.failed().next().is_some()
                && canceled.failed().all(|action| matches!(action.reason, Reason::Conflict | Reason::Throttled))
        }
        _ => false,
    }
}
