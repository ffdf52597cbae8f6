//! Optimistic locking: the `#[dynatomic(version)]` attribute that every write checks and increments.

use crate::schema::{Expect, Key};

/// A struct with a `#[dynatomic(version)]` field; derived with [`Item`](crate::Item).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no version attribute",
    label = "only an item with a `#[dynatomic(version)]` field has versions",
    note = "add an unsigned integer field marked `#[dynatomic(version)]` to `{Self}`"
)]
pub trait Versioned: crate::Item {}

/// A struct without a `#[dynatomic(version)]` field; derived with [`Item`](crate::Item). Batch writes
/// ([`Table::batch_put`](crate::Table::batch_put), [`Table::batch_delete`](crate::Table::batch_delete)) need it:
/// DynamoDB's BatchWriteItem takes no conditions, so it would write over a newer version unchecked.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has a version attribute, and a batch write cannot check it",
    label = "BatchWriteItem takes no conditions: it would overwrite newer versions and move the version back",
    note = "use `batch_put_checked` / `batch_delete_checked`, which write in transactions of up to 100 items that check each version (keys need `at_version(n)` or `any_version()`)"
)]
pub trait Unversioned: crate::Item {}

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
        self.expect = Expect::Version(version);
        self
    }

    /// Makes a write on this key increment the version whatever it is, without checking it: for writes that
    /// cannot lose an update, such as `views += 1`.
    pub fn any_version(mut self) -> Self {
        self.expect = Expect::AnyVersion;
        self
    }
}
