//! Multi-item requests on the memory backend: TransactWriteItems, TransactGetItems, BatchWriteItem and
//! BatchGetItem, with DynamoDB Local's limits, its checks in its order and its messages.
//!
//! A transaction is checked in two passes, as DynamoDB Local checks it:
//! 1. every action without its table, in request order: the item's values and size, the expressions and
//!    placeholders, and the running total of the request's payload (4 MB); then the ClientRequestToken;
//! 2. holding the locks of every shard involved, taken in one global order, each action in turn: its table
//!    exists, its key fits, its condition reads no path into a key attribute, then it is planned on its item
//!    as a single write is ([`Table::plan`]); an action that passes may not name the item of an earlier one
//!    that passed. Only if all pass are all committed, before any lock is released, so no reader or writer
//!    sees part of a transaction.
//!
//! In pass 2 a false condition, a key of the wrong type or too long, an update that cannot be applied to the
//! stored item (a wrong operand type, a missing attribute) and an update growing an item over 400 KB are
//! reasons of the cancellation (the other actions are still evaluated); an update of a key attribute cancels
//! it with that reason alone; any other error (a missing table, nesting too deep, the same item twice)
//! refuses the whole request at once, whatever the earlier actions gave.
//!
//! One difference from DynamoDB Local, where it differs from the service: Local refuses the whole request
//! when an update cannot be applied; the service cancels the transaction with a `ValidationError` reason for
//! that action (as in aws/aws-sdk-net#1292), and so does this backend.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use aws_sdk_dynamodb::types::AttributeValue;

use super::takes;
use super::tokens::Seen;
use super::{
    ItemKey, KeyError, Memory, Shard, ShardId, Table, Veto, WriteKind, check_item_values, commit, invalid, lock, sized,
    update_text,
};
use crate::error::InternalError;
use crate::expr::request::{Bound, Expressions};
use crate::fast_hash::FastHasher;
use crate::limits::{
    MAX_BATCH_READS as MAX_BATCH_GETS, MAX_BATCH_WRITES, MAX_TOKEN_CHARS,
    MAX_TRANSACTION_ACTIONS as MAX_TRANSACT_ITEMS, MAX_TRANSACTION_BYTES as MAX_TRANSACT_BYTES,
};
use crate::prechecks::transaction_payload;
use crate::request::{Action, BatchOp, CancelReason, Failure, RawItem, TransactRefusal, TransactWrite, Write};

/// Bytes a TransactGetItems answer counts for each item besides the item's size (also for a missing item).
const GET_OVERHEAD: usize = 4;
/// DynamoDB Local's message for more than 100 actions or items.
const TOO_MANY: &str = "Member must have length less than or equal to 100";
/// DynamoDB's message for a transaction that names one item twice.
const SAME_ITEM: &str = "Transaction request cannot include multiple operations on one item";
/// DynamoDB's message for a batch that names one item twice.
const DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

/// An action ready for pass 2: its table and its key as looked up (or why not), and what it does.
struct Target<'w> {
    found: Result<(Arc<Table>, Result<ItemKey, KeyError>), Failure>,
    kind: WriteKind<'w>,
}

impl Memory {
    /// TransactWriteItems: every action or none, isolated from every other request.
    pub(crate) fn transact_write(&self, request: TransactWrite) -> Result<(), TransactRefusal> {
        let TransactWrite { actions, token } = request;
        check_shape(&actions, token.as_deref())?;
        let expressions: Vec<Expressions> = actions
            .iter()
            .map(|write| {
                Expressions::parse(takes(&write.action), update_text(&write.action), write.condition.as_deref())
            })
            .collect();
        let (bounds, kinds) = check_actions(&actions, &expressions)?;
        let now = Instant::now();
        // A transaction with a token runs holding the token log, so that two requests with one token cannot
        // both run.
        let mut log = match &token {
            None => None,
            Some(token) => {
                let mut log = lock(&self.tokens);
                match log.seen(token, &actions, now) {
                    Seen::New => Some(log),
                    Seen::Replay => return Ok(()),
                    Seen::Mismatch => return Err(TransactRefusal::TokenMismatch(String::new())),
                }
            }
        };
        let targets = self.targets(&actions, kinds);
        run(targets, &bounds)?;
        drop(bounds);
        if let (Some(log), Some(token)) = (log.as_mut(), token) {
            log.record(token, actions, now);
        }
        Ok(())
    }

