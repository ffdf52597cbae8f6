//! Typed table handles: every single-item operation on a table of `T`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::marker::PhantomData;

use crate::db::{Backend, Db};
use crate::error::{Error, ValueError};
use crate::explain::Explainer;
use crate::operation::{Condition, Update};
use crate::request::{Action, RawItem, Refusal, Returning, Write};
use crate::schema::{Item, Key};
use crate::version::{self, Expectation, Expected};
use crate::{AttributeValue, dynamo, size};
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;

/// A handle on one table whose items are `T`, on DynamoDB or on [`Db::memory`]. Cheap to clone and safe to
/// share across tasks.
///
/// ```no_run
/// # #[derive(dynatomic::Item)]
/// # #[dynatomic(table = "products")]
/// # struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, reserved: i64 }
/// # async fn demo(db: dynatomic::Db) -> Result<(), dynatomic::Error<Product>> {
/// let products = db.table::<Product>();
/// let qty = 2;
/// let op = dynatomic::update!(Product: stock -= qty, reserved += qty; where stock >= qty);
/// products.update(Product::key("sku-1"), op).await?;
/// # Ok(()) }
/// ```
pub struct Table<T> {
    db: Db,
    name: Cow<'static, str>,
    item: PhantomData<fn() -> T>,
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Table { db: self.db.clone(), name: self.name.clone(), item: PhantomData }
    }
}

impl<T: Item> Table<T> {
    pub(crate) fn new(db: Db, name: Cow<'static, str>) -> Self {
        Table { db, name, item: PhantomData }
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The database the table is on.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Creates the table, with on-demand capacity and `T`'s key schema, and waits up to two minutes until it
    /// is active. A table that already exists is left as it is.
    pub async fn create_table(&self) -> Result<(), Error<T>> {
        self.db.backend.create_table(&self.name, T::KEY).await.map_err(|e| self.error(e))
    }

    /// Reads the item with this key (a strongly consistent read); `None` when there is none.
    pub async fn get(&self, key: Key<T>) -> Result<Option<T>, Error<T>> {
        let stored = self.db.backend.get(&self.name, key.into_attributes()?).await;
        self.decode_optional(stored.map_err(|e| self.error(e))?)
    }

    /// Writes the whole item, replacing any item with the same key.
    pub async fn put(&self, item: &T) -> Result<(), Error<T>> {
        self.send(self.put_request(item)?).await.map(drop)
    }

    /// Writes the whole item only if `condition` holds for the stored item; otherwise `Error::ConditionFailed`.
    pub async fn put_if(&self, item: &T, condition: Condition<T>) -> Result<(), Error<T>> {
        self.send(self.conditional(self.put_request(item)?, condition)?).await.map(drop)
    }

    /// Writes the item only if no item has its key; otherwise `Error::ConditionFailed` with the stored item.
    pub async fn create(&self, item: &T) -> Result<(), Error<T>> {
        self.send(self.create_request(item)?).await.map(drop)
    }

    /// Deletes the item with this key and returns it as it was (`None` when there was none).
    pub async fn delete(&self, key: Key<T>) -> Result<Option<T>, Error<T>> {
        self.decode_optional(self.send(self.keyed(key, false, Returning::AllOld)?).await?)
    }

    /// Deletes the item only if `condition` holds; returns it as it was.
    pub async fn delete_if(&self, key: Key<T>, condition: Condition<T>) -> Result<Option<T>, Error<T>> {
        let request = self.conditional(self.keyed(key, false, Returning::AllOld)?, condition)?;
        self.decode_optional(self.send(request).await?)
    }

    /// Applies an update built by `update!`; a `where` part that is false gives `Error::ConditionFailed`.
    pub async fn update(&self, key: Key<T>, update: Update<T>) -> Result<(), Error<T>> {
        self.send(self.update_write(key, update, Returning::Nothing)?).await.map(drop)
    }

    /// Applies an update and returns the item as it is afterwards.
    pub async fn update_return_new(&self, key: Key<T>, update: Update<T>) -> Result<T, Error<T>> {
        let stored = self.send(self.update_write(key, update, Returning::AllNew)?).await?;
        Ok(T::from_item(stored.unwrap_or_default())?)
    }

    /// Applies an update and returns the item as it was before (`None` when the update created it).
    pub async fn update_return_old(&self, key: Key<T>, update: Update<T>) -> Result<Option<T>, Error<T>> {
        let stored = self.send(self.update_write(key, update, Returning::AllOld)?).await?;
        self.decode_optional(stored)
    }

    /// Applies an update and returns the attributes it wrote as they were before (DynamoDB's UPDATED_OLD):
    /// every path the update sets, removes, adds to or deletes from, with the value it had, nested as in the
    /// item (`address.city` comes back as `{"address": {"city": ..}}`). Paths that did not exist are left out,
    /// so the map is empty when the update only created attributes.
    ///
    /// The result is raw attribute values: the paths of an update are usually only part of a `T`.
    pub async fn update_return_updated_old(
        &self,
        key: Key<T>,
        update: Update<T>,
    ) -> Result<HashMap<String, AttributeValue>, Error<T>> {
        self.updated(key, update, Returning::UpdatedOld).await
    }

    /// Applies an update and returns the attributes it wrote as they are afterwards (DynamoDB's UPDATED_NEW):
    /// every path the update targets, with its new value, nested as in the item. Removed paths are left out,
    /// so the map is empty when the update only removed attributes.
    pub async fn update_return_updated_new(
        &self,
        key: Key<T>,
        update: Update<T>,
    ) -> Result<HashMap<String, AttributeValue>, Error<T>> {
        self.updated(key, update, Returning::UpdatedNew).await
    }

    /// The aws-sdk-dynamodb UpdateItem request that [`update`](Self::update) would send, configured but not
    /// sent: to inspect it, or to set what dynatomic does not (consumed capacity, metrics) and send it yourself.
    /// On [`Db::memory`] there is no such request: after checking the update's values, this returns
    /// [`Error::Unsupported`].
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
        let write = self.update_write(key, update, Returning::Nothing)?.write;
        match &self.db.backend {
            Backend::DynamoDb(client) => match dynamo::request(client, write) {
                Ok(dynamo::Request::Update(request)) => Ok(request),
                _ => unreachable!("an update write configures an UpdateItem request"),
            },
            Backend::Memory(_) => Err(Error::Unsupported { operation: "update_request", backend: "memory" }),
        }
    }

