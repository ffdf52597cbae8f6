//! Parses DynamoDB UpdateExpression and ConditionExpression strings into a syntax tree, reporting syntax
//! errors, redundant parentheses, reserved words, misplaced functions and repeated sections as DynamoDB does.
//!
//! The result depends on the expression text alone (not on the placeholder maps), so it is cached.

use super::lexer::{Token, TokenKind, tokens};
use super::reserved::is_reserved;

/// An error message in DynamoDB's format: `base;` or `base; key: value, key: value`.
pub(crate) fn message(base: &str, params: &[(&str, &str)]) -> String {
    let params: Vec<String> = params.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    if params.is_empty() { format!("{base};") } else { format!("{base}; {}", params.join(", ")) }
}

/// A placeholder of an expression: its index in the expression's [`UsedPlaceholders`], where each distinct
/// placeholder appears once, so that a request looks each one up once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlaceholderSlot(pub(crate) usize);

/// A name in a document path: a bare identifier or a `#name` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Name {
    Bare(Box<str>),
    Placeholder(PlaceholderSlot),
}

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathElement {
    /// `name`, `#name`, or `.name` into a map.
    Name(Name),
    /// `[index]` into a list.
    Index(u32),
    /// An index beyond DynamoDB's range, as written; refused when the tree is built.
    BadIndex(Box<str>),
    /// `.:value`, which the grammar accepts and DynamoDB then fails on.
    Value(PlaceholderSlot),
}

/// A document path: a top-level name followed by map keys and list indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Path(pub(crate) Vec<PathElement>);

/// The functions of DynamoDB expressions (names are case-sensitive); `Unknown` keeps an unknown name for its error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Func {
    IfNotExists,
    ListAppend,
    Size,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Contains,
    Unknown(Box<str>),
}

impl Func {
    fn named(name: &str) -> Func {
        match name {
            "if_not_exists" => Func::IfNotExists,
            "list_append" => Func::ListAppend,
            "size" => Func::Size,
            "attribute_exists" => Func::AttributeExists,
            "attribute_not_exists" => Func::AttributeNotExists,
            "attribute_type" => Func::AttributeType,
            "begins_with" => Func::BeginsWith,
            "contains" => Func::Contains,
            other => Func::Unknown(other.into()),
        }
    }

    /// The name as written.
    pub(crate) fn name(&self) -> &str {
        match self {
            Func::IfNotExists => "if_not_exists",
            Func::ListAppend => "list_append",
            Func::Size => "size",
            Func::AttributeExists => "attribute_exists",
            Func::AttributeNotExists => "attribute_not_exists",
            Func::AttributeType => "attribute_type",
            Func::BeginsWith => "begins_with",
            Func::Contains => "contains",
            Func::Unknown(name) => name,
        }
    }

    /// Whether the function is a condition (true or false) rather than a value.
    fn is_condition(&self) -> bool {
        matches!(
            self,
            Func::AttributeExists | Func::AttributeNotExists | Func::AttributeType | Func::BeginsWith | Func::Contains
        )
    }
}

/// An operand in an expression (a value, not a condition): a node of the syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OperandNode {
    /// An attribute of the item.
    Path(Path),
    /// A `:value` placeholder.
    Value(PlaceholderSlot),
    /// A function call.
    Call(Func, Vec<OperandNode>),
}

/// The right-hand side of a SET action.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SetValue {
    Operand(OperandNode),
    Plus(OperandNode, OperandNode),
    Minus(OperandNode, OperandNode),
}

/// What an update action does to its path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UpdateActionKind {
    Set(SetValue),
    Remove,
    /// `ADD path :value`
    Add(PlaceholderSlot),
    /// `DELETE path :value`
    Delete(PlaceholderSlot),
}

/// One action of an UpdateExpression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UpdateAction {
    pub(crate) path: Path,
    pub(crate) kind: UpdateActionKind,
}

