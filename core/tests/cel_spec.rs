//! The evaluation half of the public google/cel-spec "simple" conformance tests, run through
//! the rules' own CEL evaluation path ([`commshub_ota::rule_conditions::evaluate_unchecked`]).
//!
//! The test files are unmodified copies in `tests/cel-spec/` (its README gives the source and
//! commit). Each test is parsed from the protobuf text format here (a small parser for the
//! subset those files use), evaluated, and its result compared with the expected value or
//! error. Tests this runner does not model (protobuf messages, type-checking only, containers,
//! unknowns, ...) are skipped and counted by reason. The tests the pinned `cel` crate fails are
//! listed in `tests/cel-spec/known_failures.txt`: each listed test must fail, and every other
//! test that is run must pass, so the list stays exact for the crate's version.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::objects::{Key, Map, Value};
use commshub_ota::rule_conditions::evaluate_unchecked;

/// The test files run, in order (file names without `.textproto`).
const FILES: &[&str] = &[
    "basic",
    "comparisons",
    "conversions",
    "fp_math",
    "integer_math",
    "lists",
    "logic",
    "macros",
    "plumbing",
    "string",
    "timestamps",
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/cel-spec")
}

// ---------------------------------------------------------------------------------------------
// The protobuf text format, the subset the conformance files use.

/// A value in the text format: a message (its fields in order, repeated ones repeated), a
/// string (as bytes: a `bytes` field may hold any), or a number, identifier or enum (its text).
#[derive(Debug)]
enum Node {
    Message(Vec<(String, Node)>),
    Str(Vec<u8>),
    Scalar(String),
}

struct TextParser<'a> {
    src: &'a [u8],
    pos: usize,
    file: &'a str,
}

impl<'a> TextParser<'a> {
    fn parse(file: &'a str, text: &'a str) -> Result<Vec<(String, Node)>, String> {
        let mut p = TextParser {
            src: text.as_bytes(),
            pos: 0,
            file,
        };
        p.fields(None)
    }

