//! nginx access logs in a custom `log_format`, compiled once into a parser.
//!
//! Input: the format as written in nginx.conf — `'$remote_addr - $remote_user [$time_local] ...'`,
//! with or without its quotes, possibly split into several quoted pieces (`'$a ' '$b'`, joined
//! as nginx joins them), possibly after `log_format NAME` and `escape=default|json|none` — or
//! the bare word `combined`. Output: a [`LogFormat`] that reads one line (without its line
//! ending) into an [`Access`] borrowing from the line, or `None` when the line does not match.
//!
//! Why compile: the format says exactly where each field is, so a line is read with one
//! literal search per field (memchr / memmem) and no allocation, and fields access.rs finds by
//! shape (`$request_time`, upstream lists, a request id ...) are found by position instead.
//!
//! How a line is matched: the format is a sequence of literals and variables. A variable's
//! value runs until the next literal. When that literal starts with `"`, an escaped quote
//! (`\x22` with `escape=default`, `\"` with `escape=json`) does not end the value. The last
//! variable runs to the end of the line, or up to a trailing literal the line must end with.
//! Three shapes refine this:
//! - `$time_local` and `$time_iso8601` have a fixed width (26 and 25 bytes), so the literal
//!   after them may be a plain space;
//! - list variables (`$upstream_*`, `$http_x_forwarded_for`) continue over the `, ` and ` : `
//!   that separate retries and internal redirects, so `0.100, 0.004` is one value even when
//!   a space follows it in the format;
//! - two variables with no literal between them are ambiguous and rejected at compile time,
//!   except when that cannot lose a field: a run of variables hindsight ignores (kept as one
//!   opaque field), and a path with what nginx puts around it — `$host$request_uri`,
//!   `$uri$is_args$args` — read as the request target (starting at the first `/` when
//!   something precedes the path).
//!
//! Fields: client from `$remote_addr` (a `vhost addr` or `a, b` value gives the address as
//! access.rs does), else the first entry of `$http_x_forwarded_for`, else `-`. Time from
//! `$time_local`, else `$time_iso8601` (which must carry its offset), else `$msec`. Method and
//! target from `$request_method`, `$request_uri`, `$request`, `$uri` (+ `?$args`), in that
//! order. `$status` must be 100 to 599. Bytes from `$body_bytes_sent`, else `$bytes_sent`.
//! Durations from `$request_time` and `$upstream_response_time` (summed over a list), in
//! microseconds. `-` (or, with `escape=json`, an empty value) means absent. A typed field that
//! does not have its type's shape means the line is not in this format. Escaped bytes are kept
//! as written (a JSON target may contain `\u0022`). Every other variable is an opaque field.

use crate::format::access::{pick_client, split_request, Access};
use crate::time::{parse_iso, ClfCache, CLF_LEN};
use memchr::memmem::Finder;
use nom::branch::alt;
use nom::bytes::complete::{is_not, tag, take_while1};
use nom::character::complete::char;
use nom::sequence::{delimited, preceded};
use nom::IResult;

/// nginx's predefined `combined` format.
pub const COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

/// Length of a `$time_iso8601` value: `2026-11-28T13:55:36+01:00`.
const ISO_LEN: usize = 25;

type SResult<'a, T> = IResult<&'a str, T>;

/// A compiled `log_format`: reads lines written in that format.
#[derive(Clone, Debug)]
pub struct LogFormat {
    escape: Escape,
    /// A literal the line starts with.
    head: Option<Literal>,
    /// Each field and the literal after it (`None` only for a last field ending the line).
    steps: Vec<Step>,
    /// Variable names as written, in order, for display.
    names: Vec<String>,
    /// The target comes from a run ending with `$args`, written `-` when there is no query.
    target_args_dash: bool,
}

/// How nginx escapes values (`escape=` of `log_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    /// `"`, `\` and bytes outside 0x20..0x7e as `\xXX`.
    Default,
    /// JSON string escapes; a variable that is not set is written as nothing instead of `-`.
    Json,
    /// Nothing escaped: a `"` inside a value can end it early.
    None,
}

/// What a variable means for the access record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Opaque,
    Client,
    ForwardedFor,
    TimeLocal,
    TimeIso,
    Msec,
    Request,
    Method,
    /// The full target with its query: `$request_uri`, or a path run such as `$uri$is_args$args`.
    Target,
    /// A run such as `$host$request_uri`: the target starts at the first `/`.
    HostTarget,
    /// `$uri`, `$document_uri`: the path without the query.
    Path,
    Args,
    Status,
    BodyBytes,
    BytesSent,
    RequestTime,
    UpstreamTime,
}

const ROLE_COUNT: usize = Role::UpstreamTime as usize + 1;

/// How far a value reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Up to the next literal.
    Free,
    /// Up to the next literal that is not part of a `, ` or ` : ` list separator.
    List,
    /// Exactly this many bytes.
    Fixed(usize),
}

#[derive(Clone, Debug)]
struct Field {
    role: Role,
    shape: Shape,
    /// The field ends with `$args`, which nginx writes as `-` when there is no query.
    args_dash: bool,
}

#[derive(Clone, Debug)]
struct Literal {
    finder: Finder<'static>,
}

impl Literal {
    fn new(text: &str) -> Literal {
        Literal {
            finder: Finder::new(text.as_bytes()).into_owned(),
        }
    }

    fn bytes(&self) -> &[u8] {
        self.finder.needle()
    }
}

#[derive(Clone, Debug)]
struct Step {
    field: Field,
    after: Option<Literal>,
}

/// A piece of a format template.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Lit(String),
    Var(String),
}

/// One reading of a spec: the escape mode and the format text pieces.
struct Reading {
    escape: Escape,
    pieces: Vec<String>,
}

