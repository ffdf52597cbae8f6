//! Splits a DynamoDB expression into tokens the way DynamoDB's grammar does: keywords case-insensitive,
//! identifiers `[A-Za-z][A-Za-z0-9_]*`, `#name` and `:value` placeholders, list indexes `0` or `[1-9][0-9]*`,
//! and every other character a token of its own.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Comma,
    LParen,
    RParen,
    Dot,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    In,
    Between,
    Not,
    And,
    Or,
    Set,
    Add,
    Delete,
    Remove,
    /// A list index: `0` or digits not starting with `0`.
    Index,
    /// A bare identifier.
    Id,
    /// `#name`
    NameSub,
    /// `:value`
    ValueSub,
    /// Any other character.
    Unknown,
    /// The end of the expression.
    Eof,
}

/// One token: its kind and its byte range in the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The tokens of `text`, ending with [`TokenKind::Eof`]; whitespace separates tokens and is dropped.
pub(crate) fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let byte = bytes[at];
        let run = |from: usize, ok: fn(u8) -> bool| from + bytes[from..].iter().take_while(|b| ok(**b)).count();
        let (kind, end) = match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {
                at += 1;
                continue;
            }
            b',' => (TokenKind::Comma, at + 1),
            b'(' => (TokenKind::LParen, at + 1),
            b')' => (TokenKind::RParen, at + 1),
            b'.' => (TokenKind::Dot, at + 1),
            b'[' => (TokenKind::LBracket, at + 1),
            b']' => (TokenKind::RBracket, at + 1),
            b'=' => (TokenKind::Eq, at + 1),
            b'+' => (TokenKind::Plus, at + 1),
            b'-' => (TokenKind::Minus, at + 1),
            b'<' => match bytes.get(at + 1) {
                Some(b'>') => (TokenKind::Ne, at + 2),
                Some(b'=') => (TokenKind::Le, at + 2),
                _ => (TokenKind::Lt, at + 1),
            },
            b'>' => match bytes.get(at + 1) {
                Some(b'=') => (TokenKind::Ge, at + 2),
                _ => (TokenKind::Gt, at + 1),
            },
            b'0' => (TokenKind::Index, at + 1),
            b'1'..=b'9' => (TokenKind::Index, run(at, |b| b.is_ascii_digit())),
            b'#' | b':' if bytes.get(at + 1).copied().is_some_and(is_id_char) => {
                let kind = if byte == b'#' { TokenKind::NameSub } else { TokenKind::ValueSub };
                (kind, run(at + 1, is_id_char))
            }
            b if b.is_ascii_alphabetic() => {
                let end = run(at, is_id_char);
                (keyword(&text[at..end]).unwrap_or(TokenKind::Id), end)
            }
            _ => {
                // One character (not one byte) of anything else.
                let width = text[at..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Unknown, at + width)
            }
        };
        out.push(Token { kind, start, end });
        at = end;
    }
    out.push(Token { kind: TokenKind::Eof, start: bytes.len(), end: bytes.len() });
    out
}

fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The keyword an identifier spells, in any case.
fn keyword(word: &str) -> Option<TokenKind> {
    const KEYWORDS: [(&str, TokenKind); 9] = [
        ("IN", TokenKind::In),
        ("BETWEEN", TokenKind::Between),
        ("NOT", TokenKind::Not),
        ("AND", TokenKind::And),
        ("OR", TokenKind::Or),
        ("SET", TokenKind::Set),
        ("ADD", TokenKind::Add),
        ("DELETE", TokenKind::Delete),
        ("REMOVE", TokenKind::Remove),
    ];
    KEYWORDS.iter().find(|(k, _)| k.eq_ignore_ascii_case(word)).map(|(_, kind)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text).into_iter().map(|t| (t.kind, &text[t.start..t.end])).collect()
    }

    #[test]
    fn splits_like_dynamodb() {
        use TokenKind::*;
        assert_eq!(
            kinds("set #a=:v_1,b[10]<>x.Y"),
            [
                (Set, "set"),
                (NameSub, "#a"),
                (Eq, "="),
                (ValueSub, ":v_1"),
                (Comma, ","),
                (Id, "b"),
                (LBracket, "["),
                (Index, "10"),
                (RBracket, "]"),
                (Ne, "<>"),
                (Id, "x"),
                (Dot, "."),
                (Id, "Y"),
                (Eof, "")
            ]
        );
        assert_eq!(kinds("01")[..2], [(Index, "0"), (Index, "1")]);
        assert_eq!(kinds("_a")[..2], [(Unknown, "_"), (Id, "a")]);
        assert_eq!(kinds("# :")[..2], [(Unknown, "#"), (Unknown, ":")]);
        assert_eq!(kinds("SETx andy AnD")[..3], [(Id, "SETx"), (Id, "andy"), (And, "AnD")]);
        assert_eq!(
            kinds("a>=b<=c!é")[..7],
            [(Id, "a"), (Ge, ">="), (Id, "b"), (Le, "<="), (Id, "c"), (Unknown, "!"), (Unknown, "é")]
        );
    }
}
