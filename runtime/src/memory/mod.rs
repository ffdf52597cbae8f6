//! The embedded in-memory backend: tables in this process that answer as DynamoDB answers.
//!
//! A request goes through DynamoDB's checks in DynamoDB's order (table, key, placeholder maps, the update
//! expression, the condition expression, unused placeholders, key attributes), then, holding the lock of the
//! item's shard, the condition is evaluated on the stored item, the update is computed on copies of the
//! attributes it touches, the size limit is checked, and the result is stored. A refused write changes nothing.
//!
//! These phases (`Table::prepare` and `Expressions::bind` without a lock, `Table::plan` on the locked item,
//! `commit`) are shared with the actions of a transaction (`transact.rs`), which plans every action with all
//! its shards locked and commits all of them or none.

mod tokens;
mod transact;

use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use crate::error::{InternalError, ServiceError};
use crate::expr::bind::Context;
use crate::expr::expression::UPDATE_TOO_LARGE;
use crate::expr::item_size::{MAX_ITEM_BYTES, attribute_size, item_size};
use crate::expr::request::{Bound, BoundCondition, BoundUpdate, Expressions, Takes};
use crate::expr::{apply, eval, parser, values};
use crate::fast_hash::{FastHasher, FastMap};
use crate::identity::{ItemKey, KeyError, KeyNames};
use crate::request::{Action, Failure, Maps, RawItem, Returning, Write, WriteRefusal};
use crate::schema::{KeyKind, KeySchema};

/// The answer to a condition check sent as a single write.
const CHECK_OUTSIDE_TRANSACTION: &str = "A condition check can only be part of a transaction";
/// Number of independently locked parts of a table (a power of two).
const SHARDS: usize = 64;

/// The in-memory database: tables by name, and the ClientRequestTokens of recent transactions.
pub(crate) struct Memory {
    tables: RwLock<FastMap<String, Arc<Table>>>,
    tokens: Mutex<tokens::Tokens>,
}

impl fmt::Debug for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tables = read(&self.tables).len();
        f.debug_struct("Memory").field("tables", &tables).finish_non_exhaustive()
    }
}

/// One table: its key attributes and its items, spread over shards by key.
struct Table {
    partition: (String, KeyKind),
    sort: Option<(String, KeyKind)>,
    shards: Box<[Mutex<Shard>]>,
}

/// The items of one shard of a table, by key.
type Shard = FastMap<ItemKey, Stored>;

/// A shard's place in the one order every request that locks several shards takes them in: the table's
/// address, then the shard's number.
type ShardId = (usize, usize);

/// A stored item and its size as DynamoDB counts it.
#[derive(Debug, Clone)]
struct Stored {
    item: RawItem,
    size: usize,
}