impl LogFormat {
    /// Compiles a `log_format` spec. Errors say why the spec cannot give access records: no
    /// variables, no `$status`, no time variable, unbalanced quotes, a bad variable name, or
    /// two variables with nothing between them.
    pub fn compile(spec: &str) -> Result<LogFormat, String> {
        let readings = read_spec(spec)?;
        let mut first_err = None;
        for reading in readings {
            match compile_reading(&reading) {
                Ok(f) => return Ok(f),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or_else(|| "empty log format".to_string()))
    }

    /// The variables of the format, as written and in order (without `$`).
    pub fn variables(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// Reads one line. `cache` speeds up `$time_local` stamps repeated by consecutive lines.
    pub fn parse<'a>(&self, line: &'a [u8], cache: &mut ClfCache) -> Option<Access<'a>> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut pos = 0;
        if let Some(head) = &self.head {
            if !line.starts_with(head.bytes()) {
                return None;
            }
            pos = head.bytes().len();
        }
        let mut spans: [Option<(usize, usize)>; ROLE_COUNT] = [None; ROLE_COUNT];
        let last = self.steps.len().checked_sub(1)?;
        for (k, step) in self.steps.iter().enumerate() {
            let (end, next) = if k == last {
                last_value_end(line, pos, step.after.as_ref())?
            } else {
                let lit = step.after.as_ref()?;
                let end = value_end(line, pos, lit, step.field.shape, self.escape)?;
                (end, end + lit.bytes().len())
            };
            let slot = &mut spans[step.field.role as usize];
            if step.field.role != Role::Opaque && slot.is_none() {
                *slot = Some((pos, end));
            }
            pos = next;
        }
        self.record(line, &spans, cache)
    }

    /// Turns the matched spans into a record, checking each typed field.
    fn record<'a>(
        &self,
        line: &'a [u8],
        spans: &[Option<(usize, usize)>; ROLE_COUNT],
        cache: &mut ClfCache,
    ) -> Option<Access<'a>> {
        let get = move |r: Role| spans[r as usize].map(|(s, e)| &line[s..e]);
        let absent = |v: &[u8]| v == b"-" || v.is_empty();

        let (time, offset) = if let Some(v) = get(Role::TimeLocal) {
            clf_stamp(v, cache)?
        } else if let Some(v) = get(Role::TimeIso) {
            iso_stamp(v)?
        } else {
            msec_stamp(get(Role::Msec)?)?
        };
        let status = status(get(Role::Status)?)?;
        let bytes = match get(Role::BodyBytes).or_else(|| get(Role::BytesSent)) {
            Some(v) => byte_count(v)?,
            None => 0,
        };
        let request_us = match get(Role::RequestTime) {
            Some(v) if !absent(v) => Some(seconds_us(v)?),
            _ => None,
        };
        let upstream_us = match get(Role::UpstreamTime) {
            Some(v) => upstream_sum(v)?,
            None => None,
        };
        let client = match (get(Role::Client), get(Role::ForwardedFor)) {
            (Some(v), _) | (None, Some(v)) => first_address(v),
            (None, None) => b"-",
        };

        let request = get(Role::Request).map(split_request);
        let method = match get(Role::Method) {
            Some(v) if !absent(v) => v,
            Some(_) => b"",
            None => request.map_or(&b""[..], |(m, _)| m),
        };
        let target = if let Some(v) = get(Role::Target) {
            self.run_target(v, false)
        } else if let Some(v) = get(Role::HostTarget) {
            self.run_target(v, true)
        } else if let Some((_, t)) = request {
            t
        } else if let Some((ps, pe)) = spans[Role::Path as usize] {
            path_with_args(line, (ps, pe), spans[Role::Args as usize])
        } else {
            b"-"
        };
        let target = if target.is_empty() { b"-" } else { target };

        Some(Access {
            client,
            time,
            offset,
            method,
            target,
            status,
            bytes,
            request_us,
            upstream_us,
        })
    }

    /// The target within a run such as `$host$request_uri` or `$uri$is_args$args`.
    fn run_target<'a>(&self, v: &'a [u8], after_host: bool) -> &'a [u8] {
        let mut t = v;
        if after_host {
            if let Some(slash) = memchr::memchr(b'/', v) {
                t = &v[slash..];
            }
        }
        // `$uri$is_args$args` without a query: `$is_args` is empty and `$args` is `-`.
        if self.target_args_dash && memchr::memchr(b'?', t).is_none() {
            t = t.strip_suffix(b"-").unwrap_or(t);
        }
        t
    }
}

/// `$uri?$args`: the path and its query when they are next to each other in the line (joined
/// by a `?`) and the query is set; else the path alone.
fn path_with_args(line: &[u8], path: (usize, usize), args: Option<(usize, usize)>) -> &[u8] {
    if let Some((a_start, a_end)) = args {
        let query = &line[a_start..a_end];
        let joined = a_start == path.1 + 1 && line.get(path.1) == Some(&b'?');
        if joined && !query.is_empty() && query != b"-" {
            return &line[path.0..a_end];
        }
    }
    &line[path.0..path.1]
}

// ---------------------------------------------------------------------------------------
// Matching a line.

/// Where the value starting at `from` ends: the next occurrence of `lit` (see the module
/// comment for escapes, lists and fixed widths).
fn value_end(
    line: &[u8],
    from: usize,
    lit: &Literal,
    shape: Shape,
    escape: Escape,
) -> Option<usize> {
    if let Shape::Fixed(n) = shape {
        let end = from.checked_add(n)?;
        return line.get(end..)?.starts_with(lit.bytes()).then_some(end);
    }
    let mut search = from;
    loop {
        let at = find_literal(line, search, lit, escape)?;
        if shape == Shape::List && in_list_separator(line, from, at) {
            search = at + 1;
            continue;
        }
        return Some(at);
    }
}

