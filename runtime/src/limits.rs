//! DynamoDB's limits and naming rules, one home for the derive's compile-time checks, the pre-send checks and
//! the memory backend.

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
