//! One write on one item: the request each write prepares (the user's expressions with dynatomic's
//! [`Guard`]), the builders that [`Table::put`], [`Table::create`], [`Table::delete`], [`Table::update`] and
//! [`Table::upsert`] return (a write runs when its builder is awaited), and how a refusal becomes an
//! [`Error`].

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;

use crate::backend::Service;
use crate::dynamo;
use crate::error::{Error, InternalError, ValueError};
use crate::explain::{Explainer, Explanation};
use crate::guard::{Guard, Intent, LeaseCheck, Memo, Presence, Texts, Verdict, VersionCheck, with_assignment};
use crate::operation::{Condition, Update, Upsert};
use crate::prechecks;
use crate::request::{Action, RawItem, Returning, Write, WriteRefusal, present};
use crate::schema::StoredVersion;
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::telemetry::Outcome;

/// A future that a write builder runs.
type Running<'t, O> = Pin<Box<dyn Future<Output = O> + Send + 't>>;

/// A request ready to send, and what tells why its condition would be refused.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) write: Write,
    pub(crate) check: RefusalCheck,
}

/// The guard a request carries and what explains its user's condition: what tells why a refused condition was
/// refused.
#[derive(Debug, Clone)]
pub(crate) struct RefusalCheck {
    pub(crate) guard: Guard,
    pub(crate) explainer: Option<Explainer>,
}

impl RefusalCheck {
    /// Why the backend refused the condition, given the stored item (`None`: none) and the request's placeholder
    /// maps: the guard's verdict, and for the user's own condition, why it is false.
    pub(crate) fn refused(
        &self,
        stored: Option<&RawItem>,
        names: &HashMap<String, String>,
        values: &HashMap<String, crate::AttributeValue>,
    ) -> (Verdict, Option<Explanation>) {
        let verdict = self.guard.verdict(stored);
        let explanation = match (verdict, self.explainer) {
            (Verdict::Condition, Some(explainer)) => explainer.explain(names, values, stored),
            (Verdict::Condition, None) if self.guard.presence == Presence::Absent => {
                let key = self.guard.key;
                Some(Explanation::key_taken(key, stored.and_then(|item| item.get(key))))
            }
            _ => None,
        };
        (verdict, explanation)
    }
}

impl<T: Item> Table<T> {
    /// Writes the whole item, replacing any item with the same key, and returns the version it stored (`()`
    /// for an item without a version). A versioned item must be at the stored version (0: no item yet), and is
    /// stored at the next: otherwise [`Error::VersionConflict`]. Options: [`when`](PutWrite::when).
    pub fn put<'t>(&'t self, item: &'t T) -> PutWrite<'t, T> {
        PutWrite::new(self, item)
    }

    /// Writes the item only if no item has its key (a versioned item starts at version 1), and returns the
    /// version it stored; an item with the key gives [`Error::ConditionFailed`] with the stored item.
    pub fn create<'t>(&'t self, item: &'t T) -> CreateWrite<'t, T> {
        CreateWrite::new(self, item)
    }