/// `=`, `<>`, `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    /// The operator as DynamoDB names it in errors.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A ConditionExpression or a part of one: a node of the syntax tree that is true or false.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConditionNode {
    Compare(Comparator, OperandNode, OperandNode),
    Between(OperandNode, OperandNode, OperandNode),
    In(OperandNode, Vec<OperandNode>),
    Call(Func, Vec<OperandNode>),
    Not(Box<ConditionNode>),
    And(Box<ConditionNode>, Box<ConditionNode>),
    Or(Box<ConditionNode>, Box<ConditionNode>),
}

impl ConditionNode {
    /// The operands of a leaf (a comparison, BETWEEN, IN or a function) in the order they are written; none for
    /// NOT, AND and OR.
    pub(crate) fn operands(&self) -> Vec<&OperandNode> {
        match self {
            ConditionNode::Compare(_, a, b) => vec![a, b],
            ConditionNode::Between(a, low, high) => vec![a, low, high],
            ConditionNode::In(a, list) => std::iter::once(a).chain(list).collect(),
            ConditionNode::Call(_, args) => args.iter().collect(),
            ConditionNode::Not(_) | ConditionNode::And(..) | ConditionNode::Or(..) => Vec::new(),
        }
    }
}

/// The distinct placeholders an expression uses, in the order they first appear; [`PlaceholderSlot`]s index them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UsedPlaceholders {
    pub(crate) names: Vec<Box<str>>,
    pub(crate) values: Vec<Box<str>>,
}

impl UsedPlaceholders {
    fn slot(list: &mut Vec<Box<str>>, text: &str) -> PlaceholderSlot {
        match list.iter().position(|known| &**known == text) {
            Some(index) => PlaceholderSlot(index),
            None => {
                list.push(text.into());
                PlaceholderSlot(list.len() - 1)
            }
        }
    }
}

/// A parsed UpdateExpression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UpdateExpr {
    /// The actions in the order they are written.
    pub(crate) actions: Vec<UpdateAction>,
    pub(crate) placeholders: UsedPlaceholders,
}

/// A parsed ConditionExpression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConditionExpr {
    pub(crate) root: ConditionNode,
    pub(crate) placeholders: UsedPlaceholders,
}

/// Largest list index DynamoDB accepts in a path.
const MAX_INDEX: u32 = i32::MAX as u32;

/// Deepest nesting of parentheses, `NOT`s and function calls the parser follows. DynamoDB has no such limit,
/// but an expression of at most 4096 bytes that nests this deep is never a real one, and the parser recurses.
const MAX_NESTING: usize = 256;

/// Parses an UpdateExpression; the error is DynamoDB's message without the `Invalid UpdateExpression: ` prefix.
pub(crate) fn update(text: &str) -> Result<UpdateExpr, String> {
    let mut parser = Parser::new(text)?;
    let mut actions = Vec::new();
    let mut sections = Vec::new();
    loop {
        let section = parser.peek();
        if !matches!(section, TokenKind::Set | TokenKind::Remove | TokenKind::Add | TokenKind::Delete) {
            return Err(parser.syntax_error());
        }
        parser.bump();
        sections.push((section, parser.text(parser.at - 1).to_ascii_uppercase()));
        loop {
            let path = parser.path()?;
            let kind = match section {
                TokenKind::Set => {
                    parser.expect(TokenKind::Eq)?;
                    UpdateActionKind::Set(parser.set_value()?)
                }
                TokenKind::Remove => UpdateActionKind::Remove,
                TokenKind::Add => UpdateActionKind::Add(parser.value()?),
                _ => UpdateActionKind::Delete(parser.value()?),
            };
            actions.push(UpdateAction { path, kind });
            if !parser.eat(TokenKind::Comma) {
                break;
            }
        }
        if parser.peek() == TokenKind::Eof {
            break;
        }
    }
    let placeholders = parser.placeholders;
    for action in &actions {
        check_path(&action.path)?;
        match &action.kind {
            UpdateActionKind::Set(SetValue::Operand(operand)) => check_update_operand(operand, Position::Whole)?,
            UpdateActionKind::Set(SetValue::Plus(a, b) | SetValue::Minus(a, b)) => {
                check_update_operand(a, Position::Operand)?;
                check_update_operand(b, Position::Operand)?;
            }
            _ => {}
        }
    }
    for (i, (kind, keyword)) in sections.iter().enumerate() {
        if sections[..i].iter().any(|(earlier, _)| earlier == kind) {
            return Err(message(
                &format!("The \"{keyword}\" section can only be used once in an update expression"),
                &[],
            ));
        }
    }
    Ok(UpdateExpr { actions, placeholders })
}