    /// Looks up each action's table and key before the locks are taken; their errors are reported in the
    /// action's turn of pass 2.
    fn targets<'w>(&self, actions: &[Write], kinds: Vec<WriteKind<'w>>) -> Vec<Target<'w>> {
        actions
            .iter()
            .zip(kinds)
            .map(|(write, kind)| {
                let found = self.table(&write.table).map(|table| {
                    let key = match &write.action {
                        Action::Put(item) => table.key_of_item(item),
                        Action::Update { key, .. } | Action::Delete { key } | Action::Check { key } => {
                            table.key_of(key)
                        }
                    };
                    (table, key)
                });
                Target { found, kind }
            })
            .collect()
    }

    /// TransactGetItems: the items (`None`: absent) in request order, read as one snapshot.
    pub(crate) fn transact_get(&self, items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
        if items.is_empty() {
            return Err(
                invalid("Value null at 'transactItems' failed to satisfy constraint: Member must not be null").into()
            );
        }
        if items.len() > MAX_TRANSACT_ITEMS {
            return Err(invalid(TOO_MANY).into());
        }
        let mut targets: Vec<(Arc<Table>, ItemKey)> = Vec::with_capacity(items.len());
        for (name, key) in &items {
            let table = self.table(name)?;
            // DynamoDB Local cancels the transaction, giving no reasons, for these; it refuses the others.
            let key = table.key_of(key).map_err(|error| match error {
                KeyError::Count | KeyError::Missing | KeyError::Type => TransactRefusal::Canceled(Vec::new()),
                other => Failure::from(other).into(),
            })?;
            if targets.iter().any(|(t, k)| Arc::ptr_eq(t, &table) && *k == key) {
                return Err(invalid(SAME_ITEM).into());
            }
            targets.push((table, key));
        }
        let locked = Locked::new(targets.iter().map(|(table, key)| table.shard_of(key)));
        let mut size = 0;
        let mut found = Vec::with_capacity(targets.len());
        for (table, key) in &targets {
            let stored = locked.shard(table.shard_of(key).0)?.get(key);
            size += stored.map_or(0, |stored| stored.size) + GET_OVERHEAD;
            if size > MAX_TRANSACT_BYTES {
                return Err(invalid(format!("Payload in response is too large.{size}")).into());
            }
            found.push(stored.map(|stored| stored.item.clone()));
        }
        Ok(found)
    }

    /// BatchWriteItem to one table: every put and delete is applied (none is left unprocessed), each on its
    /// own, as DynamoDB applies them.
    pub(crate) fn batch_write(&self, table: &str, ops: Vec<BatchOp>) -> Result<(), Failure> {
        if ops.is_empty() {
            return Err(invalid(format!("The batch write request list for a table cannot be null or empty: {table}")));
        }
        if ops.len() > MAX_BATCH_WRITES {
            return Err(invalid("Too many items requested for the BatchWriteItem call"));
        }
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            items.push(match op {
                BatchOp::Put(item) => {
                    check_item_values(item)?;
                    Some(sized(item)?)
                }
                BatchOp::Delete(key) => {
                    check_item_values(key)?;
                    None
                }
            });
        }
        let table = self.table(table)?;
        let mut keys: Vec<ItemKey> = Vec::with_capacity(ops.len());
        for op in &ops {
            let key = match op {
                BatchOp::Put(item) => table.key_of_item(item)?,
                BatchOp::Delete(key) => table.key_of(key)?,
            };
            if keys.contains(&key) {
                return Err(invalid(DUPLICATE_KEYS));
            }
            keys.push(key);
        }
        for (key, item) in keys.into_iter().zip(items) {
            let mut shard = lock(table.shard(&key));
            match item {
                Some(stored) => drop(shard.insert(key, stored)),
                None => drop(shard.remove(&key)),
            }
        }
        Ok(())
    }

    /// BatchGetItem from one table: the items found, one per key that names one, in no particular order.
    pub(crate) fn batch_get(&self, table: &str, keys: Vec<RawItem>) -> Result<Vec<RawItem>, Failure> {
        // DynamoDB Local compares the keys as sent (`1` and `1.0` differ), before any other check.
        if has_duplicates(&keys) {
            return Err(invalid(DUPLICATE_KEYS));
        }
        if keys.is_empty() {
            return Err(invalid(format!(
                "The list of keys in RequestItems for BatchGetItem is required: {table} has empty list"
            )));
        }
        if keys.len() > MAX_BATCH_GETS {
            return Err(invalid("Too many items requested for the BatchGetItem call"));
        }
        keys.iter().try_for_each(check_item_values)?;
        let table = self.table(table)?;
        let keys = keys.iter().map(|key| table.key_of(key)).collect::<Result<Vec<_>, _>>()?;
        Ok(keys.iter().filter_map(|key| lock(table.shard(key)).get(key).map(|stored| stored.item.clone())).collect())
    }
}

