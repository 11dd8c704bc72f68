//! Rule conditions: CEL (the `cel` crate) over a documented attribute schema, checked when a
//! rule is written because the crate has neither a type checker nor a cost limit.
//!
//! The checker ([`check`]) parses with a bounded recursion depth, then walks the expression:
//! every identifier must be an attribute of [`ATTRIBUTES`] (or a comprehension's variable),
//! every function one of [`FUNCTIONS`], every operator applied to the types it takes, a
//! comparison of an attribute with a fixed set of values to one of them, and the whole a
//! `bool`. The cost is bounded statically: source size, node count, depth, comprehension
//! nesting (one level, over lists only: there are no maps, whose order is not stable), list
//! literal size. A refusal is [`crate::kernel::error::Error::InvalidCondition`] with the line
//! and column and the reason.
//!
//! Evaluation rewrites each `root.field` to one flat variable the evaluator resolves from the
//! facts at hand, so no map is built per hub. `now` is the triggering event's time: there is
//! no clock, and a replay decides the same.

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, LiteralValue, SelectExpr};
use cel::objects::Value;
use chrono::{DateTime, Utc};

use crate::kernel::error::Error;

/// The longest condition, in bytes.
pub const MAX_CONDITION_BYTES: usize = 2048;
/// The most nodes of a parsed condition (each literal, name, operator and call is one).
pub const MAX_CONDITION_NODES: usize = 256;
/// The deepest nesting of a condition.
pub const MAX_CONDITION_DEPTH: usize = 24;
/// Comprehensions (`all`, `exists`, `exists_one`, `filter`, `map`) inside one another: none.
pub const MAX_COMPREHENSION_NESTING: usize = 1;
/// Elements of one list literal.
pub const MAX_LIST_LITERAL: usize = 64;

/// The type of a value in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Int,
    Double,
    String,
    /// A firmware version, ordered as numbers where its parts are (`version("2.10") >
    /// version("2.9")`); a distinct type, so that it is never compared with a plain string.
    Version,
    Timestamp,
    Duration,
    List(Box<Ty>),
    /// The element of an empty list literal: unifies with anything.
    Any,
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Double => f.write_str("double"),
            Ty::String => f.write_str("string"),
            Ty::Version => f.write_str("version"),
            Ty::Timestamp => f.write_str("timestamp"),
            Ty::Duration => f.write_str("duration"),
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Any => f.write_str("any"),
        }
    }
}

/// What an attribute describes, which decides where a condition can be worked out once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The hub's configuration set (its variant, firmware and HAN devices): a condition that
    /// reads nothing finer is worked out once per set, not per hub.
    Set,
    /// One hub (its dates, status, supply).
    Hub,
    /// The campaign the rule acts in.
    Campaign,
    /// The triggering event and its time.
    Trigger,
}

/// One attribute a condition may read.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Ty,
    pub level: Level,
    /// The only values it takes, where that is a fixed set (a comparison with another value
    /// could never hold, and is refused).
    pub values: &'static [&'static str],
    pub doc: &'static str,
}

const REGIONS: &[&str] = &["north", "central", "south"];
const SMI: &[&str] = &[
    "pending",
    "whitelisted",
    "installed_not_commissioned",
    "commissioned",
    "decommissioned",
    "withdrawn",
    "suspended",
    "recovery",
    "recovered",
];
const PHASES: &[&str] = &[
    "draft",
    "pilot",
    "mass_rollout",
    "completed",
    "suspended",
    "cancelled",
];
const TRIGGERS: &[&str] = &[
    "hub_installed",
    "hub_commissioned",
    "han_device_firmware_changed",
    "campaign_created",
    "campaign_phase_changed",
    "defect_flag_raised",
    "date_reached",
    "industry_trend",
];
const DEVICES: &[&str] = &["esme", "gsme", "ppmid", "hcalcs", "ihd", ""];
const ROLES: &[&str] = &["import", "gas"];

macro_rules! device_attributes {
    ($($kind:literal),*) => {
        [$(
            Attribute { name: concat!($kind, ".present"), ty: Ty::Bool, level: Level::Set, values: &[], doc: concat!("Whether the hub has an ", $kind, ".") },
            Attribute { name: concat!($kind, ".model"), ty: Ty::String, level: Level::Set, values: &[], doc: concat!("The ", $kind, "'s model (\"\" when absent).") },
            Attribute { name: concat!($kind, ".firmware"), ty: Ty::Version, level: Level::Set, values: &[], doc: concat!("The ", $kind, "'s firmware version (version(\"\") when absent).") },
        )*]
    };
}

