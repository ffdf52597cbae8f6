//! Backend-neutral single-item requests: what a table handle asks a backend to do.
//!
//! These types are public only through [`dynatomic::raw`](crate::raw) (cargo feature `raw`), so that tests can
//! send raw requests (any expression string, any placeholders) to either backend and compare the answers.

use std::borrow::Cow;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{InternalError, ServiceError};

/// A stored item: attribute name to value.
pub type RawItem = HashMap<String, AttributeValue>;

/// An item a backend handed back, `None` when it is empty: DynamoDB answers an empty map for no item.
pub(crate) fn present(item: Option<RawItem>) -> Option<RawItem> {
    item.filter(|item| !item.is_empty())
}

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
#[derive(Debug, Clone, PartialEq)]
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
    /// A ConditionCheck of a transaction: the condition must hold for the item with this key, which is not
    /// written. Outside a transaction, the backends refuse it as invalid.
    Check {
        /// The key attributes.
        key: RawItem,
    },
}

/// One conditional single-item write, with its expression placeholders already converted.
#[derive(Debug, Clone, PartialEq)]
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

/// The ExpressionAttributeNames and ExpressionAttributeValues of a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maps {
    /// `#name` placeholder to attribute name.
    pub names: HashMap<String, String>,
    /// `:value` placeholder to value.
    pub values: HashMap<String, AttributeValue>,
}

/// One TransactWriteItems request: writes and condition checks on distinct items, all or none applied.
/// Each write's `returning` is `Nothing`; a failed condition hands back the stored item (ALL_OLD).
#[derive(Debug, Clone, PartialEq)]
pub struct TransactWrite {
    /// The actions, in request order.
    pub actions: Vec<Write>,
    /// The ClientRequestToken (1 to 36 characters), if any.
    pub token: Option<String>,
}

/// Why one action of a canceled transaction failed, as DynamoDB's CancellationReason reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CancelReason {
    /// `None` (this action was fine), `ConditionalCheckFailed`, `ValidationError`, `TransactionConflict`,
    /// `ThrottlingError`, or another of DynamoDB's codes.
    pub code: String,
    /// The message, if the backend gave one.
    pub message: Option<String>,
    /// The stored item, when the action's condition failed and the item exists.
    pub item: Option<RawItem>,
}

/// One write of a BatchWriteItem request: no condition, nothing returned.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOp {
    /// PutRequest: the whole item.
    Put(RawItem),
    /// DeleteRequest: the key attributes.
    Delete(RawItem),
}

/// A failure of any request: the service's answer (or no answer), or a broken invariant of dynatomic.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// DynamoDB's error (or the memory backend's, with DynamoDB's code and message), or no answer.
    #[error(transparent)]
    Service(ServiceError),
    /// A broken invariant of dynatomic.
    #[error(transparent)]
    Internal(InternalError),
}

impl From<ServiceError> for Failure {
    fn from(error: ServiceError) -> Self {
        Failure::Service(error)
    }
}

impl From<InternalError> for Failure {
    fn from(error: InternalError) -> Self {
        Failure::Internal(error)
    }
}

/// How a backend refuses a single write (PutItem, UpdateItem, DeleteItem).
#[derive(Debug, thiserror::Error)]
pub enum WriteRefusal {
    /// The condition was false: the stored item, if there was one, and the request's placeholder maps, handed
    /// back so that they can explain the failure.
    #[error("the conditional request failed")]
    ConditionFailed {
        /// The item as stored (ALL_OLD), if there was one.
        stored: Option<RawItem>,
        /// The ExpressionAttributeNames and ExpressionAttributeValues of the refused request.
        maps: Box<Maps>,
    },
    /// Any other failure.
    #[error(transparent)]
    Failed(Failure),
}

/// How a backend refuses a TransactWriteItems or TransactGetItems request.
#[derive(Debug, thiserror::Error)]
pub enum TransactRefusal {
    /// The transaction was canceled (TransactionCanceledException): one reason per action, in request order.
    #[error("the transaction was canceled: {0:?}")]
    Canceled(Vec<CancelReason>),
    /// The ClientRequestToken was used within the last 10 minutes for a different request
    /// (IdempotentParameterMismatchException), with the backend's message.
    #[error("the client request token was used for another request: {0}")]
    TokenMismatch(String),
    /// Any other failure.
    #[error(transparent)]
    Failed(Failure),
}

/// Every failure converts into the refusals of each kind of request.
macro_rules! refusal_from_failure {
    ($($refusal:ident),*) => {$(
        impl From<Failure> for $refusal {
            fn from(failure: Failure) -> Self {
                $refusal::Failed(failure)
            }
        }
        impl From<ServiceError> for $refusal {
            fn from(error: ServiceError) -> Self {
                $refusal::Failed(Failure::Service(error))
            }
        }
        impl From<InternalError> for $refusal {
            fn from(error: InternalError) -> Self {
                $refusal::Failed(Failure::Internal(error))
            }
        }
    )*};
}
refusal_from_failure!(WriteRefusal, TransactRefusal);

/// A refusal of any request, seen as the failure of the request as a whole, for the tests.
#[cfg(test)]
pub(crate) trait Refused: std::fmt::Debug + Sized {
    /// The failure; panics on a refused condition or a canceled transaction.
    fn failure(self) -> Failure;
}

#[cfg(test)]
impl Refused for Failure {
    fn failure(self) -> Failure {
        self
    }
}

#[cfg(test)]
impl Refused for WriteRefusal {
    fn failure(self) -> Failure {
        match self {
            WriteRefusal::Failed(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

#[cfg(test)]
impl Refused for TransactRefusal {
    fn failure(self) -> Failure {
        match self {
            TransactRefusal::Failed(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}
