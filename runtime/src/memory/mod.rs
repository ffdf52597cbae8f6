//! The embedded in-memory backend: tables in this process that answer as DynamoDB answers.
//!
//! A request goes through DynamoDB's checks in DynamoDB's order (table, key, placeholder maps, the update
//! expression, the condition expression, unused placeholders, key attributes), then, holding the lock of the
//! item's shard, the condition is evaluated on the stored item, the update is computed on copies of the
//! attributes it touches, the size limit is checked, and the result is stored. A refused write changes nothing.
//!
//! The files: `store.rs` (tables, shards, locks), `phases.rs` (the phases of a write: `Table::prepare` and
//! `Expressions::bind` without a lock, `Table::plan` on the locked item, `commit`), `transact.rs` (transactions,
//! which plan every action with all its shards locked and commit all of them or none), `batch.rs` (batches) and
//! `tokens.rs` (client request tokens). This file holds the database: its tables, and single reads and writes.

mod batch;
mod phases;
mod store;
mod tokens;
mod transact;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::capacity::{self, Tally};
use crate::error::ServiceError;
use crate::expr::request::{Expressions, Takes};
use crate::fast_hash::FastMap;
use crate::identity::KeyError;
use crate::request::{Action, Failure, Maps, RawItem, Returning, Write, WriteRefusal};
use crate::schema::KeySchema;

use self::phases::{Committed, Veto, commit, invalid, update_answer};
use self::store::{SHARDS, Table, lock};

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