    /// Applies an update and returns the updated attributes (UPDATED_OLD or UPDATED_NEW; none is an empty map).
    async fn updated(
        &self,
        key: Key<T>,
        update: Update<T>,
        returning: Returning,
    ) -> Result<HashMap<String, AttributeValue>, Error<T>> {
        Ok(self.send(self.update_write(key, update, returning)?).await?.unwrap_or_default())
    }

    pub(crate) fn request(&self, action: Action, returning: Returning) -> Write {
        Write {
            table: self.name.to_string(),
            action,
            condition: None,
            names: Default::default(),
            values: Default::default(),
            returning,
        }
    }

    /// A put of the item; a versioned item must be at its version, and is stored at the next.
    pub(crate) fn put_request(&self, item: &T) -> Result<Sent, ValueError> {
        Ok(version::guard::<T>(self.unchecked_put(item)?, Expected::Exactly(item.version()))?.into())
    }

    /// A put only if no item has the item's key; a versioned item starts at version 1.
    pub(crate) fn create_request(&self, item: &T) -> Result<Sent, ValueError> {
        let mut request = self.unchecked_put(item)?;
        if let (Some(attribute), Action::Put(item)) = (T::VERSION, &mut request.action) {
            item.insert(attribute.to_owned(), AttributeValue::N("1".to_owned()));
        }
        let absent = [("#pk", Cow::Borrowed(T::KEY.partition.0))];
        let condition = Condition::__new("attribute_not_exists(#pk)", absent, [], &[], &[], &[]);
        self.conditional(request.into(), condition)
    }

