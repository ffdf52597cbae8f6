//! The aws-sdk-dynamodb backend: sends each request to DynamoDB.

use std::borrow::Cow;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::RequestId;
use aws_sdk_dynamodb::operation::delete_item::{DeleteItemError, builders::DeleteItemFluentBuilder};
use aws_sdk_dynamodb::operation::put_item::{PutItemError, builders::PutItemFluentBuilder};
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, builders::UpdateItemFluentBuilder};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, CancellationReason, ConditionCheck, Delete, DeleteRequest, Get, KeySchemaElement,
    KeyType, KeysAndAttributes, Put, PutRequest, ReturnConsumedCapacity, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
    TransactGetItem, TransactWriteItem, Update as TransactUpdate, WriteRequest,
};

use crate::capacity::Counting;
use crate::error::{InternalError, ServiceError};
use crate::request::{
    Action, BatchOp, CancelReason, Failure, Maps, RawItem, Returning, TransactRefusal, TransactWrite, Write,
    WriteRefusal,
};
use crate::schema::{KeyKind, KeySchema};
use crate::telemetry::Call;

/// Sets what every write shares but its target, on any of the SDK's write builders (single or transactional):
/// the table, the condition, the placeholder maps, and the stored item on a failed condition.
macro_rules! expression_parameters {
    ($builder:expr, $table:expr, $condition:expr, $names:expr, $values:expr) => {
        $builder
            .table_name($table)
            .set_condition_expression($condition.map(Cow::into_owned))
            .set_expression_attribute_names($names)
            .set_expression_attribute_values($values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
    };
}

/// A configured, unsent aws-sdk-dynamodb request for one write.
pub(crate) enum Request {
    Put(PutItemFluentBuilder),
    Update(UpdateItemFluentBuilder),
    Delete(DeleteItemFluentBuilder),
}

/// Configures the aws-sdk-dynamodb request for one write; a condition check is not one.
pub(crate) fn request(client: &Client, write: Write) -> Result<Request, Failure> {
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
    macro_rules! configure {
        ($builder:expr) => {
            expression_parameters!($builder, table, condition, names, values).return_values(return_value)
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
            return Err(ServiceError::validation("A condition check can only be part of a transaction").into());
        }
    })
}

/// Sends one write and returns the item it asked for. A refusal of its condition hands back the request's
/// placeholder maps (copied before sending, when the write has a condition).
pub(crate) async fn write(client: &Client, write: Write, call: &mut Call) -> Result<Option<RawItem>, WriteRefusal> {
    let maps = write.condition.is_some().then(|| Maps { names: write.names.clone(), values: write.values.clone() });
    let failed = |stored: &Option<RawItem>| WriteRefusal::ConditionFailed {
        stored: stored.clone(),
        maps: Box::new(maps.clone().unwrap_or_default()),
    };
    let capacity = capacity(call);
    match request(client, write)? {
        Request::Put(request) => match request.set_return_consumed_capacity(capacity).send().await {
            Ok(out) => {
                call.answered(out.request_id(), out.consumed_capacity.as_slice());
                Ok(out.attributes)
            }
            Err(e) => Err(refusal(e, call, |e| match e {
                PutItemError::ConditionalCheckFailedException(failed_check) => Some(failed(&failed_check.item)),
                _ => None,
            })),
        },
        Request::Update(request) => match request.set_return_consumed_capacity(capacity).send().await {
            Ok(out) => {
                call.answered(out.request_id(), out.consumed_capacity.as_slice());
                Ok(out.attributes)
            }
            Err(e) => Err(refusal(e, call, |e| match e {
                UpdateItemError::ConditionalCheckFailedException(failed_check) => Some(failed(&failed_check.item)),
                _ => None,
            })),
        },
        Request::Delete(request) => match request.set_return_consumed_capacity(capacity).send().await {
            Ok(out) => {
                call.answered(out.request_id(), out.consumed_capacity.as_slice());
                Ok(out.attributes)
            }
            Err(e) => Err(refusal(e, call, |e| match e {
                DeleteItemError::ConditionalCheckFailedException(failed_check) => Some(failed(&failed_check.item)),
                _ => None,
            })),
        },
    }
}

/// The ReturnConsumedCapacity a request is sent with: `INDEXES` when its capacity is counted.
fn capacity(call: &Call) -> Option<ReturnConsumedCapacity> {
    (call.counting() == Counting::Yes).then_some(ReturnConsumedCapacity::Indexes)
}

