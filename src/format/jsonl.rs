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
mod tests {
    use super::*;
    use crate::time::Zone;

    fn check(line: &[u8], ctx: &ParseCtx, want: Option<(i64, Option<Level>, &str, &str)>) {
        let got = parse(line, ctx);
        let shown = String::from_utf8_lossy(line);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some((time, level, app, message))) => {
                assert_eq!(g.time, time, "time of {shown}");
                assert_eq!(g.level, level, "level of {shown}");
                assert_eq!(String::from_utf8_lossy(&g.app), app, "app of {shown}");
                assert_eq!(
                    String::from_utf8_lossy(&g.message),
                    message,
                    "message of {shown}"
                );
            }
            (g, w) => panic!("{shown}: got {g:?}, wanted a record: {}", w.is_some()),
        }
    }

    /// Real lines from tstack/lnav `test/` (BSD-2-Clause) and elastic/beats
    /// `filebeat/tests/files/logs/docker_corrupted.log` (Apache-2.0); see
    /// /work/shared/corpus/SOURCES.md.
    #[test]
    fn real_lines() {
        let utc = ParseCtx::utc_2026();
        // lnav logfile_bunyan.0: numeric level, `name` as the app.
        check(br#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":30,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","baseBranch":"main","stats":{"managers":{"gitlabci":{"fileCount":1,"depCount":1},"gitlabci-include":{"fileCount":1,"depCount":1},"npm":{"fileCount":1,"depCount":15}},"total":{"fileCount":3,"depCount":17}},"msg":"Dependency extraction complete","time":"2023-03-24T14:26:16.243Z","v":0}"#,
            &utc, Some((1_679_667_976, Some(Level::Info), "renovate", "Dependency extraction complete")));
        check(br#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":20,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","msg":"Found 3 package file(s)","time":"2023-03-24T14:26:16.243Z","v":0,"src":{"file": "/Users/trentm/tm/node-bunyan/examples/src.js","line": 20,"func": "Wuzzle.woos"}}"#,
            &utc, Some((1_679_667_976, Some(Level::Debug), "renovate", "Found 3 package file(s)")));
        // lnav logfile_pino.0: epoch-ms `time`, dotted key `service.name`.
        check(br#"{"level":"info","time":1745532517537,"pid":17,"hostname":"7d82d3f28bad","trace_id":"c759f29f5f1e2162be56f32dd1e77fce","span_id":"17c4a60ca4297cf1","trace_flags":"01","service.name":"payment","request":{"amount":{"currencyCode":"USD","units":{"low":513,"high":0,"unsigned":false},"nanos":999999996},"creditCard":{"creditCardNumber":"4929-6495-8333-3657","creditCardCvv":159,"creditCardExpirationYear":2039,"creditCardExpirationMonth":8}},"msg":"Charge request received."}"#,
            &utc, Some((1_745_532_517, Some(Level::Info), "payment", "Charge request received.")));
        // lnav logfile_ecs_log.json: `@timestamp`, dotted `log.level`, nested `log.logger`.
        check(br#"{"@timestamp":"2025-01-13T09:58:13.634Z","log.level":"error","message":"this is a error message num=15","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":45,"name":"es_logger.py"},"function":"main"},"original":"this is a error message num=15"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}}"#,
            &utc, Some((1_736_762_293, Some(Level::Error), "app", "this is a error message num=15")));
        check(br#"{"@timestamp":"2025-01-13T09:58:13.634Z","log.level":"critical","message":"this is a critical message num=52","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":46,"name":"es_logger.py"},"function":"main"},"original":"this is a critical message num=52"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}}"#,
            &utc, Some((1_736_762_293, Some(Level::Critical), "app", "this is a critical message num=52")));
        // lnav logfile_json.json: `ts`/`lvl`/`logger`, \u escapes, non-ASCII, custom levels.
        check(r#"{"ts": "2013-09-06T20:00:49.124817Z", "logger": "com.example.demoµs", "lvl": "INFO", "msg": "Starting up \u001B[0;32mservice\u001B[0m"}"#.as_bytes(),
            &utc, Some((1_378_497_649, Some(Level::Info), "com.example.demo\u{b5}s", "Starting up \u{1b}[0;32mservice\u{1b}[0m")));
        check(
            br#"{"ts": "2013-09-06T22:00:59.124817Z", "lvl": "DEBUG5", "msg": "D\bDetails...\n"}"#,
            &utc,
            Some((1_378_504_859, Some(Level::Debug), "", "D\u{8}Details...")),
        );
        check(
            br#"{"ts": "xxx", "lvl": "DEBUG3", "msg": "bad ts...\n"}"#,
            &utc,
            None,
        );
        check(
            br#"{"ts": "2013-09-06 22:01:00Z", "lvl": "DEBUG", "msg": "Details..."}"#,
            &utc,
            Some((1_378_504_860, Some(Level::Debug), "", "Details...")),
        );
        check(
            br#"{"ts": "2013-09-06T22:01:49.124817Z", "lvl": "STATS", "msg": "1 beat per second"}"#,
            &utc,
            Some((1_378_504_909, None, "", "1 beat per second")),
        );
        check(br#"{"ts": "2013-09-06T22:01:49.124817Z", "lvl": "FATAL", "msg": "shoot", "obj": { "field1" : "hi", "field2": 2 }, "arr" : ["hi", {"sub1": true}]}"#,
            &utc, Some((1_378_504_909, Some(Level::Critical), "", "shoot")));
        // lnav logfile_json_invalid.json: the unterminated line.
        check(
            br#"{"ts": "2013-09-06T22:00:59.124817Z", "lvl": "DEBUG4", "msg": "D\bDe\betails...\n"#,
            &utc,
            None,
        );
        // lnav logfile_nested_json.json: level and message one level down.
        check(br#"{"ts": "2013-09-06T22:01:49.124817Z", "@fields": { "lvl": "ERROR", "msg": "looking bad"}}"#,
            &utc, Some((1_378_504_909, Some(Level::Error), "", "looking bad")));
        // lnav logfile_json3.json: `started_at` epoch ms as an integer and as a float.
        check(br#"{ "started_at": 1490386367764.0, "response": { "status": 500, "size": 4433, "headers": { "server": "nginx\/1.11.10", "content-type": "application\/json", "connection": "close", "cache-control": "max-age=0, must-revalidate, no-cache, no-store, private" } }, "request": { "method": "GET", "uri": "\/example\/uri\/5", "size": "166", "querystring": {}, "headers": { "host": "example.com" } }, "client_ip": "1.1.1.1" }"#,
            &utc, Some((1_490_386_367, None, "", "")));
        check(br#"{ "started_at": 1490385986240, "response": { "status": 200, "size": 443, "headers": { "server": "nginx\/1.11.10", "content-type": "application\/json", "connection": "close", "cache-control": "max-age=0, must-revalidate, no-cache, no-store, private" } }, "request": { "method": "GET", "uri": "\/example\/uri\/5", "size": "166", "querystring": {}, "headers": { "host": "example.com" } }, "client_ip": "1.1.1.1" }"#,
            &utc, Some((1_490_385_986, None, "", "")));
        // lnav logfile_json_subsec.json: log4j2 `instant`.
        check(br#"{"instant":{"epochSecond": 1663977619,"nanoOfSecond": 222000123}, "msg": "Goodbye, World!"}"#,
            &utc, Some((1_663_977_619, None, "", "Goodbye, World!")));
        // lnav logfile_rust_tracing.0: message inside `fields`, `target` as the app.
        check(br#"{"timestamp":"2025-10-28T19:15:10.821723Z","level":"ERROR","fields":{"message":"hello! I'm gonna shave a yak","excitement":"yay!"},"target":"fmt_json::yak_shave","spans":[{"yaks":3,"name":"shaving_yaks"},{"yak":3,"name":"shave"}],"threadName":"main","threadId":1}"#,
            &utc, Some((1_761_678_910, Some(Level::Error), "fmt_json::yak_shave", "hello! I'm gonna shave a yak")));
        // lnav logfile_caddy_log.0 (after its compose prefix): float epoch seconds, emoji.
        check(r#"{"level":"warn","ts":1761019831.8274047,"msg":"exiting; byeee!! 👋","signal":"SIGTERM"}"#.as_bytes(),
            &utc, Some((1_761_019_831, Some(Level::Warning), "", "exiting; byeee!! \u{1f44b}")));
        check(br#"{"level":"info","ts":1761019822.316192,"logger":"admin","msg":"admin endpoint started","address":"localhost:2019","enforce_origin":false,"origins":["//[::1]:2019","//127.0.0.1:2019","//localhost:2019"]}"#,
            &utc, Some((1_761_019_822, Some(Level::Info), "admin", "admin endpoint started")));
        // beats docker_corrupted.log: json-file driver, nanosecond time, trailing newline.
        check(br#"{"log":"Fetching dependencies...\n","stream":"stdout","time":"2016-03-02T22:59:04.609292428Z"}"#,
            &utc, Some((1_456_959_544, None, "", "Fetching dependencies...")));
        check(br#"{"log":"sed -i.bk 's/device: any/device: en0/' /build/packetbeat-darwin.yml\n","stream":"stdout","time":"2016-03-02T22:59:04.66649744Z"}"#,
            &utc, Some((1_456_959_544, None, "", "sed -i.bk 's/device: any/device: en0/' /build/packetbeat-darwin.yml")));
        // ... and its line 7, which lost its opening brace.
        check(br#""log":"cp packetbeat.yml /build/packetbeat-linux.yml\n","stream":"stdout","time":"2016-03-02T22:59:04.647847045Z"}"#, &utc, None);
        // lnav logfile_otel_collector.jsonl: records are nested in arrays; no top-level time.
        check(br#"{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"1700000008000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"Log with empty resource attributes and no scope name"}}]}]}]}"#, &utc, None);
    }

    #[test]
    fn synthetic_lines() {
        let utc = ParseCtx::utc_2026();
        let plus2 = ParseCtx {
            zone: Zone::from_offset_secs(7200),
            ..utc
        };
        // Zone-less stamps are read in the context's zone; written offsets win.
        check(br#"{"asctime":"2026-11-28 13:55:36,123","levelname":"ERROR","name":"app.db","message":"pool exhausted"}"#,
            &plus2, Some((1_795_874_136 - 7200, Some(Level::Error), "app.db", "pool exhausted")));
        check(
            br#"{"time":"2026-11-28T13:55:36+01:00","level":"warn","msg":"x"}"#,
            &plus2,
            Some((1_795_870_536, Some(Level::Warning), "", "x")),
        );
        // Epoch strings in µs and ns; the best-ranked time key wins.
        check(
            br#"{"ts":"1795874136123456","msg":"a"}"#,
            &utc,
            Some((1_795_874_136, None, "", "a")),
        );
        check(
            br#"{"date":"1795874136123456789","timestamp":"2026-11-28T13:55:37Z","msg":"a"}"#,
            &utc,
            Some((1_795_874_137, None, "", "a")),
        );
        // A bad best key falls back to the next one.
        check(
            br#"{"timestamp":"soon","time":1795874136,"msg":"a"}"#,
            &utc,
            Some((1_795_874_136, None, "", "a")),
        );
        // Syslog priority keys, nested `log.level` and `service.name`, escaped strings.
        check(
            br#"{"t":1795874136,"priority":3,"message":"disk \"sda\" failed"}"#,
            &utc,
            Some((1_795_874_136, Some(Level::Error), "", "disk \"sda\" failed")),
        );
        check(br#"{"@timestamp":"2026-11-28T13:55:36Z","log":{"level":"WARN"},"service":{"name":"api"},"message":"slow"}"#,
            &utc, Some((1_795_874_136, Some(Level::Warning), "api", "slow")));
        check(
            br#"{"@timestamp":"2026-11-28T13:55:36Z","syslog":{"severity":2},"message":"m"}"#,
            &utc,
            Some((1_795_874_136, Some(Level::Critical), "", "m")),
        );
        // A top-level key beats the same key inside a wrapper.
        check(
            br#"{"ts":1795874136,"fields":{"message":"inner"},"msg":"outer"}"#,
            &utc,
            Some((1_795_874_136, None, "", "outer")),
        );
        // Serilog compact.
        check(br#"{"@t":"2026-11-28T13:55:36.1234567Z","@mt":"Disk {Disk} full","@l":"Error","Disk":"sda"}"#,
            &utc, Some((1_795_874_136, Some(Level::Error), "", "Disk {Disk} full")));
    }

    #[test]
    fn hostile_lines() {
        let utc = ParseCtx::utc_2026();
        for bad in [
            &b""[..],
            b"{",
            b"}",
            b"{}",
            b"[1,2,3]",
            b"\"just a string\"",
            b"{\"msg\":\"no time\"}",
            b"{\"time\":null,\"msg\":\"x\"}",
            b"{\"time\":true}",
            b"{\"time\":[1795874136]}",
            b"{\"time\":{\"a\":1}}",
            b"{\"time\":-1795874136}",
            b"{\"time\":1e300}",
            b"{\"time\":5}",
            b"{\"time\":\"2026-13-45T99:99:99Z\"}",
            b"{\"time\":\"99999999999999999999999\"}",
            b"{\"time\":1795874136} trailing",
            b"{\"time\":1795874136,}",
            b"{\"time\":1795874136,\"msg\":\"\\ud800\"",
            b"{\"time\":1795874136\x00}",
            b"not json at all",
            b"2026-11-28T13:55:36Z {\"level\":\"error\"}",
        ] {
            assert_eq!(parse(bad, &utc), None, "{}", String::from_utf8_lossy(bad));
        }
        // Wrong types for level, message and app are ignored.
        check(
            br#"{"time":1795874136,"level":{"x":1},"msg":42,"logger":[1]}"#,
            &utc,
            Some((1_795_874_136, None, "", "")),
        );
        check(
            br#"{"time":1795874136,"level":99999999999,"msg":"x"}"#,
            &utc,
            Some((1_795_874_136, None, "", "x")),
        );
        // Invalid UTF-8 inside a string: read after a lossy conversion.
        check(
            b"{\"time\":1795874136,\"level\":\"error\",\"msg\":\"bad \xff byte\"}",
            &utc,
            Some((1_795_874_136, Some(Level::Error), "", "bad \u{fffd} byte")),
        );
        // Deep nesting in skipped values does not overflow the stack.
        let deep = format!(
            "{{\"time\":1795874136,\"x\":{}1{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(
            parse(deep.as_bytes(), &utc).map(|e| e.time),
            Some(1_795_874_136)
        );
        // A huge message is fine.
        let huge = format!(
            "{{\"time\":1795874136,\"msg\":\"{}\"}}",
            "a".repeat(1 << 20)
        );
        assert_eq!(
            parse(huge.as_bytes(), &utc).map(|e| e.message.len()),
            Some(1 << 20)
        );
    }

    #[test]
    fn borrows_when_no_escapes() {
        let utc = ParseCtx::utc_2026();
        let e = parse(br#"{"time":1795874136,"msg":"plain","logger":"a"}"#, &utc).unwrap();
        assert!(matches!(e.message, Cow::Borrowed(_)) && matches!(e.app, Cow::Borrowed(_)));
        let e = parse(br#"{"time":1795874136,"msg":"esc\"aped"}"#, &utc).unwrap();
        assert!(matches!(e.message, Cow::Owned(_)));
    }

    #[test]
    fn epochs_by_magnitude() {
        for (n, want) in [
            (99_999_999u64, None),
            (1_795_874_136, Some(1_795_874_136)),
            (1_795_874_136_123, Some(1_795_874_136)),
            (1_795_874_136_123_456, Some(1_795_874_136)),
            (1_795_874_136_123_456_789, Some(1_795_874_136)),
            (u64::MAX, Some(18_446_744_073)),
        ] {
            assert_eq!(epoch_secs(n), want, "{n}");
        }
        assert_eq!(epoch_text(b"1761019822.3152757"), Some(1_761_019_822));
        assert_eq!(epoch_text(b"1761019822."), Some(1_761_019_822));
        assert_eq!(epoch_text(b"17610x"), None);
        assert_eq!(epoch_text(b".5"), None);
        assert_eq!(level_text(b"DEBUG2", LevelScale::Named), Some(Level::Debug));
        assert_eq!(level_text(b"50", LevelScale::Named), Some(Level::Error));
        assert_eq!(level_text(b"3", LevelScale::Syslog), Some(Level::Error));
        assert_eq!(level_text(b"99999", LevelScale::Named), None);
    }
}