impl From<KeyError> for Failure {
    fn from(error: KeyError) -> Self {
        invalid(error.message())
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// DynamoDB's ValidationException with this message.
fn invalid(message: impl Into<String>) -> Failure {
    Failure::Service(ServiceError::validation(message))
}

impl Memory {
    /// An empty database.
    pub(crate) fn new() -> Self {
        Memory { tables: RwLock::new(FastMap::default()), tokens: Mutex::new(tokens::Tokens::default()) }
    }

    /// Creates a table with this key schema; a table that already exists is left as it is.
    pub(crate) fn create_table(&self, name: &str, key: KeySchema) -> Result<(), Failure> {
        // The rule is dynatomic's; the answer is DynamoDB's message for the part of the rule that failed.
        if let Err(broken) = crate::limits::table_name(name) {
            return Err(invalid(match broken {
                crate::limits::TABLE_NAME_LENGTH => {
                    "TableName must be at least 3 characters long and at most 255 characters long".to_owned()
                }
                _ => format!(
                    "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
                ),
            }));
        }
        let mut tables = self.tables.write().unwrap_or_else(PoisonError::into_inner);
        tables.entry(name.to_owned()).or_insert_with(|| {
            Arc::new(Table {
                partition: (key.partition.0.to_owned(), key.partition.1),
                sort: key.sort.map(|(name, kind)| (name.to_owned(), kind)),
                shards: (0..SHARDS).map(|_| Mutex::new(FastMap::default())).collect(),
            })
        });
        Ok(())
    }

    fn table(&self, name: &str) -> Result<Arc<Table>, Failure> {
        read(&self.tables).get(name).cloned().ok_or_else(|| {
            Failure::Service(ServiceError::table_not_found("Cannot do operations on a non-existent table"))
        })
    }

    /// Reads one item (GetItem).
    pub(crate) fn get(&self, table: &str, key: &RawItem) -> Result<Option<RawItem>, Failure> {
        let table = self.table(table)?;
        let key = table.key_of(key)?;
        Ok(lock(table.shard(&key)).get(&key).map(|stored| stored.item.clone()))
    }

    /// Runs one write (PutItem, UpdateItem or DeleteItem) and returns the attributes it asked for; a refused
    /// condition hands back the request's placeholder maps.
    pub(crate) fn write(&self, write: Write) -> Result<Option<RawItem>, WriteRefusal> {
        match self.apply(&write) {
            Ok(answer) => Ok(answer),
            Err(Veto::Condition(stored)) => Err(WriteRefusal::ConditionFailed {
                stored,
                maps: Box::new(Maps { names: write.names, values: write.values }),
            }),
            Err(veto) => Err(WriteRefusal::Failed(veto.into())),
        }
    }

    /// The phases of a write, those of a transaction's action: checks without the items ([`Table::prepare`],
    /// [`Expressions::bind`]), then, holding the item's shard, the plan of the effect ([`Table::plan`]) and its
    /// [`commit`].
    fn apply(&self, write: &Write) -> Result<Option<RawItem>, Veto> {
        let table = self.table(&write.table)?;
        let returning = write.returning;
        let (key, kind) = table.prepare(&write.action, returning)?;
        let expressions =
            Expressions::parse(takes(&write.action), update_text(&write.action), write.condition.as_deref());
        let bound = expressions.bind(&write.names, &write.values).map_err(invalid)?;
        // DynamoDB Local checks the condition's paths into key attributes, then evaluates the condition, and
        // only then refuses an update of a key attribute or a path into one.
        table.check_condition_scalar_keys(bound.condition())?;
        let mut shard = lock(table.shard(&key));
        let old = shard.get(&key);
        let effect = table.plan(kind, &bound, old)?;
        let answer = update_answer(returning, old, &effect);
        Ok(match commit(&mut shard, key, effect)? {
            Committed::Replaced(old) => old.filter(|_| returning == Returning::AllOld).map(|old| old.item),
            Committed::Updated(new) if returning == Returning::AllNew => Some(new.item.clone()),
            Committed::Updated(_) | Committed::Nothing => answer,
        })
    }
}

/// The expressions an action's request can carry.
fn takes(action: &Action) -> Takes {
    match action {
        Action::Update { .. } => Takes::UpdateAndCondition,
        Action::Put(_) | Action::Delete { .. } | Action::Check { .. } => Takes::Condition,
    }
}

/// The UpdateExpression of an action, if it has one.
fn update_text(action: &Action) -> Option<&str> {
    match action {
        Action::Update { expression, .. } => expression.as_deref(),
        Action::Put(_) | Action::Delete { .. } | Action::Check { .. } => None,
    }
}

/// What a write does, once its item and key are checked: the part of the request that `Table::plan` needs.
enum WriteKind<'w> {
    /// Store this item (canonical, sized).
    Put(Stored),
    /// Delete the item.
    Delete,
    /// Only check the condition.
    Check,
    /// Update the item with this Key parameter (the new item's attributes if it does not exist).
    Update(&'w RawItem),
}

/// Why a write planned on its item does not go ahead; a transaction reports each kind differently.
enum Veto {
    /// The condition is false; the stored item, if any.
    Condition(Option<RawItem>),
    /// An error of this action alone (a transaction gives it as the action's `ValidationError` reason).
    Action(String),
    /// An error that cancels a transaction with this as its only reason (an update of a key attribute).
    Alone(String),
    /// An error of the whole request.
    Request(Failure),
}

impl From<Veto> for Failure {
    /// The failure of a single write that a veto is (its condition is handled apart).
    fn from(veto: Veto) -> Self {
        match veto {
            Veto::Condition(_) => InternalError::new("a refused condition taken for a failure").into(),
            Veto::Action(message) | Veto::Alone(message) => invalid(message),
            Veto::Request(failure) => failure,
        }
    }
}

impl From<Failure> for Veto {
    fn from(failure: Failure) -> Self {
        Veto::Request(failure)
    }
}

impl From<KeyError> for Veto {
    fn from(error: KeyError) -> Self {
        Veto::Request(error.into())
    }
}

/// What a write does to its item, decided under the shard's lock before anything changes.
enum Effect<'b> {
    /// Nothing (a condition check).
    Nothing,
    /// Store this item.
    Put(Stored),
    /// Remove the item.
    Delete,
    /// Change these attributes of the stored item, or of `created` (the key alone) when there is none; the
    /// result has `size` bytes.
    Update { created: Option<RawItem>, changes: apply::Changes<'b>, size: usize },
}

/// What a committed effect left: the item it replaced or removed, or the updated item.
enum Committed<'s> {
    /// A put or delete, and the item it replaced or removed.
    Replaced(Option<Stored>),
    /// An update, and the item as it is now.
    Updated(&'s Stored),
    /// A condition check.
    Nothing,
}

/// Applies a planned effect to the shard that holds the item.
fn commit<'s>(shard: &'s mut Shard, key: ItemKey, effect: Effect<'_>) -> Result<Committed<'s>, Failure> {
    Ok(match effect {
        Effect::Nothing => Committed::Nothing,
        Effect::Put(stored) => Committed::Replaced(shard.insert(key, stored)),
        Effect::Delete => Committed::Replaced(shard.remove(&key)),
        Effect::Update { created, changes, size } => {
            let stored = match created {
                Some(item) => shard.entry(key).or_insert(Stored { item, size: 0 }),
                None => shard.get_mut(&key).ok_or_else(|| InternalError::new("the item vanished under its lock"))?,
            };
            for (name, new) in changes.attributes {
                match (new, stored.item.get_mut(name)) {
                    (Some(value), Some(current)) => *current = value,
                    (Some(value), None) => drop(stored.item.insert(name.to_owned(), value)),
                    (None, _) => drop(stored.item.remove(name)),
                }
            }
            stored.size = size;
            Committed::Updated(stored)
        }
    })
}

/// What an update returns before it is committed: ALL_OLD, UPDATED_OLD or UPDATED_NEW (ALL_NEW is read after).
fn update_answer(returning: Returning, old: Option<&Stored>, effect: &Effect<'_>) -> Option<RawItem> {
    let Effect::Update { created, changes, .. } = effect else { return None };
    let base = old.map(|old| &old.item).or(created.as_ref())?;
    match returning {
        Returning::Nothing | Returning::AllNew => None,
        Returning::AllOld => old.map(|old| old.item.clone()),
        Returning::UpdatedOld => apply::project(|name| base.get(name), &changes.paths),
        Returning::UpdatedNew => apply::project(
            |name| match changes.attributes.iter().find(|(n, _)| *n == name) {
                Some((_, new)) => new.as_ref(),
                None => base.get(name),
            },
            &changes.paths,
        ),
    }
}

/// Checks the values of an item to be put.
fn check_item_values(item: &RawItem) -> Result<(), Failure> {
    values::check_map(item, values::MAX_ITEM_DEPTH).map_err(invalid)
}

/// The item to store for a put (its numbers canonical), refusing one over 400 KB.
fn sized(item: &RawItem) -> Result<Stored, Failure> {
    let item = values::canonical_map(item);
    let size = item_size(&item);
    if size > MAX_ITEM_BYTES {
        return Err(invalid("Item size has exceeded the maximum allowed size"));
    }
    Ok(Stored { item, size })
}

/// PutItem and DeleteItem return nothing or the old item.
fn allow_returning(returning: Returning) -> Result<(), Failure> {
    match returning {
        Returning::Nothing | Returning::AllOld => Ok(()),
        _ => Err(invalid("Return values set to invalid value")),
    }
}

/// Evaluates the condition on the stored item (or none), handing the stored item back when it is false.
fn check_condition(condition: BoundCondition<'_, '_>, old: Option<&Stored>) -> Result<(), Veto> {
    let Some((condition, context)) = condition else { return Ok(()) };
    let empty = RawItem::new();
    if eval::condition(&condition.root, old.map_or(&empty, |old| &old.item), context) {
        Ok(())
    } else {
        Err(Veto::Condition(old.map(|old| old.item.clone())))
    }
}

impl Table {
    /// The shard that holds the item with this key.
    fn shard(&self, key: &ItemKey) -> &Mutex<Shard> {
        &self.shards[Self::shard_number(key)]
    }

    /// The shard that holds the item with this key, and its place in the locking order.
    fn shard_of(&self, key: &ItemKey) -> (ShardId, &Mutex<Shard>) {
        let number = Self::shard_number(key);
        ((std::ptr::from_ref(self) as usize, number), &self.shards[number])
    }

    fn shard_number(key: &ItemKey) -> usize {
        // The high bits of FastHasher are the well mixed ones.
        let hash = BuildHasherDefault::<FastHasher>::default().hash_one(key);
        (hash >> 58) as usize % SHARDS
    }

    fn key_names(&self) -> impl Iterator<Item = &(String, KeyKind)> {
        std::iter::once(&self.partition).chain(&self.sort)
    }

    /// The identity of the item a Key parameter names, refusing keys that do not fit the schema.
    fn key_of(&self, key: &RawItem) -> Result<ItemKey, KeyError> {
        ItemKey::of_key(key, self.schema())
    }

    /// The identity of an item, refusing items whose key attributes are missing or do not fit the schema.
    fn key_of_item(&self, item: &RawItem) -> Result<ItemKey, KeyError> {
        ItemKey::of_item(item, self.schema())
    }

    /// The table's key attributes.
    fn schema(&self) -> KeyNames<'_> {
        KeyNames {
            partition: (&self.partition.0, self.partition.1),
            sort: self.sort.as_ref().map(|(n, k)| (n.as_str(), *k)),
        }
    }

    /// The checks of a single write that come before its expressions, in DynamoDB's order: ReturnValues, the
    /// item's values, its key, its size. Returns the item's key and what the write does.
    fn prepare<'w>(&self, action: &'w Action, returning: Returning) -> Result<(ItemKey, WriteKind<'w>), Failure> {
        Ok(match action {
            Action::Put(item) => {
                allow_returning(returning)?;
                check_item_values(item)?;
                let key = self.key_of_item(item)?;
                (key, WriteKind::Put(sized(item)?))
            }
            Action::Delete { key } => {
                allow_returning(returning)?;
                (self.key_of(key)?, WriteKind::Delete)
            }
            Action::Check { .. } => return Err(invalid(CHECK_OUTSIDE_TRANSACTION)),
            Action::Update { key, .. } => (self.key_of(key)?, WriteKind::Update(key)),
        })
    }