    /// A put of the item, without a version check.
    fn unchecked_put(&self, item: &T) -> Result<Write, ValueError> {
        item.item_key().into_attributes()?; // refuses empty keys before sending
        let item = item.to_item()?;
        size::check_item(&item)?;
        Ok(self.request(Action::Put(item), Returning::Nothing))
    }

    /// A delete of the item with this key, or a condition check on it.
    pub(crate) fn keyed(&self, key: Key<T>, check: bool, returning: Returning) -> Result<Sent, ValueError> {
        let expected = key.version;
        let key = key.into_attributes()?;
        let action = if check { Action::Check { key } } else { Action::Delete { key } };
        Ok(version::guard::<T>(self.request(action, returning), expected)?.into())
    }

    pub(crate) fn update_write(
        &self,
        key: Key<T>,
        update: Update<T>,
        returning: Returning,
    ) -> Result<Sent, ValueError> {
        let expression = Some(Cow::Borrowed(update.update_expression()));
        let expected = key.version;
        let action = Action::Update { key: key.into_attributes()?, expression };
        let mut request = self.request(action, returning);
        request.condition = update.condition_expression().map(Cow::Borrowed);
        let explainer = update.explainer();
        let write = version::guard::<T>(request.with(update.placeholders)?, expected)?;
        Ok(Sent { write, explainer })
    }

    /// Adds `condition` to a request, before any version check.
    pub(crate) fn conditional(&self, request: Sent, condition: Condition<T>) -> Result<Sent, ValueError> {
        let mut write = request.write;
        write.condition = Some(match write.condition.take() {
            Some(version) => Cow::Owned(format!("({}) AND {version}", condition.expression())),
            None => Cow::Borrowed(condition.expression()),
        });
        let explainer = Some(condition.explainer());
        Ok(Sent { write: write.with(condition.placeholders)?, explainer })
    }

    async fn send(&self, request: Sent) -> Result<Option<RawItem>, Error<T>> {
        let Sent { write, explainer } = request;
        let expectation = T::VERSION.and_then(|_| Expectation::of(&write));
        let (answer, maps) = self.db.backend.write_keeping_maps(write, explainer.is_some()).await;
        answer.map_err(|refusal| match refusal {
            Refusal::ConditionFailed(stored) => {
                let conflict = expectation.and_then(|expectation| expectation.conflict(stored.as_ref()));
                let explanation = match (conflict, explainer, maps) {
                    (None, Some(explainer), Some((names, values))) => {
                        explainer.explain(&names, &values, stored.as_ref())
                    }
                    _ => None,
                };
                match (conflict, stored.map(T::from_item).transpose()) {
                    (_, Err(decode)) => Error::Decode(decode),
                    (Some((expected, version)), Ok(item)) => {
                        Error::VersionConflict { expected, stored: version, item: item.map(Box::new) }
                    }
                    (None, Ok(stored)) => Error::ConditionFailed { stored: stored.map(Box::new), explanation },
                }
            }
            refusal => self.error(refusal),
        })
    }

    fn decode_optional(&self, stored: Option<RawItem>) -> Result<Option<T>, Error<T>> {
        Ok(stored.filter(|item| !item.is_empty()).map(T::from_item).transpose()?)
    }

    pub(crate) fn error(&self, refusal: Refusal) -> Error<T> {
        match refusal {
            Refusal::ConditionFailed(stored) => match stored.map(T::from_item).transpose() {
                Ok(stored) => Error::ConditionFailed { stored: stored.map(Box::new), explanation: None },
                Err(decode) => Error::Decode(decode),
            },
            Refusal::Validation(message) => Error::Validation { message },
            Refusal::ResourceNotFound(message) => Error::TableNotFound { table: self.name.to_string(), message },
            Refusal::Service(source) => Error::Service(source),
            Refusal::Canceled(_) | Refusal::TokenMismatch(_) => {
                Error::Service("a single-item request was answered as a transaction".into())
            }
        }
    }
}

/// A request and, if it has a condition, what explains the condition when the backend finds it false.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) write: Write,
    pub(crate) explainer: Option<Explainer>,
}

impl From<Write> for Sent {
    fn from(write: Write) -> Self {
        Sent { write, explainer: None }
    }
}
