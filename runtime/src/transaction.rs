//! Transactions: checked writes on several items that succeed or fail together (TransactWriteItems), and
//! consistent reads of several items (TransactGetItems).

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::Db;
use crate::error::{DecodeError, InternalError, ServiceError, Stored, ValueError, key_text};
use crate::explain::Explanation;
use crate::guard::{Presence, Verdict};
use crate::identity::{ItemKey, identity};
use crate::operation::{Condition, Update, Upsert};
use crate::prechecks;
use crate::request::{
    Action, CancelReason, Failure, RawItem, Returning, TransactRefusal, TransactWrite, Write, present,
};
use crate::schema::{Item, Key, KeySchema};
use crate::table::Table;
use crate::write::Prepared;
use crate::write::partition_of;

use crate::limits::{MAX_TOKEN_CHARS, MAX_TRANSACTION_ACTIONS as MAX_ACTIONS, MAX_TRANSACTION_BYTES as MAX_BYTES};

/// Several writes and condition checks, on items of any tables, that DynamoDB applies all together or not
/// at all (TransactWriteItems). On [`Db::memory`] the same holds, and no other request sees a transaction
/// half done.
///
/// Build it with [`Db::transaction`], add up to 100 actions, each on a different item, and [`commit`](Self::commit).
/// When an action's condition fails, nothing is written and the error says which action failed and why
/// ([`TransactionError::Canceled`]).
///
/// Every transaction has a client request token, generated or given with [`with_token`](Self::with_token).
/// Committing it again within 10 minutes (after a timeout, say) does not apply it twice.
///
/// ```
/// # #[derive(dynatomic::Item, Debug)]
/// # struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use dynatomic::{update, upsert, Db};
/// let db = Db::memory();
/// let accounts = db.table::<Account>();
/// accounts.create_table().await?;
/// accounts.put(&Account { id: "alice".into(), balance: 100 }).await?;
///
/// let amount = 30;
/// db.transaction()
///     .update(&accounts, Account::key("alice"), update!(Account: balance -= amount; where balance >= amount))
///     .upsert(&accounts, Account::key("bob"), upsert!(Account: balance += amount)) // bob may be new
///     .commit()
///     .await?;
/// assert_eq!(accounts.get(Account::key("bob")).await?.map(|a| a.balance), Some(30));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Transaction {
    db: Db,
    actions: Vec<Pending>,
    token: String,
}

/// One action as it was added: the request, or the error building it raised; what it is; and how to read
/// the item it concerns.
#[derive(Debug, Clone)]
struct Pending {
    write: Result<Prepared, ValueError>,
    kind: ActionKind,
    schema: KeySchema,
    decode: Decoder,
}

/// An item read as the type of its table, whatever that type is.
pub type AnyItem = Box<dyn Any + Send + Sync>;

/// Reads a stored item as the type of the action's table.
type Decoder = fn(RawItem) -> Result<AnyItem, DecodeError>;

fn decode<T: Item + Send + Sync>(item: RawItem) -> Result<AnyItem, DecodeError> {
    T::from_item(item).map(|item| Box::new(item) as AnyItem)
}

/// What an action of a transaction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// An `update!` of an existing item.
    Update,
    /// An `upsert!`, which may create the item.
    Upsert,
    /// A put of a whole item, maybe with a condition.
    Put,
    /// A put only if no item has the key.
    Create,
    /// A delete, maybe with a condition.
    Delete,
    /// A condition on an item that is not written.
    Check,
    /// A read of a [`ReadTransaction`].
    Get,
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ActionKind::Update => "update",
            ActionKind::Upsert => "upsert",
            ActionKind::Put => "put",
            ActionKind::Create => "create",
            ActionKind::Delete => "delete",
            ActionKind::Check => "condition check",
            ActionKind::Get => "read",
        })
    }
}

impl Db {
    /// A new, empty transaction on this database, with a generated client request token.
    pub fn transaction(&self) -> Transaction {
        Transaction { db: self.clone(), actions: Vec::new(), token: generated_token() }
    }

