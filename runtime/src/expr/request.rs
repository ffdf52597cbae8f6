//! The expressions of one request parsed, bound to its placeholder maps and checked, in DynamoDB's order.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::bind::Context;
use super::cache::{CONDITIONS, Parsed, UPDATES, parsed};
use super::expression::{Expression, expression_error};
use super::parser::{ConditionExpr, UpdateExpr};
use super::placeholder_maps::{check_placeholder_maps, unused};

/// A checked update expression and its placeholders bound to the request.
pub(crate) type BoundUpdate<'e, 'a> = Option<(&'e UpdateExpr, &'e Context<'a>)>;
/// A checked condition expression and its placeholders bound to the request.
pub(crate) type BoundCondition<'e, 'a> = Option<(&'e ConditionExpr, &'e Context<'a>)>;

/// The expressions a request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Takes {
    /// A ConditionExpression (PutItem, DeleteItem, a transaction's ConditionCheck).
    Condition,
    /// An UpdateExpression and a ConditionExpression (UpdateItem).
    UpdateAndCondition,
}

impl Takes {
    /// DynamoDB's words for a request that carries none of its expressions.
    fn none(self) -> &'static str {
        match self {
            Takes::Condition => "ConditionExpression is null",
            Takes::UpdateAndCondition => "UpdateExpression and ConditionExpression are null",
        }
    }
}

/// The expressions of one write, parsed (through the thread's cache) but not yet bound to its placeholders.
pub(crate) struct Expressions {
    takes: Takes,
    update: Option<Parsed<UpdateExpr>>,
    condition: Option<Parsed<ConditionExpr>>,
}

/// The expressions of one write bound to its placeholders and checked.
pub(crate) struct Bound<'e> {
    update: Option<(&'e UpdateExpr, Context<'e>)>,
    condition: Option<(&'e ConditionExpr, Context<'e>)>,
}

impl Expressions {
    /// Parses the expressions a write of a request that `takes` them has (a parse error is reported when they
    /// are bound).
    pub(crate) fn parse(takes: Takes, update: Option<&str>, condition: Option<&str>) -> Self {
        Expressions {
            takes,
            update: update.map(|text| parsed(&UPDATES, text)),
            condition: condition.map(|text| parsed(&CONDITIONS, text)),
        }
    }

    /// Checks the placeholder maps, validates the expressions bound to them, and refuses unused placeholders,
    /// in DynamoDB's order; the error is the message of DynamoDB's ValidationException.
    pub(crate) fn bind<'e>(
        &'e self,
        names: &'e HashMap<String, String>,
        values: &'e HashMap<String, AttributeValue>,
    ) -> Result<Bound<'e>, String> {
        let none = (self.update.is_none() && self.condition.is_none()).then(|| self.takes.none());
        check_placeholder_maps(names, values, none)?;
        let update = bind(self.update.as_deref(), names, values)?;
        let condition = bind(self.condition.as_deref(), names, values)?;
        let used = update.iter().map(|(u, _)| &u.placeholders).chain(condition.iter().map(|(c, _)| &c.placeholders));
        unused("ExpressionAttributeNames", names.keys(), used.clone().flat_map(|p| &p.names))?;
        unused("ExpressionAttributeValues", values.keys(), used.flat_map(|p| &p.values))?;
        Ok(Bound { update, condition })
    }
}

impl<'e> Bound<'e> {
    /// The bound update expression, if any.
    pub(crate) fn update(&self) -> BoundUpdate<'_, 'e> {
        self.update.as_ref().map(|(update, context)| (*update, context))
    }

    /// The bound condition expression, if any.
    pub(crate) fn condition(&self) -> BoundCondition<'_, 'e> {
        self.condition.as_ref().map(|(condition, context)| (*condition, context))
    }
}

/// A parsed expression (if the request has one) bound to the request's placeholders and validated.
fn bind<'e, T: Expression>(
    parsed: Option<&'e Result<T, String>>,
    names: &'e HashMap<String, String>,
    values: &'e HashMap<String, AttributeValue>,
) -> Result<Option<(&'e T, Context<'e>)>, String> {
    match parsed {
        None => Ok(None),
        Some(Err(message)) => Err(expression_error(T::KIND, message)),
        Some(Ok(expression)) => {
            let context = Context::bind(expression.placeholders(), names, values);
            expression.validate(&context)?;
            Ok(Some((expression, context)))
        }
    }
}