    /// Deletes the item with this key and returns it as it was (`None` when there was none). Options:
    /// [`when`](DeleteWrite::when).
    pub fn delete(&self, key: Key<T>) -> DeleteWrite<'_, T> {
        DeleteWrite::new(self, key)
    }

    /// Applies an update built by [`update!`](crate::update) to the item with this key, which must exist: a
    /// missing item is [`Error::NotFound`] and nothing is written (an update never creates an item that `T`
    /// could not read; use [`upsert`](Self::upsert) to create it). A `where` part that is false gives
    /// [`Error::ConditionFailed`]. Options: [`returning`](UpdateWrite::returning),
    /// [`ignore_missing`](UpdateWrite::ignore_missing).
    pub fn update(&self, key: Key<T>, update: Update<T>) -> UpdateWrite<'_, T> {
        UpdateWrite::existing(self, key, update)
    }

    /// Applies an update built by [`upsert!`](crate::upsert), which sets every field of `T` without a default,
    /// creating the item when there is none. Options: [`returning`](UpdateWrite::returning).
    pub fn upsert(&self, key: Key<T>, upsert: Upsert<T>) -> UpdateWrite<'_, T> {
        UpdateWrite::upsert(self, key, upsert.into_update())
    }

    /// The aws-sdk-dynamodb UpdateItem request that [`update`](Self::update) would send, configured but not
    /// sent: to inspect it, or to set what dynatomic does not and send it yourself. On [`Db::memory`](crate::Db::memory)
    /// there is no such request: after checking the update's values, this returns [`Error::Unsupported`].
    ///
    /// ```no_run
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
    /// # async fn demo(products: dynatomic::Table<Product>) -> Result<(), Box<dyn std::error::Error>> {
    /// use dynatomic::aws_sdk_dynamodb::types::ReturnConsumedCapacity;
    /// let request = products.update_request(Product::key("sku-1"), dynatomic::update!(Product: stock += 1))?;
    /// request.return_consumed_capacity(ReturnConsumedCapacity::Total).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_request(&self, key: Key<T>, update: Update<T>) -> Result<UpdateItemFluentBuilder, Error<T>> {
        let write = self.prepare_update(key, update, Presence::Exists, Returning::Nothing)?.write;
        match &self.db.backend.service {
            Service::DynamoDb(client) => match dynamo::request(client, write)? {
                dynamo::Request::Update(request) => Ok(request),
                _ => Err(InternalError::new("an update was configured as another request").into()),
            },
            Service::Memory(_) => Err(Error::Unsupported { operation: "update_request", backend: "memory" }),
        }
    }

    /// A request on this table with nothing set but its action.
    fn request(&self, action: Action, returning: Returning) -> Write {
        Write {
            table: self.name().to_owned(),
            action,
            condition: None,
            names: Default::default(),
            values: Default::default(),
            returning,
        }
    }

    /// A write of `action` with `guard`, and the user's `condition` if there is one.
    fn prepare(
        &self,
        action: Action,
        mut guard: Guard,
        condition: Option<Condition<T>>,
        returning: Returning,
    ) -> Result<Prepared, ValueError> {
        let mut write = self.request(action, returning);
        let Some(condition) = condition else {
            guard.apply(&mut write, Texts::NONE, None::<&'static Memo<4>>)?;
            return Ok(Prepared { write, check: RefusalCheck { guard, explainer: None } });
        };
        let explainer = condition.explainer();
        let compiled = condition.compiled();
        condition.placeholders.add_to(&mut write)?;
        guard.apply(&mut write, compiled.texts(), Some(&compiled.memo))?;
        Ok(Prepared { write, check: RefusalCheck { guard, explainer } })
    }

    /// A put of the item: a versioned item must be at its version, and is stored at the next.
    pub(crate) fn prepare_put(&self, item: &T, condition: Option<Condition<T>>) -> Result<Prepared, ValueError> {
        let mut guard = Guard::none(T::KEY.partition.0);
        guard.version =
            T::VERSION.map(|attribute| VersionCheck { attribute, expected: Some(item.version()), max: T::VERSION_MAX });
        self.prepare(Action::Put(self.item(item)?), guard, condition, Returning::Nothing)
    }

    /// A put only if no item has the item's key; a versioned item starts at version 1.
    pub(crate) fn prepare_create(&self, item: &T) -> Result<Prepared, ValueError> {
        let mut attributes = self.item(item)?;
        if let Some(attribute) = T::VERSION {
            attributes.insert(attribute.to_owned(), crate::AttributeValue::N("1".to_owned()));
        }
        let guard = Guard { presence: Presence::Absent, ..Guard::none(T::KEY.partition.0) };
        self.prepare(Action::Put(attributes), guard, None, Returning::Nothing)
    }

    /// The attributes of an item to put, refusing what DynamoDB would refuse.
    fn item(&self, item: &T) -> Result<RawItem, ValueError> {
        item.item_key().into_attributes()?; // refuses empty keys before sending
        let item = item.to_item()?;
        prechecks::check_item(&item)?;
        Ok(item)
    }

    /// A delete of the item with this key.
    pub(crate) fn prepare_delete(
        &self,
        key: Key<T>,
        condition: Option<Condition<T>>,
        returning: Returning,
    ) -> Result<Prepared, ValueError> {
        let guard = key.guard(Presence::Any, Intent::Write)?;
        self.prepare(Action::Delete { key: key.into_attributes()? }, guard, condition, returning)
    }

    /// A condition check (of a transaction) on the item with this key.
    pub(crate) fn prepare_check(&self, key: Key<T>, condition: Condition<T>) -> Result<Prepared, ValueError> {
        let guard = key.guard(Presence::Any, Intent::Check)?;
        self.prepare(Action::Check { key: key.into_attributes()? }, guard, Some(condition), Returning::Nothing)
    }

    /// An update of the item with this key: with [`Presence::Exists`], of an existing item only.
    pub(crate) fn prepare_update(
        &self,
        key: Key<T>,
        update: Update<T>,
        presence: Presence,
        returning: Returning,
    ) -> Result<Prepared, ValueError> {
        self.prepare_guarded_update(key, update, presence, returning, None)
    }

    /// An update of an existing item under a lock: only if `lease` still holds.
    pub(crate) fn prepare_update_under(
        &self,
        key: Key<T>,
        update: Update<T>,
        lease: Option<LeaseCheck>,
    ) -> Result<Prepared, ValueError> {
        self.prepare_guarded_update(key, update, Presence::Exists, Returning::Nothing, lease)
    }

    fn prepare_guarded_update(
        &self,
        key: Key<T>,
        update: Update<T>,
        presence: Presence,
        returning: Returning,
        lease: Option<LeaseCheck>,
    ) -> Result<Prepared, ValueError> {
        let compiled = update.compiled();
        let mut guard = key.guard(presence, Intent::Write)?;
        guard.lease = lease.map(Box::new);
        let mut write = self.request(Action::Update { key: key.into_attributes()?, expression: None }, returning);
        let explainer = update.explainer();
        update.placeholders.add_to(&mut write)?;
        guard.apply(&mut write, compiled.texts(), Some(&compiled.memo))?;
        Ok(Prepared { write, check: RefusalCheck { guard, explainer } })
    }

    /// An update of an existing item under a lock that writes what changed from `read` to `now` (both as
    /// stored): SET for each attribute changed or added, REMOVE for each one gone; only if `lease` still holds. A
    /// versioned item's version is incremented when something changed (the key says any version), not compared.
    pub(crate) fn prepare_changes(
        &self,
        key: Key<T>,
        read: &RawItem,
        now: &RawItem,
        lease: Option<LeaseCheck>,
    ) -> Result<Prepared, ValueError> {
        prechecks::check_item(now)?;
        let mut guard = key.guard(Presence::Exists, Intent::Write)?;
        guard.lease = lease.map(Box::new);
        let mut write =
            self.request(Action::Update { key: key.into_attributes()?, expression: None }, Returning::Nothing);
        let (mut sets, mut removes) = (Vec::new(), Vec::new());
        let managed = |name: &str| T::KEY.names().any(|key| key == name) || T::VERSION == Some(name);
        for (i, name) in T::ATTRIBUTES.iter().filter(|name| !managed(name)).enumerate() {
            let placeholder = format!("#c{i}");
            match (read.get(*name), now.get(*name)) {
                (Some(before), Some(after)) if crate::expr::values::equal(before, after) => continue,
                (None, None) => continue,
                (_, Some(after)) => {
                    sets.push(format!("{placeholder} = :c{i}"));
                    write.values.insert(format!(":c{i}"), after.clone());
                }
                (Some(_), None) => removes.push(placeholder.clone()),
            }
            write.names.insert(placeholder, (*name).to_owned());
        }
        // Nothing changed: the version stays as it is, so that no optimistic reader sees a conflict for nothing.
        if sets.is_empty() && removes.is_empty() {
            guard.version = None;
        }
        guard.apply(&mut write, Texts::NONE, None::<&'static Memo<1>>)?;
        if let Action::Update { expression, .. } = &mut write.action {
            let mut text: Option<String> = expression.take().map(String::from);
            for set in sets {
                text = Some(with_assignment(&set, text.as_deref()));
            }
            if !removes.is_empty() {
                let removal = format!("REMOVE {}", removes.join(", "));
                text = Some(match text {
                    Some(text) => format!("{text} {removal}"),
                    None => removal,
                });
            }
            *expression = text.map(Into::into);
        }
        Ok(Prepared { write, check: RefusalCheck { guard, explainer: None } })
    }

    /// Sends a write and returns the attributes it asked for, or the error its refusal is.
    pub(crate) async fn send(&self, prepared: Prepared) -> Result<Option<RawItem>, Error<T>> {
        let Prepared { write, check } = prepared;
        let backend = &self.db.backend;
        backend.observe.wrote(&write.table, || partition_of(&write.action, T::KEY.partition.0));
        let mut call = backend.write_call(&write);
        match backend.write_with(write, &mut call).await {
            Ok(answer) => Ok(answer),
            Err(WriteRefusal::Failed(failure)) => Err(failure.into()),
            Err(WriteRefusal::ConditionFailed { stored, maps }) => {
                let stored = present(stored);
                let (verdict, explanation) = check.refused(stored.as_ref(), &maps.names, &maps.values);
                match verdict {
                    Verdict::AppliedBefore => return Ok(None),
                    Verdict::Condition => call.condition_failed(explanation.as_ref()),
                    _ => {}
                }
                let stored = stored.map(|attributes| self.stored(attributes));
                let refused = Err(match verdict {
                    Verdict::NotFound => Error::NotFound { table: self.name().to_owned() },
                    Verdict::VersionConflict { expected, stored: version } => {
                        Error::VersionConflict { expected, stored: version, item: stored }
                    }
                    Verdict::Changed => Error::Changed { stored },
                    Verdict::VersionAtMax => Error::InvalidValue(ValueError::VersionOverflow),
                    Verdict::LeaseLost => {
                        let action = check.guard.lease.map(|lease| lease.action).unwrap_or_default();
                        Error::LockLost { action, stored }
                    }
                    Verdict::Condition | Verdict::AppliedBefore => Error::ConditionFailed { stored, explanation },
                });
                call.outcome(Outcome::of(&refused));
                refused
            }
        }
    }
}

/// The partition key value of the item an action writes, if it has one.
pub(crate) fn partition_of<'a>(action: &'a Action, partition: &str) -> Option<&'a crate::AttributeValue> {
    match action {
        Action::Put(item) => item.get(partition),
        Action::Update { key, .. } | Action::Delete { key } => key.get(partition),
        Action::Check { .. } => None,
    }
}

