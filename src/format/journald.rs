//! systemd journal entries as `journalctl -o json` writes them: one object per line, compact
//! (`{"K":"V",...}`) or in the old spaced style (`{ "K" : "V", ... }`).
//!
//! Input: one line without its line ending. Output: an [`Event`] (or an [`Entry`], which adds
//! the systemd unit and boot id); string values without escapes are borrowed from the line.
//! Every value is a string except that a field which is not valid UTF-8 comes as an array of
//! byte values, a field given twice as an array of strings (the first is taken), and a field
//! too large for journalctl as `null`. Times are microseconds since the epoch, as strings:
//! `_SOURCE_REALTIME_TIMESTAMP` (when the writer said it) is preferred over
//! `__REALTIME_TIMESTAMP` (when journald received it). A line without
//! `__REALTIME_TIMESTAMP` is not a journal entry, which keeps generic JSON application logs
//! out of this format: they go to [`super::jsonl`].

use super::jsonl::{cow_bytes, trim_newline};
use super::{Event, Level, ParseCtx};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A journal entry: the event, plus fields that tell services and boots apart.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    pub event: Event<'a>,
    /// `_SYSTEMD_UNIT`, e.g. `nginx.service`.
    pub unit: Option<Cow<'a, [u8]>>,
    /// `_BOOT_ID`: it changes at each boot.
    pub boot_id: Option<Cow<'a, [u8]>>,
}

/// Fields we read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    SourceRealtime,
    Realtime,
    Priority,
    Identifier,
    Unit,
    Comm,
    Message,
    BootId,
}

fn key(name: &str) -> Option<Key> {
    Some(match name {
        "_SOURCE_REALTIME_TIMESTAMP" => Key::SourceRealtime,
        "__REALTIME_TIMESTAMP" => Key::Realtime,
        "PRIORITY" => Key::Priority,
        "SYSLOG_IDENTIFIER" => Key::Identifier,
        "_SYSTEMD_UNIT" => Key::Unit,
        "_COMM" => Key::Comm,
        "MESSAGE" => Key::Message,
        "_BOOT_ID" => Key::BootId,
        _ => return None,
    })
}

/// A journal field value.
#[derive(Debug, PartialEq)]
enum Val<'de> {
    Str(Cow<'de, str>),
    Bytes(Vec<u8>),
    Num(u64),
    /// `null`, or a type journalctl does not write.
    Other,
}

impl<'de> Val<'de> {
    fn bytes(self) -> Option<Cow<'de, [u8]>> {
        match self {
            Val::Str(s) => Some(cow_bytes(s)),
            Val::Bytes(b) => Some(Cow::Owned(b)),
            Val::Num(_) | Val::Other => None,
        }
    }

    fn number(&self) -> Option<u64> {
        match self {
            Val::Str(s)
                if !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')))
            }
            Val::Num(n) => Some(*n),
            _ => None,
        }
    }

    /// Seconds of a microsecond stamp, up to the year 9999.
    fn micros_to_secs(&self) -> Option<i64> {
        let secs = i64::try_from(self.number()? / 1_000_000).ok()?;
        (secs <= 253_402_300_799).then_some(secs)
    }
}

/// Reads any value into a [`Val`].
struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a journal field value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Val<'de>, E> {
        Ok(Val::Num(n))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Val<'de>, E> {
        Ok(u64::try_from(n).map_or(Val::Other, Val::Num))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_unit<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_none<E>(self) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    /// Byte values (a field that is not UTF-8), or several values of one field.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        let mut bytes = Vec::new();
        let mut first = None;
        let mut all_bytes = true;
        while let Some(v) = seq.next_element_seed(ValSeed)? {
            match v {
                Val::Num(n) if all_bytes && first.is_none() => match u8::try_from(n) {
                    Ok(b) => bytes.push(b),
                    Err(_) => all_bytes = false,
                },
                other => {
                    all_bytes = false;
                    if first.is_none() && bytes.is_empty() {
                        first = Some(other);
                    }
                }
            }
        }
        Ok(match first {
            Some(v @ (Val::Str(_) | Val::Bytes(_))) => v,
            _ if all_bytes => Val::Bytes(bytes),
            _ => Val::Other,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Other)
    }
}

