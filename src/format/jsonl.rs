//! JSON-lines application logs: one object per line, as written by bunyan, pino, zap, logrus,
//! structlog, Rust `tracing`, log4j2's JsonLayout, ECS loggers, Serilog's compact format and
//! Docker's json-file driver.
//!
//! Input: one line without its line ending. Output: an [`Event`]; strings without escapes are
//! borrowed from the line. Only the keys of the tables below are read: at the top level,
//! inside the objects named in `OBJECTS` (so `{"log":{"level":..}}` and the dotted key
//! `"log.level"` are the same key), and inside the wrapper objects `@fields` and `fields`
//! (lnav's nested layout, `tracing`'s `fields.message`), which rank after top-level keys.
//! Everything else is skipped with serde's `IgnoredAny` rather than built into a
//! `serde_json::Value`: application lines often carry large objects (request headers, stack
//! arrays) that we never look at.
//!
//! Times are ISO 8601 strings (zone-less ones are read in the context's zone), CLF stamps, or
//! epoch numbers and numeric strings in s, ms, µs or ns, told apart by magnitude. A line
//! without a usable time is not an event. Levels are words (`Level::from_word`, with a
//! trailing number as in `DEBUG2` ignored), bunyan/pino numbers, or syslog priorities for the
//! `priority` keys. Docker's `stream` is not a level: stderr carries info lines too.
//! Invalid UTF-8 (which serde_json rejects) is read again after a lossy conversion.

use super::{Event, Level, ParseCtx};
use crate::time::{parse_clf, parse_iso, CLF_LEN};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// How a numeric level is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LevelScale {
    /// bunyan/pino (10..60); 0..7 as a syslog priority.
    Named,
    /// syslog priority 0..7.
    Syslog,
}

/// Time keys, best first. `instant` is log4j2's `{"epochSecond":..,"nanoOfSecond":..}`.
const TIME_KEYS: &[&str] = &[
    "timestamp",
    "@timestamp",
    "time",
    "ts",
    "t",
    "date",
    "datetime",
    "asctime",
    "instant.epochSecond",
    "started_at",
    "@t",
];

/// Level keys, best first.
const LEVEL_KEYS: &[(&str, LevelScale)] = &[
    ("level", LevelScale::Named),
    ("severity", LevelScale::Named),
    ("lvl", LevelScale::Named),
    ("levelname", LevelScale::Named),
    ("log.level", LevelScale::Named),
    ("loglevel", LevelScale::Named),
    ("priority", LevelScale::Syslog),
    ("syslog.severity", LevelScale::Syslog),
    ("@l", LevelScale::Named),
];

/// Message keys, best first. `log` is Docker's json-file driver; `body.stringValue` is OTLP.
const MESSAGE_KEYS: &[&str] = &[
    "msg",
    "message",
    "event",
    "log",
    "body",
    "body.stringValue",
    "@m",
    "@mt",
    "short_message",
];

/// Keys naming the writer, best first. `target` is the module path of Rust `tracing`.
const APP_KEYS: &[&str] = &[
    "logger",
    "logger_name",
    "name",
    "service",
    "service.name",
    "app",
    "application",
    "log.logger",
    "target",
];

/// Objects whose keys are read as if they were top-level ones, ranked after those.
const WRAPPERS: &[&str] = &["@fields", "fields"];

/// Objects descended into to reach the dotted keys of the tables.
const OBJECTS: &[&str] = &["log", "service", "instant", "syslog", "body"];

/// Rank added to keys found inside a wrapper object.
const WRAPPED: u8 = 32;

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Time,
    Level(LevelScale),
    Message,
    App,
}

/// The class of a key path and its rank (lower is better).
fn classify(path: &str) -> Option<(Class, u8)> {
    fn rank(i: usize) -> u8 {
        u8::try_from(i).unwrap_or(u8::MAX)
    }
    if let Some(i) = TIME_KEYS.iter().position(|k| *k == path) {
        return Some((Class::Time, rank(i)));
    }
    if let Some(i) = LEVEL_KEYS.iter().position(|(k, _)| *k == path) {
        return Some((Class::Level(LEVEL_KEYS[i].1), rank(i)));
    }
    if let Some(i) = MESSAGE_KEYS.iter().position(|k| *k == path) {
        return Some((Class::Message, rank(i)));
    }
    if let Some(i) = APP_KEYS.iter().position(|k| *k == path) {
        return Some((Class::App, rank(i)));
    }
    let inner = unwrap_path(path)?;
    classify(inner).map(|(c, r)| (c, r.saturating_add(WRAPPED)))
}

/// `fields.message` -> `message`; `None` when the path is not inside a wrapper.
fn unwrap_path(path: &str) -> Option<&str> {
    WRAPPERS
        .iter()
        .find_map(|w| path.strip_prefix(w)?.strip_prefix('.'))
}

/// Whether the object at `path` may hold keys of the tables.
fn descend(path: &str) -> bool {
    WRAPPERS.contains(&path)
        || OBJECTS.contains(&path)
        || unwrap_path(path).is_some_and(|inner| OBJECTS.contains(&inner))
}

