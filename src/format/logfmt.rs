//! logfmt: `key=value key2="quoted \" value"` lines, as written by logrus's text formatter
//! (`time="2021-09-15T21:17:10Z" level=error msg="..."`), go-kit, Grafana (`logger=settings
//! t=2025-04-24T19:51:48.52Z level=info msg="..."`), Heroku and many Go services.
//!
//! Input: one line without its line ending. Output: an [`Event`] that borrows from the line;
//! a quoted message or app is unescaped (and so copied) only when it contains a backslash.
//! To keep prose that happens to contain a `=` out, a line must start with a pair, hold at
//! least two pairs and more pairs than bare words, and carry a time key whose value reads as
//! a time (ISO 8601, or epoch seconds/ms/µs/ns).

use super::jsonl::{level_text, time_text, LevelScale};
use super::{Event, Level, ParseCtx};
use std::borrow::Cow;

/// Time keys, best first.
const TIME_KEYS: &[&[u8]] = &[b"time", b"ts", b"t", b"timestamp", b"@timestamp"];
/// Level keys, best first.
const LEVEL_KEYS: &[&[u8]] = &[b"level", b"lvl", b"severity"];
/// Message keys, best first.
const MESSAGE_KEYS: &[&[u8]] = &[b"msg", b"message"];
/// Keys naming the writer, best first.
const APP_KEYS: &[&[u8]] = &[b"logger", b"app", b"component", b"service"];

/// One token of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// `key=value` or `key="value"` (`raw` is the value as written, without the quotes).
    Pair {
        key: &'a [u8],
        raw: &'a [u8],
        quoted: bool,
    },
    /// Anything else: a word without `=`, or one starting with `=` or `"`.
    Bare,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Splits a line into tokens.
struct Tokens<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.rest.iter().position(|&b| !is_space(b))?;
        let s = &self.rest[start..];
        let key_len = s
            .iter()
            .position(|&b| is_space(b) || b == b'=' || b == b'"')
            .unwrap_or(s.len());
        if key_len == 0 || s.get(key_len) != Some(&b'=') {
            // A bare word; a quoted run is skipped whole so its spaces do not split it.
            let end = if s[key_len..].first() == Some(&b'"') {
                key_len
                    + 1
                    + closing_quote(&s[key_len + 1..]).map_or(s.len() - key_len - 1, |q| q + 1)
            } else {
                key_len
            };
            let end = end
                + s[end..]
                    .iter()
                    .position(|&b| is_space(b))
                    .unwrap_or(s.len() - end);
            self.rest = &s[end..];
            return Some(Token::Bare);
        }
        let key = &s[..key_len];
        let v = &s[key_len + 1..];
        if v.first() == Some(&b'"') {
            let inner = &v[1..];
            match closing_quote(inner) {
                Some(q) => {
                    self.rest = &inner[q + 1..];
                    Some(Token::Pair {
                        key,
                        raw: &inner[..q],
                        quoted: true,
                    })
                }
                // Unterminated (a truncated line): the value runs to the end.
                None => {
                    self.rest = &[];
                    Some(Token::Pair {
                        key,
                        raw: inner,
                        quoted: true,
                    })
                }
            }
        } else {
            let end = v.iter().position(|&b| is_space(b)).unwrap_or(v.len());
            self.rest = &v[end..];
            Some(Token::Pair {
                key,
                raw: &v[..end],
                quoted: false,
            })
        }
    }
}

/// Index of the `"` that closes a quoted value, skipping `\x` escapes.
fn closing_quote(s: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while let Some(off) = memchr::memchr2(b'"', b'\\', &s[pos..]) {
        let at = pos + off;
        if s[at] == b'"' {
            return Some(at);
        }
        pos = at + 2;
        if pos >= s.len() {
            return None;
        }
    }
    None
}

/// The value of a quoted field with `\"`, `\\`, `\n`, `\t` and `\r` resolved; borrowed when
/// there is nothing to resolve.
fn unescape(raw: &[u8], quoted: bool) -> Cow<'_, [u8]> {
    if !quoted || memchr::memchr(b'\\', raw).is_none() {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'"' => out.push(b'"'),
                b'\\' => out.push(b'\\'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                other => out.extend_from_slice(&[b'\\', other]),
            }
            i += 2;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

/// Keeps the best-ranked value of a key class.
fn keep<'a>(
    slot: &mut Option<(usize, &'a [u8], bool)>,
    table: &[&[u8]],
    key: &[u8],
    raw: &'a [u8],
    quoted: bool,
) {
    if let Some(rank) = table.iter().position(|k| *k == key) {
        if slot.is_none_or(|(r, ..)| rank < r) {
            *slot = Some((rank, raw, quoted));
        }
    }
}

/// Parses one logfmt line.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let (mut pairs, mut bare) = (0usize, 0usize);
    let mut time: Option<(usize, (i64, Option<i32>))> = None;
    let mut level: Option<(usize, Level)> = None;
    let (mut message, mut app) = (None, None);
    for (i, token) in (Tokens { rest: line }).enumerate() {
        let Token::Pair { key, raw, quoted } = token else {
            if i == 0 {
                return None;
            }
            bare += 1;
            continue;
        };
        pairs += 1;
        if let Some(rank) = TIME_KEYS.iter().position(|k| *k == key) {
            if time.is_none_or(|(r, _)| rank < r) {
                if let Some(t) = time_text(raw, ctx) {
                    time = Some((rank, t));
                }
            }
        } else if let Some(rank) = LEVEL_KEYS.iter().position(|k| *k == key) {
            if level.is_none_or(|(r, _)| rank < r) {
                if let Some(l) = level_text(raw, LevelScale::Named) {
                    level = Some((rank, l));
                }
            }
        } else {
            keep(&mut message, MESSAGE_KEYS, key, raw, quoted);
            keep(&mut app, APP_KEYS, key, raw, quoted);
        }
    }
    if pairs < 2 || bare >= pairs {
        return None;
    }
    let (_, (time, offset)) = time?;
    let text = |slot: Option<(usize, &'a [u8], bool)>| {
        slot.map_or(Cow::Borrowed(&b""[..]), |(_, raw, quoted)| {
            unescape(raw, quoted)
        })
    };
    Some(Event {
        time,
        offset,
        level: level.map(|(_, l)| l),
        app: text(app),
        message: text(message),
    })
}

#[cfg(test)]
#[path = "tests/logfmt.rs"]
mod tests;
