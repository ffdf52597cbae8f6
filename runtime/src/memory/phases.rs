//! The phases of one write on the memory backend, shared by single writes and a transaction's actions: the
//! checks without the item ([`Table::prepare`]), the plan of the effect on the item under its shard's lock
//! ([`Table::plan`]: the condition, then an update's key rules, new values, depth and size) and its
//! [`commit`]. A refused write changes nothing.

use crate::capacity;
use crate::error::{InternalError, ServiceError};
use crate::expr::bind::Context;
use crate::expr::expression::UPDATE_TOO_LARGE;
use crate::expr::item_size::{MAX_ITEM_BYTES, attribute_size, item_size};
use crate::expr::request::{Bound, BoundCondition, BoundUpdate};
use crate::expr::{apply, eval, parser, values};
use crate::identity::{ItemKey, KeyError};
use crate::request::{Action, Failure, RawItem, Returning};

use super::store::{Shard, Stored, Table};

/// The answer to a condition check sent as a single write.
const CHECK_OUTSIDE_TRANSACTION: &str = "A condition check can only be part of a transaction";

/// DynamoDB's ValidationException with this message.
pub(super) fn invalid(message: impl Into<String>) -> Failure {
    Failure::Service(ServiceError::validation(message))
}

/// What a write does, once its item and key are checked: the part of the request that `Table::plan` needs.
pub(super) enum WriteKind<'w> {
    /// Store this item (canonical, sized).
    Put(Stored),
    /// Delete the item.
    Delete,
    /// Only check the condition.
    Check,
    /// Update the item with this Key parameter (the new item's attributes if it does not exist).
    Update(&'w RawItem),
}

/// Why a write planned on its item does not go ahead; a transaction reports each kind differently.
pub(super) enum Veto {
    /// The condition is false; the stored item, if any.
    Condition(Option<RawItem>),
    /// An error of this action alone (a transaction gives it as the action's `ValidationError` reason).
    Action(String),
    /// An error that cancels a transaction with this as its only reason (an update of a key attribute).
    Alone(String),
    /// An error of the whole request.
    Request(Failure),
}

impl From<Veto> for Failure {
    /// The failure of a single write that a veto is (its condition is handled apart).
    fn from(veto: Veto) -> Self {
        match veto {
            Veto::Condition(_) => InternalError::new("a refused condition taken for a failure").into(),
            Veto::Action(message) | Veto::Alone(message) => invalid(message),
            Veto::Request(failure) => failure,
        }
    }
}

impl From<Failure> for Veto {
    fn from(failure: Failure) -> Self {
        Veto::Request(failure)
    }
}

impl From<KeyError> for Veto {
    fn from(error: KeyError) -> Self {
        Veto::Request(error.into())
    }
}

/// What a write does to its item, decided under the shard's lock before anything changes.
pub(super) enum Effect<'b> {
    /// Nothing (a condition check).
    Nothing,
    /// Store this item.
    Put(Stored),
    /// Remove the item.
    Delete,
    /// Change these attributes of the stored item, or of `created` (the key alone) when there is none; the
    /// result has `size` bytes.
    Update { created: Option<RawItem>, changes: apply::Changes<'b>, size: usize },
}

impl Effect<'_> {
    /// The capacity units of this effect on an item of `stored` bytes (0: none), outside a transaction: a
    /// check reads, the others write.
    pub(super) fn units(&self, stored: usize) -> f64 {
        match self {
            Effect::Nothing => capacity::read_units(stored),
            Effect::Put(item) => capacity::write_units(item.size, stored),
            Effect::Delete => capacity::write_units(0, stored),
            Effect::Update { size, .. } => capacity::write_units(*size, stored),
        }
    }

    /// The capacity units of this effect as an action of a transaction, on the stored item of this size if
    /// there is one.
    pub(super) fn transaction_units(&self, stored: Option<usize>) -> f64 {
        match (self, stored) {
            (Effect::Delete, None) => capacity::TRANSACTIONAL_DELETE_OF_NOTHING,
            _ => capacity::transactional(self.units(stored.unwrap_or(0))),
        }
    }
}

/// What a committed effect left: the item it replaced or removed, or the updated item.
pub(super) enum Committed<'s> {
    /// A put or delete, and the item it replaced or removed.
    Replaced(Option<Stored>),
    /// An update, and the item as it is now.
    Updated(&'s Stored),
    /// A condition check.
    Nothing,
}