    /// Decides what a checked write does to its item (`old`, under its shard's lock), without changing it:
    /// the condition, then for an update the key attributes, the new values, their depth and the new size.
    fn plan<'b>(&self, kind: WriteKind<'_>, bound: &'b Bound<'_>, old: Option<&Stored>) -> Result<Effect<'b>, Veto> {
        check_condition(bound.condition(), old)?;
        let key = match kind {
            WriteKind::Put(stored) => return Ok(Effect::Put(stored)),
            WriteKind::Delete => return Ok(Effect::Delete),
            WriteKind::Check => return Ok(Effect::Nothing),
            WriteKind::Update(key) => key,
        };
        let update = bound.update();
        self.check_key_untouched(update).map_err(Veto::Alone)?;
        self.check_update_scalar_keys(update)?;
        let created = old.is_none().then(|| values::canonical_map(key));
        let base = old
            .map(|old| &old.item)
            .or(created.as_ref())
            .ok_or_else(|| Veto::Request(InternalError::new("an update without an item").into()))?;
        let changes = match update {
            // The real service cancels a transaction with a ValidationError reason for these (DynamoDB Local
            // refuses the whole request instead); a single write gets the same ValidationException either way.
            Some((update, context)) => apply::update(update, base, context).map_err(Veto::Action)?,
            None => apply::Changes { attributes: Vec::new(), paths: Vec::new() },
        };
        if changes
            .attributes
            .iter()
            .filter_map(|(_, new)| new.as_ref())
            .any(|v| values::depth(v) > values::MAX_ITEM_DEPTH)
        {
            return Err(Veto::Request(invalid(values::TOO_DEEP)));
        }
        let old_size = old.map_or_else(|| item_size(base), |old| old.size);
        let size = changes.attributes.iter().fold(old_size, |size, (name, new)| {
            let before = base.get(*name).map_or(0, |value| attribute_size(name, value));
            let after = new.as_ref().map_or(0, |value| attribute_size(name, value));
            size.saturating_sub(before) + after
        });
        if size > MAX_ITEM_BYTES {
            return Err(Veto::Action(UPDATE_TOO_LARGE.to_owned()));
        }
        Ok(Effect::Update { created, changes, size })
    }

    /// Refuses a path into a key attribute (`pk.x`, `pk[0]`): key attributes are scalars.
    fn check_scalar_key(&self, path: &parser::Path, context: &Context<'_>) -> Result<(), Failure> {
        if path.0.len() < 2 {
            return Ok(());
        }
        let Some(parser::PathElement::Name(first)) = path.0.first() else { return Ok(()) };
        let Some(first) = context.name(first) else { return Ok(()) };
        if self.key_names().any(|(key, _)| key == first) {
            return Err(invalid(format!(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {first}"
            )));
        }
        Ok(())
    }

    fn check_operand_scalar_keys(&self, operand: &parser::OperandNode, context: &Context<'_>) -> Result<(), Failure> {
        match operand {
            parser::OperandNode::Path(path) => self.check_scalar_key(path, context),
            parser::OperandNode::Value(_) => Ok(()),
            parser::OperandNode::Call(_, args) => {
                args.iter().try_for_each(|arg| self.check_operand_scalar_keys(arg, context))
            }
        }
    }

    /// Refuses a condition that reads a path into a key attribute.
    fn check_condition_scalar_keys(&self, condition: BoundCondition<'_, '_>) -> Result<(), Failure> {
        fn walk(table: &Table, condition: &parser::ConditionNode, context: &Context<'_>) -> Result<(), Failure> {
            use parser::ConditionNode as C;
            let operands = |ops: &[&parser::OperandNode]| -> Result<(), Failure> {
                ops.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context))
            };
            match condition {
                C::Compare(_, a, b) => operands(&[a, b]),
                C::Between(a, b, c) => operands(&[a, b, c]),
                C::In(a, list) => {
                    operands(&[a])?;
                    list.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context))
                }
                C::Call(_, args) => args.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context)),
                C::Not(inner) => walk(table, inner, context),
                C::And(a, b) | C::Or(a, b) => {
                    walk(table, a, context)?;
                    walk(table, b, context)
                }
            }
        }
        let Some((condition, context)) = condition else { return Ok(()) };
        walk(self, &condition.root, context)
    }

    /// Refuses an update whose values read a path into a key attribute.
    fn check_update_scalar_keys(&self, update: BoundUpdate<'_, '_>) -> Result<(), Failure> {
        let Some((update, context)) = update else { return Ok(()) };
        for action in &update.actions {
            match &action.kind {
                parser::UpdateActionKind::Set(parser::SetValue::Operand(operand)) => {
                    self.check_operand_scalar_keys(operand, context)?;
                }
                parser::UpdateActionKind::Set(parser::SetValue::Plus(a, b) | parser::SetValue::Minus(a, b)) => {
                    self.check_operand_scalar_keys(a, context)?;
                    self.check_operand_scalar_keys(b, context)?;
                }
                parser::UpdateActionKind::Remove
                | parser::UpdateActionKind::Add(_)
                | parser::UpdateActionKind::Delete(_) => {}
            }
        }
        Ok(())
    }

    /// Refuses an update that writes a key attribute, with DynamoDB's message.
    fn check_key_untouched(&self, update: BoundUpdate<'_, '_>) -> Result<(), String> {
        let Some((update, context)) = update else { return Ok(()) };
        for action in &update.actions {
            let Some(parser::PathElement::Name(first)) = action.path.0.first() else { continue };
            let Some(first) = context.name(first) else { continue };
            if self.key_names().any(|(key, _)| key == first) {
                return Err(format!(
                    "One or more parameter values were invalid: Cannot update attribute {first}. This attribute is part of the key"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;
    use crate::request::Refused;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    fn key(pk: &str) -> RawItem {
        RawItem::from([("pk".to_owned(), s(pk))])
    }

    fn memory() -> Memory {
        let memory = Memory::new();
        let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
        memory.create_table("items", schema).expect("create");
        memory.create_table("items", schema).expect("an existing table is left as it is");
        memory
    }

    fn update(key: RawItem, expression: &'static str, condition: Option<&'static str>) -> Write {
        Write {
            table: "items".into(),
            action: Action::Update { key, expression: Some(Cow::Borrowed(expression)) },
            condition: condition.map(Cow::Borrowed),
            names: HashMap::new(),
            values: HashMap::from([(":one".to_owned(), n("1"))]),
            returning: Returning::AllNew,
        }
    }

    fn put(item: RawItem, returning: Returning) -> Write {
        let action = Action::Put(item);
        Write {
            table: "items".into(),
            action,
            condition: None,
            names: HashMap::new(),
            values: HashMap::new(),
            returning,
        }
    }

    /// DynamoDB's message of a refused request.
    pub(super) fn message<T: std::fmt::Debug, E: Refused>(result: Result<T, E>) -> String {
        match result.map_err(Refused::failure) {
            Err(Failure::Service(error)) => error.message().to_owned(),
            other => panic!("expected a refusal with a message, got {other:?}"),
        }
    }

    /// DynamoDB's error code of a refused request.
    pub(super) fn code<T: std::fmt::Debug, E: Refused>(result: Result<T, E>) -> String {
        match result.map_err(Refused::failure) {
            Err(Failure::Service(error)) => error.code().unwrap_or_default().to_owned(),
            other => panic!("expected a refusal with a code, got {other:?}"),
        }
    }

    /// The stored item a refused condition hands back; panics on any other answer.
    fn condition_failed(result: Result<Option<RawItem>, WriteRefusal>) -> Option<RawItem> {
        match result {
            Err(WriteRefusal::ConditionFailed { stored, .. }) => stored,
            other => panic!("expected a failed condition, got {other:?}"),
        }
    }

    #[test]
    fn tables_must_exist_and_have_valid_names() {
        let memory = memory();
        let missing = Write { table: "other".into(), ..update(key("a"), "SET a = :one", None) };
        assert_eq!(code(memory.write(missing)), "ResourceNotFoundException");
        assert_eq!(code(memory.get("other", &key("a"))), "ResourceNotFoundException");
        let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
        assert!(message(memory.create_table("ab", schema)).starts_with("TableName must be at least 3"));
        assert!(message(memory.create_table("a b c", schema)).contains("'a b c' at 'tableName'"));
    }

    #[test]
    fn keys_must_fit_the_schema() {
        let memory = memory();
        let wrong = RawItem::from([("pk".to_owned(), n("1"))]);
        assert_eq!(
            message(memory.write(update(wrong, "SET a = :one", None))),
            "One or more parameter values were invalid: Type mismatch for key"
        );
        let extra = RawItem::from([("pk".to_owned(), s("a")), ("x".to_owned(), s("b"))]);
        assert_eq!(
            message(memory.write(update(extra, "SET a = :one", None))),
            "The number of conditions on the keys is invalid"
        );
        let other = RawItem::from([("x".to_owned(), s("b"))]);
        assert_eq!(
            message(memory.write(update(other, "SET a = :one", None))),
            "One of the required keys was not given a value"
        );
        assert_eq!(
            message(memory.write(update(key(""), "SET a = :one", None))),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
        );
        assert!(memory.write(update(key(&"k".repeat(2049)), "SET a = :one", None)).is_err());
    }

    #[test]
    fn a_failed_update_changes_nothing() {
        let memory = memory();
        // The condition sees the item before its key is added: `attribute_exists(pk)` fails on a missing item.
        let refused = memory.write(update(key("a"), "SET a = :one", Some("attribute_exists(pk)")));
        assert_eq!(condition_failed(refused), None);
        assert_eq!(memory.get("items", &key("a")).expect("get"), None, "nothing was created");
        // An update without a condition creates the item.
        let created = memory.write(update(key("a"), "SET a = :one", None)).expect("update");
        assert_eq!(created, Some(RawItem::from([("pk".to_owned(), s("a")), ("a".to_owned(), n("1"))])));
        // A runtime error (a missing operand) leaves the item as it was.
        let refused = memory.write(update(key("a"), "SET a = :one, b = c", None));
        assert_eq!(message(refused), "The provided expression refers to an attribute that does not exist in the item");
        assert_eq!(memory.get("items", &key("a")).expect("get"), created);
        let refused = memory.write(update(key("a"), "SET a = a + :one", Some("a > :one")));
        assert_eq!(condition_failed(refused), created);
    }

    #[test]
    fn items_over_400_kb_are_refused() {
        let memory = memory();
        let big = |len: usize| RawItem::from([("pk".to_owned(), s("a")), ("t".to_owned(), s(&"x".repeat(len)))]);
        // `pk` + `a` + `t` and the text: 4 bytes plus the text.
        assert!(memory.write(put(big(MAX_ITEM_BYTES - 4), Returning::Nothing)).is_ok());
        assert_eq!(
            message(memory.write(put(big(MAX_ITEM_BYTES - 3), Returning::Nothing))),
            "Item size has exceeded the maximum allowed size"
        );
        // The update's result is one byte over the limit.
        let grow = Write { values: HashMap::from([(":x".to_owned(), s("x"))]), ..update(key("a"), "SET u = :x", None) };
        assert_eq!(message(memory.write(grow)), UPDATE_TOO_LARGE);
        assert_eq!(memory.get("items", &key("a")).expect("get"), Some(big(MAX_ITEM_BYTES - 4)), "nothing was written");
    }

    #[test]
    fn puts_and_deletes_return_only_the_old_item() {
        let memory = memory();
        let item = RawItem::from([("pk".to_owned(), s("a")), ("n".to_owned(), n("1.50"))]);
        assert_eq!(memory.write(put(item.clone(), Returning::AllOld)).expect("put"), None);
        let stored = RawItem::from([("pk".to_owned(), s("a")), ("n".to_owned(), n("1.5"))]);
        assert_eq!(
            memory.write(put(item, Returning::AllOld)).expect("put"),
            Some(stored.clone()),
            "numbers are canonical"
        );
        assert_eq!(message(memory.write(put(key("a"), Returning::AllNew))), "Return values set to invalid value");
        let delete = Write { action: Action::Delete { key: key("a") }, ..put(key("a"), Returning::AllOld) };
        assert_eq!(memory.write(delete).expect("delete"), Some(stored));
        assert_eq!(memory.get("items", &key("a")).expect("get"), None);
    }

    #[test]
    fn placeholder_maps_are_checked_first() {
        let memory = memory();
        let mut write = update(key("a"), "SET a = :one", None);
        write.names.insert("bad".into(), "x".into());
        assert_eq!(
            message(memory.write(write)),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"bad\""
        );
        let mut write = update(key("a"), "SET a = :one", None);
        write.values.insert(":x".into(), n("abc"));
        assert_eq!(
            message(memory.write(write)),
            "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a number for key :x"
        );
        let mut write = put(key("a"), Returning::Nothing);
        write.names.insert("#a".into(), "a".into());
        assert_eq!(
            message(memory.write(write)),
            "ExpressionAttributeNames can only be specified when using expressions"
        );
        let mut write =
            Write { action: Action::Update { key: key("a"), expression: None }, ..put(key("a"), Returning::Nothing) };
        write.values.insert(":x".into(), n("1"));
        assert_eq!(
            message(memory.write(write)),
            "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
        );
    }

    #[test]
    fn paths_into_key_attributes_are_refused_and_key_updates_only_after_the_condition() {
        let memory = memory();
        let scalar =
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk";
        let delete = |condition: &'static str| Write {
            action: Action::Delete { key: key("a") },
            condition: Some(Cow::Borrowed(condition)),
            values: HashMap::new(),
            returning: Returning::Nothing,
            ..update(key("a"), "", None)
        };
        // The condition is checked before it is evaluated (the item is absent, so it would be false).
        assert_eq!(message(memory.write(delete("attribute_exists(pk.x)"))), scalar);
        assert_eq!(message(memory.write(delete("attribute_exists(a) AND size(pk[0]) > size(a)"))), scalar);
        assert_eq!(condition_failed(memory.write(delete("attribute_exists(a.pk)"))), None);
        // Updating a key attribute is refused only when the condition holds.
        let absent = Some("attribute_exists(a)");
        assert_eq!(condition_failed(memory.write(update(key("a"), "SET b = :one REMOVE pk", absent))), None);
        assert_eq!(condition_failed(memory.write(update(key("a"), "SET pk.x = :one", absent))), None);
        assert_eq!(condition_failed(memory.write(update(key("a"), "SET a = pk.x, b = :one", absent))), None);
        assert_eq!(message(memory.write(update(key("a"), "SET pk = :one", Some("attribute_exists(pk.x)")))), scalar);
        let holds = Some("attribute_not_exists(a)");
        let part_of_key =
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key";
        assert_eq!(message(memory.write(update(key("a"), "SET b = :one REMOVE pk", holds))), part_of_key);
        assert_eq!(message(memory.write(update(key("a"), "SET a = pk.x, b = :one REMOVE pk", holds))), part_of_key);
        assert_eq!(message(memory.write(update(key("a"), "SET a = if_not_exists(b, pk[0]), b = :one", holds))), scalar);
        assert_eq!(message(memory.write(update(key("a"), "SET b = c + :one, a = pk.x", None))), scalar);
        assert!(matches!(memory.get("items", &key("a")), Ok(None)));
    }

    #[test]
    fn list_append_stores_canonical_numbers() {
        let memory = memory();
        let write = Write {
            values: HashMap::from([
                (":a".to_owned(), AttributeValue::L(vec![])),
                (":b".to_owned(), AttributeValue::L(vec![n("-0"), n("1.50")])),
            ]),
            ..update(key("a"), "SET a = list_append(:a, :b)", None)
        };
        let item = memory.write(write).expect("update").expect("ALL_NEW");
        assert_eq!(item.get("a"), Some(&AttributeValue::L(vec![n("0"), n("1.5")])));
    }
}