/// Reads one item by key (strongly consistent).
pub(crate) async fn get(
    client: &Client,
    table: String,
    key: RawItem,
    call: &mut Call,
) -> Result<Option<RawItem>, Failure> {
    let sent = client.get_item().table_name(table).set_key(Some(key)).consistent_read(true);
    let out = sent.set_return_consumed_capacity(capacity(call)).send().await.map_err(failure)?;
    call.answered(out.request_id(), out.consumed_capacity.as_slice());
    Ok(out.item)
}

/// Sorts a failed request into what `specific` recognises (a condition failure with the stored item, a
/// canceled transaction), or the failure it is.
fn refusal<E, R: From<Failure>>(
    error: SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
    call: &mut Call,
    specific: impl Fn(&E) -> Option<R>,
) -> R
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    call.answered(error.request_id(), &[]);
    if let Some(refusal) = error.as_service_error().and_then(specific) {
        return refusal;
    }
    failure(error).into()
}

/// The failure of a request: the service's error with its code, message and request id, or no answer.
fn failure<E>(error: SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(service) => {
            let (code, message) = (service.err().code(), service.err().message().unwrap_or_default().to_owned());
            let request_id = error.request_id().map(str::to_owned);
            let service = ServiceError::new(code.unwrap_or("UnknownError"), message);
            Failure::Service(service.with_origin(request_id.as_deref(), error))
        }
        SdkError::ConstructionFailure(_) => {
            Failure::Internal(InternalError::new(format!("an aws-sdk-dynamodb request could not be built: {error}")))
        }
        _ => Failure::Service(ServiceError::transport(error)),
    }
}

/// A request that aws-sdk-dynamodb's builders refused to build: dynatomic set every field they need, so this is
/// a broken invariant.
fn unbuilt(error: BuildError) -> Failure {
    Failure::Internal(InternalError::new(format!("an aws-sdk-dynamodb request could not be built: {error}")))
}

/// Creates an on-demand table with this key schema and waits until it is active; an existing table is left
/// as it is.
pub(crate) async fn create_table(
    client: &Client,
    table: &str,
    key: KeySchema,
    patience: std::time::Duration,
) -> Result<(), Failure> {
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
        request = request.attribute_definitions(definition.map_err(unbuilt)?).key_schema(element.map_err(unbuilt)?);
    }
    match request.send().await {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(e) => return Err(failure(e)),
    }
    client
        .wait_until_table_exists()
        .table_name(table)
        .wait(patience)
        .await
        .map(drop)
        .map_err(|e| Failure::Service(ServiceError::transport(e)))
}

/// The attribute TTL is enabled (or being enabled) on, if it is (DescribeTimeToLive).
pub(crate) async fn time_to_live(client: &Client, table: &str) -> Result<Option<String>, Failure> {
    let described = client.describe_time_to_live().table_name(table).send().await.map_err(failure)?;
    let description = described.time_to_live_description();
    let enabled = description
        .and_then(|d| d.time_to_live_status())
        .is_some_and(|status| matches!(status, TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling));
    Ok(description.and_then(|d| d.attribute_name()).filter(|_| enabled).map(str::to_owned))
}

/// Enables TTL on an attribute (UpdateTimeToLive).
pub(crate) async fn enable_time_to_live(client: &Client, table: &str, attribute: &str) -> Result<(), Failure> {
    let specification =
        TimeToLiveSpecification::builder().attribute_name(attribute).enabled(true).build().map_err(unbuilt)?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(failure)?;
    Ok(())
}

/// Sends a TransactWriteItems request.
pub(crate) async fn transact_write(
    client: &Client,
    request: TransactWrite,
    call: &mut Call,
) -> Result<(), TransactRefusal> {
    let items = request.actions.into_iter().map(transact_item).collect::<Result<Vec<_>, _>>()?;
    let sent = client.transact_write_items().set_transact_items(Some(items)).set_client_request_token(request.token);
    let sent = sent.set_return_consumed_capacity(capacity(call)).send().await;
    sent.map(|out| call.answered(out.request_id(), out.consumed_capacity())).map_err(|e| {
        refusal(e, call, |e| match e {
            TransactWriteItemsError::TransactionCanceledException(canceled) => {
                Some(TransactRefusal::Canceled(reasons(canceled.cancellation_reasons())))
            }
            TransactWriteItemsError::IdempotentParameterMismatchException(mismatch) => {
                Some(TransactRefusal::TokenMismatch(mismatch.message().unwrap_or_default().to_owned()))
            }
            _ => None,
        })
    })
}