/// The last field: to the end of the line, or up to the trailing literal the line ends with.
fn last_value_end(line: &[u8], from: usize, trailing: Option<&Literal>) -> Option<(usize, usize)> {
    match trailing {
        None => Some((line.len(), line.len())),
        Some(lit) => {
            let end = line.len().checked_sub(lit.bytes().len())?;
            (end >= from && line.ends_with(lit.bytes())).then_some((end, line.len()))
        }
    }
}

/// The first occurrence of `lit` at or after `from`. A literal starting with `"` is only
/// looked for at quotes that are not escaped (unless nginx escapes nothing).
fn find_literal(line: &[u8], from: usize, lit: &Literal, escape: Escape) -> Option<usize> {
    let needle = lit.bytes();
    if escape == Escape::None || needle.first() != Some(&b'"') {
        return lit.finder.find(line.get(from..)?).map(|off| from + off);
    }
    let mut pos = from;
    while let Some(off) = memchr::memchr2(b'"', b'\\', line.get(pos..)?) {
        let at = pos + off;
        if line[at] == b'\\' {
            pos = at + 2;
        } else if line[at..].starts_with(needle) {
            return Some(at);
        } else {
            pos = at + 1;
        }
    }
    None
}

/// Whether position `at` lies inside a `, ` or ` : ` list separator that starts after `start`.
fn in_list_separator(line: &[u8], start: usize, at: usize) -> bool {
    let sep_at = |s: usize, sep: &[u8]| {
        s > start && s <= at && at < s + sep.len() && line[s..].starts_with(sep)
    };
    (at.saturating_sub(1)..=at).any(|s| sep_at(s, b", "))
        || (at.saturating_sub(2)..=at).any(|s| sep_at(s, b" : "))
}

// ---------------------------------------------------------------------------------------
// Typed values.

fn clf_stamp(v: &[u8], cache: &mut ClfCache) -> Option<(i64, i32)> {
    if v.len() != CLF_LEN {
        return None;
    }
    cache.parse(v)
}

/// `2026-11-28T13:55:36+01:00`; nginx always writes the offset.
fn iso_stamp(v: &[u8]) -> Option<(i64, i32)> {
    let stamp = parse_iso(v)?;
    let offset = stamp.offset?;
    (stamp.len == v.len()).then_some((stamp.local - i64::from(offset), offset))
}

/// `$msec`: `1480000000.123`, UTC seconds with milliseconds.
fn msec_stamp(v: &[u8]) -> Option<(i64, i32)> {
    let dot = memchr::memchr(b'.', v).unwrap_or(v.len());
    let (int, frac) = (&v[..dot], v.get(dot + 1..).unwrap_or(b""));
    if int.len() > 12 || !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((i64::try_from(digits_u64(int)?).ok()?, 0))
}

/// Three digits, 100 to 599.
fn status(v: &[u8]) -> Option<u16> {
    if v.len() != 3 {
        return None;
    }
    let n = u16::try_from(digits_u64(v)?).ok()?;
    (100..=599).contains(&n).then_some(n)
}

/// `$body_bytes_sent`: digits, or `-` / `-1` / nothing for none.
fn byte_count(v: &[u8]) -> Option<u64> {
    match v {
        b"" | b"-" | b"-1" => Some(0),
        _ => digits_u64(v),
    }
}

fn digits_u64(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > 19 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(d.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')))
}

/// Seconds with a decimal point (`0.123`) into microseconds, as access.rs reads them.
fn seconds_us(tok: &[u8]) -> Option<u32> {
    let dot = memchr::memchr(b'.', tok)?;
    let (int, frac) = (&tok[..dot], &tok[dot + 1..]);
    if int.is_empty() || frac.is_empty() || int.len() > 7 || frac.len() > 9 {
        return None;
    }
    if !frac.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let whole = digits_u64(int)?;
    let micros = (0..6).fold(0u64, |m, k| {
        m * 10 + frac.get(k).map_or(0, |b| u64::from(b - b'0'))
    });
    Some(u32::try_from(whole * 1_000_000 + micros).unwrap_or(u32::MAX))
}

/// `$upstream_response_time`: `0.120`, `0.1, 0.2` (retries), `0.1 : 0.2` (internal
/// redirects), with `-` entries for upstreams that gave no time. `Some(None)` when no entry
/// has a time, `None` when an entry is not a time (the line is not in this format).
fn upstream_sum(v: &[u8]) -> Option<Option<u32>> {
    let mut total: Option<u64> = None;
    for tok in v.split(|&b| b == b',' || b == b' ' || b == b':') {
        if tok.is_empty() || tok == b"-" {
            continue;
        }
        total = Some(total.unwrap_or(0) + u64::from(seconds_us(tok)?));
    }
    Some(total.map(|t| u32::try_from(t).unwrap_or(u32::MAX)))
}

/// The client in an address field: the first entry of a forwarded-for list, the address
/// of a `vhost address` pair (as access.rs reads them), `-` when empty.
fn first_address(v: &[u8]) -> &[u8] {
    pick_client(v).unwrap_or(b"-")
}

// ---------------------------------------------------------------------------------------
// Reading the spec (nginx.conf syntax) and compiling the template.

/// The readings of a spec to try, in order. A spec starting with `'`, `log_format` or
/// `escape=` is nginx.conf syntax; one starting with `"` is read as nginx.conf syntax when it
/// is made of quoted strings only, and as the bare format text too; anything else is the bare
/// format text.
fn read_spec(spec: &str) -> Result<Vec<Reading>, String> {
    let t = spec.trim();
    if t.is_empty() {
        return Err("empty log format".to_string());
    }
    if t == "combined" || t == "combined;" {
        return Ok(vec![Reading {
            escape: Escape::Default,
            pieces: vec![COMBINED.to_string()],
        }]);
    }
    let mut rest = t;
    let mut conf = false;
    if let Some(r) = word_after(rest, "log_format") {
        let (r, _name) =
            bare_word(r).map_err(|_| "log_format needs a name and a format".to_string())?;
        rest = r.trim_start();
        conf = true;
    }
    let mut escape = Escape::Default;
    if let Some(r) = rest.strip_prefix("escape=") {
        let (r, value) =
            bare_word(r).map_err(|_| "escape= needs a value: default, json or none".to_string())?;
        escape = match value {
            "default" => Escape::Default,
            "json" => Escape::Json,
            "none" => Escape::None,
            other => {
                return Err(format!(
                    "unknown escape={other} (nginx knows default, json and none)"
                ))
            }
        };
        rest = r.trim_start();
        conf = true;
    }
    if rest.is_empty() || rest == ";" {
        return Err("no format text after the log_format parameters".to_string());
    }
    let raw = || Reading {
        escape,
        pieces: vec![if conf {
            rest.strip_suffix(';').unwrap_or(rest).trim_end()
        } else {
            rest
        }
        .to_string()],
    };
    if rest.starts_with('\'') || (conf && rest.starts_with('"')) {
        let (pieces, _) = conf_strings(rest)?;
        return Ok(vec![Reading { escape, pieces }]);
    }
    if rest.starts_with('"') {
        if let Ok((pieces, true)) = conf_strings(rest) {
            return Ok(vec![Reading { escape, pieces }, raw()]);
        }
    }
    Ok(vec![raw()])
}

/// The rest of `s` after the word `w` and whitespace, when `s` starts with that word.
fn word_after<'a>(s: &'a str, w: &str) -> Option<&'a str> {
    let r = s.strip_prefix(w)?;
    r.starts_with(|c: char| c.is_whitespace())
        .then(|| r.trim_start())
}