    /// A new, empty transactional read on this database.
    pub fn read_transaction(&self) -> ReadTransaction {
        static READS: AtomicU64 = AtomicU64::new(0);
        ReadTransaction { db: self.clone(), id: READS.fetch_add(1, Ordering::Relaxed), items: Vec::new() }
    }
}

/// A random token in the form of a UUID (36 characters).
fn generated_token() -> String {
    let hex = format!("{:032x}", fastrand::u128(..));
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

impl Transaction {
    /// Adds an update built by `update!` of an existing item: a missing item ([`Reason::NotFound`]) or a `where`
    /// part that is false cancels the transaction.
    pub fn update<T: Item + Send + Sync>(self, table: &Table<T>, key: Key<T>, update: Update<T>) -> Self {
        let write = table.prepare_update(key, update, Presence::Exists, Returning::Nothing);
        self.push::<T>(ActionKind::Update, write)
    }

    /// Adds an update built by `upsert!`, which creates the item when there is none.
    pub fn upsert<T: Item + Send + Sync>(self, table: &Table<T>, key: Key<T>, upsert: Upsert<T>) -> Self {
        let write = table.prepare_update(key, upsert.into_update(), Presence::Any, Returning::Nothing);
        self.push::<T>(ActionKind::Upsert, write)
    }

    /// Adds a put of the whole item, replacing any item with its key (a versioned item must be at the stored
    /// version, as [`Table::put`] checks).
    pub fn put<T: Item + Send + Sync>(self, table: &Table<T>, item: &T) -> Self {
        self.push::<T>(ActionKind::Put, table.prepare_put(item, None))
    }

    /// Adds a put of the whole item that needs `condition` to hold for the stored item.
    pub fn put_if<T: Item + Send + Sync>(self, table: &Table<T>, item: &T, condition: Condition<T>) -> Self {
        self.push::<T>(ActionKind::Put, table.prepare_put(item, Some(condition)))
    }

    /// Adds a put that needs the item's key to be free: an item that exists cancels the transaction.
    pub fn create<T: Item + Send + Sync>(self, table: &Table<T>, item: &T) -> Self {
        self.push::<T>(ActionKind::Create, table.prepare_create(item))
    }

    /// Adds a delete of the item with this key (nothing happens if there is none, unless the key of a versioned
    /// item expects a version of 1 or more: then the transaction is canceled for a version conflict).
    pub fn delete<T: Item + Send + Sync>(self, table: &Table<T>, key: Key<T>) -> Self {
        self.push::<T>(ActionKind::Delete, table.prepare_delete(key, None, Returning::Nothing))
    }

    /// Adds a delete that needs `condition` to hold for the stored item.
    pub fn delete_if<T: Item + Send + Sync>(self, table: &Table<T>, key: Key<T>, condition: Condition<T>) -> Self {
        self.push::<T>(ActionKind::Delete, table.prepare_delete(key, Some(condition), Returning::Nothing))
    }

    /// Adds a condition on an item that the transaction does not write: if it is false, nothing is written.
    pub fn check<T: Item + Send + Sync>(self, table: &Table<T>, key: Key<T>, condition: Condition<T>) -> Self {
        self.push::<T>(ActionKind::Check, table.prepare_check(key, condition))
    }

    /// Uses `token` as the client request token instead of the generated one: 1 to 36 characters that name
    /// this transaction for 10 minutes. Committing the same transaction with the same token again within that
    /// window succeeds without applying it twice; a different transaction with that token is refused with
    /// [`TransactionError::TokenMismatch`].
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The client request token this transaction is sent with.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether there are no actions yet.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    pub(crate) fn push<T: Item + Send + Sync>(mut self, kind: ActionKind, write: Result<Prepared, ValueError>) -> Self {
        self.actions.push(Pending { write, kind, schema: T::KEY, decode: decode::<T> });
        self
    }

    /// Sends the transaction: every action is applied, or none is.
    ///
    /// Before sending, it refuses a transaction with no actions or more than 100, two actions on one item, a
    /// value DynamoDB would refuse, more than 4 MB, or a token that is not 1 to 36 characters. It can be
    /// committed again (with the same token, it is applied at most once within 10 minutes).
    pub async fn commit(&self) -> Result<(), TransactionError> {
        let request = self.request()?;
        let backend = &self.db.backend;
        for (write, pending) in request.actions.iter().zip(&self.actions) {
            backend.observe.wrote(&write.table, || partition_of(&write.action, pending.schema.partition.0));
        }
        let mut call = backend.transact_call(&request);
        match backend.transact_write(request, &mut call).await {
            Ok(()) => Ok(()),
            Err(TransactRefusal::Canceled(reasons)) => {
                let canceled = self.canceled(reasons);
                let conditions = canceled.failed().filter(|action| action.reason == Reason::ConditionFailed);
                conditions.for_each(|action| call.condition_failed(action.explanation.as_ref()));
                Err(TransactionError::Canceled(canceled))
            }
            Err(TransactRefusal::TokenMismatch(message)) => {
                Err(TransactionError::TokenMismatch { token: self.token.clone(), message })
            }
            Err(TransactRefusal::Failed(failure)) => Err(failure.into()),
        }
    }

    /// The request to send, after the checks DynamoDB would otherwise make on the server.
    fn request(&self) -> Result<TransactWrite, TransactionError> {
        check_count(self.actions.len())?;
        let actions = self
            .actions
            .iter()
            .enumerate()
            .map(|(action, pending)| match &pending.write {
                Ok(prepared) => Ok(prepared.write.clone()),
                Err(source) => Err(TransactionError::InvalidValue { action, source: source.clone() }),
            })
            .collect::<Result<Vec<Write>, _>>()?;
        let keys: Vec<RawItem> = self.actions.iter().zip(&actions).map(|(p, write)| key_of(write, p.schema)).collect();
        let identities = keys.iter().zip(&self.actions).map(|(key, p)| identity(key, p.schema));
        let targets: Vec<(&String, ItemKey)> =
            actions.iter().map(|write| &write.table).zip(identities.collect::<Result<Vec<_>, _>>()?).collect();
        let same = first_repeat(&targets);
        if let Some((first, second)) = same {
            let (table, key) = (actions[second].table.clone(), key_text(&keys[second]));
            return Err(TransactionError::SameItem { first, second, table, key });
        }
        let size = actions.iter().map(prechecks::transaction_payload).sum();
        if size > MAX_BYTES {
            return Err(TransactionError::TooLarge { size });
        }
        let chars = self.token.chars().count();
        if !(1..=MAX_TOKEN_CHARS).contains(&chars) {
            return Err(TransactionError::InvalidToken { token: self.token.clone() });
        }
        Ok(TransactWrite { actions, token: Some(self.token.clone()) })
    }

    /// Pairs DynamoDB's reasons with the actions they belong to.
    fn canceled(&self, reasons: Vec<CancelReason>) -> TransactionCanceled {
        let actions = self
            .actions
            .iter()
            .zip(reasons)
            .enumerate()
            .map(|(index, (pending, reason))| {
                let (table, key) = match &pending.write {
                    Ok(prepared) => (prepared.write.table.clone(), key_text(&key_of(&prepared.write, pending.schema))),
                    Err(_) => (String::new(), String::new()),
                };
                let stored = present(reason.item);
                let mut code = Reason::from_code(&reason.code);
                let mut explanation = None;
                if let (Reason::ConditionFailed, Ok(prepared)) = (&code, &pending.write) {
                    let (names, values) = (&prepared.write.names, &prepared.write.values);
                    let (verdict, why) = prepared.check.refused(stored.as_ref(), names, values);
                    explanation = why;
                    code = match verdict {
                        Verdict::NotFound => Reason::NotFound,
                        Verdict::VersionConflict { expected, stored } => Reason::VersionConflict { expected, stored },
                        Verdict::Changed => Reason::Changed,
                        Verdict::VersionAtMax => Reason::VersionOverflow,
                        Verdict::LeaseLost => Reason::LockLost,
                        // A transaction sent again with its token is not refused: this is a false condition.
                        Verdict::Condition | Verdict::AppliedBefore => Reason::ConditionFailed,
                    };
                }
                let stored = stored.map(|raw| Stored::read(raw, pending.decode));
                CanceledAction {
                    index,
                    kind: pending.kind,
                    table,
                    key,
                    reason: code,
                    message: reason.message,
                    explanation,
                    stored,
                }
            })
            .collect();
        TransactionCanceled { actions }
    }
}

/// Refuses a transaction with no actions or more than 100.
fn check_count(count: usize) -> Result<(), TransactionError> {
    match count {
        0 => Err(TransactionError::Empty),
        count if count > MAX_ACTIONS => Err(TransactionError::TooManyActions { count }),
        _ => Ok(()),
    }
}

/// The positions of the first item (table and key) that appears twice.
fn first_repeat<K: PartialEq>(items: &[K]) -> Option<(usize, usize)> {
    (1..items.len())
        .find_map(|second| (0..second).find(|&first| items[first] == items[second]).map(|first| (first, second)))
}

/// The key attributes of the item a write concerns.
pub(crate) fn key_of(write: &Write, schema: KeySchema) -> RawItem {
    let attributes = match &write.action {
        Action::Put(item) => item,
        Action::Update { key, .. } | Action::Delete { key } | Action::Check { key } => key,
    };
    [Some(schema.partition), schema.sort]
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| attributes.get_key_value(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

/// Why a transaction failed. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// DynamoDB canceled the transaction: an action's condition was false, or an action was invalid,
    /// conflicted with another transaction, or was throttled. It lists every action with its reason.
    #[error(transparent)]
    Canceled(TransactionCanceled),
    /// The transaction has no actions.
    #[error("the transaction has no actions: add at least one before committing")]
    Empty,
    /// More than 100 actions.
    #[error("the transaction has {count} actions, more than DynamoDB's limit of 100: split it")]
    TooManyActions {
        /// The number of actions.
        count: usize,
    },
    /// Two actions on one item, which DynamoDB refuses.
    #[error(
        "actions {first} and {second} both concern the item {key} of table `{table}`: a transaction may touch an item once, so merge them into one action"
    )]
    SameItem {
        /// The index of the first action on the item.
        first: usize,
        /// The index of the second.
        second: usize,
        /// The item's table.
        table: String,
        /// The item's key, as text.
        key: String,
    },
    /// The actions together are larger than DynamoDB's 4 MB.
    #[error("the transaction is {size} bytes, over DynamoDB's limit of 4 MB (4194304 bytes): split it")]
    TooLarge {
        /// The size of the items, keys, expressions, names and values of all actions, in bytes.
        size: usize,
    },
    /// A value of one action that DynamoDB would refuse.
    #[error("action {action}: invalid value: {source}")]
    InvalidValue {
        /// The index of the action.
        action: usize,
        /// What is wrong with the value.
        source: ValueError,
    },
    /// A client request token that is empty or longer than 36 characters.
    #[error("client request token {token:?} must be 1 to 36 characters long")]
    InvalidToken {
        /// The token.
        token: String,
    },
    /// The token was used in the last 10 minutes for a different transaction
    /// (IdempotentParameterMismatchException): nothing was written.
    #[error("client request token {token:?} was already used for a different transaction{}", detail(message))]
    TokenMismatch {
        /// The token.
        token: String,
        /// The backend's message (DynamoDB Local gives none).
        message: String,
    },
    /// A slot of another [`ReadTransaction`] was given to [`Snapshot::get`].
    #[error("this slot belongs to another read transaction")]
    ForeignSlot,
    /// An item read by a [`ReadTransaction`] does not fit its struct.
    #[error("stored item does not fit the struct: {0}")]
    Decode(#[from] DecodeError),
    /// DynamoDB (or the memory backend, with DynamoDB's answer) refused the request as a whole, or did not
    /// answer: an invalid request ([`ServiceErrorKind::Validation`](crate::ServiceErrorKind::Validation)), a
    /// missing table, throttling.
    #[error("DynamoDB request failed: {0}")]
    Service(#[from] ServiceError),
    /// A broken invariant of dynatomic: please report it.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl From<Failure> for TransactionError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Service(error) => TransactionError::Service(error),
            Failure::Internal(error) => TransactionError::Internal(error),
        }
    }
}