/// Reads the attributes a write returned as `T`: the write was applied, so an item that does not fit is
/// [`Error::AppliedUnreadable`].
fn applied<T: Item>(attributes: RawItem) -> Result<T, Error<T>> {
    T::from_item(attributes.clone())
        .map_err(|source| Error::AppliedUnreadable { attributes: Box::new(attributes), source })
}

/// The builder [`Table::put`] returns: awaiting it writes the item.
#[must_use = "a write runs only when it is awaited"]
pub struct PutWrite<'t, T> {
    pub(crate) table: &'t Table<T>,
    pub(crate) item: &'t T,
    pub(crate) condition: Option<Condition<T>>,
}

impl<'t, T: Item> PutWrite<'t, T> {
    pub(crate) fn new(table: &'t Table<T>, item: &'t T) -> Self {
        PutWrite { table, item, condition: None }
    }

    /// Writes only if `condition` holds for the stored item (built by [`condition!`](crate::condition));
    /// otherwise [`Error::ConditionFailed`] with the stored item and why the condition is false.
    pub fn when(mut self, condition: Condition<T>) -> Self {
        self.condition = Some(condition);
        self
    }
}

impl<'t, T: Item + Sync> IntoFuture for PutWrite<'t, T> {
    type Output = Result<T::Version, Error<T>>;
    type IntoFuture = Running<'t, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let prepared = self.table.prepare_put(self.item, self.condition);
        Box::pin(async move {
            let prepared = prepared?;
            let stored = prepared.check.guard.version.and_then(|check| check.expected).map_or(0, |version| version + 1);
            self.table.send(prepared).await?;
            Ok(T::Version::stored(stored))
        })
    }
}

