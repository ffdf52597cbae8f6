//! Backend-neutral single-item requests: what a table handle asks a backend to do.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::operation::Placeholders;

/// A stored item: attribute name to value.
pub(crate) type RawItem = HashMap<String, AttributeValue>;

/// Which version of the item a write hands back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returning {
    Nothing,
    AllOld,
    AllNew,
}

/// What a write does to its item.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Put(RawItem),
    Update { key: RawItem, expression: &'static str },
    Delete { key: RawItem },
}

/// One conditional single-item write, with its expression placeholders already converted.
#[derive(Debug, Clone)]
pub(crate) struct Write {
    pub(crate) table: String,
    pub(crate) action: Action,
    pub(crate) condition: Option<&'static str>,
    pub(crate) names: HashMap<String, String>,
    pub(crate) values: HashMap<String, AttributeValue>,
    pub(crate) returning: Returning,
}

impl Write {
    /// Adds the placeholders of an operation to the request.
    pub(crate) fn with(mut self, placeholders: Placeholders) -> Result<Self, crate::error::ValueError> {
        for (placeholder, value) in placeholders.values? {
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
pub(crate) enum Refusal {
    /// The condition was false; the stored item, if there was one.
    ConditionFailed(Option<RawItem>),
    /// The request is invalid (DynamoDB's ValidationException).
    Validation(String),
    /// Any other failure.
    Service(Box<dyn std::error::Error + Send + Sync>),
}