/// Every attribute a condition may read (docs/rules.md lists them with examples).
pub fn attributes() -> &'static [Attribute] {
    static ALL: std::sync::OnceLock<Vec<Attribute>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = vec![
            Attribute { name: "hub.variant", ty: Ty::String, level: Level::Set, values: &[], doc: "The hub variant's id." },
            Attribute { name: "hub.firmware", ty: Ty::Version, level: Level::Set, values: &[], doc: "The hub's firmware version." },
            Attribute { name: "hub.region", ty: Ty::String, level: Level::Set, values: REGIONS, doc: "The hub's CSP region." },
            Attribute { name: "set.flagged_by_me", ty: Ty::Bool, level: Level::Set, values: &[], doc: "Whether the owner has an open defect flag on the hub's configuration set (or on its firmware)." },
            Attribute { name: "set.industry_share", ty: Ty::Double, level: Level::Set, values: &[], doc: "The set's hubs as a percentage of its variant's, industry-wide: the DCC's rules only (decision 18)." },
            Attribute { name: "hub.id", ty: Ty::String, level: Level::Hub, values: &[], doc: "The hub's GUID, upper case." },
            Attribute { name: "hub.smi_status", ty: Ty::String, level: Level::Hub, values: SMI, doc: "The hub's SMI status." },
            Attribute { name: "hub.installed", ty: Ty::Timestamp, level: Level::Hub, values: &[], doc: "The start of the hub's installation day (UTC)." },
            Attribute { name: "hub.commissioned", ty: Ty::Timestamp, level: Level::Hub, values: &[], doc: "The start of its commissioning day (UTC); 1970-01-01 when not commissioned." },
            Attribute { name: "hub.is_commissioned", ty: Ty::Bool, level: Level::Hub, values: &[], doc: "Whether the hub has a commissioning date." },
            Attribute { name: "hub.split_supply", ty: Ty::Bool, level: Level::Hub, values: &[], doc: "Whether its electricity and gas are supplied by different customers (never who)." },
            Attribute { name: "hub.protected", ty: Ty::Bool, level: Level::Hub, values: &[], doc: "Whether a supplier flagged the premises vulnerable or high risk (never which)." },
            Attribute { name: "hub.my_roles", ty: Ty::List(Box::new(Ty::String)), level: Level::Hub, values: ROLES, doc: "The owner's supply roles on the hub: \"import\", \"gas\"." },
            Attribute { name: "campaign.id", ty: Ty::String, level: Level::Campaign, values: &[], doc: "The campaign's id." },
            Attribute { name: "campaign.variant", ty: Ty::String, level: Level::Campaign, values: &[], doc: "The campaign's hub variant." },
            Attribute { name: "campaign.target", ty: Ty::Version, level: Level::Campaign, values: &[], doc: "The campaign's target firmware version." },
            Attribute { name: "campaign.phase", ty: Ty::String, level: Level::Campaign, values: PHASES, doc: "The campaign's phase." },
            Attribute { name: "trigger.kind", ty: Ty::String, level: Level::Trigger, values: TRIGGERS, doc: "What set the rule off." },
            Attribute { name: "trigger.device", ty: Ty::String, level: Level::Trigger, values: DEVICES, doc: "The HAN device whose firmware changed (\"\" for other triggers)." },
            Attribute { name: "trigger.phase", ty: Ty::String, level: Level::Trigger, values: PHASES, doc: "The phase a campaign moved to (\"draft\" for other triggers)." },
            Attribute { name: "now", ty: Ty::Timestamp, level: Level::Trigger, values: &[], doc: "The triggering event's time (there is no clock)." },
        ];
        all.extend(device_attributes!("esme", "gsme", "ppmid", "hcalcs", "ihd"));
        all
    })
}