/// The builder [`Table::create`] returns: awaiting it writes the item if its key is free.
#[must_use = "a write runs only when it is awaited"]
pub struct CreateWrite<'t, T> {
    table: &'t Table<T>,
    item: &'t T,
}

impl<'t, T: Item> CreateWrite<'t, T> {
    pub(crate) fn new(table: &'t Table<T>, item: &'t T) -> Self {
        CreateWrite { table, item }
    }
}

impl<'t, T: Item + Sync> IntoFuture for CreateWrite<'t, T> {
    type Output = Result<T::Version, Error<T>>;
    type IntoFuture = Running<'t, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let prepared = self.table.prepare_create(self.item);
        Box::pin(async move {
            self.table.send(prepared?).await?;
            Ok(T::Version::stored(1))
        })
    }
}

/// The builder [`Table::delete`] returns: awaiting it deletes the item and returns it as it was.
#[must_use = "a write runs only when it is awaited"]
pub struct DeleteWrite<'t, T> {
    pub(crate) table: &'t Table<T>,
    pub(crate) key: Key<T>,
    pub(crate) condition: Option<Condition<T>>,
}

impl<'t, T: Item> DeleteWrite<'t, T> {
    pub(crate) fn new(table: &'t Table<T>, key: Key<T>) -> Self {
        DeleteWrite { table, key, condition: None }
    }

