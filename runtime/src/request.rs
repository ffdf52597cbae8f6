//! Backend-neutral single-item requests: what a table handle asks a backend to do.
//!
//! These types are public only through `dynatomic::__private`, so that tests can send raw requests (any
//! expression string, any placeholders) to either backend and compare the answers.

use std::borrow::Cow;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::operation::Placeholders;

/// A stored item: attribute name to value.
pub type RawItem = HashMap<String, AttributeValue>;

/// Which version of the item a write hands back (DynamoDB's ReturnValues).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returning {
    /// `NONE`
    Nothing,
    /// `ALL_OLD`: the whole item as it was (puts, updates and deletes).
    AllOld,
    /// `ALL_NEW`: the whole item as it is afterwards (updates only).
    AllNew,
    /// `UPDATED_OLD`: the updated paths as they were (updates only).
    UpdatedOld,
    /// `UPDATED_NEW`: the updated paths as they are afterwards (updates only).
    UpdatedNew,
}

/// What a write does to its item.
#[derive(Debug, Clone)]
pub enum Action {
    /// PutItem: replace the whole item.
    Put(RawItem),
    /// UpdateItem on the item with this key; without an expression it only creates the item (with its key).
    Update {
        /// The key attributes.
        key: RawItem,
        /// The UpdateExpression.
        expression: Option<Cow<'static, str>>,
    },
    /// DeleteItem on the item with this key.
    Delete {
        /// The key attributes.
        key: RawItem,
    },
}

/// One conditional single-item write, with its expression placeholders already converted.
#[derive(Debug, Clone)]
pub struct Write {
    /// The table's name.
    pub table: String,
    /// What to do.
    pub action: Action,
    /// The ConditionExpression.
    pub condition: Option<Cow<'static, str>>,
    /// The ExpressionAttributeNames (empty: none sent).
    pub names: HashMap<String, String>,
    /// The ExpressionAttributeValues (empty: none sent).
    pub values: HashMap<String, AttributeValue>,
    /// The ReturnValues.
    pub returning: Returning,
}

impl Write {
    /// Adds the placeholders of an operation to the request.
    pub(crate) fn with(mut self, placeholders: Placeholders) -> Result<Self, crate::error::ValueError> {
        let values = placeholders.values?;
        self.values.reserve(values.len());
        self.names.reserve(placeholders.names.len());
        for (placeholder, value) in values {
            self.values.insert(placeholder.to_owned(), value);
        }
        for (placeholder, name) in placeholders.names {
            self.names.insert(placeholder.to_owned(), name.into_owned());
        }
        Ok(self)
    }
}

/// How a backend refuses a request.
#[derive(Debug)]
pub enum Refusal {
    /// The condition was false; the stored item, if there was one.
    ConditionFailed(Option<RawItem>),
    /// The request is invalid (DynamoDB's ValidationException), with DynamoDB's message.
    Validation(String),
    /// The table does not exist (DynamoDB's ResourceNotFoundException), with DynamoDB's message.
    ResourceNotFound(String),
    /// Any other failure.
    Service(Box<dyn std::error::Error + Send + Sync>),
}
