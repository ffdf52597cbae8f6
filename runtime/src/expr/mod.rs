//! DynamoDB's expression language: parsing, validating and evaluating UpdateExpression and ConditionExpression
//! strings with DynamoDB's rules and messages; used by the memory backend, the explainer and the pre-send
//! checks.

pub(crate) mod apply;
pub(crate) mod bind;
mod decimal;
pub(crate) mod eval;
pub(crate) mod java;
mod lexer;
pub(crate) mod parser;
mod path;
mod reserved;
mod small;
pub(crate) mod validate;
pub(crate) mod values;