impl<T> From<Failure> for crate::Error<T> {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Service(error) => crate::Error::Service(error),
            Failure::Internal(error) => crate::Error::Internal(error),
        }
    }
}

/// `: message`, or nothing for an empty message.
fn detail(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

/// A canceled transaction: every action, in the order they were added, with its reason. Nothing was
/// written (or, for a [`ReadTransaction`], read).
///
/// ```
/// # #[derive(dynatomic::Item, Debug, PartialEq)]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use dynatomic::{update, Db, Reason, TransactionError};
/// let db = Db::memory();
/// let products = db.table::<Product>();
/// products.create_table().await?;
/// products.put(&Product { sku: "a".into(), stock: 1 }).await?;
/// products.put(&Product { sku: "b".into(), stock: 0 }).await?;
/// let result = db
///     .transaction()
///     .update(&products, Product::key("a"), update!(Product: stock -= 1; where stock >= 1))
///     .update(&products, Product::key("b"), update!(Product: stock -= 1; where stock >= 1))
///     .commit()
///     .await;
/// let Err(TransactionError::Canceled(canceled)) = result else { panic!("the transaction went through") };
/// let failed: Vec<_> = canceled.failed().collect();
/// assert_eq!((failed.len(), failed[0].index, &failed[0].reason), (1, 1, &Reason::ConditionFailed));
/// assert_eq!(failed[0].stored_item::<Product>(), Some(&Product { sku: "b".into(), stock: 0 }));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug)]
pub struct TransactionCanceled {
    /// Every action of the transaction, in order; [`failed`](Self::failed) picks those that failed.
    pub actions: Vec<CanceledAction>,
}

impl TransactionCanceled {
    /// The actions that failed, in order.
    pub fn failed(&self) -> impl Iterator<Item = &CanceledAction> {
        self.actions.iter().filter(|action| action.reason != Reason::None)
    }

    /// Whether the transaction was canceled only because checks on stored items failed (conditions, versions,
    /// missing items, items changed since read), and not for an invalid action, throttling or a conflict with
    /// another transaction.
    pub fn only_checks_failed(&self) -> bool {
        self.failed().next().is_some() && self.failed().all(|action| action.reason.is_failed_check())
    }
}

impl fmt::Display for TransactionCanceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reads = self.actions.iter().all(|action| action.kind == ActionKind::Get);
        f.write_str(if reads {
            "read transaction canceled, nothing was read"
        } else {
            "transaction canceled, nothing was written"
        })?;
        for (i, action) in self.failed().enumerate() {
            f.write_str(if i == 0 { ": " } else { "; " })?;
            write!(f, "{action}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransactionCanceled {}

/// One action of a canceled transaction and why it failed (or [`Reason::None`] when it did not).
#[derive(Debug)]
pub struct CanceledAction {
    /// Its position in the transaction, from 0.
    pub index: usize,
    /// What it does.
    pub kind: ActionKind,
    /// The table of its item.
    pub table: String,
    /// The key of its item, as text: `id = "alice"`.
    pub key: String,
    /// Why it failed.
    pub reason: Reason,
    /// The backend's message, if any.
    pub message: Option<String>,
    /// For a failed condition: which clauses were false, with the values they compared.
    pub explanation: Option<Explanation>,
    /// The item as it was stored when the action's check failed, read as the struct of its table.
    pub stored: Option<Stored<AnyItem>>,
}

impl CanceledAction {
    /// The item as it was stored when the action's condition failed, read as `T` (the struct of the action's
    /// table); `None` when there was no such item, when the condition did not fail, when `T` is not that
    /// struct, or when the item did not fit it (see [`Stored::decode_error`](crate::Stored::decode_error) on the field
    /// `stored`).
    pub fn stored_item<T: 'static>(&self) -> Option<&T> {
        self.stored.as_ref()?.item()?.downcast_ref()
    }
}

impl fmt::Display for CanceledAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action {} ({} of {} in `{}`): {}", self.index, self.kind, self.key, self.table, self.reason)?;
        match (&self.explanation, &self.message) {
            (Some(explanation), _) => write!(f, ": {explanation}"),
            // A failed check says all there is to say; the backend's message only repeats it.
            (None, Some(message)) if !self.reason.is_failed_check() => write!(f, " ({message})"),
            (None, _) => Ok(()),
        }
    }
}

