//! UpdateExpression and ConditionExpression as a request carries them: how each is parsed (within DynamoDB's
//! size limit), validated once its placeholders are bound, and named in DynamoDB's messages.

use super::bind::Context;
use super::item_size::MAX_ITEM_BYTES;
use super::parser::{self, ConditionExpr, UpdateExpr};
use super::validate;

/// Longest expression DynamoDB accepts, in bytes.
use crate::limits::MAX_EXPRESSION_BYTES;
/// DynamoDB's message for an update whose values or result exceed 400 KB.
pub(crate) const UPDATE_TOO_LARGE: &str = "Item size to update has exceeded the maximum allowed size";

/// An UpdateExpression or a ConditionExpression: how it is parsed, checked and named in errors.
pub(crate) trait Expression: Sized {
    /// `Update` or `Condition`, as in `Invalid UpdateExpression: ...`.
    const KIND: &str;

    /// Parses the text, refusing one over 4096 bytes first.
    fn parse(text: &str) -> Result<Self, String>;

    /// The placeholders the expression uses.
    fn placeholders(&self) -> &parser::UsedPlaceholders;

    /// DynamoDB's checks once the placeholders are bound; the error is DynamoDB's whole message.
    fn validate(&self, context: &Context<'_>) -> Result<(), String>;
}

impl Expression for UpdateExpr {
    const KIND: &str = "Update";

    fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_EXPRESSION_BYTES {
            return Err(parser::message("Expression size has exceeded the maximum allowed size", &[]));
        }
        parser::update(text)
    }

    fn placeholders(&self) -> &parser::UsedPlaceholders {
        &self.placeholders
    }

    fn validate(&self, context: &Context<'_>) -> Result<(), String> {
        validate::update(self, context).map_err(|e| expression_error(Self::KIND, &e))?;
        if validate::update_request_size(self, context) > MAX_ITEM_BYTES {
            return Err(UPDATE_TOO_LARGE.to_owned());
        }
        Ok(())
    }
}

impl Expression for ConditionExpr {
    const KIND: &str = "Condition";

    fn parse(text: &str) -> Result<Self, String> {
        if text.len() > MAX_EXPRESSION_BYTES {
            let size = text.len().to_string();
            return Err(parser::message(
                "Expression size has exceeded the maximum allowed size",
                &[("expression size", &size)],
            ));
        }
        parser::condition(text)
    }

    fn placeholders(&self) -> &parser::UsedPlaceholders {
        &self.placeholders
    }

    fn validate(&self, context: &Context<'_>) -> Result<(), String> {
        validate::condition(self, context).map_err(|e| expression_error(Self::KIND, &e))
    }
}

/// DynamoDB's message for an expression that does not parse or validate: `Invalid UpdateExpression: ...`.
pub(super) fn expression_error(kind: &str, message: &str) -> String {
    format!("Invalid {kind}Expression: {message}")
}