/// Applies a planned effect to the shard that holds the item.
pub(super) fn commit<'s>(shard: &'s mut Shard, key: ItemKey, effect: Effect<'_>) -> Result<Committed<'s>, Failure> {
    Ok(match effect {
        Effect::Nothing => Committed::Nothing,
        Effect::Put(stored) => Committed::Replaced(shard.insert(key, stored)),
        Effect::Delete => Committed::Replaced(shard.remove(&key)),
        Effect::Update { created, changes, size } => {
            let stored = match created {
                Some(item) => shard.entry(key).or_insert(Stored { item, size: 0 }),
                None => shard.get_mut(&key).ok_or_else(|| InternalError::new("the item vanished under its lock"))?,
            };
            for (name, new) in changes.attributes {
                match (new, stored.item.get_mut(name)) {
                    (Some(value), Some(current)) => *current = value,
                    (Some(value), None) => drop(stored.item.insert(name.to_owned(), value)),
                    (None, _) => drop(stored.item.remove(name)),
                }
            }
            stored.size = size;
            Committed::Updated(stored)
        }
    })
}

/// What an update returns before it is committed: ALL_OLD, UPDATED_OLD or UPDATED_NEW (ALL_NEW is read after).
pub(super) fn update_answer(returning: Returning, old: Option<&Stored>, effect: &Effect<'_>) -> Option<RawItem> {
    let Effect::Update { created, changes, .. } = effect else { return None };
    let base = old.map(|old| &old.item).or(created.as_ref())?;
    match returning {
        Returning::Nothing | Returning::AllNew => None,
        Returning::AllOld => old.map(|old| old.item.clone()),
        Returning::UpdatedOld => apply::project(|name| base.get(name), &changes.paths),
        Returning::UpdatedNew => apply::project(
            |name| match changes.attributes.iter().find(|(n, _)| *n == name) {
                Some((_, new)) => new.as_ref(),
                None => base.get(name),
            },
            &changes.paths,
        ),
    }
}

/// Checks the values of an item to be put.
pub(super) fn check_item_values(item: &RawItem) -> Result<(), Failure> {
    values::check_map(item, values::MAX_ITEM_DEPTH).map_err(invalid)
}

/// The item to store for a put (its numbers canonical), refusing one over 400 KB.
pub(super) fn sized(item: &RawItem) -> Result<Stored, Failure> {
    let item = values::canonical_map(item);
    let size = item_size(&item);
    if size > MAX_ITEM_BYTES {
        return Err(invalid("Item size has exceeded the maximum allowed size"));
    }
    Ok(Stored { item, size })
}

/// PutItem and DeleteItem return nothing or the old item.
pub(super) fn allow_returning(returning: Returning) -> Result<(), Failure> {
    match returning {
        Returning::Nothing | Returning::AllOld => Ok(()),
        _ => Err(invalid("Return values set to invalid value")),
    }
}

/// Evaluates the condition on the stored item (or none), handing the stored item back when it is false.
pub(super) fn check_condition(condition: BoundCondition<'_, '_>, old: Option<&Stored>) -> Result<(), Veto> {
    let Some((condition, context)) = condition else { return Ok(()) };
    let empty = RawItem::new();
    if eval::condition(&condition.root, old.map_or(&empty, |old| &old.item), context) {
        Ok(())
    } else {
        Err(Veto::Condition(old.map(|old| old.item.clone())))
    }
}