/// The functions and methods a condition may call, with what they take and give.
pub const FUNCTIONS: &[(&str, &str)] = &[
    (
        "version(string) -> version",
        "A firmware version from its text: `version(\"2.0\") <= esme.firmware`.",
    ),
    (
        "days(int) -> duration",
        "A number of days: `now - hub.commissioned >= days(30)`.",
    ),
    (
        "duration(string) -> duration",
        "A duration in CEL's form: `duration(\"36h\")`.",
    ),
    (
        "timestamp(string) -> timestamp",
        "A time in RFC 3339: `now >= timestamp(\"2027-01-01T00:00:00Z\")`.",
    ),
    (
        "size(string | list) -> int",
        "Characters of a string, elements of a list.",
    ),
    ("string.contains(string) -> bool", "Substring test."),
    ("string.startsWith(string) -> bool", "Prefix test."),
    ("string.endsWith(string) -> bool", "Suffix test."),
    (
        "list.all(x, p), exists, exists_one, filter, map",
        "Comprehensions over a list (one level).",
    ),
];

/// A checked condition, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The rewritten expression (`root.field` as one variable); `None`: always true.
    expr: Option<Arc<IdedExpr>>,
    /// The finest level it reads.
    pub level: Level,
    /// Whether it reads a campaign's attributes (if not, one answer serves every campaign).
    pub reads_campaign: bool,
}

impl Condition {
    /// A condition that always holds (the empty text).
    pub fn always() -> Condition {
        Condition {
            expr: None,
            level: Level::Set,
            reads_campaign: false,
        }
    }

    /// Whether it holds for `facts`. An error while evaluating (an index out of range, a
    /// division by zero, an overflow) is returned: the rule does not act, and the dry run
    /// shows why.
    pub fn holds(&self, facts: &dyn Facts) -> Result<bool, String> {
        let Some(expr) = &self.expr else {
            return Ok(true);
        };
        let root = root_context();
        let mut scope = root.new_inner_scope();
        let resolver = Resolver(facts);
        scope.set_variable_resolver(&resolver);
        // A defect of the evaluator (cel 0.14.5 panics on `-(-9223372036854775808)` in a debug
        // build) must not fail the command that set the rule off: one party's rule never
        // degrades the others' commands. It is this evaluation's error instead.
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scope.resolve(expr)))
            .map_err(|_| "the evaluator failed on this condition".to_string())?;
        match answer {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("the condition gave {other:?}, not a bool")),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Evaluates `source` on the rules' own evaluator (the same parser with the same recursion
/// bound, the same root context and functions), with `bindings` as variables and none of the
/// checks of [`check`]: what the public cel-spec conformance tests run through
/// (`core/tests/cel_spec.rs`), since they exercise CEL beyond the rule language. Not for rules.
#[doc(hidden)]
pub fn evaluate_unchecked(
    source: &str,
    bindings: &HashMap<String, Value>,
) -> Result<Value, String> {
    nesting_bound(source).map_err(|e| e.to_string())?;
    let expr = cel::parser::Parser::new()
        .max_recursion_depth(96)
        .parse(source)
        .map_err(|e| format!("parse: {e}"))?;
    let root = root_context();
    let mut scope = root.new_inner_scope();
    for (name, value) in bindings {
        scope.add_variable_from_value(name.clone(), value.clone());
    }
    scope.resolve(&expr).map_err(|e| e.to_string())
}

/// The values of the attributes for one evaluation.
pub trait Facts: Sync {
    /// The value of attribute `name` (one of [`attributes`]).
    fn value(&self, name: &str) -> Option<Value>;
}

struct Resolver<'a>(&'a dyn Facts);

impl cel::context::VariableResolver for Resolver<'_> {
    fn resolve(&self, variable: &str) -> Option<Value> {
        self.0.value(variable)
    }
}

fn root_context() -> &'static cel::Context<'static> {
    static ROOT: std::sync::OnceLock<cel::Context<'static>> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let mut c = cel::Context::default();
        c.add_function("version", |v: Arc<String>| -> String { version_key(&v) });
        c.add_function(
            "days",
            |n: i64| -> Result<chrono::Duration, cel::ExecutionError> {
                chrono::Duration::try_days(n)
                    .ok_or_else(|| cel::ExecutionError::function_error("days", "out of range"))
            },
        );
        c
    })
}

/// The sortable form of a version: each part as `0` + its length in two digits + its digits
/// (no leading zeros) when numeric, else `1` + its text in lower case, parts joined by `.`
/// (which sorts before both): so string order is [`crate::kernel::version`]'s order.
pub fn version_key(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 8);
    for (i, part) in v
        .split(['.', '-', '_', '+'])
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push('.');
        }
        if part.bytes().all(|b| b.is_ascii_digit()) {
            let digits = part.trim_start_matches('0');
            out.push_str(&format!("0{:02}{digits}", digits.len().min(99)));
        } else {
            out.push('1');
            out.push_str(&part.to_ascii_lowercase());
        }
    }
    out
}

