//! The errors dynatomic returns.

use std::fmt;

use crate::explain::Explanation;

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
    /// A set with no elements: DynamoDB has no empty sets.
    #[error("an empty set cannot be stored: DynamoDB has no empty sets (remove the attribute instead)")]
    EmptySet,
    /// A key attribute that is an empty string or empty bytes.
    #[error("key attribute `{0}` is empty: DynamoDB keys cannot be empty strings or empty bytes")]
    EmptyKey(String),
    /// An attribute name or map key that is empty.
    #[error("an attribute name or map key cannot be empty")]
    EmptyName,
    /// A write of a versioned item whose key does not say which version it expects.
    #[error(
        "the item has a version attribute, and the key does not say which version the write expects: use `Key::at_version(n)`, or `Key::any_version()` to increment it without a check"
    )]
    VersionRequired,
    /// A version at the largest number its field holds, which cannot be incremented.
    #[error("the version is at the largest number its field holds and cannot be incremented")]
    VersionOverflow,
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

/// Everything a dynatomic operation can fail with. `T` is the item type of the table, so that a failed
/// condition hands back the stored item as a `T`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<T> {
    /// The condition of a conditional write was false; nothing was written. With an explanation, it reads
    /// `condition failed: stock >= qty (stock = 3, qty = 5)`.
    #[error("{}", ConditionFailed(.explanation))]
    ConditionFailed {
        /// The item as it was stored when the condition failed (`None` when there was no item).
        stored: Option<Box<T>>,
        /// Which clauses of the condition were false, and the values they compared; `None` when the backend's
        /// answer cannot be explained (the stored item satisfies the condition as dynatomic reads it).
        explanation: Option<Explanation>,
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
        item: Option<Box<T>>,
    },
    /// A value that DynamoDB would refuse, caught before sending.
    #[error("invalid value: {0}")]
    InvalidValue(#[from] ValueError),
    /// A stored item that does not fit `T`.
    #[error("stored item does not fit the struct: {0}")]
    Decode(#[from] DecodeError),
    /// DynamoDB refused the request as invalid (ValidationException).
    #[error("DynamoDB refused the request: {message}")]
    Validation {
        /// DynamoDB's message.
        message: String,
    },
    /// Any other failure of the service or the connection to it.
    #[error("DynamoDB request failed: {0}")]
    Service(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The table does not exist (DynamoDB's ResourceNotFoundException): create it with
    /// [`Table::create_table`](crate::Table::create_table) first.
    #[error("table `{table}` does not exist: {message}")]
    TableNotFound {
        /// The table's name.
        table: String,
        /// The backend's message.
        message: String,
    },
    /// An item or key of a batch was refused before anything was sent.
    #[error("batch entry {index}: {source}")]
    InvalidEntry {
        /// The entry's position in the input, from 0.
        index: usize,
        /// What is wrong with it.
        source: ValueError,
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