/// Epoch seconds from a number in s, ms, µs or ns, decided by magnitude. Numbers below 1e8
/// (before 1973 in seconds) are not taken for times.
pub(crate) fn epoch_secs(n: u64) -> Option<i64> {
    let secs = match n {
        0..=99_999_999 => return None,
        100_000_000..=99_999_999_999 => n,
        100_000_000_000..=99_999_999_999_999 => n / 1_000,
        100_000_000_000_000..=99_999_999_999_999_999 => n / 1_000_000,
        _ => n / 1_000_000_000,
    };
    i64::try_from(secs).ok()
}

/// Epoch seconds from a float (`1761019822.3152757`, `1490386367764.0`).
fn epoch_secs_f64(f: f64) -> Option<i64> {
    // Negative, infinite and NaN values are no times; the bound is u64::MAX, about 1.8e19.
    if f.is_finite() && (0.0..1.8e19).contains(&f) {
        epoch_secs(f as u64)
    } else {
        None
    }
}

/// Epoch seconds from text: digits with an optional fraction, nothing else.
fn epoch_text(v: &[u8]) -> Option<i64> {
    let int_len = v
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(v.len());
    let (int, frac) = v.split_at(int_len);
    if int.is_empty() || int.len() > 19 {
        return None;
    }
    let frac_ok = match frac.split_first() {
        None => true,
        Some((&dot, digits)) => dot == b'.' && digits.iter().all(u8::is_ascii_digit),
    };
    if !frac_ok {
        return None;
    }
    let n = int.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    epoch_secs(n)
}

/// UTC seconds and written offset of a time value given as text: ISO 8601 (a zone-less stamp
/// is read in `ctx`'s zone), an epoch number, or a CLF stamp.
pub(crate) fn time_text(v: &[u8], ctx: &ParseCtx) -> Option<(i64, Option<i32>)> {
    let v = v.trim_ascii();
    if let Some(st) = parse_iso(v) {
        // `2015-04-24T21:08:10.313913FOO`: a zone we cannot read is no time.
        if v.get(st.len).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        return Some((st.utc(&ctx.zone), st.offset));
    }
    if let Some(secs) = epoch_text(v) {
        return Some((secs, None));
    }
    if v.len() == CLF_LEN {
        return parse_clf(v).map(|(t, off)| (t, Some(off)));
    }
    None
}

/// A numeric level.
pub(crate) fn level_number(n: i64, scale: LevelScale) -> Option<Level> {
    let priority = || u8::try_from(n).ok().and_then(Level::from_priority);
    match scale {
        LevelScale::Syslog => priority(),
        LevelScale::Named => Level::from_bunyan(n)
            .or_else(|| {
                (10..70)
                    .contains(&n)
                    .then(|| Level::from_bunyan(n / 10 * 10))
                    .flatten()
            })
            .or_else(priority),
    }
}

/// A level written as text: a word (`WARN`, `eror`), a word with a trailing number
/// (`DEBUG2`), or a number.
pub(crate) fn level_text(v: &[u8], scale: LevelScale) -> Option<Level> {
    let v = v.trim_ascii();
    if let Some(l) = Level::from_word(v) {
        return Some(l);
    }
    let word_len = v
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    if word_len == v.len() {
        None
    } else if word_len == 0 {
        if v.len() > 4 {
            return None;
        }
        let n = v.iter().fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
        level_number(n, scale)
    } else {
        Level::from_word(&v[..word_len])
    }
}

/// `Cow<str>` to `Cow<[u8]>` without copying.
pub(crate) fn cow_bytes(s: Cow<'_, str>) -> Cow<'_, [u8]> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.as_bytes()),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

/// Drops a trailing `\n` or `\r\n` (Docker's `log` values end with one).
pub(crate) fn trim_newline(c: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    fn end(b: &[u8]) -> usize {
        let mut n = b.len();
        while n > 0 && (b[n - 1] == b'\n' || b[n - 1] == b'\r') {
            n -= 1;
        }
        n
    }
    match c {
        Cow::Borrowed(b) => Cow::Borrowed(&b[..end(b)]),
        Cow::Owned(mut v) => {
            v.truncate(end(&v));
            Cow::Owned(v)
        }
    }
}

/// The best value seen so far for each part of the event, with its rank.
#[derive(Default)]
struct Found<'de> {
    time: Option<(u8, (i64, Option<i32>))>,
    level: Option<(u8, Level)>,
    message: Option<(u8, Cow<'de, str>)>,
    app: Option<(u8, Cow<'de, str>)>,
}

fn take<T>(slot: &mut Option<(u8, T)>, rank: u8, value: Option<T>) {
    if let Some(v) = value {
        if slot.as_ref().is_none_or(|(r, _)| rank < *r) {
            *slot = Some((rank, v));
        }
    }
}

/// The dotted path of the key being read, kept in a fixed buffer (no allocation).
struct Path {
    buf: [u8; 64],
    len: usize,
}

impl Path {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// Appends `.key` to the path; yields `false` when the key does not fit (it then matches
/// nothing).
struct KeySeed<'p>(&'p mut Path);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        let p = self.0;
        let dot = usize::from(p.len > 0);
        let end = p.len + dot + key.len();
        if end > p.buf.len() {
            return Ok(false);
        }
        if dot == 1 {
            p.buf[p.len] = b'.';
        }
        p.buf[p.len + dot..end].copy_from_slice(key.as_bytes());
        p.len = end;
        Ok(true)
    }
}