/// Parses a ConditionExpression; the error is DynamoDB's message without the `Invalid ConditionExpression: `
/// prefix.
pub(crate) fn condition(text: &str) -> Result<ConditionExpr, String> {
    let mut parser = Parser::new(text)?;
    let unit = parser.or()?;
    let root = parser.as_condition(unit)?;
    if parser.peek() != TokenKind::Eof {
        return Err(parser.syntax_error());
    }
    check_condition(&root)?;
    Ok(ConditionExpr { root, placeholders: parser.placeholders })
}

/// A parsed piece of a condition that may still be an operand (`a` in `a = :v`, or `(a)`), and whether it was
/// written in parentheses.
enum Unit {
    Condition(ConditionNode, bool),
    Operand(OperandNode, bool),
}

/// A parsed SET right-hand side and whether it was written in parentheses.
struct ValueUnit {
    value: SetValue,
    parenthesized: bool,
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    placeholders: UsedPlaceholders,
    depth: usize,
    /// Open scopes in which redundant parentheses are reported only if the scope parses (see [`Self::deferring`]).
    deferring: usize,
    /// Redundant parentheses found in an open scope.
    redundant: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Result<Self, String> {
        if text.is_empty() {
            return Err(message("The expression can not be empty", &[]));
        }
        Ok(Parser {
            text,
            tokens: tokens(text),
            at: 0,
            placeholders: UsedPlaceholders::default(),
            depth: 0,
            deferring: 0,
            redundant: false,
        })
    }