/// An unquoted nginx.conf word.
fn bare_word(i: &str) -> SResult<'_, &str> {
    take_while1(|c: char| !c.is_whitespace() && c != ';')(i)
}

/// A quoted nginx.conf string: the raw text between the quotes, escapes left in place.
fn quoted_string(i: &str) -> SResult<'_, &str> {
    let fail = || nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Char));
    let quote = match i.as_bytes().first() {
        Some(&q @ (b'\'' | b'"')) => q,
        _ => return Err(fail()),
    };
    let body = &i[1..];
    let bytes = body.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b if b == quote => return Ok((&body[k + 1..], &body[..k])),
            _ => k += 1,
        }
    }
    Err(fail())
}

/// nginx.conf escapes in a word: `\"`, `\'`, `\\`, `\t`, `\r`, `\n`; others stay as written.
fn unescape_conf(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(q @ ('"' | '\'' | '\\')) => out.push(q),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The format strings of nginx.conf text (`'$a ' '$b';`), unescaped, and whether all of
/// them were quoted. `#` starts a comment between strings; text after `;` is an error.
fn conf_strings(mut rest: &str) -> Result<(Vec<String>, bool), String> {
    let mut pieces = Vec::new();
    let mut all_quoted = true;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix('#') {
            rest = comment.find('\n').map_or("", |nl| &comment[nl..]);
            continue;
        }
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix(';') {
            if !after.trim().is_empty() {
                return Err(format!("unexpected text after ';': {:?}", after.trim()));
            }
            break;
        }
        if rest.starts_with('\'') || rest.starts_with('"') {
            let (r, body) = quoted_string(rest).map_err(|_| {
                let q = &rest[..1];
                format!(
                    "unbalanced quotes: the {q} before {:?} is never closed",
                    preview(&rest[1..])
                )
            })?;
            pieces.push(unescape_conf(body));
            rest = r;
        } else {
            let (r, word) = bare_word(rest).map_err(|_| "unreadable log format".to_string())?;
            pieces.push(unescape_conf(word));
            all_quoted = false;
            rest = r;
        }
    }
    if pieces.is_empty() {
        return Err("empty log format".to_string());
    }
    Ok((pieces, all_quoted))
}

fn preview(s: &str) -> String {
    s.chars().take(30).collect()
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn var_name(i: &str) -> SResult<'_, &str> {
    take_while1(is_name_char)(i)
}

/// `${name}`, which lets a name be followed by name characters.
fn braced_variable(i: &str) -> SResult<'_, &str> {
    delimited(tag("${"), var_name, char('}'))(i)
}

/// `$name`.
fn bare_variable(i: &str) -> SResult<'_, &str> {
    preceded(char('$'), var_name)(i)
}

fn variable(i: &str) -> SResult<'_, &str> {
    alt((braced_variable, bare_variable))(i)
}

/// Text up to the next `$`.
fn literal_text(i: &str) -> SResult<'_, &str> {
    is_not("$")(i)
}

/// One format string into literals and variables (each nginx argument on its own, as nginx
/// compiles them: a name never continues into the next string).
fn template(piece: &str, out: &mut Vec<Tok>) -> Result<(), String> {
    let mut rest = piece;
    while !rest.is_empty() {
        if let Ok((r, name)) = variable(rest) {
            out.push(Tok::Var(name.to_string()));
            rest = r;
        } else if let Ok((r, text)) = literal_text(rest) {
            match out.last_mut() {
                Some(Tok::Lit(prev)) => prev.push_str(text),
                _ => out.push(Tok::Lit(text.to_string())),
            }
            rest = r;
        } else if rest.starts_with("${") {
            return Err(format!(
                "the variable at {:?} needs a name of letters, digits and _ and a closing }}",
                preview(rest)
            ));
        } else {
            return Err(format!(
                "`$` must start a variable name of letters, digits and _ (at {:?})",
                preview(rest)
            ));
        }
    }
    Ok(())
}