/// A time as CEL's timestamp.
pub fn timestamp(t: DateTime<Utc>) -> Value {
    Value::Timestamp(t.fixed_offset())
}

/// Where a condition may be used: which attributes the rule's trigger and action give it.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// A campaign is at hand (a campaign trigger, or an action that acts per campaign).
    pub campaign: bool,
    /// Hubs are at hand (every action but `notify` and `set_cutoffs` on a campaign trigger).
    pub hubs: bool,
    /// The owner is the DCC, who alone may read the industry's figures (decision 18).
    pub industry: bool,
}

/// Checks `source` for `scope` (see the module's comment); the checked condition, or an
/// `InvalidCondition` with where and why.
pub fn check(source: &str, scope: Scope) -> Result<Condition, Error> {
    if source.len() > MAX_CONDITION_BYTES {
        return Err(invalid(
            (1, 1),
            format!(
                "the condition is {} bytes, over the limit of {MAX_CONDITION_BYTES}",
                source.len()
            ),
        ));
    }
    if source.trim().is_empty() {
        return Ok(Condition::always());
    }
    nesting_bound(source)?;
    let parsed = cel::parser::Parser::new()
        .max_recursion_depth(96)
        .parse(source)
        .map_err(|errors| {
            let first = errors.errors.first();
            let pos = first.map_or((1, 1), |e| {
                (e.pos.0.max(1) as usize, e.pos.1.max(1) as usize)
            });
            let msg = first.map_or_else(|| "does not parse".to_string(), |e| e.msg.clone());
            invalid(pos, format!("syntax: {msg}"))
        })?;
    let mut checker = Checker {
        source,
        scope,
        nodes: 0,
        level: Level::Set,
        reads_campaign: false,
        locals: Vec::new(),
        nesting: 0,
    };
    let ty = checker.ty(&parsed, 0)?;
    if ty != Ty::Bool {
        return Err(invalid(
            (1, 1),
            format!("a condition must be a bool; this one is a {ty}"),
        ));
    }
    Ok(Condition {
        expr: Some(Arc::new(flatten(parsed))),
        level: checker.level,
        reads_campaign: checker.reads_campaign,
    })
}

/// Refuses, before the parser sees it, a condition nested deeper than the bound: brackets, and
/// runs of prefix operators (`!!!!x`), each of which is a level of the parser's recursion, so
/// that no input can take the parser's stack anywhere near its end.
fn nesting_bound(source: &str) -> Result<(), Error> {
    let mut depth = 0usize;
    let mut prefix_run = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut line = 1;
    let mut column = 0;
    for ch in source.chars() {
        column += 1;
        if ch == '\n' {
            line += 1;
            column = 0;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '"' | '\'' => quote = Some(ch),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if ch == '!' || ch == '-' {
            prefix_run += 1;
        } else if !ch.is_whitespace() {
            prefix_run = 0;
        }
        if depth > MAX_CONDITION_DEPTH || prefix_run > 8 {
            return Err(invalid(
                (line, column),
                format!("the condition nests deeper than {MAX_CONDITION_DEPTH}"),
            ));
        }
    }
    Ok(())
}

/// [`check`], remembered: a saved rule's condition is parsed and checked once per process, not
/// on every event that sets the rule off (parsing is most of the cost of a rule). The memory is
/// bounded: past [`MAX_REMEMBERED`] conditions it starts again.
pub(crate) fn checked(source: &str, scope: Scope) -> Result<Condition, Error> {
    // By text, then by the scope's three flags: a lookup takes the text borrowed.
    type Memory = HashMap<String, [Option<Condition>; 8]>;
    static MEMORY: std::sync::OnceLock<std::sync::Mutex<Memory>> = std::sync::OnceLock::new();
    let memory = MEMORY.get_or_init(Default::default);
    let slot = usize::from(scope.campaign)
        | usize::from(scope.hubs) << 1
        | usize::from(scope.industry) << 2;
    if let Some(c) = memory
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(source)
        .and_then(|s| s[slot].as_ref())
    {
        return Ok(c.clone());
    }
    let c = check(source, scope)?;
    let mut m = memory.lock().unwrap_or_else(|p| p.into_inner());
    if m.len() >= MAX_REMEMBERED && !m.contains_key(source) {
        m.clear();
    }
    m.entry(source.to_string()).or_default()[slot] = Some(c.clone());
    Ok(c)
}

/// Conditions [`checked`] keeps (64 rules for each of a few hundred parties).
const MAX_REMEMBERED: usize = 16_384;

fn invalid((line, column): (usize, usize), reason: String) -> Error {
    Error::InvalidCondition {
        line: i32::try_from(line).unwrap_or(i32::MAX),
        column: i32::try_from(column).unwrap_or(i32::MAX),
        reason,
    }
}

/// Where `needle` first appears in `source` as a whole word outside string literals
/// (1-based line and column), or the start.
fn locate(source: &str, needle: &str) -> (usize, usize) {
    let bytes = source.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None => {
                if source[i..].starts_with(needle)
                    && (i == 0 || !word(bytes[i - 1]))
                    && bytes.get(i + needle.len()).is_none_or(|&n| !word(n))
                {
                    let line = source[..i].matches('\n').count() + 1;
                    let column = i - source[..i].rfind('\n').map_or(0, |p| p + 1) + 1;
                    return (line, column);
                }
            }
        }
        i += 1;
    }
    (1, 1)
}

