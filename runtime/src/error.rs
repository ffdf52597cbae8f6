//! The errors dynatomic returns, and what they share: values refused before sending, stored items that do not
//! fit their struct, the service's own errors, and broken invariants of dynatomic itself.

use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::explain::Explanation;
use crate::expr::values::Attributes as RawItem;

/// A value that DynamoDB would refuse, caught before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// NaN or an infinity: DynamoDB numbers are finite.
    #[error("{0} is not a number DynamoDB can store: only finite numbers are allowed")]
    NotFinite(String),
    /// A number with more than 38 significant digits.
    #[error("{0} has more than 38 significant digits, the most DynamoDB stores")]
    TooPrecise(String),
    /// A number whose magnitude is outside 1E-130 ..= 9.99..E+125.
    #[error(
        "{0} is outside DynamoDB's number range (magnitude 1E-130 to 9.9999999999999999999999999999999999999E+125)"
    )]
    OutOfRange(String),
    /// Text that is not a decimal number.
    #[error("{0:?} is not a decimal number")]
    NotANumber(String),
    /// A time outside the years 0000 to 9999, which an RFC 3339 timestamp cannot hold, or a leap second.
    #[error("{0} cannot be stored as a timestamp: timestamps are stored as RFC 3339 times of the years 0000 to 9999")]
    TimeOutOfRange(String),
    /// A `#[dynatomic(serde)]` value that serde_dynamo could not serialize.
    #[error("the value could not be serialized for DynamoDB: {0}")]
    Unserializable(String),
    /// A key attribute changed through a lock's guard: a commit writes the item it locked, whose key is fixed.
    #[error(
        "key attribute `{0}` was changed under a lock: a commit writes the item that was locked (to move an item, put a new one and delete the old)"
    )]
    KeyChanged(String),
    /// An operation id of an exactly-once write ([`UpdateWrite::exactly_once`](crate::UpdateWrite::exactly_once))
    /// that is not 1 to 36 characters long.
    #[error("operation id {0:?} must be 1 to 36 characters long (a UUID fits)")]
    InvalidOperationId(String),
    /// A set with no elements: DynamoDB has no empty sets.
    #[error("an empty set cannot be stored: DynamoDB has no empty sets (remove the attribute instead)")]
    EmptySet,
    /// A key attribute that is an empty string or empty bytes.
    #[error("key attribute `{0}` is empty: DynamoDB keys cannot be empty strings or empty bytes")]
    EmptyKey(String),
    /// A key attribute longer than DynamoDB allows: 2048 bytes for a partition key, 1024 for a sort key.
    #[error("key attribute `{name}` is {bytes} bytes long, over DynamoDB's limit of {limit} bytes")]
    KeyTooLong {
        /// The key attribute.
        name: String,
        /// Its length in bytes.
        bytes: usize,
        /// The most DynamoDB allows.
        limit: usize,
    },
    /// An attribute name or map key that is empty.
    #[error("an attribute name or map key cannot be empty")]
    EmptyName,
    /// A value nested deeper than DynamoDB's 32 levels (an attribute's value is one level, each list or map
    /// around a value one more).
    #[error("the value is nested deeper than DynamoDB's limit of 32 levels")]
    TooDeep,
    /// A write of a versioned item whose key does not say which version it expects.
    #[error(
        "the item has a version attribute, and the key does not say which version the write expects: use `Key::at_version(n)`, or `Key::any_version()` to increment it without a check"
    )]
    VersionRequired,
    /// A version at the largest number its field holds, which cannot be incremented.
    #[error("the version is at the largest number its field holds and cannot be incremented")]
    VersionOverflow,
    /// An item with too many attributes to check in one condition that it is unchanged
    /// ([`Key::if_unchanged`](crate::Key::if_unchanged)): give its type a `#[dynatomic(version)]` field.
    #[error(
        "the item has {attributes} attributes, too many to check in one DynamoDB condition that it is unchanged: give its type a `#[dynatomic(version)]` field"
    )]
    TooManyToGuard {
        /// The attributes the check would compare.
        attributes: usize,
    },
    /// An item larger than DynamoDB's 400 KB limit.
    #[error("the item is {size} bytes, over DynamoDB's limit of 409600 bytes (400 KB)")]
    ItemTooLarge {
        /// The item's size as DynamoDB counts it (names and values).
        size: usize,
    },
    /// A value inside an attribute was refused; `path` says where.
    #[error("{path}: {source}")]
    At {
        /// The attribute path of the refused value, such as `address.zip`.
        path: String,
        /// What is wrong with it.
        source: Box<ValueError>,
    },
}

