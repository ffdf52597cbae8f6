//! How DynamoDB's Java code orders things: `String.hashCode()`, `HashMap` buckets and iteration order, and the
//! hash of a document path element. DynamoDB's error messages and the order in which it applies update actions
//! follow these orders, so the memory backend computes them too.

use super::path::Step;
use super::small::Small;

/// `String.hashCode()`.
pub(crate) fn string_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |hash, unit| hash.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

/// The bucket of a hash in a `HashMap` of `capacity` buckets.
pub(crate) fn bucket(hash: i32, capacity: usize) -> usize {
    let hash = hash as u32;
    ((hash ^ (hash >> 16)) as usize) & (capacity - 1)
}

/// The capacity a `HashMap` grows to while `len` entries are put into it one by one.
pub(crate) fn capacity(len: usize) -> usize {
    let mut capacity = 16;
    while len * 4 > capacity * 3 {
        capacity *= 2;
    }
    capacity
}

/// The hash of a document path element: `HashCodeBuilder(8191, 127).append(name or index)`.
pub(crate) fn element_hash(step: Step<'_>) -> i32 {
    let seed = 8191i32.wrapping_mul(127);
    match step {
        Step::Key(key) => seed.wrapping_add(string_hash(key)),
        Step::Index(index) => seed.wrapping_add(index as i32),
    }
}

/// The order in which a `HashMap` filled with these path elements, in this order, iterates them (indexes into
/// the input): by bucket, and within a bucket in insertion order.
pub(crate) fn iteration_order<'a>(steps: impl ExactSizeIterator<Item = Step<'a>>) -> Small<usize, 8> {
    let capacity = capacity(steps.len());
    let mut order: Small<(usize, usize), 8> =
        steps.enumerate().map(|(i, step)| (bucket(element_hash(step), capacity), i)).collect();
    order.sort_unstable();
    order.iter().map(|(_, i)| *i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_orders_match_java() {
        assert_eq!(string_hash("hello"), 99162322);
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
        assert_eq!((capacity(12), capacity(13)), (16, 32));
        // From DynamoDB Local's error messages: `n` sorts before `m` before `o`, `b` before `a`.
        let order =
            |keys: &[&'static str]| -> Vec<usize> { iteration_order(keys.iter().map(|k| Step::Key(k))).to_vec() };
        assert_eq!(order(&["m", "n", "o"]), [1, 0, 2]);
        assert_eq!(order(&["a", "b"]), [1, 0]);
        // `c` and `s` share a bucket: insertion order.
        assert_eq!(order(&["s", "c"]), [0, 1]);
        assert_eq!(order(&["c", "s"]), [0, 1]);
    }
}
