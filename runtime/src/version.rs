//! Optimistic locking: the `#[dynatomic(version)]` attribute that every write checks and increments.

use std::borrow::Cow;

use crate::AttributeValue;
use crate::error::ValueError;
use crate::request::{Action, RawItem, Write};
use crate::schema::{Item, Key};

/// A struct with a `#[dynatomic(version)]` field; derived with [`Item`](crate::Item).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no version attribute",
    label = "only an item with a `#[dynatomic(version)]` field has versions",
    note = "add an unsigned integer field marked `#[dynatomic(version)]` to `{Self}`"
)]
pub trait Versioned: crate::Item {}

/// Which stored version a write of a versioned item expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    /// The caller did not say: a write of a versioned item is refused.
    Unspecified,
    /// This version (0: no item, or an item without the attribute).
    Exactly(u64),
    /// Any version: the write increments it without checking it.
    Any,
}

impl<T: Versioned> Key<T> {
    /// Makes a write on this key expect the stored item to be at `version` (0: no item yet). A write of a
    /// versioned item checks the version and increments it; when the stored version differs, nothing is
    /// written and the error is [`Error::VersionConflict`](crate::Error::VersionConflict).
    ///
    /// ```
    /// # #[derive(dynatomic::Item)]
    /// # struct Doc { #[dynatomic(partition_key)] id: String, text: String, #[dynatomic(version)] version: u64 }
    /// let op = dynatomic::update!(Doc: text = "new text");
    /// // products.update(Doc::key("readme").at_version(3), op).await?;
    /// ```
    pub fn at_version(mut self, version: u64) -> Self {
        self.version = Expected::Exactly(version);
        self
    }

    /// Makes a write on this key increment the version whatever it is, without checking it: for writes that
    /// cannot lose an update, such as `views += 1`.
    pub fn any_version(mut self) -> Self {
        self.version = Expected::Any;
        self
    }
}

/// The version attribute's placeholders in the requests dynatomic builds.
const NAME: &str = "#dynatomic_version";
/// The check of a write that expects no item (version 0).
const ABSENT: &str = "attribute_not_exists(#dynatomic_version)";
const EXPECTED: &str = ":dynatomic_version";
const NEXT: &str = ":dynatomic_next";
const ONE: &str = ":dynatomic_one";
const ZERO: &str = ":dynatomic_zero";

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// Adds the version check and increment to a write of an item of `T`, if `T` is versioned: for a put, the
/// item is stored with the next version; for an update, the update sets it; a delete or condition check only
/// checks it. A write that does not say which version it expects is refused, except a condition check,
/// which writes nothing.
pub(crate) fn guard<T: Item>(mut write: Write, expected: Expected) -> Result<Write, ValueError> {
    let Some(attribute) = T::VERSION else { return Ok(write) };
    let check = match expected {
        Expected::Unspecified if matches!(write.action, Action::Check { .. }) => return Ok(write),
        Expected::Unspecified => return Err(ValueError::VersionRequired),
        Expected::Exactly(0) => Some(ABSENT.to_owned()),
        Expected::Exactly(version) => {
            write.values.insert(EXPECTED.to_owned(), number(version));
            Some(format!("{NAME} = {EXPECTED}"))
        }
        Expected::Any => None,
    };
    let writes = matches!(write.action, Action::Put(_) | Action::Update { .. });
    let next = match expected {
        Expected::Exactly(version) if writes && version >= T::VERSION_MAX => return Err(ValueError::VersionOverflow),
        Expected::Exactly(version) => version.checked_add(1).map(number),
        _ => None,
    };
    let mut named = check.is_some();
    match &mut write.action {
        Action::Put(item) => {
            if let Some(next) = next {
                item.insert(attribute.to_owned(), next);
            }
        }
        Action::Update { expression, .. } => {
            let set = match next {
                Some(next) => {
                    write.values.insert(NEXT.to_owned(), next);
                    format!("{NAME} = {NEXT}")
                }
                None => {
                    write.values.insert(ZERO.to_owned(), number(0));
                    write.values.insert(ONE.to_owned(), number(1));
                    format!("{NAME} = if_not_exists({NAME}, {ZERO}) + {ONE}")
                }
            };
            named = true;
            *expression = Some(Cow::Owned(match expression.as_deref() {
                Some(rest) => match rest.strip_prefix("SET ") {
                    Some(assignments) => format!("SET {set}, {assignments}"),
                    None => format!("SET {set} {rest}"),
                },
                None => format!("SET {set}"),
            }));
        }
        Action::Delete { .. } | Action::Check { .. } => {}
    }
    if let Some(check) = check {
        write.condition = Some(Cow::Owned(match write.condition.as_deref() {
            Some(condition) => format!("({condition}) AND {check}"),
            None => check,
        }));
    }
    if named {
        write.names.insert(NAME.to_owned(), attribute.to_owned());
    }
    Ok(write)
}

/// What a versioned write expects of the stored item's version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expectation {
    attribute: String,
    expected: u64,
}

impl Expectation {
    /// The expectation of a write, if it checks a version.
    pub(crate) fn of(write: &Write) -> Option<Self> {
        let attribute = write.names.get(NAME)?.clone();
        let expected = match write.values.get(EXPECTED) {
            Some(AttributeValue::N(n)) => n.parse().ok()?,
            _ if write.condition.as_deref()?.ends_with(ABSENT) => 0,
            _ => return None,
        };
        Some(Expectation { attribute, expected })
    }

    /// When the version is why the write failed: the version it expected and the stored item's (`None`: no
    /// item). `None` when the stored item is at the expected version (then another condition failed).
    pub(crate) fn conflict(&self, stored: Option<&RawItem>) -> Option<(u64, Option<u64>)> {
        let found = stored.map(|item| match item.get(&self.attribute) {
            Some(AttributeValue::N(n)) => n.parse().unwrap_or(u64::MAX),
            _ => 0,
        });
        (found.unwrap_or(0) != self.expected).then_some((self.expected, found))
    }
}