impl ValueError {
    /// Names the attribute the error belongs to, innermost first: `e.at("zip").at("address")` reads `address.zip`.
    pub fn at(self, segment: &str) -> Self {
        match self {
            ValueError::At { path, source } => ValueError::At { path: join_path(segment, &path), source },
            other => ValueError::At { path: segment.to_owned(), source: Box::new(other) },
        }
    }
}

/// `outer` followed by `inner`: `address` and `zip` give `address.zip`, `tags` and `[1]` give `tags[1]`.
fn join_path(outer: &str, inner: &str) -> String {
    if inner.starts_with('[') { format!("{outer}{inner}") } else { format!("{outer}.{inner}") }
}

/// A stored item that does not fit the struct it is read into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read attribute `{path}` as {expected}: {found}")]
pub struct DecodeError {
    /// The attribute path, such as `address.zip`.
    pub path: String,
    /// The Rust type that was expected.
    pub expected: &'static str,
    /// What was found instead.
    pub found: String,
}

impl DecodeError {
    /// An attribute whose DynamoDB type or content does not fit `expected`.
    pub fn mismatch(expected: &'static str, found: impl fmt::Display) -> Self {
        DecodeError { path: String::new(), expected, found: found.to_string() }
    }

    /// A required attribute that is absent.
    pub fn missing(expected: &'static str) -> Self {
        DecodeError { path: String::new(), expected, found: "the attribute is missing".to_owned() }
    }

    /// Prefixes the path with the attribute that contains it.
    pub fn at(mut self, segment: &str) -> Self {
        self.path = if self.path.is_empty() { segment.to_owned() } else { join_path(segment, &self.path) };
        self
    }
}

/// What kind of failure a [`ServiceError`] is, from DynamoDB's error code (or from the connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// The request is invalid (`ValidationException`): sending it again fails again.
    Validation,
    /// The table does not exist (`ResourceNotFoundException`): create it with
    /// [`Table::create_table`](crate::Table::create_table) first.
    TableNotFound,
    /// The table or the account is over its throughput (`ThrottlingException`,
    /// `ProvisionedThroughputExceededException`, `RequestLimitExceeded`): sending it again later may succeed.
    /// aws-sdk-dynamodb retries these itself, as its client is configured, before they reach you.
    Throttling,
    /// The request did not get an answer: it could not be sent, timed out, or the answer could not be read.
    /// The write may or may not have been applied.
    Transport,
    /// Any other error code.
    Other,
}

/// An error answered by DynamoDB (or by the memory backend, with DynamoDB's code and message), or a failure to
/// reach it. It keeps DynamoDB's error code, message and request id.
///
/// ```
/// # #[derive(dynatomic::Item, Debug)]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
/// # async fn demo() {
/// use dynatomic::{Error, ServiceErrorKind};
/// let products = dynatomic::Db::memory().table::<Product>(); // no table created
/// let Err(Error::Service(error)) = products.get(Product::key("a")).await else { panic!("the table is missing") };
/// assert_eq!(error.kind(), ServiceErrorKind::TableNotFound);
/// assert_eq!(error.code(), Some("ResourceNotFoundException"));
/// # }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo());
/// ```
#[derive(Debug)]
pub struct ServiceError(Box<ServiceErrorParts>);

/// What a [`ServiceError`] holds, boxed so that errors stay small to move.
#[derive(Debug)]
struct ServiceErrorParts {
    kind: ServiceErrorKind,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ServiceError {
    /// An error with DynamoDB's error `code` (such as `ValidationException`) and message.
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        ServiceError(Box::new(ServiceErrorParts {
            kind: ServiceErrorKind::from_code(code),
            code: Some(code.to_owned()),
            message: message.into(),
            request_id: None,
            source: None,
        }))
    }

