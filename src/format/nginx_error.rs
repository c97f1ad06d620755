//! nginx error log: `2026/11/28 13:55:36 [error] 1234#0: *5 connect() failed (111: ...)
//! while connecting to upstream, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1"`.
//!
//! Input: one line without its line ending. Output: an [`Event`] that borrows from the line,
//! `app` = `nginx`, `message` = what follows `PID#TID: `, without the `*CID ` connection
//! number (a counter that differs on every line and would split one error into as many
//! signatures as there are connections). The stamp has no zone: it is local time in
//! `ctx.zone`. The trailing `, client: ..., server: ..., request: "..."` context stays in the
//! message, where [`fields`] finds it again.
//!
//! Not lines of this format: anything without the fixed-width stamp, a known level and the
//! `PID#TID:` pair — in particular the physical lines that continue a multi-line entry (the
//! FastCGI stderr text that PHP writes across lines), which the caller counts with
//! [`super::is_continuation`] or as skipped.

use super::{Event, Level, ParseCtx};
use crate::time::{civil_secs, two};
use std::borrow::Cow;

/// Length of `2026/11/28 13:55:36`.
const STAMP_LEN: usize = 19;

/// `YYYY/MM/DD HH:MM:SS` into seconds of the wall-clock time (no zone applied).
fn stamp(s: &[u8]) -> Option<i64> {
    if s.len() < STAMP_LEN
        || s[4] != b'/'
        || s[7] != b'/'
        || s[10] != b' '
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let year = two(&s[0..2])? * 100 + two(&s[2..4])?;
    civil_secs(
        i64::from(year),
        two(&s[5..7])?,
        two(&s[8..10])?,
        two(&s[11..13])?,
        two(&s[14..16])?,
        two(&s[17..19])?,
    )
}

/// The eight levels nginx writes (`error_log file warn;`), nothing else: a stricter test
/// than [`Level::from_word`] alone, so that other bracketed words do not pass for nginx.
fn level(word: &[u8]) -> Option<Level> {
    match word {
        b"debug" | b"info" | b"notice" | b"warn" | b"error" | b"crit" | b"alert" | b"emerg" => {
            Level::from_word(word)
        }
        _ => None,
    }
}

/// Number of ASCII digits at the start of `s`.
fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Parses one nginx error-log line.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let local = stamp(line)?;
    let rest = line.get(STAMP_LEN..)?.strip_prefix(b" [")?;
    // The longest level word is 6 bytes: look no further for the `]`.
    let close = rest.iter().take(8).position(|&b| b == b']')?;
    let level = level(&rest[..close])?;
    let rest = rest[close + 1..].strip_prefix(b" ")?;

    // `PID#TID:` then a space, or the end of a line whose message is empty.
    let pid = digits(rest);
    let rest = rest.get(pid..)?.strip_prefix(b"#").filter(|_| pid > 0)?;
    let tid = digits(rest);
    let rest = rest.get(tid..)?.strip_prefix(b":").filter(|_| tid > 0)?;
    let mut msg = match rest.first() {
        None => rest,
        Some(b' ') => &rest[1..],
        Some(_) => return None,
    };
    // `*CID ` names the connection; it is noise for anyone grouping messages.
    if let Some(after) = msg.strip_prefix(b"*") {
        let n = digits(after);
        if n > 0 && matches!(after.get(n), None | Some(b' ')) {
            msg = after.get(n + 1..).unwrap_or_default();
        }
    }
    Some(Event {
        time: ctx.to_utc(local),
        offset: None,
        level: Some(level),
        app: Cow::Borrowed(b"nginx"),
        message: Cow::Borrowed(msg),
    })
}

/// The request context nginx appends to a message, split out. Values are as logged,
/// without their quotes; a field that is absent is `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NginxErrorFields<'a> {
    /// The message without the appended context: what went wrong, e.g.
    /// `connect() failed (111: Connection refused) while connecting to upstream`.
    pub text: &'a [u8],
    /// `client: 127.0.0.1` — the address of the client.
    pub client: Option<&'a [u8]>,
    /// `server: _` — the `server_name` (or, in stream and mail, the listening address).
    pub server: Option<&'a [u8]>,
    /// `request: "GET / HTTP/1.1"` — the request line.
    pub request: Option<&'a [u8]>,
    /// `upstream: "http://127.0.0.1:8080/"` — the upstream being talked to.
    pub upstream: Option<&'a [u8]>,
    /// `host: "localhost"` — the Host header.
    pub host: Option<&'a [u8]>,
    /// `referrer: "http://..."` — the Referer header.
    pub referrer: Option<&'a [u8]>,
}

