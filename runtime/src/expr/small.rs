//! A vector that keeps its first few elements inline, for the short lists of every request (placeholders,
//! path steps, actions), so that the common request allocates nothing for them.

use std::ops::{Deref, DerefMut};

/// Up to `N` elements inline, more on the heap.
#[derive(Debug, Clone)]
pub(crate) enum Small<T, const N: usize> {
    Inline { items: [T; N], len: usize },
    Heap(Vec<T>),
}

impl<T: Copy + Default, const N: usize> Small<T, N> {
    /// An empty vector.
    pub(crate) fn new() -> Self {
        Small::Inline { items: [T::default(); N], len: 0 }
    }

    /// Appends an element.
    pub(crate) fn push(&mut self, value: T) {
        match self {
            Small::Inline { items, len } if *len < N => {
                items[*len] = value;
                *len += 1;
            }
            Small::Inline { items, .. } => {
                let mut heap = items.to_vec();
                heap.push(value);
                *self = Small::Heap(heap);
            }
            Small::Heap(heap) => heap.push(value),
        }
    }
}

impl<T: Copy + Default, const N: usize> Default for Small<T, N> {
    fn default() -> Self {
        Small::new()
    }
}

impl<T: Copy + Default, const N: usize> FromIterator<T> for Small<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut small = Small::new();
        for value in iter {
            small.push(value);
        }
        small
    }
}

impl<T, const N: usize> Deref for Small<T, N> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Small::Inline { items, len } => &items[..*len],
            Small::Heap(heap) => heap,
        }
    }
}

impl<T, const N: usize> DerefMut for Small<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Small::Inline { items, len } => &mut items[..*len],
            Small::Heap(heap) => heap,
        }
    }
}

impl<T: PartialEq, const N: usize> PartialEq for Small<T, N> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, const N: usize> Eq for Small<T, N> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_to_the_heap_past_n() {
        let mut small: Small<u32, 2> = [1, 2].into_iter().collect();
        assert!(matches!(small, Small::Inline { .. }));
        small.push(3);
        assert!(matches!(small, Small::Heap(_)));
        assert_eq!(&*small, &[1, 2, 3]);
        small[0] = 9;
        assert_eq!(small, [9, 2, 3].into_iter().collect());
    }
}
