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
#[path = "tests/logformat.rs"]
mod tests;