fn role_of(name: &str) -> Role {
    match name.to_ascii_lowercase().as_str() {
        "remote_addr" => Role::Client,
        "http_x_forwarded_for" | "proxy_add_x_forwarded_for" => Role::ForwardedFor,
        "time_local" => Role::TimeLocal,
        "time_iso8601" => Role::TimeIso,
        "msec" => Role::Msec,
        "request" => Role::Request,
        "request_method" => Role::Method,
        "request_uri" => Role::Target,
        "uri" | "document_uri" => Role::Path,
        "args" | "query_string" => Role::Args,
        "status" => Role::Status,
        "body_bytes_sent" => Role::BodyBytes,
        "bytes_sent" => Role::BytesSent,
        "request_time" => Role::RequestTime,
        "upstream_response_time" => Role::UpstreamTime,
        _ => Role::Opaque,
    }
}

fn shape_of(name: &str, role: Role) -> Shape {
    let lower = name.to_ascii_lowercase();
    match role {
        Role::TimeLocal => Shape::Fixed(CLF_LEN),
        Role::TimeIso => Shape::Fixed(ISO_LEN),
        _ if lower.starts_with("upstream_") || lower.ends_with("forwarded_for") => Shape::List,
        _ => Shape::Free,
    }
}

/// The field of one variable, or of several written with nothing between them.
fn run_field(run: &[&str], escape: Escape) -> Result<Field, String> {
    let roles: Vec<Role> = run.iter().map(|n| role_of(n)).collect();
    let list = run
        .iter()
        .zip(&roles)
        .any(|(n, &r)| shape_of(n, r) == Shape::List);
    if let [name] = run {
        return Ok(Field {
            role: roles[0],
            shape: shape_of(name, roles[0]),
            args_dash: false,
        });
    }
    let free = if list { Shape::List } else { Shape::Free };
    // A path with what can surround it: `$host$request_uri`, `$uri$is_args$args`.
    if let Some(p) = roles
        .iter()
        .position(|r| matches!(r, Role::Target | Role::Path))
    {
        let before_ok = roles[..p].iter().all(|&r| r == Role::Opaque);
        let after_ok = run[p + 1..]
            .iter()
            .zip(&roles[p + 1..])
            .all(|(n, &r)| r == Role::Args || n.eq_ignore_ascii_case("is_args"));
        if before_ok && after_ok {
            let role = if p == 0 {
                Role::Target
            } else {
                Role::HostTarget
            };
            let args_dash = roles.last() == Some(&Role::Args) && escape != Escape::Json;
            return Ok(Field {
                role,
                shape: free,
                args_dash,
            });
        }
    }
    // Variables hindsight does not read: one opaque field.
    if roles
        .iter()
        .all(|&r| matches!(r, Role::Opaque | Role::Args))
    {
        return Ok(Field {
            role: Role::Opaque,
            shape: free,
            args_dash: false,
        });
    }
    let shown: Vec<String> = run.iter().map(|n| format!("${n}")).collect();
    Err(format!(
        "{} are written with nothing between them, so where one value ends is unknown; \
         put a space or other text between them in the log_format",
        shown.join(" and ")
    ))
}