/// DynamoDB's cancellation reasons, one per action.
fn reasons(reasons: &[CancellationReason]) -> Vec<CancelReason> {
    reasons
        .iter()
        .map(|reason| CancelReason {
            code: reason.code().unwrap_or("None").to_owned(),
            message: reason.message().map(str::to_owned),
            item: reason.item().cloned(),
        })
        .collect()
}

/// One action of a TransactWriteItems request; a failed condition returns the stored item.
fn transact_item(write: Write) -> Result<TransactWriteItem, Failure> {
    let Write { table, action, condition, names, values, returning: _ } = write;
    let names = (!names.is_empty()).then_some(names);
    let values = (!values.is_empty()).then_some(values);
    macro_rules! configure {
        ($builder:expr) => {
            expression_parameters!($builder, table, condition, names, values).build().map_err(unbuilt)?
        };
    }
    let item = TransactWriteItem::builder();
    Ok(match action {
        Action::Put(item_value) => item.put(configure!(Put::builder().set_item(Some(item_value)))),
        Action::Update { key, expression } => item.update(configure!(
            TransactUpdate::builder().set_key(Some(key)).set_update_expression(expression.map(Cow::into_owned))
        )),
        Action::Delete { key } => item.delete(configure!(Delete::builder().set_key(Some(key)))),
        Action::Check { key } => item.condition_check(configure!(ConditionCheck::builder().set_key(Some(key)))),
    }
    .build())
}

/// Sends a TransactGetItems request; the items in request order.
pub(crate) async fn transact_get(
    client: &Client,
    items: Vec<(String, RawItem)>,
    call: &mut Call,
) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
    let items = items
        .into_iter()
        .map(|(table, key)| {
            let get = Get::builder().table_name(table).set_key(Some(key)).build();
            Ok(TransactGetItem::builder().get(get.map_err(unbuilt)?).build())
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let sent = client.transact_get_items().set_transact_items(Some(items)).set_return_consumed_capacity(capacity(call));
    let out = sent.send().await.map_err(|e| {
        refusal(e, call, |e| match e {
            TransactGetItemsError::TransactionCanceledException(canceled) => {
                Some(TransactRefusal::Canceled(reasons(canceled.cancellation_reasons())))
            }
            _ => None,
        })
    })?;
    call.answered(out.request_id(), out.consumed_capacity());
    Ok(out.responses.unwrap_or_default().into_iter().map(|response| response.item).collect())
}

/// Sends one BatchWriteItem request to one table; returns the writes DynamoDB left unprocessed.
pub(crate) async fn batch_write(
    client: &Client,
    table: &str,
    ops: Vec<BatchOp>,
    call: &mut Call,
) -> Result<Vec<BatchOp>, Failure> {
    let requests = ops
        .into_iter()
        .map(|op| {
            let request = WriteRequest::builder();
            Ok(match op {
                BatchOp::Put(item) => request.put_request(PutRequest::builder().set_item(Some(item)).build()?),
                BatchOp::Delete(key) => request.delete_request(DeleteRequest::builder().set_key(Some(key)).build()?),
            }
            .build())
        })
        .collect::<Result<Vec<_>, BuildError>>()
        .map_err(unbuilt)?;
    let sent = client.batch_write_item().request_items(table, requests).set_return_consumed_capacity(capacity(call));
    let out = sent.send().await.map_err(failure)?;
    call.answered(out.request_id(), out.consumed_capacity());
    let unprocessed = out.unprocessed_items.unwrap_or_default().into_values().flatten();
    Ok(unprocessed
        .filter_map(|request| match (request.put_request, request.delete_request) {
            (Some(put), _) => Some(BatchOp::Put(put.item)),
            (None, Some(delete)) => Some(BatchOp::Delete(delete.key)),
            (None, None) => None,
        })
        .collect())
}

/// Sends one strongly consistent BatchGetItem request to one table; returns the items found and the keys
/// DynamoDB left unprocessed.
pub(crate) async fn batch_get(
    client: &Client,
    table: &str,
    keys: Vec<RawItem>,
    call: &mut Call,
) -> Result<(Vec<RawItem>, Vec<RawItem>), Failure> {
    let keys = KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build();
    let keys = keys.map_err(unbuilt)?;
    let sent = client.batch_get_item().request_items(table, keys).set_return_consumed_capacity(capacity(call));
    let out = sent.send().await.map_err(failure)?;
    call.answered(out.request_id(), out.consumed_capacity());
    let found = out.responses.unwrap_or_default().into_values().flatten().collect();
    let unprocessed = out.unprocessed_keys.unwrap_or_default().into_values().flat_map(|keys| keys.keys).collect();
    Ok((found, unprocessed))
}