struct ValSeed;

impl<'de> DeserializeSeed<'de> for ValSeed {
    type Value = Val<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Val<'de>, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

/// Reads a key into a [`Key`] without allocating.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<Key>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Key>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Option<Key>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E>(self, v: &str) -> Result<Option<Key>, E> {
        Ok(key(v))
    }
}

#[derive(Default)]
struct Fields<'de> {
    source_realtime: Option<Val<'de>>,
    realtime: Option<Val<'de>>,
    priority: Option<Val<'de>>,
    identifier: Option<Val<'de>>,
    unit: Option<Val<'de>>,
    comm: Option<Val<'de>>,
    message: Option<Val<'de>>,
    boot_id: Option<Val<'de>>,
}

struct Top;

impl<'de> Visitor<'de> for Top {
    type Value = Fields<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a journal entry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut f = Fields::default();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let Some(k) = k else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let v = Some(map.next_value_seed(ValSeed)?);
            match k {
                Key::SourceRealtime => f.source_realtime = v,
                Key::Realtime => f.realtime = v,
                Key::Priority => f.priority = v,
                Key::Identifier => f.identifier = v,
                Key::Unit => f.unit = v,
                Key::Comm => f.comm = v,
                Key::Message => f.message = v,
                Key::BootId => f.boot_id = v,
            }
        }
        Ok(f)
    }
}

fn scan(bytes: &[u8]) -> Option<Fields<'_>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let fields = de.deserialize_map(Top).ok()?;
    de.end().ok()?;
    Some(fields)
}

fn entry(f: Fields<'_>) -> Option<Entry<'_>> {
    let received = f.realtime?.micros_to_secs()?;
    let time = f
        .source_realtime
        .and_then(|v| v.micros_to_secs())
        .unwrap_or(received);
    let level = f
        .priority
        .and_then(|p| p.number())
        .and_then(|p| u8::try_from(p).ok())
        .and_then(Level::from_priority);
    fn nonempty(v: Option<Val<'_>>) -> Option<Cow<'_, [u8]>> {
        v.and_then(Val::bytes).filter(|b| !b.is_empty())
    }
    let unit = nonempty(f.unit);
    let app = nonempty(f.identifier)
        .or_else(|| unit.clone())
        .or_else(|| nonempty(f.comm))
        .unwrap_or(Cow::Borrowed(b""));
    let message = f.message.and_then(Val::bytes).unwrap_or(Cow::Borrowed(b""));
    Some(Entry {
        event: Event {
            time,
            offset: None,
            level,
            app,
            message: trim_newline(message),
        },
        unit,
        boot_id: nonempty(f.boot_id),
    })
}

fn owned(c: Option<Cow<'_, [u8]>>) -> Option<Cow<'static, [u8]>> {
    c.map(|c| Cow::Owned(c.into_owned()))
}

/// Parses one `journalctl -o json` line, with its unit and boot id.
pub fn parse_entry<'a>(line: &'a [u8], _ctx: &ParseCtx) -> Option<Entry<'a>> {
    let body = line.trim_ascii();
    if body.first() != Some(&b'{')
        || memchr::memmem::find(body, b"\"__REALTIME_TIMESTAMP\"").is_none()
    {
        return None;
    }
    match scan(body) {
        Some(f) => entry(f),
        // journalctl writes non-UTF-8 fields as byte arrays; raw invalid bytes come from
        // elsewhere, but are read after a lossy conversion rather than dropped.
        None if std::str::from_utf8(body).is_err() => {
            let text = String::from_utf8_lossy(body);
            let e = entry(scan(text.as_bytes())?)?;
            Some(Entry {
                event: Event {
                    app: Cow::Owned(e.event.app.into_owned()),
                    message: Cow::Owned(e.event.message.into_owned()),
                    ..e.event
                },
                unit: owned(e.unit),
                boot_id: owned(e.boot_id),
            })
        }
        None => None,
    }
}

/// Parses one `journalctl -o json` line.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    parse_entry(line, ctx).map(|e| e.event)
}

#[cfg(test)]
#[path = "tests/journald.rs"]
mod tests;