fn compile_reading(reading: &Reading) -> Result<LogFormat, String> {
    let mut toks = Vec::new();
    for piece in &reading.pieces {
        let mut piece_toks = Vec::new();
        template(piece, &mut piece_toks)?;
        for t in piece_toks {
            match (toks.last_mut(), t) {
                (Some(Tok::Lit(prev)), Tok::Lit(text)) => prev.push_str(&text),
                (_, t) => toks.push(t),
            }
        }
    }
    let names: Vec<String> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Var(n) => Some(n.clone()),
            Tok::Lit(_) => None,
        })
        .collect();
    if names.is_empty() {
        return Err("the log format has no variables ($remote_addr, $status, ...)".to_string());
    }

    let mut iter = toks.iter().peekable();
    let head = match iter.peek() {
        Some(Tok::Lit(text)) => {
            let h = Literal::new(text);
            iter.next();
            Some(h)
        }
        _ => None,
    };
    let mut steps = Vec::new();
    while iter.peek().is_some() {
        let mut run: Vec<&str> = Vec::new();
        while let Some(Tok::Var(n)) = iter.peek() {
            run.push(n);
            iter.next();
        }
        let after = match iter.next() {
            Some(Tok::Lit(text)) => Some(Literal::new(text)),
            _ => None,
        };
        steps.push(Step {
            field: run_field(&run, reading.escape)?,
            after,
        });
    }

    let has = |r: Role| steps.iter().any(|s| s.field.role == r);
    if !has(Role::Status) {
        return Err(
            "the log format has no $status: hindsight needs each request's status".to_string(),
        );
    }
    if !(has(Role::TimeLocal) || has(Role::TimeIso) || has(Role::Msec)) {
        return Err(
            "the log format has no time variable: it needs $time_local, $time_iso8601 or $msec"
                .to_string(),
        );
    }
    let target_args_dash = steps
        .iter()
        .find(|s| matches!(s.field.role, Role::Target | Role::HostTarget))
        .is_some_and(|s| s.field.args_dash);
    Ok(LogFormat {
        escape: reading.escape,
        head,
        steps,
        names,
        target_args_dash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::access;

    /// What a line must give: client, UTC time, offset, method, target, status, bytes,
    /// request µs, upstream µs.
    type Want = (
        &'static str,
        i64,
        i32,
        &'static str,
        &'static str,
        u16,
        u64,
        Option<u32>,
        Option<u32>,
    );

    fn check(f: &LogFormat, line: &[u8], want: Option<Want>) {
        let mut cache = ClfCache::default();
        let shown = String::from_utf8_lossy(line);
        let got = f.parse(line, &mut cache).map(|a| {
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            let (client, method, target) = (text(a.client), text(a.method), text(a.target));
            (
                client,
                a.time,
                a.offset,
                method,
                target,
                a.status,
                a.bytes,
                a.request_us,
                a.upstream_us,
            )
        });
        let want = want.map(|w| {
            let (client, method, target) = (w.0.to_string(), w.3.to_string(), w.4.to_string());
            (client, w.1, w.2, method, target, w.5, w.6, w.7, w.8)
        });
        assert_eq!(got, want, "{shown}");
    }

    const TIMED: &str = r#"'$remote_addr - $remote_user [$time_local] "$request" '
        '$status $body_bytes_sent "$http_referer" '
        '"$http_user_agent" $request_time $upstream_response_time'"#;

    const UPSTREAMINFO: &str = r#"log_format upstreaminfo
        '$remote_addr - $remote_user [$time_local] "$request" '
        '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
        '$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr '
        '$upstream_response_length $upstream_response_time $upstream_status $req_id';"#;

    /// (a) The predefined `combined` format agrees with access.rs on real lines (elastic/beats
    /// filebeat/module/nginx/access/test/access.log, Apache-2.0; see tests/data/ATTRIBUTION.md).
    /// The last line has a leading virtual host, which both read past.
    #[test]
    fn combined_agrees_with_access_parser() {
        let data = include_str!("../../tests/data/beats-nginx-access.log");
        let quoted = format!("'{COMBINED}'");
        let conf = format!("log_format combined '{COMBINED}';");
        for spec in ["combined", COMBINED, &quoted, &conf] {
            let f = LogFormat::compile(spec).unwrap();
            let mut n = 0;
            for line in data.lines() {
                let (mut c1, mut c2) = (ClfCache::default(), ClfCache::default());
                let ours = f.parse(line.as_bytes(), &mut c1);
                let theirs = access::parse(line.as_bytes(), &mut c2);
                assert!(ours.is_some(), "{line}");
                assert_eq!(ours, theirs, "{line}");
                n += 1;
            }
            assert_eq!(n, 13);
        }
    }

    /// (b) combined + `$request_time $upstream_response_time`, given as nginx.conf pieces.
    #[test]
    fn combined_with_timings() {
        let f = LogFormat::compile(TIMED).unwrap();
        #[rustfmt::skip]
        let names = [
            "remote_addr", "remote_user", "time_local", "request", "status", "body_bytes_sent",
            "http_referer", "http_user_agent", "request_time", "upstream_response_time",
        ];
        assert_eq!(f.variables(), names);
        #[rustfmt::skip]
        let rows: &[(&[u8], Option<Want>)] = &[
            (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /api/orders?id=7 HTTP/1.1" 502 157 "-" "curl/8.4.0" 30.004 30.001"#,
                Some(("10.1.2.3", 1_795_870_536, 3600, "GET", "/api/orders?id=7", 502, 157, Some(30_004_000), Some(30_001_000)))),
            // Retries and an internal redirect: summed.
            (br#"10.1.2.3 - alice [28/Nov/2026:13:55:36 +0100] "POST /pay HTTP/2.0" 200 2 "https://shop/" "Mozilla/5.0 (X11)" 0.250 0.100, 0.050 : 0.025"#,
                Some(("10.1.2.3", 1_795_870_536, 3600, "POST", "/pay", 200, 2, Some(250_000), Some(175_000)))),
            // Served without an upstream; escaped quotes in the user agent.
            (br#"::1 - - [28/Nov/2026:13:55:36 +0100] "GET /static/a.css HTTP/1.1" 304 0 "-" "x\x22y\"z" 0.000 -"#,
                Some(("::1", 1_795_870_536, 3600, "GET", "/static/a.css", 304, 0, Some(0), None))),
            // A 408 without a request.
            (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "-" 408 0 "-" "-" 60.001 -"#,
                Some(("10.1.2.3", 1_795_870_536, 3600, "", "-", 408, 0, Some(60_001_000), None))),
            // Plain combined lines lack the timings: not this format.
            (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 1 "-" "curl""#, None),
            // A time that is not a time.
            (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 1 "-" "curl" fast -"#, None),
        ];
        for (line, want) in rows {
            check(&f, line, *want);
        }
    }

    /// (c) The ingress-nginx `upstreaminfo` format on real lines from elastic/beats
    /// filebeat/module/nginx/ingress_controller/test/test.log @ 056953d4 (Apache-2.0;
    /// /work/shared/corpus/nginx/beats-nginx-ingress-controller-test.log).
    #[test]
    fn ingress_upstreaminfo() {
        let f = LogFormat::compile(UPSTREAMINFO).unwrap();
        #[rustfmt::skip]
        let rows: &[(&[u8], Option<Want>)] = &[
            (br#"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884"#,
                Some(("192.168.64.1", 1_581_076_131, 0, "POST", "/products", 200, 59, Some(1000), Some(0)))),
            // A malformed method rejected by nginx: no upstream, `-` placeholders.
            (br#"192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b"#,
                Some(("192.168.64.1", 1_581_076_190, 0, "PATCHp", "/products/42", 400, 163, Some(0), None))),
            // Two upstreams tried: lists in four fields, separated by `, `.
            (br#"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /v2/some HTTP/1.1" 200 61 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae24486dbb4156dcbe21f5d402"#,
                Some(("192.168.64.14", 1_581_076_962, 0, "GET", "/v2/some", 200, 61, Some(1000), Some(104_000)))),
            // IPv6 client with a user, IPv6 upstream in brackets.
            (br#"2a02:cf40:: - remote_monitoring_user [24/Aug/2022:21:04:17 +0000] "POST /_bulk HTTP/1.1" 200 470 "-" "Elastic-metricbeat/7.16.3 (linux; amd64; e7cede6a62ed4452bd9044fc6f4947df; 2022-01-07 00:50:33 +0000 UTC)" 2057 0.033 [esmon-esmon-es-http-9200] [] [2a02:cf40::]:9200 470 0.036 200 3db73c6c673c4256ade033a6ce08c2ab"#,
                Some(("2a02:cf40::", 1_661_375_057, 0, "POST", "/_bulk", 200, 470, Some(33_000), Some(36_000)))),
            // The deliberately malformed upstream address is opaque: the request still counts.
            (br#"2a02:cf40::4e36 - - [24/Aug/2022:18:05:41 +0000] "GET /favicon.ico HTTP/2.0" 502 552 "https://localhost:8080/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36" 27 0.000 [localhost-8080] [] [2a02:cf40::7]:5000, [2a02:cf40::::::::4e36]:500000000 0, 0 0.000, 0.000 502, 502 3db73c6c673c4256ade033a6ce08c2ab"#,
                Some(("2a02:cf40::4e36", 1_661_364_341, 0, "GET", "/favicon.ico", 502, 552, Some(0), Some(0)))),
            // A unix socket upstream.
            (br#"192.168.64.1 - - [07/Feb/2020:11:56:54 +0000] "GET /products/42 HTTP/1.1" 200 59 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.5 Safari/605.1.15" 369 0.002 [default-web-8080] [] unix:/var/run/php-fpm.sock 59 0.002 200 0f76ea730f282d5759018eb756b23b14"#,
                Some(("192.168.64.1", 1_581_076_614, 0, "GET", "/products/42", 200, 59, Some(2000), Some(2000)))),
            // The second upstream gave no time: `0.100, -`.
            (br#"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /test/test.mp4 HTTP/1.1" 200 61 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 - 0.100, - 200, - 835136ae24486dbb4156dcbe21f5d402"#,
                Some(("192.168.64.14", 1_581_076_962, 0, "GET", "/test/test.mp4", 200, 61, Some(1000), Some(100_000)))),
        ];
        for (line, want) in rows {
            check(&f, line, *want);
        }
    }

    /// (d) `escape=json` with `$time_iso8601`, and `$msec`.
    #[test]
    fn json_and_msec() {
        let json = LogFormat::compile(
            r#"log_format json_combined escape=json
              '{'
                '"time":"$time_iso8601",'
                '"remote_addr":"$remote_addr",'
                '"request":"$request",'
                '"status": "$status",'
                '"body_bytes_sent":$body_bytes_sent,'
                '"request_time":$request_time,'
                '"upstream_response_time":"$upstream_response_time",'
                '"http_user_agent":"$http_user_agent"'
              '}';"#,
        )
        .unwrap();
        #[rustfmt::skip]
        let rows: &[(&[u8], Option<Want>)] = &[
            (br#"{"time":"2026-11-28T13:55:36+01:00","remote_addr":"10.0.0.7","request":"GET /a\"b?q=\u0001\\ HTTP/1.1","status": "502","body_bytes_sent":0,"request_time":1.002,"upstream_response_time":"1.001, 0.001","http_user_agent":"say \"hi\""}"#,
                Some(("10.0.0.7", 1_795_870_536, 3600, "GET", r#"/a\"b?q=\u0001\\"#, 502, 0, Some(1_002_000), Some(1_002_000)))),
            // Unset variables are empty with escape=json.
            (br#"{"time":"2026-11-28T12:55:36+00:00","remote_addr":"10.0.0.7","request":"","status": "400","body_bytes_sent":0,"request_time":0.000,"upstream_response_time":"","http_user_agent":""}"#,
                Some(("10.0.0.7", 1_795_870_536, 0, "", "-", 400, 0, Some(0), None))),
            // Cut off in the user agent.
            (br#"{"time":"2026-11-28T12:55:36+00:00","remote_addr":"10.0.0.7","request":"GET / HTTP/1.1","status": "200","body_bytes_sent":5,"request_time":0.000,"upstream_response_time":"","http_user_agent":"curl"#, None),
            // A stamp without its offset is not $time_iso8601.
            (br#"{"time":"2026-11-28T12:55:36","remote_addr":"10.0.0.7","request":"GET / HTTP/1.1","status": "200","body_bytes_sent":5,"request_time":0.000,"upstream_response_time":"","http_user_agent":"curl"}"#, None),
        ];
        for (line, want) in rows {
            check(&json, line, *want);
        }

        let msec = LogFormat::compile(
            r#"$msec $http_x_forwarded_for "$request_method $scheme://$host$request_uri" $status $bytes_sent $request_time"#,
        )
        .unwrap();
        #[rustfmt::skip]
        let rows: &[(&[u8], Option<Want>)] = &[
            (br#"1480000000.123 203.0.113.9, 10.0.0.1 "GET https://shop.example/cart?x=1" 503 210 0.004"#,
                Some(("203.0.113.9", 1_480_000_000, 0, "GET", "/cart?x=1", 503, 210, Some(4000), None))),
            (br#"1480000001.999 - "HEAD http://a/" 200 0 0.000"#,
                Some(("-", 1_480_000_001, 0, "HEAD", "/", 200, 0, Some(0), None))),
            (br#"14800x0001.999 - "HEAD http://a/" 200 0 0.000"#, None),
        ];
        for (line, want) in rows {
            check(&msec, line, *want);
        }
    }

    /// Other shapes: `$uri$is_args$args`, `$uri?$args`, `${var}`, `$time_local` before a space,
    /// `escape=none`, forwarded-for as the only address, a bare format starting with a quote.
    #[test]
    fn other_shapes() {
        #[rustfmt::skip]
        let rows: &[(&str, &[u8], Option<Want>)] = &[
            ("$remote_addr $time_local $request_method $uri$is_args$args $status",
                b"10.0.0.1 28/Nov/2026:13:55:36 +0100 GET /a?b=1 500",
                Some(("10.0.0.1", 1_795_870_536, 3600, "GET", "/a?b=1", 500, 0, None, None))),
            ("$remote_addr $time_local $request_method $uri$is_args$args $status",
                b"10.0.0.1 28/Nov/2026:13:55:36 +0100 GET /a- 500",
                Some(("10.0.0.1", 1_795_870_536, 3600, "GET", "/a", 500, 0, None, None))),
            ("[$time_local] $request_method $uri?$args ${status}xx",
                b"[28/Nov/2026:13:55:36 +0100] GET /a?b=1 404xx",
                Some(("-", 1_795_870_536, 3600, "GET", "/a?b=1", 404, 0, None, None))),
            ("[$time_local] $request_method $uri?$args ${status}xx",
                b"[28/Nov/2026:13:55:36 +0100] GET /a?- 404xx",
                Some(("-", 1_795_870_536, 3600, "GET", "/a", 404, 0, None, None))),
            (r#"escape=none '$http_x_forwarded_for [$time_local] "$request" $status'"#,
                br#"198.51.100.2, 10.0.0.1 [28/Nov/2026:13:55:36 +0100] "GET /say"hi HTTP/1.1" 200"#,
                Some(("198.51.100.2", 1_795_870_536, 3600, "GET", r#"/say"hi"#, 200, 0, None, None))),
            (r#""$request" $status [$time_local]"#,
                br#""GET / HTTP/1.1" 201 [28/Nov/2026:13:55:36 +0100]"#,
                Some(("-", 1_795_870_536, 3600, "GET", "/", 201, 0, None, None))),
            ("combined",
                b"1.2.3.4 - - [28/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\r",
                Some(("1.2.3.4", 1_795_870_536, 3600, "GET", "/", 200, 1, None, None))),
        ];
        for (spec, line, want) in rows {
            let f = LogFormat::compile(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
            check(&f, line, *want);
        }
    }

    /// (e) Specs that cannot make an access record, with words the error must contain.
    #[test]
    fn compile_errors() {
        #[rustfmt::skip]
        let rows: &[(&str, &str)] = &[
            ("", "empty"),
            ("   ", "empty"),
            ("''", "no variables"),
            ("log_format main ;", "no format text"),
            ("$remote_addr [$time_local] \"$request\"", "no $status"),
            ("'$remote_addr \"$request\" $status'", "no time variable"),
            ("'$remote_addr [$time_local] $status", "unbalanced quotes"),
            ("log_format main '$remote_addr [$time_local] ' \"$status", "unbalanced quotes"),
            ("[$time_local] $status$body_bytes_sent", "$status and $body_bytes_sent"),
            ("[$time_local] $request_method$request_uri $status", "nothing between"),
            ("[$time_local] $ $status", "`$` must start"),
            ("[$time_local] ${status $status", "closing }"),
            ("escape=xml '[$time_local] $status'", "unknown escape=xml"),
            ("'[$time_local] $status'; extra", "after ';'"),
        ];
        for (spec, words) in rows {
            match LogFormat::compile(spec) {
                Ok(f) => panic!("{spec:?} compiled: {:?}", f.variables()),
                Err(e) => assert!(e.contains(words), "{spec:?}: {e}"),
            }
        }
        // Ignored variables next to each other are one opaque field.
        let f = LogFormat::compile("[$time_local] $status $foo$bar end").unwrap();
        let want = ("-", 1_795_870_536, 3600, "", "-", 200, 0, None, None);
        check(&f, b"[28/Nov/2026:13:55:36 +0100] 200 xyz end", Some(want));
    }

    /// (e) Lines that are not in the format: never a panic, never a record.
    #[test]
    fn hostile_lines() {
        let formats = [
            LogFormat::compile("combined").unwrap(),
            LogFormat::compile(TIMED).unwrap(),
            LogFormat::compile(UPSTREAMINFO).unwrap(),
            LogFormat::compile(r#"escape=json '{"t":"$time_iso8601","s":$status,"r":"$request"}'"#)
                .unwrap(),
        ];
        let huge = vec![b'"'; 1 << 20];
        let slashes = vec![b'\\'; 100_001];
        #[rustfmt::skip]
        let bad: &[&[u8]] = &[
            b"",
            b"\"",
            b"\\",
            b"\x00\x01\x02\xff[[[[\"\"\"",
            &huge,
            &slashes,
            br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 2000 5 "-" "ua" 0.001 0.001"#,
            br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 099 5 "-" "ua" 0.001 0.001"#,
            br#"10.1.2.3 - - [28/Nov/2026:13:55:3 +0100] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.001 0.001"#,
            br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 200 5x "-" "ua" 0.001 0.001"#,
            b"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] \"GET /\xff\xfe HTTP/1.1\" 200 5 \"-\" \"ua\" 0.001 \\",
            br#"{"t":"2026-11-28T12:55:36+00:00","s":200,"r":"GET /\"#,
            br#"{"t":"2026-11-28T12:55:36+00:00","s":"200","r":"GET /"}"#,
        ];
        for f in &formats {
            for line in bad {
                let mut cache = ClfCache::default();
                let shown = String::from_utf8_lossy(&line[..line.len().min(100)]);
                assert_eq!(f.parse(line, &mut cache), None, "{shown}");
            }
        }
        // Every cut of a good line before its last field is not a record (a cut inside the
        // last field can leave a shorter valid value, `0.00`; a cut after the user agent is
        // a valid combined line).
        let good = br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.001 0.001"#;
        let mut cache = ClfCache::default();
        assert!(formats[1].parse(good, &mut cache).is_some());
        for cut in 0..good.len() - b"0.001".len() {
            assert_eq!(
                formats[1].parse(&good[..cut], &mut cache),
                None,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn list_separators() {
        let line = b"a, b : c d";
        assert!(in_list_separator(line, 0, 1)); // the comma of ", "
        assert!(in_list_separator(line, 0, 2)); // its space
        assert!(in_list_separator(line, 0, 4)); // " : "
        assert!(in_list_separator(line, 0, 6));
        assert!(!in_list_separator(line, 0, 8)); // before "d"
        assert_eq!(upstream_sum(b"0.100, - : 0.002"), Some(Some(102_000)));
        assert_eq!(upstream_sum(b"-"), Some(None));
        assert_eq!(upstream_sum(b"1.0, x"), None);
    }
}