    /// Deletes only if `condition` holds for the stored item; otherwise [`Error::ConditionFailed`].
    pub fn when(mut self, condition: Condition<T>) -> Self {
        self.condition = Some(condition);
        self
    }
}

impl<'t, T: Item> IntoFuture for DeleteWrite<'t, T> {
    type Output = Result<Option<T>, Error<T>>;
    type IntoFuture = Running<'t, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let prepared = self.table.prepare_delete(self.key, self.condition, Returning::AllOld);
        Box::pin(async move {
            let old = self.table.send(prepared?).await?;
            present(old).map(applied).transpose()
        })
    }
}

/// The builder [`Table::update`] and [`Table::upsert`] return: awaiting it applies the update and returns
/// what [`returning`](Self::returning) asks for (by default nothing).
#[must_use = "a write runs only when it is awaited"]
pub struct UpdateWrite<'t, T, R = Nothing> {
    pub(crate) table: &'t Table<T>,
    pub(crate) key: Key<T>,
    pub(crate) update: Update<T>,
    pub(crate) presence: Presence,
    returning: PhantomData<R>,
}

impl<'t, T: Item> UpdateWrite<'t, T> {
    pub(crate) fn existing(table: &'t Table<T>, key: Key<T>, update: Update<T>) -> Self {
        UpdateWrite { table, key, update, presence: Presence::Exists, returning: PhantomData }
    }

    pub(crate) fn upsert(table: &'t Table<T>, key: Key<T>, update: Update<T>) -> Self {
        UpdateWrite { table, key, update, presence: Presence::Any, returning: PhantomData }
    }
}

impl<'t, T: Item, R: ReturnValues> UpdateWrite<'t, T, R> {
    /// Returns the item, or the attributes the update wrote, as they are after the update or were before it
    /// (DynamoDB's ReturnValues): [`AllNew`], [`AllOld`], [`UpdatedNew`] or [`UpdatedOld`].
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Counter { #[dynatomic(partition_key)] page: String, hits: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Counter>> {
    /// use dynatomic::returning::AllNew;
    /// let counters = dynatomic::Db::memory().table::<Counter>();
    /// counters.create_table().await?;
    /// let counter = counters.upsert(Counter::key("home"), dynatomic::upsert!(Counter: hits += 1)).returning(AllNew).await?;
    /// assert_eq!(counter.hits, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn returning<S: ReturnValues>(self, _: S) -> UpdateWrite<'t, T, S> {
        let UpdateWrite { table, key, update, presence, .. } = self;
        UpdateWrite { table, key, update, presence, returning: PhantomData }
    }

    /// Answers `Ok(None)` instead of [`Error::NotFound`] when there is no item to update (and `Ok(Some(..))`
    /// when there is): for updates that may find their item deleted. An upsert always has its item, so its
    /// answer is always `Some`.
    pub fn ignore_missing(self) -> IgnoreMissing<Self> {
        IgnoreMissing(self)
    }
}

