//! The aws-sdk-dynamodb backend: sends each request to DynamoDB.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use crate::request::{Action, RawItem, Refusal, Returning, Write};

/// Sends one write and returns the item it asked for.
pub(crate) async fn write(client: &Client, write: Write) -> Result<Option<RawItem>, Refusal> {
    let Write { table, action, condition, names, values, returning } = write;
    let names = (!names.is_empty()).then_some(names);
    let values = (!values.is_empty()).then_some(values);
    let return_value = match returning {
        Returning::Nothing => ReturnValue::None,
        Returning::AllOld => ReturnValue::AllOld,
        Returning::AllNew => ReturnValue::AllNew,
    };
    // The three write operations share every parameter but their target; one macro keeps them in step.
    macro_rules! send {
        ($builder:expr, $failed:path) => {
            $builder
                .table_name(table)
                .set_condition_expression(condition.map(str::to_owned))
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .return_values(return_value)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send()
                .await
                .map(|out| out.attributes)
                .map_err(|e| {
                    refusal(e, |e| match e {
                        $failed(failed) => Some(failed.item.clone()),
                        _ => None,
                    })
                })
        };
    }
    match action {
        Action::Put(item) => send!(client.put_item().set_item(Some(item)), PutItemError::ConditionalCheckFailedException),
        Action::Update { key, expression } => send!(
            client.update_item().set_key(Some(key)).update_expression(expression),
            UpdateItemError::ConditionalCheckFailedException
        ),
        Action::Delete { key } => {
            send!(client.delete_item().set_key(Some(key)), DeleteItemError::ConditionalCheckFailedException)
        }
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

/// Sorts a failed request into a condition failure (with the stored item), a validation error, or the rest.
fn refusal<E, R>(error: SdkError<E, R>, condition_failed: impl Fn(&E) -> Option<Option<RawItem>>) -> Refusal
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(service) = error.as_service_error() {
        if let Some(stored) = condition_failed(service) {
            return Refusal::ConditionFailed(stored);
        }
        if service.code() == Some("ValidationException") {
            return Refusal::Validation(service.message().unwrap_or_default().to_owned());
        }
    }
    Refusal::Service(Box::new(error))
}