impl From<KeyError> for Failure {
    fn from(error: KeyError) -> Self {
        invalid(error.message())
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
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
                ttl: Mutex::new(None),
            })
        });
        Ok(())
    }

    /// The attribute TTL is enabled on (DescribeTimeToLive).
    pub(crate) fn time_to_live(&self, table: &str) -> Result<Option<String>, Failure> {
        Ok(lock(&self.table(table)?.ttl).clone())
    }

    /// Enables TTL on an attribute (UpdateTimeToLive); as DynamoDB, refused when TTL is already enabled.
    pub(crate) fn enable_time_to_live(&self, table: &str, attribute: &str) -> Result<(), Failure> {
        let table = self.table(table)?;
        let mut ttl = lock(&table.ttl);
        match ttl.as_deref() {
            Some(enabled) if enabled == attribute => Err(invalid("TimeToLive is already enabled".to_owned())),
            Some(_) => Err(invalid("TimeToLive is active on a different AttributeName".to_owned())),
            None => {
                *ttl = Some(attribute.to_owned());
                Ok(())
            }
        }
    }

    fn table(&self, name: &str) -> Result<Arc<Table>, Failure> {
        read(&self.tables).get(name).cloned().ok_or_else(|| {
            Failure::Service(ServiceError::table_not_found("Cannot do operations on a non-existent table"))
        })
    }

    /// Reads one item (GetItem).
    pub(crate) fn get(&self, name: &str, key: &RawItem, tally: &mut Tally) -> Result<Option<RawItem>, Failure> {
        let table = self.table(name)?;
        let key = table.key_of(key)?;
        let shard = lock(table.shard(&key));
        let stored = shard.get(&key);
        tally.add(name, capacity::read_units(stored.map_or(0, |stored| stored.size)));
        Ok(stored.map(|stored| stored.item.clone()))
    }

    /// Runs one write (PutItem, UpdateItem or DeleteItem) and returns the attributes it asked for; a refused
    /// condition hands back the request's placeholder maps.
    pub(crate) fn write(&self, write: Write, tally: &mut Tally) -> Result<Option<RawItem>, WriteRefusal> {
        match self.apply(&write, tally) {
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
    fn apply(&self, write: &Write, tally: &mut Tally) -> Result<Option<RawItem>, Veto> {
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
        tally.add(&write.table, effect.units(old.map_or(0, |old| old.size)));
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

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;
    use crate::expr::expression::UPDATE_TOO_LARGE;
    use crate::expr::item_size::MAX_ITEM_BYTES;
    use crate::request::Refused;
    use crate::schema::KeyKind;

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
        assert_eq!(code(memory.write(missing, &mut Tally::ignored())), "ResourceNotFoundException");
        assert_eq!(code(memory.get("other", &key("a"), &mut Tally::ignored())), "ResourceNotFoundException");
        let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
        assert!(message(memory.create_table("ab", schema)).starts_with("TableName must be at least 3"));
        assert!(message(memory.create_table("a b c", schema)).contains("'a b c' at 'tableName'"));
    }

    #[test]
    fn keys_must_fit_the_schema() {
        let memory = memory();
        let wrong = RawItem::from([("pk".to_owned(), n("1"))]);
        assert_eq!(
            message(memory.write(update(wrong, "SET a = :one", None), &mut Tally::ignored())),
            "One or more parameter values were invalid: Type mismatch for key"
        );
        let extra = RawItem::from([("pk".to_owned(), s("a")), ("x".to_owned(), s("b"))]);
        assert_eq!(
            message(memory.write(update(extra, "SET a = :one", None), &mut Tally::ignored())),
            "The number of conditions on the keys is invalid"
        );
        let other = RawItem::from([("x".to_owned(), s("b"))]);
        assert_eq!(
            message(memory.write(update(other, "SET a = :one", None), &mut Tally::ignored())),
            "One of the required keys was not given a value"
        );
        assert_eq!(
            message(memory.write(update(key(""), "SET a = :one", None), &mut Tally::ignored())),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
        );
        assert!(memory.write(update(key(&"k".repeat(2049)), "SET a = :one", None), &mut Tally::ignored()).is_err());
    }

    #[test]
    fn a_failed_update_changes_nothing() {
        let memory = memory();
        // The condition sees the item before its key is added: `attribute_exists(pk)` fails on a missing item.
        let refused =
            memory.write(update(key("a"), "SET a = :one", Some("attribute_exists(pk)")), &mut Tally::ignored());
        assert_eq!(condition_failed(refused), None);
        assert_eq!(memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"), None, "nothing was created");
        // An update without a condition creates the item.
        let created = memory.write(update(key("a"), "SET a = :one", None), &mut Tally::ignored()).expect("update");
        assert_eq!(created, Some(RawItem::from([("pk".to_owned(), s("a")), ("a".to_owned(), n("1"))])));
        // A runtime error (a missing operand) leaves the item as it was.
        let refused = memory.write(update(key("a"), "SET a = :one, b = c", None), &mut Tally::ignored());
        assert_eq!(message(refused), "The provided expression refers to an attribute that does not exist in the item");
        assert_eq!(memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"), created);
        let refused = memory.write(update(key("a"), "SET a = a + :one", Some("a > :one")), &mut Tally::ignored());
        assert_eq!(condition_failed(refused), created);
    }

    #[test]
    fn items_over_400_kb_are_refused() {
        let memory = memory();
        let big = |len: usize| RawItem::from([("pk".to_owned(), s("a")), ("t".to_owned(), s(&"x".repeat(len)))]);
        // `pk` + `a` + `t` and the text: 4 bytes plus the text.
        assert!(memory.write(put(big(MAX_ITEM_BYTES - 4), Returning::Nothing), &mut Tally::ignored()).is_ok());
        assert_eq!(
            message(memory.write(put(big(MAX_ITEM_BYTES - 3), Returning::Nothing), &mut Tally::ignored())),
            "Item size has exceeded the maximum allowed size"
        );
        // The update's result is one byte over the limit.
        let grow = Write { values: HashMap::from([(":x".to_owned(), s("x"))]), ..update(key("a"), "SET u = :x", None) };
        assert_eq!(message(memory.write(grow, &mut Tally::ignored())), UPDATE_TOO_LARGE);
        assert_eq!(
            memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"),
            Some(big(MAX_ITEM_BYTES - 4)),
            "nothing was written"
        );
    }

    #[test]
    fn puts_and_deletes_return_only_the_old_item() {
        let memory = memory();
        let item = RawItem::from([("pk".to_owned(), s("a")), ("n".to_owned(), n("1.50"))]);
        assert_eq!(memory.write(put(item.clone(), Returning::AllOld), &mut Tally::ignored()).expect("put"), None);
        let stored = RawItem::from([("pk".to_owned(), s("a")), ("n".to_owned(), n("1.5"))]);
        assert_eq!(
            memory.write(put(item, Returning::AllOld), &mut Tally::ignored()).expect("put"),
            Some(stored.clone()),
            "numbers are canonical"
        );
        assert_eq!(
            message(memory.write(put(key("a"), Returning::AllNew), &mut Tally::ignored())),
            "Return values set to invalid value"
        );
        let delete = Write { action: Action::Delete { key: key("a") }, ..put(key("a"), Returning::AllOld) };
        assert_eq!(memory.write(delete, &mut Tally::ignored()).expect("delete"), Some(stored));
        assert_eq!(memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"), None);
    }

    #[test]
    fn placeholder_maps_are_checked_first() {
        let memory = memory();
        let mut write = update(key("a"), "SET a = :one", None);
        write.names.insert("bad".into(), "x".into());
        assert_eq!(
            message(memory.write(write, &mut Tally::ignored())),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"bad\""
        );
        let mut write = update(key("a"), "SET a = :one", None);
        write.values.insert(":x".into(), n("abc"));
        assert_eq!(
            message(memory.write(write, &mut Tally::ignored())),
            "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a number for key :x"
        );
        let mut write = put(key("a"), Returning::Nothing);
        write.names.insert("#a".into(), "a".into());
        assert_eq!(
            message(memory.write(write, &mut Tally::ignored())),
            "ExpressionAttributeNames can only be specified when using expressions"
        );
        let mut write =
            Write { action: Action::Update { key: key("a"), expression: None }, ..put(key("a"), Returning::Nothing) };
        write.values.insert(":x".into(), n("1"));
        assert_eq!(
            message(memory.write(write, &mut Tally::ignored())),
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
        assert_eq!(message(memory.write(delete("attribute_exists(pk.x)"), &mut Tally::ignored())), scalar);
        assert_eq!(
            message(memory.write(delete("attribute_exists(a) AND size(pk[0]) > size(a)"), &mut Tally::ignored())),
            scalar
        );
        assert_eq!(condition_failed(memory.write(delete("attribute_exists(a.pk)"), &mut Tally::ignored())), None);
        // Updating a key attribute is refused only when the condition holds.
        let absent = Some("attribute_exists(a)");
        assert_eq!(
            condition_failed(memory.write(update(key("a"), "SET b = :one REMOVE pk", absent), &mut Tally::ignored())),
            None
        );
        assert_eq!(
            condition_failed(memory.write(update(key("a"), "SET pk.x = :one", absent), &mut Tally::ignored())),
            None
        );
        assert_eq!(
            condition_failed(memory.write(update(key("a"), "SET a = pk.x, b = :one", absent), &mut Tally::ignored())),
            None
        );
        assert_eq!(
            message(
                memory.write(update(key("a"), "SET pk = :one", Some("attribute_exists(pk.x)")), &mut Tally::ignored())
            ),
            scalar
        );
        let holds = Some("attribute_not_exists(a)");
        let part_of_key =
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key";
        assert_eq!(
            message(memory.write(update(key("a"), "SET b = :one REMOVE pk", holds), &mut Tally::ignored())),
            part_of_key
        );
        assert_eq!(
            message(memory.write(update(key("a"), "SET a = pk.x, b = :one REMOVE pk", holds), &mut Tally::ignored())),
            part_of_key
        );
        assert_eq!(
            message(
                memory
                    .write(update(key("a"), "SET a = if_not_exists(b, pk[0]), b = :one", holds), &mut Tally::ignored())
            ),
            scalar
        );
        assert_eq!(
            message(memory.write(update(key("a"), "SET b = c + :one, a = pk.x", None), &mut Tally::ignored())),
            scalar
        );
        assert!(matches!(memory.get("items", &key("a"), &mut Tally::ignored()), Ok(None)));
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
        let item = memory.write(write, &mut Tally::ignored()).expect("update").expect("ALL_NEW");
        assert_eq!(item.get("a"), Some(&AttributeValue::L(vec![n("0"), n("1.5")])));
    }
}
