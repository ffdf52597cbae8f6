//! Transactions on the memory backend: TransactWriteItems and TransactGetItems, with DynamoDB Local's limits,
//! its checks in its order and its messages.
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

use std::sync::Arc;
use std::time::Instant;

use super::Memory;
use super::phases::invalid;
use super::phases::{Veto, WriteKind, check_item_values, commit, sized};
use super::store::Locked;
use super::store::Table;
use super::store::lock;
use super::tokens::Seen;
use super::{takes, update_text};
use crate::capacity::{self, Tally};
use crate::error::ServiceError;
use crate::expr::request::{Bound, Expressions};
use crate::identity::{ItemKey, KeyError};
use crate::limits::{
    MAX_TOKEN_CHARS, MAX_TRANSACTION_ACTIONS as MAX_TRANSACT_ITEMS, MAX_TRANSACTION_BYTES as MAX_TRANSACT_BYTES,
};
use crate::prechecks::transaction_payload;
use crate::request::{Action, CancelReason, Failure, RawItem, TransactRefusal, TransactWrite, Write};

/// Bytes a TransactGetItems answer counts for each item besides the item's size (also for a missing item).
const GET_OVERHEAD: usize = 4;
/// DynamoDB Local's message for more than 100 actions or items.
const TOO_MANY: &str = "Member must have length less than or equal to 100";
/// DynamoDB's error code for a request whose token's transaction is still running, and its message.
const IN_PROGRESS: &str = "TransactionInProgressException";
const IN_PROGRESS_MESSAGE: &str = "The transaction with the given request token is already in progress.";
/// DynamoDB's message for a transaction that names one item twice.
const SAME_ITEM: &str = "Transaction request cannot include multiple operations on one item";

/// An action ready for pass 2: its table and its key as looked up (or why not), and what it does.
struct Target<'w> {
    found: Result<(Arc<Table>, Result<ItemKey, KeyError>), Failure>,
    kind: WriteKind<'w>,
    /// The table's name.
    table: &'w str,
}

impl Memory {
    /// TransactWriteItems: every action or none, isolated from every other request.
    pub(crate) fn transact_write(&self, request: TransactWrite, tally: &mut Tally) -> Result<(), TransactRefusal> {
        let TransactWrite { actions, token } = request;
        check_shape(&actions, token.as_deref())?;
        let expressions: Vec<Expressions> = actions
            .iter()
            .map(|write| {
                Expressions::parse(takes(&write.action), update_text(&write.action), write.condition.as_deref())
            })
            .collect();
        let (bounds, kinds) = check_actions(&actions, &expressions)?;
        // The token log is held only to look the token up, and then to record it: two requests with one token
        // cannot both run, and transactions on other items run in parallel.
        if let Some(token) = &token {
            let mut log = lock(&self.tokens);
            match log.seen(token, &actions, Instant::now()) {
                Seen::New => log.start(token),
                Seen::Replay => return Ok(()),
                Seen::Mismatch => return Err(TransactRefusal::TokenMismatch(String::new())),
                Seen::Running => {
                    return Err(Failure::Service(ServiceError::new(IN_PROGRESS, IN_PROGRESS_MESSAGE)).into());
                }
            }
        }
        let targets = self.targets(&actions, kinds);
        let ran = run(targets, &bounds, tally);
        drop(bounds);
        if let Some(token) = token {
            let mut log = lock(&self.tokens);
            match ran {
                Ok(()) => log.record(token, actions, Instant::now()),
                Err(_) => log.finish(&token),
            }
        }
        ran
    }

    /// Looks up each action's table and key before the locks are taken; their errors are reported in the
    /// action's turn of pass 2.
    fn targets<'w>(&self, actions: &'w [Write], kinds: Vec<WriteKind<'w>>) -> Vec<Target<'w>> {
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
                Target { found, kind, table: &write.table }
            })
            .collect()
    }

    /// TransactGetItems: the items (`None`: absent) in request order, read as one snapshot.
    pub(crate) fn transact_get(
        &self,
        items: Vec<(String, RawItem)>,
        tally: &mut Tally,
    ) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
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
        for ((table, key), (name, _)) in targets.iter().zip(&items) {
            let stored = locked.shard(table.shard_of(key).0)?.get(key);
            tally.add(name, capacity::transactional(capacity::read_units(stored.map_or(0, |stored| stored.size))));
            size += stored.map_or(0, |stored| stored.size) + GET_OVERHEAD;
            if size > MAX_TRANSACT_BYTES {
                return Err(invalid(format!("Payload in response is too large.{size}")).into());
            }
            found.push(stored.map(|stored| stored.item.clone()));
        }
        Ok(found)
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
fn run(targets: Vec<Target<'_>>, bounds: &[Bound<'_>], tally: &mut Tally) -> Result<(), TransactRefusal> {
    // The locks borrow the tables, which the loop below takes out of `targets`.
    let found: Vec<_> = targets.iter().filter_map(|target| target.found.as_ref().ok()).collect();
    let tables: Vec<Arc<Table>> = found.iter().map(|(table, _)| table.clone()).collect();
    let shards = found.iter().zip(&tables).filter_map(|((_, key), table)| Some(table.shard_of(key.as_ref().ok()?)));
    let mut locked = Locked::new(shards);
    let mut reasons = Vec::with_capacity(targets.len());
    let mut effects = Vec::with_capacity(targets.len());
    let mut units = Vec::with_capacity(targets.len());
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
        let stored = locked.shard(shard)?.get(&key);
        let size = stored.map(|stored| stored.size);
        match table.plan(target.kind, bound, stored) {
            Ok(effect) => {
                if effects.iter().any(|(id, other, _)| *id == shard && *other == key) {
                    return Err(invalid(SAME_ITEM).into());
                }
                reasons.push(reason("None", None, None));
                units.push((target.table, effect.transaction_units(size)));
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
    units.into_iter().for_each(|(table, units)| tally.add(table, units));
    Ok(())
}

/// One CancellationReason.
fn reason(code: &str, message: Option<String>, item: Option<RawItem>) -> CancelReason {
    CancelReason { code: code.to_owned(), message, item }
}

#[cfg(test)]
mod tests;