    fn error(&self, what: &str) -> String {
        let line = 1 + self.src[..self.pos.min(self.src.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        format!("{}:{line}: {what}", self.file)
    }

    /// Skips white space and `#` comments, and gives the next byte.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.src.get(self.pos) {
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b'#' {
                while self.src.get(self.pos).is_some_and(|&c| c != b'\n') {
                    self.pos += 1;
                }
            } else {
                return Some(b);
            }
        }
        None
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The fields of a message, up to `close` (or the end of the text, for the top level).
    fn fields(&mut self, close: Option<u8>) -> Result<Vec<(String, Node)>, String> {
        let mut fields = Vec::new();
        loop {
            match self.peek() {
                None if close.is_none() => return Ok(fields),
                None => return Err(self.error("unexpected end of text in a message")),
                Some(b) if Some(b) == close => {
                    self.pos += 1;
                    return Ok(fields);
                }
                Some(_) => {}
            }
            let name = self.field_name()?;
            let colon = self.eat(b':');
            match self.peek() {
                Some(b'{' | b'<') => fields.push((name, self.value()?)),
                Some(b'[') if colon => {
                    // A repeated field's values as a list: `name: [a, b]`.
                    self.pos += 1;
                    if !self.eat(b']') {
                        loop {
                            fields.push((name.clone(), self.value()?));
                            if self.eat(b']') {
                                break;
                            }
                            if !self.eat(b',') {
                                return Err(self.error("expected ',' or ']' in a list"));
                            }
                        }
                    }
                }
                Some(_) if colon => fields.push((name, self.value()?)),
                _ => return Err(self.error(&format!("expected ':' or '{{' after {name}"))),
            }
            if !self.eat(b',') {
                self.eat(b';');
            }
        }
    }

    /// A field's name: an identifier, or an extension or `Any` type in brackets.
    fn field_name(&mut self) -> Result<String, String> {
        if self.eat(b'[') {
            let start = self.pos;
            while self.src.get(self.pos).is_some_and(|&b| b != b']') {
                self.pos += 1;
            }
            let inner = String::from_utf8_lossy(&self.src[start..self.pos]).into_owned();
            if !self.eat(b']') {
                return Err(self.error("unterminated '[' in a field name"));
            }
            return Ok(format!("[{}]", inner.trim()));
        }
        let start = self.pos;
        while self
            .src
            .get(self.pos)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error("expected a field name"));
        }
        Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    /// A message in braces (or angle brackets), a string, or a scalar.
    fn value(&mut self) -> Result<Node, String> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                Ok(Node::Message(self.fields(Some(b'}'))?))
            }
            Some(b'<') => {
                self.pos += 1;
                Ok(Node::Message(self.fields(Some(b'>'))?))
            }
            Some(b'"' | b'\'') => {
                // Adjacent string literals are one string.
                let mut bytes = Vec::new();
                while let Some(q @ (b'"' | b'\'')) = self.peek() {
                    self.pos += 1;
                    self.string(q, &mut bytes)?;
                }
                Ok(Node::Str(bytes))
            }
            Some(_) => self.scalar(),
            None => Err(self.error("expected a value")),
        }
    }

    /// A number (with an optional sign, exponent or `0x`), identifier or enum value.
    fn scalar(&mut self) -> Result<Node, String> {
        let start = self.pos;
        if self.src.get(self.pos) == Some(&b'-') {
            self.pos += 1;
            // `- inf` and `- 5` are allowed in the text format.
            self.peek();
        }
        let body = self.pos;
        while let Some(&b) = self.src.get(self.pos) {
            let exponent_sign = (b == b'+' || b == b'-')
                && self.pos > body
                && matches!(self.src[self.pos - 1], b'e' | b'E')
                && self.src[body].is_ascii_digit();
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        if body == self.pos {
            return Err(self.error("expected a value"));
        }
        let sign = if self.src[start] == b'-' { "-" } else { "" };
        let text = String::from_utf8_lossy(&self.src[body..self.pos]);
        Ok(Node::Scalar(format!("{sign}{text}")))
    }

    /// The rest of a string literal opened by `quote`, its bytes appended to `out`.
    fn string(&mut self, quote: u8, out: &mut Vec<u8>) -> Result<(), String> {
        loop {
            let Some(&b) = self.src.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'\n' => return Err(self.error("new line in a string")),
                b'\\' => self.escape(out)?,
                _ if b == quote => return Ok(()),
                _ => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), String> {
        let Some(&b) = self.src.get(self.pos) else {
            return Err(self.error("unterminated escape"));
        };
        self.pos += 1;
        match b {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'v' => out.push(0x0b),
            b'\\' | b'"' | b'\'' | b'?' => out.push(b),
            b'0'..=b'7' => {
                let mut n = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.src.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            n = n * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                let byte = u8::try_from(n).map_err(|_| self.error("octal escape above \\377"))?;
                out.push(byte);
            }
            b'x' | b'X' => {
                let n = self.hex(1, 2)?;
                out.push(u8::try_from(n).expect("two hex digits are a byte"));
            }
            b'u' | b'U' => {
                let digits = if b == b'u' { 4 } else { 8 };
                let n = self.hex(digits, digits)?;
                let c = char::from_u32(n).ok_or_else(|| self.error("escape is no character"))?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            _ => return Err(self.error(&format!("unknown escape \\{}", char::from(b)))),
        }
        Ok(())
    }

    /// Between `min` and `max` hex digits, as a number.
    fn hex(&mut self, min: usize, max: usize) -> Result<u32, String> {
        let mut n = 0u32;
        let mut count = 0;
        while count < max {
            match self
                .src
                .get(self.pos)
                .and_then(|&d| char::from(d).to_digit(16))
            {
                Some(d) => {
                    n = n * 16 + d;
                    self.pos += 1;
                    count += 1;
                }
                None => break,
            }
        }
        if count < min {
            return Err(self.error("too few hex digits in an escape"));
        }
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// What a test expects.
enum Expect {
    Value(Value),
    Error,
}

struct Case {
    id: String,
    expr: String,
    bindings: HashMap<String, Value>,
    expect: Expect,
}

/// What became of a test: run (passing, or failing and why), or skipped (and why).
enum Outcome {
    Ran(Result<(), String>),
    Skipped(String),
}

/// A test read from a file: one to run, or one skipped (and why).
enum Read {
    Run(Case),
    Skip(String, String),
}

fn string_of(node: &Node, what: &str) -> Result<String, String> {
    match node {
        Node::Str(bytes) => {
            String::from_utf8(bytes.clone()).map_err(|_| format!("{what} is not UTF-8"))
        }
        _ => Err(format!("{what} is not a string")),
    }
}

fn scalar_of<'n>(node: &'n Node, what: &str) -> Result<&'n str, String> {
    match node {
        Node::Scalar(s) => Ok(s),
        _ => Err(format!("{what} is not a scalar")),
    }
}

fn fields_of<'n>(node: &'n Node, what: &str) -> Result<&'n [(String, Node)], String> {
    match node {
        Node::Message(fields) => Ok(fields),
        _ => Err(format!("{what} is not a message")),
    }
}