/// Reads one object's keys into `found`.
fn walk<'de, A: MapAccess<'de>>(
    mut map: A,
    found: &mut Found<'de>,
    ctx: &ParseCtx,
    path: &mut Path,
) -> Result<(), A::Error> {
    let base = path.len;
    while let Some(fits) = map.next_key_seed(KeySeed(path))? {
        let (class, descend) = if fits {
            let p = path.as_str();
            (classify(p), descend(p))
        } else {
            (None, false)
        };
        if class.is_some() || descend {
            map.next_value_seed(Value {
                found,
                ctx,
                path,
                class,
                descend,
            })?;
        } else {
            map.next_value::<IgnoredAny>()?;
        }
        path.len = base;
    }
    Ok(())
}

/// One value of a wanted key (or of an object to descend into).
struct Value<'f, 'de> {
    found: &'f mut Found<'de>,
    ctx: &'f ParseCtx,
    path: &'f mut Path,
    class: Option<(Class, u8)>,
    descend: bool,
}

impl<'de> Value<'_, 'de> {
    fn string(self, v: &str, keep: impl FnOnce() -> Cow<'de, str>) {
        let Some((class, rank)) = self.class else {
            return;
        };
        let f = self.found;
        match class {
            Class::Time => take(&mut f.time, rank, time_text(v.as_bytes(), self.ctx)),
            Class::Level(scale) => take(&mut f.level, rank, level_text(v.as_bytes(), scale)),
            Class::Message => take(&mut f.message, rank, Some(keep())),
            Class::App => {
                if !v.is_empty() {
                    take(&mut f.app, rank, Some(keep()));
                }
            }
        }
    }

    fn number(self, n: Option<u64>, signed: Option<i64>) {
        let Some((class, rank)) = self.class else {
            return;
        };
        match class {
            Class::Time => take(
                &mut self.found.time,
                rank,
                n.and_then(epoch_secs).map(|t| (t, None)),
            ),
            Class::Level(scale) => {
                let n = signed.or_else(|| n.and_then(|u| i64::try_from(u).ok()));
                take(
                    &mut self.found.level,
                    rank,
                    n.and_then(|n| level_number(n, scale)),
                );
            }
            Class::Message | Class::App => {}
        }
    }
}

impl<'de> DeserializeSeed<'de> for Value<'_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Value<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        self.string(v, || Cow::Borrowed(v));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.string(v, || Cow::Owned(v.to_owned()));
        Ok(())
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        self.number(Some(n), None);
        Ok(())
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        self.number(u64::try_from(n).ok(), Some(n));
        Ok(())
    }
    fn visit_f64<E>(self, f: f64) -> Result<(), E> {
        if let Some((Class::Time, rank)) = self.class {
            take(
                &mut self.found.time,
                rank,
                epoch_secs_f64(f).map(|t| (t, None)),
            );
        } else if f.fract() == 0.0 && f.abs() < 1e6 {
            self.number(None, Some(f as i64));
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.descend {
            walk(map, self.found, self.ctx, self.path)
        } else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }
}

/// The top-level object.
struct Top<'f, 'de> {
    found: &'f mut Found<'de>,
    ctx: &'f ParseCtx,
}

impl<'de> Visitor<'de> for Top<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let mut path = Path {
            buf: [0; 64],
            len: 0,
        };
        walk(map, self.found, self.ctx, &mut path)
    }
}

fn scan<'de>(bytes: &'de [u8], ctx: &ParseCtx) -> Option<Found<'de>> {
    let mut found = Found::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.deserialize_map(Top {
        found: &mut found,
        ctx,
    })
    .ok()?;
    de.end().ok()?;
    Some(found)
}

fn event(found: Found<'_>) -> Option<Event<'_>> {
    let (_, (time, offset)) = found.time?;
    let message = found
        .message
        .map_or(Cow::Borrowed(&b""[..]), |(_, m)| cow_bytes(m));
    let app = found
        .app
        .map_or(Cow::Borrowed(&b""[..]), |(_, a)| cow_bytes(a));
    Some(Event {
        time,
        offset,
        level: found.level.map(|(_, l)| l),
        app,
        message: trim_newline(message),
    })
}

/// Parses one JSON-lines entry.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let body = line.trim_ascii();
    if body.first() != Some(&b'{') || body.last() != Some(&b'}') {
        return None;
    }
    match scan(body, ctx) {
        Some(found) => event(found),
        None if std::str::from_utf8(body).is_err() => {
            let text = String::from_utf8_lossy(body);
            let e = event(scan(text.as_bytes(), ctx)?)?;
            Some(Event {
                app: Cow::Owned(e.app.into_owned()),
                message: Cow::Owned(e.message.into_owned()),
                ..e
            })
        }
        None => None,
    }
}

#[cfg(test)]
#[path = "tests/jsonl.rs"]
mod tests;
