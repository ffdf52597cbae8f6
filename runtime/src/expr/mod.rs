//! DynamoDB's expression language: parsing, validating and evaluating UpdateExpression and ConditionExpression
//! strings with DynamoDB's rules and messages; used by the memory backend, the explainer and the pre-send
//! checks.

pub(crate) mod apply;
pub(crate) mod bind;
mod cache;
pub(crate) mod decimal;
pub(crate) mod eval;
pub(crate) mod expression;
pub(crate) mod item_size;
mod java;
mod lexer;
pub(crate) mod parser;
mod path;
mod placeholder_maps;
pub(crate) mod request;
mod reserved;
mod small;
mod validate;
pub(crate) mod values;