    /// A `ValidationException` with DynamoDB's message.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        ServiceError::new("ValidationException", message)
    }

    /// A `ResourceNotFoundException` with DynamoDB's message.
    pub(crate) fn table_not_found(message: impl Into<String>) -> Self {
        ServiceError::new("ResourceNotFoundException", message)
    }

    /// An error of this kind with this code (such as a transaction's cancellation reason, `ThrottlingError`).
    pub(crate) fn of_kind(kind: ServiceErrorKind, code: &str, message: String) -> Self {
        let parts = ServiceErrorParts { kind, code: Some(code.to_owned()), message, request_id: None, source: None };
        ServiceError(Box::new(parts))
    }

    /// A request that got no answer, for `cause`.
    pub(crate) fn transport(cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        ServiceError(Box::new(ServiceErrorParts {
            kind: ServiceErrorKind::Transport,
            code: None,
            message: cause.to_string(),
            request_id: None,
            source: Some(Box::new(cause)),
        }))
    }

    /// Keeps the request id and the error it came from.
    pub(crate) fn with_origin(
        mut self,
        request_id: Option<&str>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.0.request_id = request_id.map(str::to_owned);
        self.0.source = Some(Box::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ServiceErrorKind {
        self.0.kind
    }

    /// DynamoDB's error code, such as `ValidationException`; `None` when the request got no answer.
    pub fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// DynamoDB's message (or the connection's).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The id DynamoDB gave the request (`x-amzn-RequestId`), for AWS support; `None` on the memory backend
    /// and when the request got no answer.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    /// Whether the request was throttled ([`ServiceErrorKind::Throttling`]).
    pub fn is_throttling(&self) -> bool {
        self.0.kind == ServiceErrorKind::Throttling
    }
}

impl ServiceErrorKind {
    /// The kind of DynamoDB's error `code`.
    fn from_code(code: &str) -> Self {
        match code {
            "ValidationException" => ServiceErrorKind::Validation,
            "ResourceNotFoundException" => ServiceErrorKind::TableNotFound,
            "ThrottlingException" | "ProvisionedThroughputExceededException" | "RequestLimitExceeded" => {
                ServiceErrorKind::Throttling
            }
            _ => ServiceErrorKind::Other,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.code {
            Some(code) => write!(f, "{code}: {}", self.0.message)?,
            None => write!(f, "no answer: {}", self.0.message)?,
        }
        match &self.0.request_id {
            Some(id) => write!(f, " (request id {id})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A broken invariant of dynatomic itself, never a service error: please report it. Nothing can be done about it
/// by retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error in dynatomic (please report it): {0}")]
pub struct InternalError(pub(crate) String);

impl InternalError {
    /// A broken invariant, described.
    pub(crate) fn new(what: impl Into<String>) -> Self {
        InternalError(what.into())
    }
}

/// An item as it was stored when a write on it failed: the attributes as the backend returned them, and the
/// item read as `T`, or why it could not be.
///
/// ```
/// # #[derive(dynatomic::Item, Debug, PartialEq)]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
/// # async fn demo() -> Result<(), dynatomic::Error<Product>> {
/// use dynatomic::{Error, condition};
/// let products = dynatomic::Db::memory().table::<Product>();
/// products.create_table().await?;
/// products.put(&Product { sku: "a".into(), stock: 0 }).await?;
/// let result = products.delete(Product::key("a")).when(condition!(Product: stock > 0)).await;
/// let Err(Error::ConditionFailed { stored: Some(stored), .. }) = result else { panic!("the stock is 0") };
/// assert_eq!(stored.item(), Some(&Product { sku: "a".into(), stock: 0 }));
/// assert_eq!(stored.attributes()["stock"], dynatomic::AttributeValue::N("0".into()));
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Stored<T> {
    attributes: RawItem,
    decoded: Result<T, DecodeError>,
}

impl<T> Stored<T> {
    /// The stored attributes, read as `T` by `decode`.
    pub(crate) fn read(attributes: RawItem, decode: impl FnOnce(RawItem) -> Result<T, DecodeError>) -> Self {
        let decoded = decode(attributes.clone());
        Stored { attributes, decoded }
    }

    /// The item, if it fits `T`.
    pub fn item(&self) -> Option<&T> {
        self.decoded.as_ref().ok()
    }

    /// The item, or why the stored attributes do not fit `T`.
    pub fn into_item(self) -> Result<T, DecodeError> {
        self.decoded
    }

    /// The attributes as the backend returned them.
    pub fn attributes(&self) -> &RawItem {
        &self.attributes
    }

    /// Why the stored attributes do not fit `T`, if they do not.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        self.decoded.as_ref().err()
    }
}

impl Stored<Box<dyn std::any::Any + Send + Sync>> {
    /// The item read as its struct, if that struct is `T`.
    pub(crate) fn downcast<T: 'static>(self) -> Option<Stored<T>> {
        let decoded = match self.decoded {
            Ok(item) => Ok(*item.downcast::<T>().ok()?),
            Err(error) => Err(error),
        };
        Some(Stored { attributes: self.attributes, decoded })
    }
}

impl<T: fmt::Debug> fmt::Debug for Stored<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.decoded {
            Ok(item) => item.fmt(f),
            Err(error) => f.debug_struct("Stored").field("attributes", &self.attributes).field("error", error).finish(),
        }
    }
}

/// Everything a dynatomic operation on a table of `T` can fail with. A failed write hands back the stored item
/// as a [`Stored<T>`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<T> {
    /// The condition of a conditional write was false; nothing was written. With an explanation, it reads
    /// `condition failed: stock >= qty (stock = 3, qty = 5)`.
    #[error("{}", ConditionFailed(.explanation))]
    ConditionFailed {
        /// The item as it was stored when the condition failed (`None` when there was no item).
        stored: Option<Box<Stored<T>>>,
        /// Which clauses of the condition were false, and the values they compared; `None` when the backend's
        /// answer cannot be explained (the stored item satisfies the condition as dynatomic reads it).
        explanation: Option<Explanation>,
    },
    /// An update of an item that does not exist: `update` changes existing items only, and nothing was
    /// written. To create missing items, use [`Table::upsert`](crate::Table::upsert).
    #[error(
        "the item to update is not in table `{table}`: nothing was written (`update` changes existing items only; `upsert` creates them)"
    )]
    NotFound {
        /// The table.
        table: String,
    },
    /// The stored item is not at the version the write expected (optimistic locking); nothing was written.
    /// Read the item again and redo the change, or let [`Table::modify`](crate::Table::modify) do it.
    #[error("version conflict: the write expected version {expected}, the stored item is {}", match stored { Some(v) => format!("at version {v}"), None => "absent".to_owned() })]
    VersionConflict {
        /// The version the write expected (0: no item).
        expected: u64,
        /// The stored item's version; `None` when there is no item.
        stored: Option<u64>,
        /// The stored item.
        item: Option<Box<Stored<T>>>,
    },
    /// The stored item is no longer as it was read ([`Key::if_unchanged`](crate::Key::if_unchanged)): another
    /// writer changed it; nothing was written. Read it again and redo the change.
    #[error("the item changed since it was read: nothing was written")]
    Changed {
        /// The item as it is stored now (`None`: it was deleted).
        stored: Option<Box<Stored<T>>>,
    },
    /// A write under a lock ([`Table::lock`](crate::Table::lock)) whose lease the holder lost: it was not renewed
    /// in time (a pause longer than the lease) and another holder took the lock over, or other code replaced
    /// the item (a `put`, or a delete and a new item) and with it the lock. Nothing was written.
    #[error(
        "the `{action}` lock on the item was lost: its lease ran out and another holder took it over; nothing was written"
    )]
    LockLost {
        /// The lock's action name.
        action: String,
        /// The item as it is stored now (`None`: it was deleted).
        stored: Option<Box<Stored<T>>>,
    },
    /// Another holder has the lock, and did not release it (or let its lease run out) within the wait the lock
    /// was asked with ([`LockRequest::wait`](crate::LockRequest::wait); none for
    /// [`Table::try_lock`](crate::Table::try_lock)).
    #[error("the `{action}` lock on the item is held by another holder, who did not release it within the wait")]
    LockHeld {
        /// The lock's action name.
        action: String,
    },
    /// The operation id of an exactly-once write ([`UpdateWrite::exactly_once`](crate::UpdateWrite::exactly_once))
    /// was used within the last 10 minutes for a different write; nothing was written. Each write needs its
    /// own id.
    #[error(
        "operation id {id:?} was used within the last 10 minutes for a different write: nothing was written (give each write its own id)"
    )]
    OperationIdReused {
        /// The operation id.
        id: String,
    },
    /// A value that DynamoDB would refuse, caught before sending.
    #[error("invalid value: {0}")]
    InvalidValue(#[from] ValueError),
    /// A stored item that does not fit `T`.
    #[error("stored item does not fit the struct: {0}")]
    Decode(#[from] DecodeError),
    /// The write was applied, but the item it returned does not fit `T` (it was stored by other code, or `T`
    /// changed since).
    #[error("the write was applied, but the item it returned does not fit the struct: {source}")]
    AppliedUnreadable {
        /// The attributes the write returned.
        attributes: Box<RawItem>,
        /// Why they do not fit `T`.
        source: DecodeError,
    },
    /// DynamoDB (or the memory backend, with DynamoDB's answer) refused the request, or did not answer.
    #[error("DynamoDB request failed: {0}")]
    Service(#[from] ServiceError),
    /// An item or key of a batch was refused before anything was sent.
    #[error("batch entry {index}: {source}")]
    InvalidEntry {
        /// The entry's position in the input, from 0.
        index: usize,
        /// What is wrong with it.
        source: ValueError,
    },
    /// One entry of a checked batch write failed ([`Table::batch_put_checked`](crate::Table::batch_put_checked)):
    /// the cause of a [`BatchIncomplete`](Error::BatchIncomplete).
    #[error("batch entry {index}: {}", .failure.to_string())]
    EntryFailed {
        /// The entry's position in the input, from 0.
        index: usize,
        /// Why it failed.
        failure: Box<Error<T>>,
    },
    /// Two entries of a batch write have the same key, which DynamoDB refuses; nothing was sent.
    #[error("batch entries {first} and {second} have the same key: write each item once")]
    DuplicateKey {
        /// The position of the first entry with the key.
        first: usize,
        /// The position of the second.
        second: usize,
    },
    /// A batch was sent in part: the entries at `unprocessed` (positions in the input) were not written or read,
    /// because DynamoDB still left them unprocessed after the attempts of the database's
    /// [`Backoff`](crate::Backoff), or because of `cause`. The others were.
    #[error("{} batch entries were not processed{}", unprocessed.len(), match cause { Some(cause) => format!(": {cause}"), None => " after the last attempt".to_owned() })]
    BatchIncomplete {
        /// The positions in the input of the entries not processed.
        unprocessed: Vec<usize>,
        /// The error that stopped the batch; `None` when it ran out of attempts.
        cause: Option<Box<Error<T>>>,
    },
    /// The operation exists only on another backend, such as
    /// [`Table::update_request`](crate::Table::update_request) (an aws-sdk request) on [`Db::memory`](crate::Db::memory).
    #[error("`{operation}` is not available on the {backend} backend")]
    Unsupported {
        /// The method that was called.
        operation: &'static str,
        /// The backend it was called on (`memory`).
        backend: &'static str,
    },
    /// A broken invariant of dynatomic: please report it.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl<T> Error<T> {
    /// The service error behind this error, if it is one: to read its code and request id, or to tell
    /// throttling apart.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(error) => Some(error),
            Error::BatchIncomplete { cause: Some(cause), .. } => cause.service(),
            Error::EntryFailed { failure, .. } => failure.service(),
            _ => None,
        }
    }
}

/// The message of [`Error::ConditionFailed`].
struct ConditionFailed<'a>(&'a Option<Explanation>);

impl fmt::Display for ConditionFailed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(explanation) => write!(f, "condition failed: {explanation}"),
            None => f.write_str("the condition was not met; nothing was written"),
        }
    }
}

/// A key attribute's value as text: a string quoted, a number as it is, bytes by their length.
pub(crate) fn value_text(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => format!("{s:?}"),
        AttributeValue::N(n) => n.clone(),
        AttributeValue::B(b) => format!("<{} bytes>", b.as_ref().len()),
        other => format!("{other:?}"),
    }
}

/// Key attributes as text, in the order of their names: `id = "alice"`, `pk = "a", sk = 3`.
pub(crate) fn key_text(key: &RawItem) -> String {
    let mut parts: Vec<(&String, String)> = key.iter().map(|(name, value)| (name, value_text(value))).collect();
    parts.sort();
    parts.iter().map(|(name, value)| format!("{name} = {value}")).collect::<Vec<_>>().join(", ")
}