/// Why one action of a transaction was canceled, from DynamoDB's cancellation reason codes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// This action was fine; another one failed.
    None,
    /// Its condition was false (`ConditionalCheckFailed`).
    ConditionFailed,
    /// An update of an item that does not exist (a failed condition, told apart by the missing item).
    NotFound,
    /// The stored item is no longer the one read ([`Key::if_unchanged`](crate::Key::if_unchanged)): a failed
    /// condition, told apart by the stored item.
    Changed,
    /// An increment without a check ([`Key::any_version`](crate::Key::any_version)) of a version already at the
    /// largest number its field holds.
    VersionOverflow,
    /// It is invalid for the stored item, such as adding a number to a string (`ValidationError`).
    Validation,
    /// A write under a lock whose lease the holder no longer holds (a failed condition, told apart by the
    /// stored item's lock).
    LockLost,
    /// The stored item is not at the version the action expected (a failed condition, told apart by the
    /// stored item's version).
    VersionConflict {
        /// The version the action expected (0: no item).
        expected: u64,
        /// The stored item's version; `None` when there is no item.
        stored: Option<u64>,
    },
    /// Another transaction was writing the item (`TransactionConflict`): sending it again may succeed.
    Conflict,
    /// The table or the account is over its throughput (`ThrottlingError`, `ProvisionedThroughputExceeded`,
    /// `RequestLimitExceeded`): sending it again later may succeed.
    Throttled,
    /// Another code, as DynamoDB gave it.
    Other(String),
}