    fn token(&self, index: usize) -> Token {
        // The last token is always Eof; never index past it.
        self.tokens[index.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> TokenKind {
        self.token(self.at).kind
    }

    fn peek_at(&self, offset: usize) -> TokenKind {
        self.token(self.at + offset).kind
    }

    fn text(&self, index: usize) -> &'a str {
        let token = self.token(index);
        &self.text[token.start..token.end]
    }

    fn bump(&mut self) {
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        let matched = self.peek() == kind;
        if matched {
            self.bump();
        }
        matched
    }

    fn expect(&mut self, kind: TokenKind) -> Result<(), String> {
        if self.eat(kind) { Ok(()) } else { Err(self.syntax_error()) }
    }

    /// DynamoDB's syntax error at the current token: the token, and the text from the previous token to the next.
    fn syntax_error(&self) -> String {
        let current = self.token(self.at);
        let start = if self.at == 0 { 0 } else { self.token(self.at - 1).start };
        let (shown, end) = if current.kind == TokenKind::Eof {
            ("<EOF>", self.text.len())
        } else {
            (&self.text[current.start..current.end], self.token(self.at + 1).end)
        };
        let near = &self.text[start..end.max(start)];
        message("Syntax error", &[("token", &format!("\"{shown}\"")), ("near", &format!("\"{near}\""))])
    }

    /// Follows one more level of nesting; see [`MAX_NESTING`].
    fn nest<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        if self.depth >= MAX_NESTING {
            return Err(message("The expression is nested too deeply", &[("nesting levels", &self.depth.to_string())]));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn redundant_parentheses() -> String {
        message("The expression has redundant parentheses", &[])
    }

    /// Redundant parentheses: an error now, or when the open deferring scope ends.
    fn redundant(&mut self) -> Result<(), String> {
        if self.deferring > 0 {
            self.redundant = true;
            Ok(())
        } else {
            Err(Self::redundant_parentheses())
        }
    }

    /// Parses a part that DynamoDB's parser reads ahead through before deciding what it is (a SET value, the
    /// arguments of a function): a syntax error anywhere in it is reported before redundant parentheses in it.
    fn deferring<T>(&mut self, parse: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        self.deferring += 1;
        let result = parse(self);
        self.deferring -= 1;
        match result {
            Ok(_) if self.deferring == 0 && self.redundant => Err(Self::redundant_parentheses()),
            result => result,
        }
    }

    /// `name`, `#name`: the first element of a path or the key after a dot.
    fn name(&mut self) -> Result<Name, String> {
        let name = match self.peek() {
            TokenKind::Id => Name::Bare(self.text(self.at).into()),
            TokenKind::NameSub => {
                let text = self.text(self.at);
                Name::Placeholder(UsedPlaceholders::slot(&mut self.placeholders.names, text))
            }
            _ => return Err(self.syntax_error()),
        };
        self.bump();
        Ok(name)
    }

    fn path(&mut self) -> Result<Path, String> {
        let mut elements = vec![PathElement::Name(self.name()?)];
        loop {
            match self.peek() {
                TokenKind::Dot if self.peek_at(1) == TokenKind::ValueSub => {
                    self.bump();
                    elements.push(PathElement::Value(self.value()?));
                }
                TokenKind::Dot => {
                    self.bump();
                    elements.push(PathElement::Name(self.name()?));
                }
                TokenKind::LBracket => {
                    self.bump();
                    if self.peek() != TokenKind::Index {
                        return Err(self.syntax_error());
                    }
                    let digits = self.text(self.at);
                    let element = match digits.parse::<u32>() {
                        Ok(index) if index <= MAX_INDEX => PathElement::Index(index),
                        _ => PathElement::BadIndex(digits.into()),
                    };
                    self.bump();
                    self.expect(TokenKind::RBracket)?;
                    elements.push(element);
                }
                _ => return Ok(Path(elements)),
            }
        }
    }

    /// `:value`
    fn value(&mut self) -> Result<PlaceholderSlot, String> {
        if self.peek() != TokenKind::ValueSub {
            return Err(self.syntax_error());
        }
        let text = self.text(self.at);
        let slot = UsedPlaceholders::slot(&mut self.placeholders.values, text);
        self.bump();
        Ok(slot)
    }

    /// An operand: a path, a value, a function call, or an operand in parentheses.
    fn operand(&mut self) -> Result<OperandNode, String> {
        Ok(self.operand_unit()?.0)
    }

    /// An operand and whether it was written in parentheses.
    fn operand_unit(&mut self) -> Result<(OperandNode, bool), String> {
        match self.peek() {
            TokenKind::LParen => {
                self.bump();
                let (inner, parenthesized) = self.nest(Self::operand_unit)?;
                self.expect(TokenKind::RParen)?;
                if parenthesized {
                    self.redundant()?;
                }
                Ok((inner, true))
            }
            TokenKind::ValueSub => Ok((OperandNode::Value(self.value()?), false)),
            TokenKind::Id if self.peek_at(1) == TokenKind::LParen => {
                let func = Func::named(self.text(self.at));
                self.bump();
                self.bump();
                let args = self.deferring(|p| {
                    let args = p.nest(|p| {
                        let mut args = vec![p.operand()?];
                        while p.eat(TokenKind::Comma) {
                            args.push(p.operand()?);
                        }
                        Ok(args)
                    })?;
                    p.expect(TokenKind::RParen)?;
                    Ok(args)
                })?;
                Ok((OperandNode::Call(func, args), false))
            }
            _ => Ok((OperandNode::Path(self.path()?), false)),
        }
    }

    /// The right-hand side of `SET path = ...`: an operand or `operand + operand` / `operand - operand`, either
    /// possibly in parentheses.
    fn set_value(&mut self) -> Result<SetValue, String> {
        Ok(self.deferring(Self::value_unit)?.value)
    }

    fn value_unit(&mut self) -> Result<ValueUnit, String> {
        let (first, parenthesized) = if self.peek() == TokenKind::LParen {
            self.bump();
            let inner = self.nest(Self::value_unit)?;
            self.expect(TokenKind::RParen)?;
            if inner.parenthesized {
                self.redundant()?;
            }
            match inner.value {
                SetValue::Operand(operand) => (operand, true),
                arithmetic => return Ok(ValueUnit { value: arithmetic, parenthesized: true }),
            }
        } else {
            (self.operand()?, false)
        };
        let value = match self.peek() {
            TokenKind::Plus => {
                self.bump();
                SetValue::Plus(first, self.operand()?)
            }
            TokenKind::Minus => {
                self.bump();
                SetValue::Minus(first, self.operand()?)
            }
            _ => return Ok(ValueUnit { value: SetValue::Operand(first), parenthesized }),
        };
        Ok(ValueUnit { value, parenthesized: false })
    }

    /// `or := and (OR and)*`
    fn or(&mut self) -> Result<Unit, String> {
        self.chain(TokenKind::Or, Self::and, ConditionNode::Or)
    }

    /// `and := not (AND not)*`
    fn and(&mut self) -> Result<Unit, String> {
        self.chain(TokenKind::And, Self::not, ConditionNode::And)
    }

    /// `operand (keyword operand)*`, grouped to the left.
    fn chain(
        &mut self,
        keyword: TokenKind,
        operand: fn(&mut Self) -> Result<Unit, String>,
        join: fn(Box<ConditionNode>, Box<ConditionNode>) -> ConditionNode,
    ) -> Result<Unit, String> {
        let mut left = operand(self)?;
        while self.peek() == keyword {
            let a = self.as_condition(left)?;
            self.bump();
            let b = operand(self)?;
            let b = self.as_condition(b)?;
            left = Unit::Condition(join(Box::new(a), Box::new(b)), false);
        }
        Ok(left)
    }

    /// `not := NOT not | term`
    fn not(&mut self) -> Result<Unit, String> {
        if self.eat(TokenKind::Not) {
            let inner = self.nest(Self::not)?;
            let inner = self.as_condition(inner)?;
            return Ok(Unit::Condition(ConditionNode::Not(Box::new(inner)), false));
        }
        self.term()
    }

    /// A comparison, BETWEEN, IN, function, or a parenthesised group; an operand not followed by any of
    /// these is returned as it is for the caller to judge.
    fn term(&mut self) -> Result<Unit, String> {
        let (left, parenthesized) = if self.peek() == TokenKind::LParen {
            self.bump();
            let inner = self.nest(Self::or)?;
            self.expect(TokenKind::RParen)?;
            if matches!(inner, Unit::Condition(_, true) | Unit::Operand(_, true)) {
                self.redundant()?;
            }
            match inner {
                Unit::Condition(condition, _) => return Ok(Unit::Condition(condition, true)),
                Unit::Operand(operand, _) => (operand, true),
            }
        } else {
            (self.operand()?, false)
        };
        let comparator = match self.peek() {
            TokenKind::Eq => Comparator::Eq,
            TokenKind::Ne => Comparator::Ne,
            TokenKind::Lt => Comparator::Lt,
            TokenKind::Le => Comparator::Le,
            TokenKind::Gt => Comparator::Gt,
            TokenKind::Ge => Comparator::Ge,
            TokenKind::Between => {
                self.bump();
                let low = self.operand()?;
                self.expect(TokenKind::And)?;
                let high = self.operand()?;
                return Ok(Unit::Condition(ConditionNode::Between(left, low, high), false));
            }
            TokenKind::In => {
                self.bump();
                self.expect(TokenKind::LParen)?;
                let mut list = vec![self.operand()?];
                while self.eat(TokenKind::Comma) {
                    list.push(self.operand()?);
                }
                self.expect(TokenKind::RParen)?;
                return Ok(Unit::Condition(ConditionNode::In(left, list), false));
            }
            _ => return Ok(Unit::Operand(left, parenthesized)),
        };
        self.bump();
        let right = self.operand()?;
        Ok(Unit::Condition(ConditionNode::Compare(comparator, left, right), false))
    }

    /// A unit used as a condition: a function call stands for itself; any other operand is a syntax error at
    /// the token after it.
    fn as_condition(&self, unit: Unit) -> Result<ConditionNode, String> {
        match unit {
            Unit::Condition(condition, _) => Ok(condition),
            Unit::Operand(OperandNode::Call(func, args), _) => Ok(ConditionNode::Call(func, args)),
            Unit::Operand(..) => Err(self.syntax_error()),
        }
    }
}

/// Checks the names and indexes of a path: reserved words and list indexes out of range.
fn check_path(path: &Path) -> Result<(), String> {
    for element in &path.0 {
        match element {
            PathElement::Name(Name::Bare(name)) if is_reserved(name) => {
                return Err(message("Attribute name is a reserved keyword", &[("reserved keyword", name)]));
            }
            PathElement::BadIndex(index) => {
                let index = format!("[{index}]");
                return Err(message("List index is not within the allowable range", &[("index", &index)]));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The error for a function DynamoDB does not know.
fn unknown_function(func: &Func) -> Result<(), String> {
    match func {
        Func::Unknown(name) => Err(message("Invalid function name", &[("function", name)])),
        _ => Ok(()),
    }
}

/// The error for a function used where its result does not fit.
fn misplaced(func: &Func) -> String {
    message("The function is not allowed to be used this way in an expression", &[("function", func.name())])
}

/// Where a function is written: as a whole (the value of a SET action, a condition), or as an operand of
/// something else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Whole,
    Operand,
}

/// Checks an operand of an update: only `if_not_exists` and `list_append` may be called, and `list_append`
/// only as the whole value of a SET action.
fn check_update_operand(operand: &OperandNode, position: Position) -> Result<(), String> {
    match operand {
        OperandNode::Path(path) => check_path(path),
        OperandNode::Value(_) => Ok(()),
        OperandNode::Call(func, args) => {
            unknown_function(func)?;
            if !matches!(func, Func::IfNotExists | Func::ListAppend) {
                return Err(message(
                    "The function is not allowed in an update expression",
                    &[("function", func.name())],
                ));
            }
            if *func == Func::ListAppend && position == Position::Operand {
                return Err(misplaced(func));
            }
            args.iter().try_for_each(|arg| check_update_operand(arg, Position::Operand))
        }
    }
}

/// Checks a function of a condition, written as a condition ([`Position::Whole`]) or as an operand.
fn check_condition_call(func: &Func, args: &[OperandNode], position: Position) -> Result<(), String> {
    unknown_function(func)?;
    if matches!(func, Func::IfNotExists | Func::ListAppend) {
        return Err(message("The function is not allowed in a condition expression", &[("function", func.name())]));
    }
    if func.is_condition() != (position == Position::Whole) {
        return Err(misplaced(func));
    }
    args.iter().try_for_each(check_condition_operand)
}

fn check_condition_operand(operand: &OperandNode) -> Result<(), String> {
    match operand {
        OperandNode::Path(path) => check_path(path),
        OperandNode::Value(_) => Ok(()),
        OperandNode::Call(func, args) => check_condition_call(func, args, Position::Operand),
    }
}

/// Checks a condition in the order it is written.
fn check_condition(condition: &ConditionNode) -> Result<(), String> {
    match condition {
        ConditionNode::Compare(_, a, b) => [a, b].into_iter().try_for_each(check_condition_operand),
        ConditionNode::Between(a, b, c) => [a, b, c].into_iter().try_for_each(check_condition_operand),
        ConditionNode::In(a, list) => std::iter::once(a).chain(list).try_for_each(check_condition_operand),
        ConditionNode::Call(func, args) => check_condition_call(func, args, Position::Whole),
        ConditionNode::Not(inner) => check_condition(inner),
        ConditionNode::And(a, b) | ConditionNode::Or(a, b) => {
            check_condition(a)?;
            check_condition(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update_error(text: &str) -> String {
        update(text).expect_err(text)
    }

    fn condition_error(text: &str) -> String {
        condition(text).expect_err(text)
    }

    fn path(names: &[&str]) -> Path {
        Path(names.iter().map(|n| PathElement::Name(Name::Bare((*n).into()))).collect())
    }

    #[test]
    fn parses_every_clause_in_any_order_and_case() {
        let parsed =
            update("remove b, c.d[2] set a = :v, #x = if_not_exists(#x, :z) + :w ADD s :s DELETE t :t").unwrap();
        assert_eq!(parsed.actions.len(), 6);
        assert_eq!(parsed.actions[0], UpdateAction { path: path(&["b"]), kind: UpdateActionKind::Remove });
        let cd2 = Path(vec![
            PathElement::Name(Name::Bare("c".into())),
            PathElement::Name(Name::Bare("d".into())),
            PathElement::Index(2),
        ]);
        assert_eq!(parsed.actions[1].path, cd2);
        let UpdateActionKind::Set(SetValue::Plus(OperandNode::Call(Func::IfNotExists, args), OperandNode::Value(w))) =
            &parsed.actions[3].kind
        else {
            panic!("{:?}", parsed.actions[3]);
        };
        assert_eq!((args.len(), &*parsed.placeholders.values[w.0]), (2, ":w"));
        assert_eq!(parsed.actions[4].kind, UpdateActionKind::Add(PlaceholderSlot(3)));
        assert_eq!(parsed.placeholders.names, [Box::<str>::from("#x")], "each placeholder once");
        assert_eq!(parsed.placeholders.values.len(), 5);
    }

    #[test]
    fn syntax_errors_name_the_token_and_its_neighbours() {
        let cases = [
            ("SET a = :v,", "<EOF>", ","),
            ("SET a :v", ":v", "a :v"),
            ("SET a = ", "<EOF>", "= "),
            ("SET", "<EOF>", "SET"),
            (" ", "<EOF>", " "),
            ("SET a = :v + :v + :v", "+", ":v + :v"),
            ("SET a[01] = :v", "1", "01]"),
            ("SET a[-1] = :v", "-", "[-1"),
            ("SET 1a = :v", "1", "SET 1a"),
            ("SET _a = :v", "_", "SET _a"),
            ("SET a = :v, REMOVE b", "REMOVE", ", REMOVE b"),
            ("ADD a b", "b", "a b"),
            ("SET a = -:v", "-", "= -:v"),
            ("SET a = :v.b", ".", ":v.b"),
            (") = :v", ")", ") ="),
        ];
        let syntax = |token: &str, near: &str| format!("Syntax error; token: \"{token}\", near: \"{near}\"");
        for (text, token, near) in cases {
            assert_eq!(update_error(text), syntax(token, near), "{text}");
        }
        let cases = [
            ("a", "<EOF>", "a"),
            ("a IN :v", ":v", "IN :v"),
            ("a IN ()", ")", "()"),
            ("a = :v AND AND", "AND", "AND AND"),
            ("a != :v", "!", "a !="),
            ("a == :v", "=", "== :v"),
            ("(a = :v", "<EOF>", ":v"),
            ("a = :v)", ")", ":v)"),
            ("a + :v = :v", "+", "a + :v"),
            ("  ) = :v", ")", "  ) ="),
            ("a = :v )  b  c", ")", ":v )  b"),
        ];
        for (text, token, near) in cases {
            assert_eq!(condition_error(text), syntax(token, near), "{text}");
        }
        assert_eq!(update_error(""), "The expression can not be empty;");
    }

    #[test]
    fn redundant_parentheses_are_refused() {
        for text in
            ["((a = :v))", "(((a = :v)))", "NOT ((a = :v))", "a = :v AND ((b = :v))", "((a)) = :v", "a IN (((:v)), b)"]
        {
            assert_eq!(condition_error(text), "The expression has redundant parentheses;", "{text}");
        }
        for text in
            ["(a = :v)", "((a) = :v)", "(a) = (:v)", "((a = :v) AND b = :v)", "a IN ((:v), b)", "attribute_exists((a))"]
        {
            assert!(condition(text).is_ok(), "{text}");
        }
        for text in ["SET a = ((:v))", "SET a = ((:v + :v))", "SET a = (((:v)))"] {
            assert_eq!(update_error(text), "The expression has redundant parentheses;", "{text}");
        }
        for text in ["SET a = (:v)", "SET a = (:v + :v)", "SET a = (:v) + (:v)", "SET a = :v - (:v)"] {
            assert!(update(text).is_ok(), "{text}");
        }
        // DynamoDB reads a SET value, or a function's arguments, to their end before it sees redundant
        // parentheses in them, so a syntax error there comes first; after them, it does not.
        assert!(update_error("SET a = list_append(((:v)), list_append(l, ").starts_with("Syntax error"));
        assert_eq!(update_error("SET a = ((:v)), b = foo("), "The expression has redundant parentheses;");
        assert!(condition_error("contains(((a)), ").starts_with("Syntax error"));
        assert_eq!(condition_error("a = ((:v)) AND b = "), "The expression has redundant parentheses;");
    }

    #[test]
    fn precedence_is_not_and_or() {
        let parsed = condition("a = :v and b = :v or not c = :v AND d = :v").unwrap().root;
        let ConditionNode::Or(left, right) = parsed else { panic!("{parsed:?}") };
        assert!(matches!(*left, ConditionNode::And(..)));
        let ConditionNode::And(not, _) = *right else { panic!("{right:?}") };
        assert!(matches!(*not, ConditionNode::Not(_)));
        assert!(matches!(condition("a BETWEEN :a AND :b AND c = :v").unwrap().root, ConditionNode::And(..)));
    }

    #[test]
    fn build_errors_follow_dynamodb() {
        assert_eq!(update_error("SET status = :v"), "Attribute name is a reserved keyword; reserved keyword: status");
        assert_eq!(condition_error("a.Name = :v"), "Attribute name is a reserved keyword; reserved keyword: Name");
        assert_eq!(update_error("SET a = foo(:v)"), "Invalid function name; function: foo");
        assert_eq!(update_error("SET a = IF_NOT_EXISTS(a, :v)"), "Invalid function name; function: IF_NOT_EXISTS");
        assert_eq!(
            update_error("SET a = size(b)"),
            "The function is not allowed in an update expression; function: size"
        );
        assert_eq!(
            condition_error("if_not_exists(a, :v) = :v"),
            "The function is not allowed in a condition expression; function: if_not_exists"
        );
        assert_eq!(
            condition_error("size(a)"),
            "The function is not allowed to be used this way in an expression; function: size"
        );
        assert_eq!(
            condition_error("attribute_exists(a) = :v"),
            "The function is not allowed to be used this way in an expression; function: attribute_exists"
        );
        assert_eq!(
            update_error("SET a = :v SET b = :v"),
            "The \"SET\" section can only be used once in an update expression;"
        );
        assert_eq!(
            update_error("remove a REMOVE b"),
            "The \"REMOVE\" section can only be used once in an update expression;"
        );
        // Reserved words and functions are checked before repeated sections, in the order they are written.
        assert_eq!(
            update_error("SET a = :v SET status = :v"),
            "Attribute name is a reserved keyword; reserved keyword: status"
        );
        assert_eq!(
            update_error("SET a[99999999999999999999] = :v"),
            "List index is not within the allowable range; index: [99999999999999999999]"
        );
        // Syntax errors come before everything else.
        assert!(condition_error("foo(a) AND a = ").starts_with("Syntax error"));
    }
}
