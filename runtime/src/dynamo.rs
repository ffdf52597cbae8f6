//! The aws-sdk-dynamodb backend: sends each request to DynamoDB.

use std::borrow::Cow;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::{DeleteItemError, builders::DeleteItemFluentBuilder};
use aws_sdk_dynamodb::operation::put_item::{PutItemError, builders::PutItemFluentBuilder};
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, builders::UpdateItemFluentBuilder};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ReturnValue, ReturnValuesOnConditionCheckFailure,
    ScalarAttributeType,
};

use crate::request::{Action, RawItem, Refusal, Returning, Write};
use crate::schema::{KeyKind, KeySchema};

/// A configured, unsent aws-sdk-dynamodb request for one write.
pub(crate) enum Request {
    Put(PutItemFluentBuilder),
    Update(UpdateItemFluentBuilder),
    Delete(DeleteItemFluentBuilder),
}

/// Configures the aws-sdk-dynamodb request for one write; a condition check is not one.
pub(crate) fn request(client: &Client, write: Write) -> Result<Request, Refusal> {
    let Write { table, action, condition, names, values, returning } = write;
    let names = (!names.is_empty()).then_some(names);
    let values = (!values.is_empty()).then_some(values);
    let return_value = match returning {
        Returning::Nothing => ReturnValue::None,
        Returning::AllOld => ReturnValue::AllOld,
        Returning::AllNew => ReturnValue::AllNew,
        Returning::UpdatedOld => ReturnValue::UpdatedOld,
        Returning::UpdatedNew => ReturnValue::UpdatedNew,
    };
    // The three write operations share every parameter but their target; one macro keeps them in step.
    macro_rules! configure {
        ($builder:expr) => {
            $builder
                .table_name(table)
                .set_condition_expression(condition.map(Cow::into_owned))
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values(return_value)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        };
    }
    Ok(match action {
        Action::Put(item) => Request::Put(configure!(client.put_item().set_item(Some(item)))),
        Action::Update { key, expression } => {
            let update = client.update_item().set_key(Some(key)).set_update_expression(expression.map(Cow::into_owned));
            Request::Update(configure!(update))
        }
        Action::Delete { key } => Request::Delete(configure!(client.delete_item().set_key(Some(key)))),
        Action::Check { .. } => {
            return Err(Refusal::Validation("A condition check can only be part of a transaction".to_owned()));
        }
    })
}

/// Sends one write and returns the item it asked for.
pub(crate) async fn write(client: &Client, write: Write) -> Result<Option<RawItem>, Refusal> {
    match request(client, write)? {
        Request::Put(request) => request.send().await.map(|out| out.attributes).map_err(|e| {
            refusal(e, |e| match e {
                PutItemError::ConditionalCheckFailedException(failed) => Some(failed.item.clone()),
                _ => None,
            })
        }),
        Request::Update(request) => request.send().await.map(|out| out.attributes).map_err(|e| {
            refusal(e, |e| match e {
                UpdateItemError::ConditionalCheckFailedException(failed) => Some(failed.item.clone()),
                _ => None,
            })
        }),
        Request::Delete(request) => request.send().await.map(|out| out.attributes).map_err(|e| {
            refusal(e, |e| match e {
                DeleteItemError::ConditionalCheckFailedException(failed) => Some(failed.item.clone()),
                _ => None,
            })
        }),
    }
}

/// Reads one item by key (strongly consistent).
pub(crate) async fn get(client: &Client, table: String, key: RawItem) -> Result<Option<RawItem>, Refusal> {
    client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map(|out| out.item)
        .map_err(|e| refusal(e, |_| None))
}

/// Sorts a failed request into a condition failure (with the stored item), a validation error, a missing table,
/// or the rest.
fn refusal<E, R>(error: SdkError<E, R>, condition_failed: impl Fn(&E) -> Option<Option<RawItem>>) -> Refusal
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(service) = error.as_service_error() {
        if let Some(stored) = condition_failed(service) {
            return Refusal::ConditionFailed(stored);
        }
        let message = || service.message().unwrap_or_default().to_owned();
        match service.code() {
            Some("ValidationException") => return Refusal::Validation(message()),
            Some("ResourceNotFoundException") => return Refusal::ResourceNotFound(message()),
            _ => {}
        }
    }
    Refusal::Service(Box::new(error))
}

/// Creates an on-demand table with this key schema and waits until it is active; an existing table is left
/// as it is.
pub(crate) async fn create_table(
    client: &Client,
    table: &str,
    key: KeySchema,
    patience: std::time::Duration,
) -> Result<(), Refusal> {
    let mut request = client.create_table().table_name(table).billing_mode(BillingMode::PayPerRequest);
    for ((name, kind), role) in [(Some(key.partition), KeyType::Hash), (key.sort, KeyType::Range)]
        .into_iter()
        .filter_map(|(attribute, role)| attribute.map(|a| (a, role)))
    {
        let scalar = match kind {
            KeyKind::String => ScalarAttributeType::S,
            KeyKind::Number => ScalarAttributeType::N,
            KeyKind::Binary => ScalarAttributeType::B,
        };
        let definition = AttributeDefinition::builder().attribute_name(name).attribute_type(scalar).build();
        let element = KeySchemaElement::builder().attribute_name(name).key_type(role).build();
        request = request
            .attribute_definitions(definition.map_err(|e| Refusal::Service(Box::new(e)))?)
            .key_schema(element.map_err(|e| Refusal::Service(Box::new(e)))?);
    }
    match request.send().await {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(e) => return Err(refusal(e, |_| None)),
    }
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(patience)
        .await
        .map(drop)
        .map_err(|e| Refusal::Service(Box::new(e)))
}

/// TransactWriteItems.
pub(crate) async fn transact_write(_client: &Client, _request: crate::request::TransactWrite) -> Result<(), Refusal> {
    Err(Refusal::Service("not implemented yet".into()))
}

/// TransactGetItems.
pub(crate) async fn transact_get(_client: &Client, _items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, Refusal> {
    Err(Refusal::Service("not implemented yet".into()))
}

/// BatchWriteItem.
pub(crate) async fn batch_write(_client: &Client, _table: &str, _ops: Vec<crate::request::BatchOp>) -> Result<Vec<crate::request::BatchOp>, Refusal> {
    Err(Refusal::Service("not implemented yet".into()))
}

/// BatchGetItem.
pub(crate) async fn batch_get(_client: &Client, _table: &str, _keys: Vec<RawItem>) -> Result<(Vec<RawItem>, Vec<RawItem>), Refusal> {
    Err(Refusal::Service("not implemented yet".into()))
}