impl Reason {
    /// Whether this is a check on the stored item that failed: a condition, a version, a missing item, an item
    /// changed since read.
    pub fn is_failed_check(&self) -> bool {
        matches!(
            self,
            Reason::ConditionFailed
                | Reason::NotFound
                | Reason::VersionConflict { .. }
                | Reason::Changed
                | Reason::VersionOverflow
                | Reason::LockLost
        )
    }

    fn from_code(code: &str) -> Self {
        match code {
            "None" | "" => Reason::None,
            "ConditionalCheckFailed" => Reason::ConditionFailed,
            "ValidationError" => Reason::Validation,
            "TransactionConflict" => Reason::Conflict,
            "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded" => Reason::Throttled,
            other => Reason::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::None => f.write_str("no error"),
            Reason::ConditionFailed => f.write_str("condition failed"),
            Reason::NotFound => f.write_str("no such item to update"),
            Reason::Changed => f.write_str("the item changed since it was read"),
            Reason::VersionOverflow => f.write_str("the version is at the largest number its field holds"),
            Reason::Validation => f.write_str("invalid"),
            Reason::LockLost => f.write_str("the lock's lease was lost to another holder"),
            Reason::VersionConflict { expected, stored: Some(stored) } => {
                write!(f, "version conflict: expected version {expected}, stored version {stored}")
            }
            Reason::VersionConflict { expected, stored: None } => {
                write!(f, "version conflict: expected version {expected}, no item stored")
            }
            Reason::Conflict => f.write_str("conflict with another transaction"),
            Reason::Throttled => f.write_str("throttled"),
            Reason::Other(code) => f.write_str(code),
        }
    }
}