fn bool_of(node: &Node, what: &str) -> Result<bool, String> {
    match scalar_of(node, what)? {
        "true" | "True" | "t" | "1" => Ok(true),
        "false" | "False" | "f" | "0" => Ok(false),
        other => Err(format!("{what}: {other} is not a bool")),
    }
}

/// An integer in the text format's forms: decimal, `0x` hex, with an optional sign.
fn int_of(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let n = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if negative { -n } else { n })
}

fn double_of(text: &str) -> Option<f64> {
    match text.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" => Some(f64::NAN),
        _ => int_of(text)
            .map(|n| n as f64)
            .or_else(|| text.parse::<f64>().ok()),
    }
}

/// A `cel.expr.Value` message as the crate's value, or `Ok(Err(reason))` when it holds what the
/// runner does not model (a protobuf message, a type, an enum, an unknown field).
fn value_of(node: &Node) -> Result<Result<Value, String>, String> {
    let fields = fields_of(node, "value")?;
    let [(kind, inner)] = fields else {
        return match fields {
            [] => Ok(Err("empty expected value".to_string())),
            _ => Err(format!("value with {} fields", fields.len())),
        };
    };
    let value = match kind.as_str() {
        "null_value" => Value::Null,
        "bool_value" => Value::Bool(bool_of(inner, kind)?),
        "int64_value" => {
            let text = scalar_of(inner, kind)?;
            let n = int_of(text).and_then(|n| i64::try_from(n).ok());
            Value::Int(n.ok_or_else(|| format!("bad int64 {text}"))?)
        }
        "uint64_value" => {
            let text = scalar_of(inner, kind)?;
            let n = int_of(text).and_then(|n| u64::try_from(n).ok());
            Value::UInt(n.ok_or_else(|| format!("bad uint64 {text}"))?)
        }
        "double_value" => {
            let text = scalar_of(inner, kind)?;
            Value::Float(double_of(text).ok_or_else(|| format!("bad double {text}"))?)
        }
        "string_value" => Value::String(Arc::new(string_of(inner, kind)?)),
        "bytes_value" => match inner {
            Node::Str(bytes) => Value::Bytes(Arc::new(bytes.clone())),
            _ => return Err("bytes_value is not a string".to_string()),
        },
        "list_value" => {
            let mut values = Vec::new();
            for (name, element) in fields_of(inner, kind)? {
                if name != "values" {
                    return Ok(Err(format!("list_value field {name}")));
                }
                match value_of(element)? {
                    Ok(v) => values.push(v),
                    Err(reason) => return Ok(Err(reason)),
                }
            }
            Value::List(Arc::new(values))
        }
        "map_value" => {
            let mut map = HashMap::new();
            for (name, entry) in fields_of(inner, kind)? {
                if name != "entries" {
                    return Ok(Err(format!("map_value field {name}")));
                }
                let (mut key, mut value) = (None, None);
                for (name, part) in fields_of(entry, "entries")? {
                    match name.as_str() {
                        "key" => key = Some(value_of(part)?),
                        "value" => value = Some(value_of(part)?),
                        other => return Ok(Err(format!("map entry field {other}"))),
                    }
                }
                let key = match key.ok_or("map entry without a key")? {
                    Ok(Value::Int(n)) => Key::Int(n),
                    Ok(Value::UInt(n)) => Key::Uint(n),
                    Ok(Value::Bool(b)) => Key::Bool(b),
                    Ok(Value::String(s)) => Key::String(s),
                    Ok(other) => return Err(format!("map key {other:?}")),
                    Err(reason) => return Ok(Err(reason)),
                };
                match value.ok_or("map entry without a value")? {
                    Ok(v) => map.insert(key, v),
                    Err(reason) => return Ok(Err(reason)),
                };
            }
            Value::Map(Map { map: Arc::new(map) })
        }
        "object_value" | "type_value" | "enum_value" => return Ok(Err(kind.clone())),
        other => return Ok(Err(format!("value field {other}"))),
    };
    Ok(Ok(value))
}

