//! Batch writes and reads: many items of one table in DynamoDB's chunks (25 writes, 100 reads per request),
//! resending what DynamoDB leaves unprocessed with the database's [`Backoff`].

use std::collections::{HashMap, VecDeque};

use crate::backoff::Backoff;
use crate::error::Error;
use crate::identity::{ItemKey, identity};
use crate::prechecks;
use crate::request::{BatchOp, Failure, RawItem};
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::telemetry::Operation;
use crate::version::Unversioned;

use crate::limits::{MAX_BATCH_READS as READS_PER_REQUEST, MAX_BATCH_WRITES as WRITES_PER_REQUEST};

impl<T: Item> Table<T> {
    /// Writes many items (replacing any with the same keys), 25 per request. Not atomic: each item is written
    /// on its own, and DynamoDB may leave some unprocessed, which are sent again with the database's
    /// [`Backoff`](crate::Backoff). For all-or-nothing writes, use a [`Transaction`](crate::Transaction).
    ///
    /// Refused before anything is sent: an invalid item ([`Error::InvalidEntry`]) or two items with one key
    /// ([`Error::DuplicateKey`]). When items are left unwritten, [`Error::BatchIncomplete`] says which.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Product>> {
    /// let products = dynatomic::Db::memory().table::<Product>();
    /// products.create_table().await?;
    /// let items: Vec<Product> = (0..60).map(|i| Product { sku: format!("sku-{i}"), stock: i }).collect();
    /// products.batch_put(&items).await?; // three requests
    /// let found = products.batch_get([Product::key("sku-7"), Product::key("none")]).await?;
    /// assert_eq!(found[0].as_ref().map(|p| p.stock), Some(7));
    /// assert!(found[1].is_none());
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn batch_put(&self, items: &[T]) -> Result<(), Error<T>>
    where
        T: Unversioned,
    {
        let ops = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let put = item.item_key().into_attributes().and_then(|key| {
                    let item = item.to_item()?;
                    prechecks::check_item(&item)?;
                    Ok((key, BatchOp::Put(item)))
                });
                put.map_err(|source| Error::InvalidEntry { index, source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write_batch(ops).await
    }

    /// Deletes the items with these keys, 25 per request; keys without an item are no error. Not atomic, like
    /// [`batch_put`](Self::batch_put), with the same errors.
    pub async fn batch_delete(&self, keys: impl IntoIterator<Item = Key<T>>) -> Result<(), Error<T>>
    where
        T: Unversioned,
    {
        let ops = keys
            .into_iter()
            .enumerate()
            .map(|(index, key)| match key.into_attributes() {
                Ok(key) => Ok((key.clone(), BatchOp::Delete(key))),
                Err(source) => Err(Error::InvalidEntry { index, source }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.write_batch(ops).await
    }

    /// Reads the items with these keys (strongly consistent), 100 per request, and returns them in the order
    /// of the keys: `None` where there is no item. A key may appear more than once. Not a snapshot: each item
    /// is read on its own; for one consistent view, use a [`ReadTransaction`](crate::ReadTransaction).
    pub async fn batch_get(&self, keys: impl IntoIterator<Item = Key<T>>) -> Result<Vec<Option<T>>, Error<T>> {
        let keys = keys
            .into_iter()
            .enumerate()
            .map(|(index, key)| key.into_attributes().map_err(|source| Error::InvalidEntry { index, source }))
            .collect::<Result<Vec<RawItem>, _>>()?;
        // Each distinct key is read once; `positions` says where its item goes.
        let mut positions: HashMap<ItemKey, Vec<usize>> = HashMap::new();
        let mut distinct = Vec::new();
        for (index, key) in keys.into_iter().enumerate() {
            let slots = positions.entry(identity(&key, T::KEY)?).or_default();
            if slots.is_empty() {
                distinct.push((index, key));
            }
            slots.push(index);
        }
        let mut items: Vec<Option<T>> =
            std::iter::repeat_with(|| None).take(positions.values().map(Vec::len).sum()).collect();
        let db = &self.db.backend;
        let found =
            drain((Operation::BatchGetItem, self.name()), self.db.backoff, distinct, READS_PER_REQUEST, |keys| {
                db.batch_get(self.name(), keys)
            })
            .await
            .map_err(|incomplete| self.incomplete(incomplete))?;
        for item in found {
            let slots = positions.get(&identity(&item, T::KEY)?).map(Vec::as_slice).unwrap_or_default();
            if let Some((last, rest)) = slots.split_last() {
                for &slot in rest {
                    items[slot] = Some(T::from_item(item.clone())?);
                }
                items[*last] = Some(T::from_item(item)?);
            }
        }
        Ok(items)
    }

    /// Refuses duplicate keys, then sends the writes in chunks until all are processed.
    async fn write_batch(&self, ops: Vec<(RawItem, BatchOp)>) -> Result<(), Error<T>> {
        let mut seen: HashMap<ItemKey, usize> = HashMap::with_capacity(ops.len());
        for (index, (key, _)) in ops.iter().enumerate() {
            if let Some(first) = seen.insert(identity(key, T::KEY)?, index) {
                return Err(Error::DuplicateKey { first, second: index });
            }
        }
        for (key, _) in &ops {
            self.db.backend.observe.wrote(self.name(), || key.get(T::KEY.partition.0));
        }
        let ops = ops.into_iter().map(|(_, op)| op).enumerate().collect();
        let db = &self.db.backend;
        drain((Operation::BatchWriteItem, self.name()), self.db.backoff, ops, WRITES_PER_REQUEST, |ops| async move {
            db.batch_write(self.name(), ops).await.map(|unprocessed| (Vec::<()>::new(), unprocessed))
        })
        .await
        .map(drop)
        .map_err(|incomplete| self.incomplete(incomplete))
    }

    fn incomplete(&self, incomplete: Incomplete) -> Error<T> {
        Error::BatchIncomplete {
            unprocessed: incomplete.unprocessed,
            cause: incomplete.cause.map(|failure| Box::new(failure.into())),
        }
    }
}

/// What a batch left undone: the positions in the input of the entries not processed, and the refusal that
/// stopped it (none when it ran out of attempts).
#[derive(Debug)]
struct Incomplete {
    unprocessed: Vec<usize>,
    cause: Option<Failure>,
}

/// Sends `entries` (each with its position in the input) `per_request` at a time through `send`, which
/// answers with what it found and the requests left unprocessed. Those go first into the next request, after
/// a wait of `backoff`; the attempts start over whenever a request is processed in full. Returns everything
/// found.
async fn drain<R: Clone + PartialEq, O, F: Future<Output = Result<(Vec<O>, Vec<R>), Failure>>>(
    (operation, table): (Operation, &str),
    backoff: Backoff,
    entries: Vec<(usize, R)>,
    per_request: usize,
    mut send: impl FnMut(Vec<R>) -> F,
) -> Result<Vec<O>, Incomplete> {
    let mut pending: VecDeque<(usize, R)> = entries.into();
    let mut found = Vec::new();
    let mut attempts = backoff.start();
    let remaining = |chunk: Vec<usize>, pending: &VecDeque<(usize, R)>| {
        let mut unprocessed: Vec<usize> = chunk.into_iter().chain(pending.iter().map(|(index, _)| *index)).collect();
        unprocessed.sort_unstable();
        unprocessed
    };
    while !pending.is_empty() {
        let (indices, requests): (Vec<usize>, Vec<R>) = pending.drain(..per_request.min(pending.len())).unzip();
        let (answer, unprocessed) = match send(requests.clone()).await {
            Ok(answer) => answer,
            Err(failure) => return Err(Incomplete { unprocessed: remaining(indices, &pending), cause: Some(failure) }),
        };
        found.extend(answer);
        if unprocessed.is_empty() {
            attempts = backoff.start();
            continue;
        }
        for request in unprocessed.into_iter().rev() {
            if let Some(position) = requests.iter().position(|sent| *sent == request) {
                pending.push_front((indices[position], request));
            }
        }
        if !attempts.resend(operation, table, pending.len()).await {
            return Err(Incomplete { unprocessed: remaining(Vec::new(), &pending), cause: None });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn quick(max_attempts: u32) -> Backoff {
        Backoff {
            max_attempts,
            base: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..Backoff::default()
        }
    }

    #[tokio::test]
    async fn sends_in_chunks_and_resends_the_unprocessed_first() {
        let mut requests: Vec<Vec<u32>> = Vec::new();
        let entries: Vec<(usize, u32)> = (0..60).map(|i| (i as usize, i)).collect();
        // Every request leaves its last two entries unprocessed the first time they are sent.
        let mut refused = std::collections::HashSet::new();
        let found = drain((Operation::BatchWriteItem, "things"), quick(10), entries, 25, |chunk: Vec<u32>| {
            requests.push(chunk.clone());
            let (mut done, mut left) = (Vec::new(), Vec::new());
            for (i, value) in chunk.iter().enumerate() {
                if i + 2 >= chunk.len() && refused.insert(*value) { left.push(*value) } else { done.push(*value) }
            }
            std::future::ready(Ok::<_, Failure>((done, left)))
        })
        .await
        .unwrap();
        let mut found = found;
        found.sort_unstable();
        assert_eq!(found, (0..60).collect::<Vec<_>>());
        assert!(requests.iter().all(|r| r.len() <= 25));
        // The two left over from the first request lead the second.
        assert_eq!(&requests[1][..2], &requests[0][23..]);
    }

    /// A `Write` into a shared buffer, for the log lines of a test.
    #[derive(Clone, Default)]
    struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Log {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn gives_up_after_the_attempts_and_names_what_is_left() {
        let log = Log::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish();
        let _tracing = tracing::subscriber::set_default(subscriber);
        #[cfg(feature = "metrics")]
        let recorder = metrics_util::debugging::DebuggingRecorder::new();
        #[cfg(feature = "metrics")]
        let _metrics = metrics::set_default_local_recorder(&recorder);
        let mut sent = 0;
        let entries: Vec<(usize, &str)> = vec![(0, "a"), (1, "b"), (2, "c")];
        let result = drain((Operation::BatchWriteItem, "things"), quick(3), entries, 2, |chunk: Vec<&str>| {
            sent += 1;
            // "b" is never processed.
            let (done, left) = chunk.into_iter().partition(|v| *v != "b");
            std::future::ready(Ok::<_, Failure>((done, left)))
        })
        .await;
        let incomplete = result.unwrap_err();
        assert_eq!(incomplete.unprocessed, vec![1]); // "c" went with the retry of "b"
        assert!(incomplete.cause.is_none());
        assert_eq!(sent, 3);
        let log = String::from_utf8(log.0.lock().expect("log").clone()).expect("UTF-8");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(lines.len(), 3, "{log}");
        assert!(lines[0].contains("DEBUG dynatomic: resending unprocessed batch entries operation=\"BatchWriteItem\" table=\"things\" entries=2"), "{log}");
        assert!(lines[1].contains("DEBUG dynatomic: resending unprocessed batch entries"), "{log}");
        assert!(lines[2].contains("WARN dynatomic: batch ended with entries unprocessed operation=\"BatchWriteItem\" table=\"things\" entries=1"), "{log}");
        #[cfg(feature = "metrics")]
        {
            let snapshot = recorder.snapshotter().snapshot().into_vec();
            let resent = snapshot.iter().find(|(key, ..)| key.key().name() == "dynatomic_batch_items_resent_total");
            let resent = resent.map(|(_, _, _, value)| value);
            assert_eq!(resent, Some(&metrics_util::debugging::DebugValue::Counter(3)), "2, then 1");
        }
    }

    #[tokio::test]
    async fn a_refusal_stops_the_batch_and_names_what_was_not_sent() {
        let entries: Vec<(usize, u32)> = (0..10).map(|i| (i as usize, i)).collect();
        let mut calls = 0;
        let result = drain((Operation::BatchWriteItem, "things"), quick(3), entries, 4, |chunk: Vec<u32>| {
            calls += 1;
            let refused = Failure::Service(crate::error::ServiceError::validation("no"));
            std::future::ready(if calls == 2 { Err(refused) } else { Ok((chunk, Vec::new())) })
        })
        .await;
        let incomplete = result.unwrap_err();
        assert_eq!(incomplete.unprocessed, (4..10).collect::<Vec<_>>());
        assert!(matches!(incomplete.cause, Some(Failure::Service(e)) if e.message() == "no"));
    }
}