/// Reads of up to 100 items of any tables, answered as one consistent snapshot (TransactGetItems): no
/// transaction is seen half applied.
///
/// ```
/// # #[derive(dynatomic::Item, Debug)]
/// # struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let db = dynatomic::Db::memory();
/// let accounts = db.table::<Account>();
/// accounts.create_table().await?;
/// accounts.put(&Account { id: "alice".into(), balance: 100 }).await?;
///
/// let mut reads = db.read_transaction();
/// let alice = reads.get(&accounts, Account::key("alice"));
/// let bob = reads.get(&accounts, Account::key("bob"));
/// let snapshot = reads.send().await?;
/// assert_eq!(snapshot.get(&alice)?.map(|a| a.balance), Some(100));
/// assert!(snapshot.get(&bob)?.is_none());
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ReadTransaction {
    db: Db,
    id: u64,
    items: Vec<(String, KeySchema, Result<RawItem, ValueError>)>,
}

/// Where one item of a [`ReadTransaction`] is found in its [`Snapshot`].
#[derive(Debug)]
pub struct Slot<T> {
    read: u64,
    index: usize,
    item: PhantomData<fn() -> T>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slot<T> {}

impl ReadTransaction {
    /// Adds the item with this key to the reads and returns where to find it in the snapshot.
    pub fn get<T: Item>(&mut self, table: &Table<T>, key: Key<T>) -> Slot<T> {
        self.items.push((table.name().to_owned(), T::KEY, key.into_attributes()));
        Slot { read: self.id, index: self.items.len() - 1, item: PhantomData }
    }

