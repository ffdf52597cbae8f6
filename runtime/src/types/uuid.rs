//! `uuid::Uuid`, with the `uuid` feature: stored as a string (`S`) in its lowercase hyphenated form, usable as a
//! key. That form sorts as the UUID's bytes do, so `<` and sort keys agree with `Uuid`'s own order (UUIDv7
//! keys sort by time).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::{
    Attribute, NoFields, SetElement, leaf_attribute, mismatch, set_element, string_set, string_set_elements,
};
use crate::error::{DecodeError, ValueError};
use crate::kind::Ordered;
use crate::schema::{KeyAttribute, KeyKind};
use crate::value::{IntoValue, fits_itself};

leaf_attribute!(uuid::Uuid, |id| Ok(AttributeValue::S(id.hyphenated().to_string())), |value| match value {
    AttributeValue::S(text) => uuid::Uuid::try_parse(&text).map_err(|_| {
        DecodeError::mismatch(std::any::type_name::<uuid::Uuid>(), format_args!("{text:?} is not a UUID"))
    }),
    other => Err(mismatch::<uuid::Uuid>(&other)),
});
fits_itself!(uuid::Uuid);
set_element!(string_set, string_set_elements: uuid::Uuid);

impl Ordered for uuid::Uuid {
    type Same = Self;
}

impl KeyAttribute for uuid::Uuid {
    const KIND: KeyKind = KeyKind::String;
}