struct Checker<'a> {
    source: &'a str,
    scope: Scope,
    nodes: usize,
    level: Level,
    reads_campaign: bool,
    /// Comprehension variables in scope, with their types.
    locals: Vec<(String, Ty)>,
    nesting: usize,
}

impl Checker<'_> {
    fn at(&self, needle: &str) -> (usize, usize) {
        locate(self.source, needle)
    }

    fn fail<T>(&self, needle: &str, reason: impl Into<String>) -> Result<T, Error> {
        Err(invalid(self.at(needle), reason.into()))
    }

    fn ty(&mut self, e: &IdedExpr, depth: usize) -> Result<Ty, Error> {
        self.nodes += 1;
        if self.nodes > MAX_CONDITION_NODES {
            return Err(invalid(
                (1, 1),
                format!("the condition has more than {MAX_CONDITION_NODES} parts"),
            ));
        }
        if depth > MAX_CONDITION_DEPTH {
            return Err(invalid(
                (1, 1),
                format!("the condition nests deeper than {MAX_CONDITION_DEPTH}"),
            ));
        }
        match &e.expr {
            Expr::Literal(l) => match l {
                LiteralValue::Boolean(_) => Ok(Ty::Bool),
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Ok(Ty::Int),
                LiteralValue::Double(_) => Ok(Ty::Double),
                LiteralValue::String(s) => {
                    if s.inner().len() > crate::kernel::limits::MAX_ROW_TEXT_BYTES {
                        return Err(invalid(
                            (1, 1),
                            format!(
                                "a string literal is over {} bytes",
                                crate::kernel::limits::MAX_ROW_TEXT_BYTES
                            ),
                        ));
                    }
                    Ok(Ty::String)
                }
                LiteralValue::Null => self.fail("null", "null is not a value of any attribute"),
                LiteralValue::Bytes(_) => self.fail("b", "bytes are not a value of any attribute"),
            },
            Expr::Ident(name) => {
                if let Some((_, t)) = self.locals.iter().rev().find(|(n, _)| n == name) {
                    return Ok(t.clone());
                }
                if name == "now" {
                    return self.attribute("now");
                }
                let roots = [
                    "hub", "set", "campaign", "trigger", "esme", "gsme", "ppmid", "hcalcs", "ihd",
                ];
                if roots.contains(&name.as_str()) {
                    return self.fail(
                        name,
                        format!(
                            "{name} alone is not a value: name one of its attributes ({name}.…)"
                        ),
                    );
                }
                self.fail(
                    name,
                    format!("unknown name {name}: see the attributes in docs/rules.md"),
                )
            }
            Expr::Select(SelectExpr {
                operand,
                field,
                test,
            }) => {
                let Expr::Ident(root) = &operand.expr else {
                    return self.fail(
                        field,
                        format!("unknown attribute …{field}: attributes are root.field"),
                    );
                };
                if *test {
                    return self.fail(
                        "has",
                        "has() is not needed: every attribute always has a value",
                    );
                }
                self.nodes += 1;
                self.attribute(&format!("{root}.{field}"))
            }
            Expr::List(list) => {
                if list.elements.len() > MAX_LIST_LITERAL {
                    return Err(invalid(
                        (1, 1),
                        format!("a list literal has more than {MAX_LIST_LITERAL} elements"),
                    ));
                }
                let mut elem = Ty::Any;
                for x in &list.elements {
                    let t = self.ty(x, depth + 1)?;
                    elem = unify(&elem, &t)
                        .ok_or_else(|| invalid((1, 1), format!("a list mixes {elem} and {t}")))?;
                }
                Ok(Ty::List(Box::new(elem)))
            }
            Expr::Map(_) => self.fail(
                "{",
                "map literals are not allowed (their order is not stable)",
            ),
            Expr::Struct(s) => self.fail(&s.type_name, "messages are not allowed"),
            Expr::Unspecified => Err(invalid((1, 1), "an empty expression".into())),
            Expr::Comprehension(c) => self.comprehension(c, depth),
            Expr::Call(call) => self.call(call, depth),
        }
    }

    fn attribute(&mut self, name: &str) -> Result<Ty, Error> {
        let Some(a) = attributes().iter().find(|a| a.name == name) else {
            let hint = attributes()
                .iter()
                .filter(|a| a.name.split('.').next() == name.split('.').next())
                .map(|a| a.name)
                .collect::<Vec<_>>();
            let field = name.rsplit('.').next().unwrap_or(name);
            let reason = if hint.is_empty() {
                format!("unknown attribute {name}")
            } else {
                format!("unknown attribute {name}; known: {}", hint.join(", "))
            };
            return self.fail(field, reason);
        };
        if a.level == Level::Campaign {
            self.reads_campaign = true;
        }
        if a.name == "set.industry_share" && !self.scope.industry {
            return self.fail(
                "industry_share",
                "set.industry_share is the DCC's alone: the industry's volumes are not shown to a customer or a CSP (decision 18)",
            );
        }
        if a.level == Level::Campaign && !self.scope.campaign {
            return self.fail(
                name.rsplit('.').next().unwrap_or(name),
                format!("{name}: no campaign is at hand for this trigger and action"),
            );
        }
        if matches!(a.level, Level::Set | Level::Hub) && !self.scope.hubs {
            return self.fail(
                name.rsplit('.').next().unwrap_or(name),
                format!("{name}: this rule acts on no hub, so it reads no hub's attributes"),
            );
        }
        if a.level == Level::Hub {
            self.level = Level::Hub;
        }
        Ok(a.ty.clone())
    }

    fn comprehension(&mut self, c: &ComprehensionExpr, depth: usize) -> Result<Ty, Error> {
        if self.nesting >= MAX_COMPREHENSION_NESTING {
            return self.fail(
                &c.iter_var,
                "a comprehension inside another is not allowed (cost bound)",
            );
        }
        let range = self.ty(&c.iter_range, depth + 1)?;
        let Ty::List(elem) = range else {
            return self.fail(
                &c.iter_var,
                format!("comprehensions go over lists, not {range}"),
            );
        };
        if c.iter_var2.is_some() {
            return self.fail(&c.iter_var, "two-variable comprehensions are not allowed");
        }
        let accu = self.ty(&c.accu_init, depth + 1)?;
        self.nesting += 1;
        self.locals.push((c.iter_var.clone(), *elem));
        self.locals.push((c.accu_var.clone(), accu.clone()));
        let result = (|| {
            let cond = self.ty(&c.loop_cond, depth + 1)?;
            if cond != Ty::Bool {
                return self.fail(
                    &c.iter_var,
                    format!("the comprehension's test is a {cond}, not a bool"),
                );
            }
            let step = self.ty(&c.loop_step, depth + 1)?;
            let accu2 = unify(&accu, &step).ok_or_else(|| {
                invalid(
                    self.at(&c.iter_var),
                    format!("the comprehension's step gives {step}, not {accu}"),
                )
            })?;
            if let Some(last) = self.locals.last_mut() {
                last.1 = accu2;
            }
            self.ty(&c.result, depth + 1)
        })();
        self.locals.pop();
        self.locals.pop();
        self.nesting -= 1;
        result
    }

    fn call(&mut self, call: &CallExpr, depth: usize) -> Result<Ty, Error> {
        let name = call.func_name.as_str();
        let mut args = Vec::with_capacity(call.args.len() + 1);
        if let Some(t) = &call.target {
            args.push(self.ty(t, depth + 1)?);
        }
        for a in &call.args {
            args.push(self.ty(a, depth + 1)?);
        }
        let op = |o: &str| self.at(o);
        let wrong = |what: &str, shown: &str| -> Error {
            let types = args
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            invalid(op(shown), format!("{what} does not take ({types})"))
        };
        match (name, args.as_slice(), call.target.is_some()) {
            ("_&&_" | "_||_", [Ty::Bool, Ty::Bool], _) => Ok(Ty::Bool),
            ("_&&_", _, _) => Err(wrong("&&", "&&")),
            ("_||_", _, _) => Err(wrong("||", "||")),
            ("!_", [Ty::Bool], _) | ("@not_strictly_false", [Ty::Bool], _) => Ok(Ty::Bool),
            ("!_", _, _) => Err(wrong("!", "!")),
            ("-_", [t @ (Ty::Int | Ty::Double | Ty::Duration)], _) => Ok(t.clone()),
            ("_==_" | "_!=_", [a, b], _) => {
                let shown = if name == "_==_" { "==" } else { "!=" };
                if unify(a, b).is_none() {
                    return Err(invalid(
                        op(shown),
                        format!("{a} {shown} {b} compares different types{}", version_hint(a, b)),
                    ));
                }
                self.never_holds(call)?;
                Ok(Ty::Bool)
            }
            ("_<_" | "_<=_" | "_>_" | "_>=_", [a, b], _) => {
                let shown = &name[1..name.len() - 1];
                let ordered = matches!(
                    a,
                    Ty::Int | Ty::Double | Ty::String | Ty::Version | Ty::Timestamp | Ty::Duration
                );
                if a != b || !ordered {
                    return Err(invalid(
                        op(shown),
                        format!("{a} {shown} {b}: only two values of one ordered type compare{}", version_hint(a, b)),
                    ));
                }
                Ok(Ty::Bool)
            }
            ("_+_", [Ty::Int, Ty::Int], _) => Ok(Ty::Int),
            ("_+_", [Ty::Double, Ty::Double], _) => Ok(Ty::Double),
            ("_+_", [Ty::String, Ty::String], _) => Ok(Ty::String),
            ("_+_", [Ty::Timestamp, Ty::Duration] | [Ty::Duration, Ty::Timestamp], _) => Ok(Ty::Timestamp),
            ("_+_", [Ty::Duration, Ty::Duration], _) => Ok(Ty::Duration),
            ("_+_", [Ty::List(a), Ty::List(b)], _) => unify(a, b)
                .map(|t| Ty::List(Box::new(t)))
                .ok_or_else(|| wrong("+", "+")),
            ("_-_", [Ty::Int, Ty::Int], _) => Ok(Ty::Int),
            ("_-_", [Ty::Double, Ty::Double], _) => Ok(Ty::Double),
            ("_-_", [Ty::Timestamp, Ty::Timestamp], _) => Ok(Ty::Duration),
            ("_-_", [Ty::Timestamp, Ty::Duration], _) => Ok(Ty::Timestamp),
            ("_-_", [Ty::Duration, Ty::Duration], _) => Ok(Ty::Duration),
            ("_*_" | "_/_" | "_%_", [Ty::Int, Ty::Int], _) => Ok(Ty::Int),
            ("_*_" | "_/_", [Ty::Double, Ty::Double], _) => Ok(Ty::Double),
            ("_+_" | "_-_" | "_*_" | "_/_" | "_%_", _, _) => {
                let shown = &name[1..name.len() - 1];
                Err(wrong(shown, shown))
            }
            ("_?_:_", [Ty::Bool, a, b], _) => unify(a, b).ok_or_else(|| wrong("?:", "?")),
            ("_[_]", [Ty::List(t), Ty::Int], _) => Ok((**t).clone()),
            ("@in", [t, Ty::List(e)], _) => {
                if unify(t, e).is_none() {
                    return Err(wrong("in", "in"));
                }
                self.never_holds(call)?;
                Ok(Ty::Bool)
            }
            ("version", [Ty::String], false) => Ok(Ty::Version),
            ("days", [Ty::Int], false) => Ok(Ty::Duration),
            ("duration", [Ty::String], false) => Ok(Ty::Duration),
            ("timestamp", [Ty::String], false) => Ok(Ty::Timestamp),
            ("size", [Ty::String | Ty::List(_)], _) => Ok(Ty::Int),
            ("contains" | "startsWith" | "endsWith", [Ty::String, Ty::String], true) => Ok(Ty::Bool),
            ("version" | "days" | "duration" | "timestamp" | "size" | "contains" | "startsWith"
            | "endsWith", _, _) => Err(wrong(name, name)),
            _ => self.fail(
                name,
                format!(
                    "unknown function {name}: the functions are version, days, duration, timestamp, size, contains, startsWith, endsWith and the list comprehensions"
                ),
            ),
        }
    }

    /// A comparison (`==`, `!=`, `in`) of an attribute with a fixed set of values against a
    /// literal outside that set can never hold (or always holds): refused.
    fn never_holds(&self, call: &CallExpr) -> Result<(), Error> {
        let attr = |e: &IdedExpr| match &e.expr {
            Expr::Select(SelectExpr { operand, field, .. }) => match &operand.expr {
                Expr::Ident(root) => attributes()
                    .iter()
                    .find(|a| a.name == format!("{root}.{field}") && !a.values.is_empty()),
                _ => None,
            },
            _ => None,
        };
        let literals = |e: &IdedExpr| -> Vec<String> {
            match &e.expr {
                Expr::Literal(LiteralValue::String(s)) => vec![s.inner().to_string()],
                Expr::List(l) => l
                    .elements
                    .iter()
                    .filter_map(|x| match &x.expr {
                        Expr::Literal(LiteralValue::String(s)) => Some(s.inner().to_string()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let [a, b] = call.args.as_slice() else {
            return Ok(());
        };
        for (x, y) in [(a, b), (b, a)] {
            if let Some(at) = attr(x) {
                for v in literals(y) {
                    if !at.values.contains(&v.as_str()) {
                        let pos = [format!("\"{v}\""), format!("'{v}'")]
                            .iter()
                            .filter_map(|q| self.source.find(q.as_str()))
                            .min()
                            .map_or((1, 1), |i| {
                                let line = self.source[..i].matches('\n').count() + 1;
                                let column =
                                    i - self.source[..i].rfind('\n').map_or(0, |p| p + 1) + 1;
                                (line, column)
                            });
                        return Err(invalid(
                            pos,
                            format!(
                                "{} is never {v:?}, so this comparison can never hold: it is one of {}",
                                at.name,
                                at.values.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn version_hint(a: &Ty, b: &Ty) -> &'static str {
    match (a, b) {
        (Ty::Version, Ty::String) | (Ty::String, Ty::Version) => {
            ": write the text as a version, version(\"2.0\")"
        }
        _ => "",
    }
}

fn unify(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Any, t) | (t, Ty::Any) => Some(t.clone()),
        (Ty::List(x), Ty::List(y)) => unify(x, y).map(|t| Ty::List(Box::new(t))),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

/// Rewrites `root.field` to the one variable `root.field`, which the evaluator resolves
/// directly (no map per evaluation).
fn flatten(e: IdedExpr) -> IdedExpr {
    let IdedExpr { id, expr } = e;
    let expr = match expr {
        Expr::Select(SelectExpr {
            operand,
            field,
            test,
        }) => match operand.expr {
            Expr::Ident(root) => Expr::Ident(format!("{root}.{field}")),
            other => Expr::Select(SelectExpr {
                operand: Box::new(flatten(IdedExpr {
                    id: operand.id,
                    expr: other,
                })),
                field,
                test,
            }),
        },
        Expr::Call(CallExpr {
            func_name,
            target,
            args,
        }) => Expr::Call(CallExpr {
            func_name,
            target: target.map(|t| Box::new(flatten(*t))),
            args: args.into_iter().map(flatten).collect(),
        }),
        Expr::List(mut l) => {
            l.elements = l.elements.into_iter().map(flatten).collect();
            Expr::List(l)
        }
        Expr::Comprehension(c) => {
            let c = *c;
            Expr::Comprehension(Box::new(ComprehensionExpr {
                iter_range: flatten(c.iter_range),
                iter_var: c.iter_var,
                iter_var2: c.iter_var2,
                accu_var: c.accu_var,
                accu_init: flatten(c.accu_init),
                loop_cond: flatten(c.loop_cond),
                loop_step: flatten(c.loop_step),
                result: flatten(c.result),
            }))
        }
        other => other,
    };
    IdedExpr { id, expr }
}

/// Facts from a map of attribute values (tests, the dry run's samples).
impl Facts for HashMap<&'static str, Value> {
    fn value(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}
