//! DynamoDB's limits and naming rules, one home for the derive's compile-time checks, the pre-send checks and
//! the memory backend.

/// The largest item, names and values together, in bytes (400 KB).
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;
/// Most levels of an item: an attribute's value counts one, each list or map around it one more.
pub(crate) const MAX_ITEM_DEPTH: usize = 32;
/// Most levels of an ExpressionAttributeValue: one more than an item attribute (it becomes an item's value only
/// when an update stores it, and is checked again then).
pub(crate) const MAX_VALUE_DEPTH: usize = MAX_ITEM_DEPTH + 1;
/// Most dereferences (`.name`, `[index]`) in a document path.
pub(crate) const MAX_PATH_DEPTH: usize = 32;
/// Longest UpdateExpression or ConditionExpression, in bytes.
pub(crate) const MAX_EXPRESSION_BYTES: usize = 4096;
/// Most operators and functions in one expression.
pub(crate) const MAX_OPERATORS: usize = 300;
/// Most operands of one `IN` (the `update!` / `condition!` macros check the same number at compile time).
pub(crate) const MAX_IN_OPERANDS: usize = 100;
/// Most significant digits of a number.
pub(crate) const MAX_DIGITS: u32 = 38;
/// Power of ten of the leading digit of the largest magnitude of a number (9.99..E+125).
pub(crate) const MAX_LEADING_POWER: i64 = 125;
/// Power of ten of the smallest magnitude of a number (1E-130).
pub(crate) const MIN_LEADING_POWER: i64 = -130;
/// Longest partition key value, in bytes.
pub(crate) const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Longest sort key value, in bytes.
pub(crate) const MAX_SORT_KEY_BYTES: usize = 1024;
/// Most actions of a TransactWriteItems request, and items of a TransactGetItems request.
pub(crate) const MAX_TRANSACTION_ACTIONS: usize = 100;
/// Largest payload of a transaction, in bytes (4 MB), and largest answer of a TransactGetItems request.
pub(crate) const MAX_TRANSACTION_BYTES: usize = 4 * 1024 * 1024;
/// Longest ClientRequestToken, in characters.
pub(crate) const MAX_TOKEN_CHARS: usize = 36;
/// Most writes of one BatchWriteItem request.
pub(crate) const MAX_BATCH_WRITES: usize = 25;
/// Most keys of one BatchGetItem request.
pub(crate) const MAX_BATCH_READS: usize = 100;

/// What is wrong with a table name that is too short or too long.
pub(crate) const TABLE_NAME_LENGTH: &str = "a DynamoDB table name has 3 to 255 characters";
/// What is wrong with a table name that holds a character DynamoDB does not allow.
pub(crate) const TABLE_NAME_CHARACTERS: &str = "a DynamoDB table name holds only letters, digits, `_`, `-` and `.`";

/// DynamoDB's rule for table names: 3 to 255 characters from `[a-zA-Z0-9_.-]`. The length is checked first.
pub(crate) const fn table_name(name: &str) -> Result<(), &'static str> {
    let bytes = name.as_bytes();
    let (mut characters, mut allowed, mut i) = (0, true, 0);
    while i < bytes.len() {
        let byte = bytes[i];
        // A UTF-8 continuation byte is not a character of its own.
        if byte & 0xC0 != 0x80 {
            characters += 1;
        }
        allowed &= byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.');
        i += 1;
    }
    if characters < 3 || characters > 255 {
        Err(TABLE_NAME_LENGTH)
    } else if !allowed {
        Err(TABLE_NAME_CHARACTERS)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_name_has_3_to_255_characters() {
        assert_eq!(table_name("ab"), Err(TABLE_NAME_LENGTH));
        assert_eq!(table_name(""), Err(TABLE_NAME_LENGTH));
        assert_eq!(table_name("abc"), Ok(()));
        assert_eq!(table_name(&"a".repeat(255)), Ok(()));
        assert_eq!(table_name(&"a".repeat(256)), Err(TABLE_NAME_LENGTH));
    }

    #[test]
    fn a_table_name_holds_letters_digits_underscores_dashes_and_dots() {
        for name in ["abcxyz", "ABCXYZ", "0123456789", "a_b", "a-b", "a.b", "My_table-2.0"] {
            assert_eq!(table_name(name), Ok(()), "{name}");
        }
        for name in ["a b", "a/b", "tablé", "表格名", "a:b", "a\0b"] {
            assert_eq!(table_name(name), Err(TABLE_NAME_CHARACTERS), "{name}");
        }
    }

    #[test]
    fn non_ascii_characters_count_once_each() {
        // Two characters of two bytes each: too short, not a matter of characters.
        assert_eq!(table_name("éé"), Err(TABLE_NAME_LENGTH));
        assert_eq!(table_name(&"é".repeat(255)), Err(TABLE_NAME_CHARACTERS));
    }
}