/// One `test { ... }` of section `section` of file `file`.
fn read_test(file: &str, section: &str, node: &Node) -> Result<Read, String> {
    let fields = fields_of(node, "test")?;
    let mut name = None;
    let mut expr = None;
    let mut bindings = HashMap::new();
    let mut expect = None;
    let mut skip: Option<String> = None;
    for (field, value) in fields {
        let reason = match field.as_str() {
            "name" => {
                name = Some(string_of(value, "test name")?);
                None
            }
            "expr" => {
                expr = Some(string_of(value, "expr")?);
                None
            }
            // Checker inputs: only evaluation is run here.
            "description" | "disable_check" => None,
            "check_only" if bool_of(value, field)? => Some("check_only".to_string()),
            "disable_macros" if bool_of(value, field)? => Some("disable_macros".to_string()),
            "check_only" | "disable_macros" => None,
            // A declaration of a variable only serves the checker (the binding gives its value
            // at evaluation); one of a function needs that function, which is not modelled.
            "type_env" => {
                let decl = fields_of(value, "type_env")?;
                decl.iter()
                    .any(|(f, _)| f != "name" && f != "ident")
                    .then(|| "type_env declaring functions".to_string())
            }
            "container" => Some("container".to_string()),
            "bindings" => {
                let (mut key, mut bound) = (None, None);
                for (f, v) in fields_of(value, "bindings")? {
                    match f.as_str() {
                        "key" => key = Some(string_of(v, "binding key")?),
                        "value" => bound = Some(v),
                        other => return Err(format!("binding field {other}")),
                    }
                }
                let key = key.ok_or("binding without a key")?;
                let bound = fields_of(bound.ok_or("binding without a value")?, "binding")?;
                match bound {
                    [(f, v)] if f == "value" => match value_of(v)? {
                        Ok(v) => {
                            bindings.insert(key, v);
                            None
                        }
                        Err(reason) => Some(format!("binding: {reason}")),
                    },
                    _ => Some("binding of an error or unknown".to_string()),
                }
            }
            "value" => match value_of(value)? {
                Ok(v) => {
                    expect = Some(Expect::Value(v));
                    None
                }
                Err(reason) => Some(format!("expected {reason}")),
            },
            "eval_error" | "any_eval_errors" => {
                expect = Some(Expect::Error);
                None
            }
            "typed_result" => Some("typed_result".to_string()),
            "unknown" | "any_unknowns" => Some("unknown result".to_string()),
            other => Some(format!("test field {other}")),
        };
        if skip.is_none() {
            skip = reason;
        }
    }
    let name = name.ok_or("test without a name")?;
    let id = format!("{file}/{section}/{name}");
    let expr = expr.ok_or("test without an expr")?;
    // Protobuf messages and their type names (wrappers, `google.protobuf.Value{}`,
    // `google.protobuf.Timestamp`) are not modelled: the crate's "structs" feature is off.
    if skip.is_none() && expr.contains("google.protobuf.") {
        skip = Some("protobuf message or type in expr".to_string());
    }
    if let Some(reason) = skip {
        return Ok(Read::Skip(id, reason));
    }
    Ok(Read::Run(Case {
        id,
        expr,
        bindings,
        // A test without a result matcher expects `true`.
        expect: expect.unwrap_or(Expect::Value(Value::Bool(true))),
    }))
}

fn read_file(file: &str) -> Vec<Read> {
    let path = data_dir().join(format!("{file}.textproto"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let top = TextParser::parse(file, &text).unwrap_or_else(|e| panic!("parsing: {e}"));
    let mut tests = Vec::new();
    for (field, section) in &top {
        if field != "section" {
            continue;
        }
        let fields = fields_of(section, "section").unwrap_or_else(|e| panic!("{file}: {e}"));
        let name = fields
            .iter()
            .find(|(f, _)| f == "name")
            .map(|(_, n)| string_of(n, "section name"))
            .unwrap_or_else(|| Err("section without a name".to_string()))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        for (_, test) in fields.iter().filter(|(f, _)| f == "test") {
            let read = read_test(file, &name, test)
                .unwrap_or_else(|e| panic!("{file}, section {name}: {e}"));
            tests.push(read);
        }
    }
    tests
}

/// Whether `got` is the value `want`: numbers of the same kind and value (any NaN is any NaN),
/// lists element by element, maps entry by entry.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Int(a), Value::Int(b)) => a == b,
        (Value::UInt(a), Value::UInt(b)) => a == b,
        (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bytes(a), Value::Bytes(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Null, Value::Null) => true,
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.map.len() == b.map.len()
                && b.map
                    .iter()
                    .all(|(k, v)| a.map.get(k).is_some_and(|g| same(g, v)))
        }
        _ => false,
    }
}