/// The checks of a transaction's form: 1 to 100 actions, a token of at most 36 characters, a condition for
/// each ConditionCheck.
fn check_shape(actions: &[Write], token: Option<&str>) -> Result<(), Failure> {
    if actions.is_empty() {
        return Err(invalid(
            "Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    if actions.len() > MAX_TRANSACT_ITEMS {
        return Err(invalid(TOO_MANY));
    }
    if let Some(token) = token
        && token.chars().count() > MAX_TOKEN_CHARS
    {
        return Err(invalid(format!(
            "Value {token} at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"
        )));
    }
    let unconditional = |write: &Write| matches!(write.action, Action::Check { .. }) && write.condition.is_none();
    if let Some(i) = actions.iter().position(unconditional) {
        return Err(invalid(format!(
            "Value null at 'transactItems.{}.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
            i + 1
        )));
    }
    Ok(())
}

/// Pass 1 of a transaction, in request order: each put's item, each action's expressions, and the payload.
/// Returns the bound expressions and what each action does.
fn check_actions<'e>(
    actions: &'e [Write],
    expressions: &'e [Expressions],
) -> Result<(Vec<Bound<'e>>, Vec<WriteKind<'e>>), Failure> {
    let mut bounds = Vec::with_capacity(actions.len());
    let mut kinds = Vec::with_capacity(actions.len());
    let mut payload = 0;
    for (write, expressions) in actions.iter().zip(expressions) {
        kinds.push(match &write.action {
            Action::Put(item) => {
                check_item_values(item)?;
                WriteKind::Put(sized(item)?)
            }
            Action::Update { key, .. } => WriteKind::Update(key),
            Action::Delete { .. } => WriteKind::Delete,
            Action::Check { .. } => WriteKind::Check,
        });
        bounds.push(expressions.bind(&write.names, &write.values).map_err(invalid)?);
        payload += transaction_payload(write);
        if payload > MAX_TRANSACT_BYTES {
            return Err(invalid(format!("Transaction payload size cannot exceed 4MB. Payload Size: {payload}")));
        }
    }
    Ok((bounds, kinds))
}

/// Pass 2 of a transaction, holding the locks of every shard involved: each action in turn, as DynamoDB Local
/// takes them, is checked against its table (the table exists, the key fits, the condition reads no path into
/// a key attribute), then planned on its item; an action that passes may not name an item another passing
/// action names. If every action passes, all are committed.
fn run(targets: Vec<Target<'_>>, bounds: &[Bound<'_>]) -> Result<(), TransactRefusal> {
    // The locks borrow the tables, which the loop below takes out of `targets`.
    let found: Vec<_> = targets.iter().filter_map(|target| target.found.as_ref().ok()).collect();
    let tables: Vec<Arc<Table>> = found.iter().map(|(table, _)| table.clone()).collect();
    let shards = found.iter().zip(&tables).filter_map(|((_, key), table)| Some(table.shard_of(key.as_ref().ok()?)));
    let mut locked = Locked::new(shards);
    let mut reasons = Vec::with_capacity(targets.len());
    let mut effects = Vec::with_capacity(targets.len());
    let mut canceled = false;
    for (target, bound) in targets.into_iter().zip(bounds) {
        let (table, key) = target.found?;
        let key = match key {
            Ok(key) => key,
            Err(error @ (KeyError::Type | KeyError::TooLong)) => {
                canceled = true;
                reasons.push(reason("ValidationError", Some(error.message()), None));
                continue;
            }
            Err(error) => return Err(Failure::from(error).into()),
        };
        let check = matches!(target.kind, WriteKind::Check);
        // A ConditionCheck may read paths into key attributes (they are just absent).
        if !check {
            table.check_condition_scalar_keys(bound.condition())?;
        }
        let shard = table.shard_of(&key).0;
        match table.plan(target.kind, bound, locked.shard(shard)?.get(&key)) {
            Ok(effect) => {
                if effects.iter().any(|(id, other, _)| *id == shard && *other == key) {
                    return Err(invalid(SAME_ITEM).into());
                }
                reasons.push(reason("None", None, None));
                effects.push((shard, key, effect));
            }
            Err(Veto::Condition(item)) => {
                canceled = true;
                // DynamoDB Local ends a ConditionCheck's message with a full stop, and no other.
                let message = if check { "The conditional request failed." } else { "The conditional request failed" };
                reasons.push(reason("ConditionalCheckFailed", Some(message.to_owned()), item));
            }
            Err(Veto::Action(message)) => {
                canceled = true;
                reasons.push(reason("ValidationError", Some(message), None));
            }
            Err(Veto::Alone(message)) => {
                return Err(TransactRefusal::Canceled(vec![reason("ValidationError", Some(message), None)]));
            }
            Err(Veto::Request(failure)) => return Err(failure.into()),
        }
    }
    if canceled {
        return Err(TransactRefusal::Canceled(reasons));
    }
    for (shard, key, effect) in effects {
        commit(locked.shard_mut(shard)?, key, effect)?;
    }
    Ok(())
}