impl<'t, T: Item, R: ReturnValues> IntoFuture for UpdateWrite<'t, T, R> {
    type Output = Result<R::Output<T>, Error<T>>;
    type IntoFuture = Running<'t, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let prepared = self.table.prepare_update(self.key, self.update, self.presence, R::RETURNING);
        Box::pin(async move { R::read(self.table.send(prepared?).await?) })
    }
}

/// A write whose missing item is no error: see [`UpdateWrite::ignore_missing`].
#[must_use = "a write runs only when it is awaited"]
pub struct IgnoreMissing<W>(W);

impl<'t, T: Item, R: ReturnValues> IntoFuture for IgnoreMissing<UpdateWrite<'t, T, R>> {
    type Output = Result<Option<R::Output<T>>, Error<T>>;
    type IntoFuture = Running<'t, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let running = self.0.into_future();
        Box::pin(async move {
            match running.await {
                Ok(output) => Ok(Some(output)),
                Err(Error::NotFound { .. }) => Ok(None),
                Err(other) => Err(other),
            }
        })
    }
}

/// What an update returns (DynamoDB's ReturnValues): [`Nothing`], [`AllNew`], [`AllOld`], [`UpdatedNew`] or
/// [`UpdatedOld`], given to [`UpdateWrite::returning`].
pub trait ReturnValues: Send + 'static + sealed::Sealed {
    /// What the update returns for an item of `T`.
    type Output<T>;
    #[doc(hidden)]
    const RETURNING: Returning;
    #[doc(hidden)]
    fn read<T: Item>(answer: Option<RawItem>) -> Result<Self::Output<T>, Error<T>>;
}

mod sealed {
    pub trait Sealed {}
}

/// Return nothing (DynamoDB's `NONE`), the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nothing;

/// Return the whole item as it is after the update (`ALL_NEW`), as `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllNew;

/// Return the whole item as it was before the update (`ALL_OLD`), as `T`: `None` when an upsert created it.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllOld;

/// Return the attributes the update wrote, as they are after it (`UPDATED_NEW`): every path the update
/// targets, nested as in the item (`address.city` comes back as `{"address": {"city": ..}}`); removed paths
/// are left out. Raw attribute values: the paths of an update are usually only part of a `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdatedNew;

/// Return the attributes the update wrote, as they were before it (`UPDATED_OLD`): every path the update
/// sets, removes, adds to or deletes from, with the value it had; paths that did not exist are left out.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdatedOld;

impl sealed::Sealed for Nothing {}
impl sealed::Sealed for AllNew {}
impl sealed::Sealed for AllOld {}
impl sealed::Sealed for UpdatedNew {}
impl sealed::Sealed for UpdatedOld {}

impl ReturnValues for Nothing {
    type Output<T> = ();
    const RETURNING: Returning = Returning::Nothing;
    fn read<T: Item>(_: Option<RawItem>) -> Result<(), Error<T>> {
        Ok(())
    }
}

impl ReturnValues for AllNew {
    type Output<T> = T;
    const RETURNING: Returning = Returning::AllNew;
    fn read<T: Item>(answer: Option<RawItem>) -> Result<T, Error<T>> {
        applied(answer.unwrap_or_default())
    }
}

impl ReturnValues for AllOld {
    type Output<T> = Option<T>;
    const RETURNING: Returning = Returning::AllOld;
    fn read<T: Item>(answer: Option<RawItem>) -> Result<Option<T>, Error<T>> {
        present(answer).map(applied).transpose()
    }
}

impl ReturnValues for UpdatedNew {
    type Output<T> = RawItem;
    const RETURNING: Returning = Returning::UpdatedNew;
    fn read<T: Item>(answer: Option<RawItem>) -> Result<RawItem, Error<T>> {
        Ok(answer.unwrap_or_default())
    }
}

impl ReturnValues for UpdatedOld {
    type Output<T> = RawItem;
    const RETURNING: Returning = Returning::UpdatedOld;
    fn read<T: Item>(answer: Option<RawItem>) -> Result<RawItem, Error<T>> {
        Ok(answer.unwrap_or_default())
    }
}