/// Runs one case: `Ok` when it passes, else why not.
fn run(case: &Case) -> Result<(), String> {
    let got = std::panic::catch_unwind(AssertUnwindSafe(|| {
        evaluate_unchecked(&case.expr, &case.bindings)
    }))
    .map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("`{}` panicked: {message}", case.expr)
    })?;
    match (&case.expect, got) {
        (Expect::Value(want), Ok(got)) if same(&got, want) => Ok(()),
        (Expect::Value(want), Ok(got)) => {
            Err(format!("`{}`: got {got:?}, expected {want:?}", case.expr))
        }
        (Expect::Value(want), Err(e)) => Err(format!(
            "`{}`: got error {e:?}, expected {want:?}",
            case.expr
        )),
        (Expect::Error, Err(_)) => Ok(()),
        (Expect::Error, Ok(got)) => Err(format!("`{}`: got {got:?}, expected an error", case.expr)),
    }
}

/// The known failures: `file/section/test` a line, `#` starting a comment.
fn known_failures() -> BTreeSet<String> {
    let path = data_dir().join("known_failures.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn cel_spec_simple_conformance_evaluation() {
    let known = known_failures();
    let mut passed = 0usize;
    let mut failed_as_known = 0usize;
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut ran = BTreeSet::new();
    let mut unexpected_failures = Vec::new();
    let mut unexpected_passes = Vec::new();

    let reads: Vec<Read> = FILES.iter().flat_map(|file| read_file(file)).collect();
    // The crate panicking on a test is a failure of that test, reported with the rest: the
    // panic hook is silenced while the tests run (and only then).
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcomes: Vec<(String, Outcome)> = reads
        .into_iter()
        .map(|read| match read {
            Read::Run(case) => {
                let outcome = run(&case);
                (case.id, Outcome::Ran(outcome))
            }
            Read::Skip(id, reason) => (id, Outcome::Skipped(reason)),
        })
        .collect();
    std::panic::set_hook(default_hook);

    for (id, outcome) in outcomes {
        assert!(seen.insert(id.clone()), "duplicate test {id}");
        let outcome = match outcome {
            Outcome::Ran(outcome) => outcome,
            Outcome::Skipped(reason) => {
                *skipped.entry(reason).or_default() += 1;
                continue;
            }
        };
        ran.insert(id.clone());
        match (outcome, known.contains(&id)) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => unexpected_passes.push(id),
            (Err(_), true) => failed_as_known += 1,
            (Err(why), false) => unexpected_failures.push(format!("{id}: {why}")),
        }
    }

    let total_skipped: usize = skipped.values().sum();
    println!("cel-spec simple conformance (evaluation), cel 0.14.5:");
    println!("  passed:         {passed}");
    println!("  known failures: {failed_as_known}");
    println!("  skipped:        {total_skipped}");
    for (reason, count) in &skipped {
        println!("    {count:4}  {reason}");
    }

    let stale: Vec<&String> = known.iter().filter(|id| !ran.contains(*id)).collect();
    let mut problems = Vec::new();
    if !unexpected_failures.is_empty() {
        problems.push(format!(
            "{} tests failed that are not known failures:\n  {}",
            unexpected_failures.len(),
            unexpected_failures.join("\n  ")
        ));
    }
    if !unexpected_passes.is_empty() {
        problems.push(format!(
            "{} known failures now pass: remove them from tests/cel-spec/known_failures.txt:\n  {}",
            unexpected_passes.len(),
            unexpected_passes.join("\n  ")
        ));
    }
    if !stale.is_empty() {
        problems.push(format!(
            "known failures that name no test that is run: remove them:\n  {}",
            stale
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