/// One CancellationReason.
fn reason(code: &str, message: Option<String>, item: Option<RawItem>) -> CancelReason {
    CancelReason { code: code.to_owned(), message, item }
}

/// The locks of a set of shards, taken in one global order ([`ShardId`]) so that requests that lock several
/// shards cannot deadlock, and held until this is dropped.
struct Locked<'t> {
    guards: Vec<(ShardId, MutexGuard<'t, Shard>)>,
}

impl<'t> Locked<'t> {
    /// Locks each distinct shard of `shards`.
    fn new(shards: impl Iterator<Item = (ShardId, &'t Mutex<Shard>)>) -> Self {
        let mut shards: Vec<_> = shards.collect();
        shards.sort_unstable_by_key(|(id, _)| *id);
        shards.dedup_by_key(|(id, _)| *id);
        Locked { guards: shards.into_iter().map(|(id, shard)| (id, lock(shard))).collect() }
    }

    /// The items of a locked shard.
    fn shard(&self, id: ShardId) -> Result<&Shard, Failure> {
        let i = self.position(id)?;
        Ok(&self.guards[i].1)
    }

    /// The items of a locked shard, to change them.
    fn shard_mut(&mut self, id: ShardId) -> Result<&mut Shard, Failure> {
        let i = self.position(id)?;
        Ok(&mut self.guards[i].1)
    }

    fn position(&self, id: ShardId) -> Result<usize, Failure> {
        self.guards
            .binary_search_by_key(&id, |(id, _)| *id)
            .map_err(|_| InternalError::new("a shard of the request was not locked").into())
    }
}

/// Whether two keys of a batch are equal as sent.
fn has_duplicates(keys: &[RawItem]) -> bool {
    let mut hashed: Vec<(u64, usize)> = keys.iter().map(raw_hash).zip(0..).collect();
    hashed.sort_unstable();
    hashed.chunk_by(|a, b| a.0 == b.0).any(|same_hash| {
        same_hash.iter().enumerate().any(|(n, (_, i))| same_hash[..n].iter().any(|(_, j)| keys[*i] == keys[*j]))
    })
}

/// A hash of a key as sent that equal keys share (whatever the order of their attributes); keys with equal
/// hashes are then compared.
fn raw_hash(key: &RawItem) -> u64 {
    use std::hash::Hasher;
    key.iter().fold(0u64, |sum, (name, value)| {
        let mut hasher = FastHasher::default();
        hasher.write(name.as_bytes());
        match value {
            AttributeValue::S(s) | AttributeValue::N(s) => hasher.write(s.as_bytes()),
            AttributeValue::B(b) => hasher.write(b.as_ref()),
            other => hasher.write(crate::expr::values::type_code(other).as_bytes()),
        }
        sum.wrapping_add(hasher.finish())
    })
}

#[cfg(test)]
mod tests;