    /// Reads every item at once. Refuses, before sending, no items, more than 100, two reads of one item,
    /// or an invalid key. DynamoDB cancels the read when another transaction is writing one of the items
    /// ([`TransactionError::Canceled`] with [`Reason::Conflict`]); reading again may succeed.
    pub async fn send(self) -> Result<Snapshot, TransactionError> {
        check_count(self.items.len())?;
        let items = self
            .items
            .into_iter()
            .enumerate()
            .map(|(action, (table, schema, key))| match key {
                Ok(key) => Ok((table, schema, key)),
                Err(source) => Err(TransactionError::InvalidValue { action, source }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let identities: Vec<(&String, ItemKey)> = items
            .iter()
            .map(|(table, schema, key)| Ok((table, identity(key, *schema)?)))
            .collect::<Result<_, InternalError>>()?;
        let same = first_repeat(&identities);
        let items: Vec<(String, RawItem)> = items.into_iter().map(|(table, _, key)| (table, key)).collect();
        if let Some((first, second)) = same {
            let (table, key) = (items[second].0.clone(), key_text(&items[second].1));
            return Err(TransactionError::SameItem { first, second, table, key });
        }
        let targets: Vec<(String, String)> = items.iter().map(|(table, key)| (table.clone(), key_text(key))).collect();
        match self.db.backend.transact_get(items).await {
            Ok(items) => Ok(Snapshot { read: self.id, items }),
            Err(TransactRefusal::Canceled(reasons)) => {
                let actions = targets
                    .into_iter()
                    .zip(reasons)
                    .enumerate()
                    .map(|(index, ((table, key), reason))| CanceledAction {
                        index,
                        kind: ActionKind::Get,
                        table,
                        key,
                        reason: Reason::from_code(&reason.code),
                        message: reason.message,
                        explanation: None,
                        stored: None,
                    })
                    .collect();
                Err(TransactionError::Canceled(TransactionCanceled { actions }))
            }
            Err(TransactRefusal::TokenMismatch(message)) => Err(InternalError::new(format!(
                "TransactGetItems was answered with a token mismatch, though it has no token: {message}"
            ))
            .into()),
            Err(TransactRefusal::Failed(failure)) => Err(failure.into()),
        }
    }
}

/// The items of a [`ReadTransaction`], as they all were at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    read: u64,
    items: Vec<Option<RawItem>>,
}

impl Snapshot {
    /// The item of `slot`, read as its struct; `None` when there is no such item.
    pub fn get<T: Item>(&self, slot: &Slot<T>) -> Result<Option<T>, TransactionError> {
        if slot.read != self.read {
            return Err(TransactionError::ForeignSlot);
        }
        match self.items.get(slot.index) {
            Some(Some(item)) if !item.is_empty() => Ok(Some(T::from_item(item.clone())?)),
            Some(_) => Ok(None),
            None => Err(TransactionError::ForeignSlot),
        }
    }
}