impl Table {
    /// The checks of a single write that come before its expressions, in DynamoDB's order: ReturnValues, the
    /// item's values, its key, its size. Returns the item's key and what the write does.
    pub(super) fn prepare<'w>(
        &self,
        action: &'w Action,
        returning: Returning,
    ) -> Result<(ItemKey, WriteKind<'w>), Failure> {
        Ok(match action {
            Action::Put(item) => {
                allow_returning(returning)?;
                check_item_values(item)?;
                let key = self.key_of_item(item)?;
                (key, WriteKind::Put(sized(item)?))
            }
            Action::Delete { key } => {
                allow_returning(returning)?;
                (self.key_of(key)?, WriteKind::Delete)
            }
            Action::Check { .. } => return Err(invalid(CHECK_OUTSIDE_TRANSACTION)),
            Action::Update { key, .. } => (self.key_of(key)?, WriteKind::Update(key)),
        })
    }

    /// Decides what a checked write does to its item (`old`, under its shard's lock), without changing it:
    /// the condition, then for an update the key attributes, the new values, their depth and the new size.
    pub(super) fn plan<'b>(
        &self,
        kind: WriteKind<'_>,
        bound: &'b Bound<'_>,
        old: Option<&Stored>,
    ) -> Result<Effect<'b>, Veto> {
        check_condition(bound.condition(), old)?;
        let key = match kind {
            WriteKind::Put(stored) => return Ok(Effect::Put(stored)),
            WriteKind::Delete => return Ok(Effect::Delete),
            WriteKind::Check => return Ok(Effect::Nothing),
            WriteKind::Update(key) => key,
        };
        let update = bound.update();
        self.check_key_untouched(update).map_err(Veto::Alone)?;
        self.check_update_scalar_keys(update)?;
        let created = old.is_none().then(|| values::canonical_map(key));
        let base = old
            .map(|old| &old.item)
            .or(created.as_ref())
            .ok_or_else(|| Veto::Request(InternalError::new("an update without an item").into()))?;
        let changes = match update {
            // The real service cancels a transaction with a ValidationError reason for these (DynamoDB Local
            // refuses the whole request instead); a single write gets the same ValidationException either way.
            Some((update, context)) => apply::update(update, base, context).map_err(Veto::Action)?,
            None => apply::Changes { attributes: Vec::new(), paths: Vec::new() },
        };
        if changes
            .attributes
            .iter()
            .filter_map(|(_, new)| new.as_ref())
            .any(|v| values::depth(v) > values::MAX_ITEM_DEPTH)
        {
            return Err(Veto::Request(invalid(values::TOO_DEEP)));
        }
        let old_size = old.map_or_else(|| item_size(base), |old| old.size);
        let size = changes.attributes.iter().fold(old_size, |size, (name, new)| {
            let before = base.get(*name).map_or(0, |value| attribute_size(name, value));
            let after = new.as_ref().map_or(0, |value| attribute_size(name, value));
            size.saturating_sub(before) + after
        });
        if size > MAX_ITEM_BYTES {
            return Err(Veto::Action(UPDATE_TOO_LARGE.to_owned()));
        }
        Ok(Effect::Update { created, changes, size })
    }

    /// Refuses a path into a key attribute (`pk.x`, `pk[0]`): key attributes are scalars.
    pub(super) fn check_scalar_key(&self, path: &parser::Path, context: &Context<'_>) -> Result<(), Failure> {
        if path.0.len() < 2 {
            return Ok(());
        }
        let Some(parser::PathElement::Name(first)) = path.0.first() else { return Ok(()) };
        let Some(first) = context.name(first) else { return Ok(()) };
        if self.key_names().any(|(key, _)| key == first) {
            return Err(invalid(format!(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {first}"
            )));
        }
        Ok(())
    }

    pub(super) fn check_operand_scalar_keys(
        &self,
        operand: &parser::OperandNode,
        context: &Context<'_>,
    ) -> Result<(), Failure> {
        match operand {
            parser::OperandNode::Path(path) => self.check_scalar_key(path, context),
            parser::OperandNode::Value(_) => Ok(()),
            parser::OperandNode::Call(_, args) => {
                args.iter().try_for_each(|arg| self.check_operand_scalar_keys(arg, context))
            }
        }
    }

    /// Refuses a condition that reads a path into a key attribute.
    pub(super) fn check_condition_scalar_keys(&self, condition: BoundCondition<'_, '_>) -> Result<(), Failure> {
        fn walk(table: &Table, condition: &parser::ConditionNode, context: &Context<'_>) -> Result<(), Failure> {
            use parser::ConditionNode as C;
            let operands = |ops: &[&parser::OperandNode]| -> Result<(), Failure> {
                ops.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context))
            };
            match condition {
                C::Compare(_, a, b) => operands(&[a, b]),
                C::Between(a, b, c) => operands(&[a, b, c]),
                C::In(a, list) => {
                    operands(&[a])?;
                    list.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context))
                }
                C::Call(_, args) => args.iter().try_for_each(|op| table.check_operand_scalar_keys(op, context)),
                C::Not(inner) => walk(table, inner, context),
                C::And(a, b) | C::Or(a, b) => {
                    walk(table, a, context)?;
                    walk(table, b, context)
                }
            }
        }
        let Some((condition, context)) = condition else { return Ok(()) };
        walk(self, &condition.root, context)
    }

    /// Refuses an update whose values read a path into a key attribute.
    pub(super) fn check_update_scalar_keys(&self, update: BoundUpdate<'_, '_>) -> Result<(), Failure> {
        let Some((update, context)) = update else { return Ok(()) };
        for action in &update.actions {
            match &action.kind {
                parser::UpdateActionKind::Set(parser::SetValue::Operand(operand)) => {
                    self.check_operand_scalar_keys(operand, context)?;
                }
                parser::UpdateActionKind::Set(parser::SetValue::Plus(a, b) | parser::SetValue::Minus(a, b)) => {
                    self.check_operand_scalar_keys(a, context)?;
                    self.check_operand_scalar_keys(b, context)?;
                }
                parser::UpdateActionKind::Remove
                | parser::UpdateActionKind::Add(_)
                | parser::UpdateActionKind::Delete(_) => {}
            }
        }
        Ok(())
    }

    /// Refuses an update that writes a key attribute, with DynamoDB's message.
    pub(super) fn check_key_untouched(&self, update: BoundUpdate<'_, '_>) -> Result<(), String> {
        let Some((update, context)) = update else { return Ok(()) };
        for action in &update.actions {
            let Some(parser::PathElement::Name(first)) = action.path.0.first() else { continue };
            let Some(first) = context.name(first) else { continue };
            if self.key_names().any(|(key, _)| key == first) {
                return Err(format!(
                    "One or more parameter values were invalid: Cannot update attribute {first}. This attribute is part of the key"
                ));
            }
        }
        Ok(())
    }
}