/// The fields nginx appends, in the order it writes them (`ngx_http_log_error` for http,
/// and the stream and mail modules, which add `login` and write `upstream` bare).
const KEYS: [&[u8]; 8] = [
    b"client",
    b"server",
    b"login",
    b"request",
    b"subrequest",
    b"upstream",
    b"host",
    b"referrer",
];
/// Which of [`KEYS`] are written in quotes: 2 = always, 1 = either way, 0 = never.
const QUOTED: [u8; 8] = [0, 0, 2, 2, 2, 1, 2, 2];
/// The stream module ends with `, bytes from/to client:0/0, bytes from/to upstream:0/0`.
const STREAM_BYTES: &[u8] = b"bytes from/to ";

/// How many `, client: ` positions [`fields`] tries before giving up: each try may read to
/// the end of the message, and a hostile message could repeat the marker many times.
const MAX_TRIES: usize = 8;

/// Splits the context nginx appends to an error message (`, client: X, server: X,
/// request: "X", upstream: "X", host: "X"`). Takes the [`Event::message`] that [`parse`]
/// gives (or any text after `PID#TID: `). When the message carries no such context, `text`
/// is the whole message and every field is `None`.
///
/// The context starts at a `, client: ` after which the whole rest of the message reads as
/// fields in nginx's order. The first such position wins, so text inside a quoted request
/// line that imitates the context is not mistaken for it.
pub fn fields(message: &[u8]) -> NginxErrorFields<'_> {
    let finder = memchr::memmem::find_iter(message, b", client: ");
    for at in finder.take(MAX_TRIES) {
        if let Some(mut f) = context(&message[at..]) {
            f.text = &message[..at];
            return f;
        }
    }
    NginxErrorFields {
        text: message,
        ..NginxErrorFields::default()
    }
}

/// Reads `, key: value` items to the end of `s`, keys in [`KEYS`] order; `None` unless all
/// of `s` reads.
fn context(mut s: &[u8]) -> Option<NginxErrorFields<'_>> {
    let mut f = NginxErrorFields::default();
    let mut next_key = 0;
    while !s.is_empty() {
        let item = s.strip_prefix(b", ")?;
        if item.starts_with(STREAM_BYTES) {
            // `bytes from/to client:0/0`: bare, up to the next item or the end.
            let end = memchr::memmem::find(item, b", ").unwrap_or(item.len());
            if memchr::memchr2(b' ', b'"', &item[STREAM_BYTES.len()..end]).is_some() {
                return None;
            }
            next_key = KEYS.len();
            s = &item[end..];
            continue;
        }
        let (k, after) = (next_key..KEYS.len()).find_map(|k| {
            let after = item.strip_prefix(KEYS[k])?.strip_prefix(b": ")?;
            Some((k, after))
        })?;
        let (value, rest) = if after.first() == Some(&b'"') && QUOTED[k] > 0 {
            quoted_value(&after[1..], k + 1)?
        } else if QUOTED[k] < 2 {
            bare_value(after)?
        } else {
            return None;
        };
        match KEYS[k] {
            b"client" => f.client = Some(value),
            b"server" => f.server = Some(value),
            b"request" => f.request = Some(value),
            b"upstream" => f.upstream = Some(value),
            b"host" => f.host = Some(value),
            b"referrer" => f.referrer = Some(value),
            _ => {}
        }
        next_key = k + 1;
        s = rest;
    }
    f.client.is_some().then_some(f)
}

/// An unquoted value: up to the next `, ` or the end; not empty, no space or quote.
fn bare_value(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = memchr::memmem::find(s, b", ").unwrap_or(s.len());
    let value = &s[..end];
    if value.is_empty() || memchr::memchr2(b' ', b'"', value).is_some() {
        return None;
    }
    Some((value, &s[end..]))
}

/// A quoted value (the opening quote already read). nginx does not escape quotes in what it
/// logs, so the value ends at the first quote followed by the end of the message or by
/// another item of the context (`, key: ` with a key that may come next).
fn quoted_value(s: &[u8], next_key: usize) -> Option<(&[u8], &[u8])> {
    for q in memchr::memchr_iter(b'"', s) {
        let rest = &s[q + 1..];
        if rest.is_empty() {
            return Some((&s[..q], rest));
        }
        if let Some(item) = rest.strip_prefix(b", ") {
            let next_is_key = item.starts_with(STREAM_BYTES)
                || KEYS[next_key.min(KEYS.len())..]
                    .iter()
                    .any(|k| item.strip_prefix(*k).is_some_and(|a| a.starts_with(b": ")));
            if next_is_key {
                return Some((&s[..q], rest));
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "tests/nginx_error.rs"]
mod tests;
