//! A helper of the passing cases: the expected ExpressionAttributeNames, as `names()` returns them.

use std::collections::BTreeMap;

pub fn names<const N: usize>(pairs: [(&'static str, &'static str); N]) -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from(pairs)
}
