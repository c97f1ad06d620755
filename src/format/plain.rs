//! Plain-text application logs: lines that start with a timestamp and usually carry a level
//! word soon after it. One parser covers the layouts of log4j/logback/Hadoop, ZooKeeper,
//! Kafka (`[stamp] LEVEL msg (logger)`), Spark (`yy/MM/dd`), Spring Boot, Python's logging
//! (`stamp:LEVEL:name:msg`, `stamp - name - LEVEL - msg`), Go's `log` package
//! (`2026/11/28 13:55:36`), zap's console encoder (tab-separated), glog
//! (`E1128 13:55:36.123456 ...`), Android logcat (`MM-DD HH:MM:SS.mmm pid tid L tag: msg`),
//! HDFS (`yyMMdd HHmmss`), and epoch-second or epoch-millisecond prefixes.
//!
//! Input: one line without its line ending. Output: an [`Event`] that borrows from the line.
//! The level is looked for among the first few tokens after the stamp (punctuation stripped,
//! `Level::from_word`); tokens before it may only be a pid, a `[thread]`, separators or a
//! dotted logger name, so that a level-like word inside a sentence is not taken. A line
//! with a leading stamp but no level word is still an event, with no level. The app is the
//! logger or class when the layout shows it (`com.x.Y: msg`, `Class   : msg`,
//! `[...:Class@123] - msg`, a trailing `(kafka.log.Log)`), else empty. A stamp glued to
//! letters (`...313913FOO`) is not a stamp; lines without a date (time only, `Mon DD`
//! syslog stamps, access-log client addresses) are not this format, and neither are
//! continuation lines, which start with blanks or an exception name.

use super::{Event, Level, ParseCtx};
use crate::time::{civil_secs, days_in_month, parse_iso};
use std::borrow::Cow;

/// A stamp read at the start of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    time: i64,
    offset: Option<i32>,
    /// Bytes consumed.
    len: usize,
}

/// The number written with exactly the digits of `s`; `None` for an empty or too long run
/// or a non-digit.
fn num(s: Option<&[u8]>) -> Option<u32> {
    let s = s?;
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    s.iter().try_fold(0u32, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
    })
}

/// Whether `s` has `b` at each of `at`.
fn has(s: &[u8], at: &[(usize, u8)]) -> bool {
    at.iter().all(|&(i, b)| s.get(i) == Some(&b))
}

/// Bytes of a `.123` / `,123` fraction at `s[pos..]`.
fn fraction(s: &[u8], pos: usize) -> usize {
    match s.get(pos) {
        Some(b'.') | Some(b',') => {
            let n = s[pos + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if n == 0 {
                0
            } else {
                n + 1
            }
        }
        _ => 0,
    }
}

/// `HH:MM:SS` at `s[pos..]`.
fn hms(s: &[u8], pos: usize) -> Option<(u32, u32, u32)> {
    if !has(s, &[(pos + 2, b':'), (pos + 5, b':')]) {
        return None;
    }
    Some((
        num(s.get(pos..pos + 2))?,
        num(s.get(pos + 3..pos + 5))?,
        num(s.get(pos + 6..pos + 8))?,
    ))
}

fn local(
    ctx: &ParseCtx,
    y: i64,
    mo: u32,
    d: u32,
    (h, mi, sec): (u32, u32, u32),
    len: usize,
) -> Option<Stamp> {
    Some(Stamp {
        time: ctx.to_utc(civil_secs(y, mo, d, h, mi, sec)?),
        offset: None,
        len,
    })
}

/// `2026-11-28 13:55:36,123`, `2026-11-28T13:55:36.123Z`, `2026-11-28T13:55:36+01:00`.
fn iso(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    let st = parse_iso(s)?;
    Some(Stamp {
        time: st.utc(&ctx.zone),
        offset: st.offset,
        len: st.len,
    })
}

/// `2012-025T10:22:40,672`: an ISO ordinal date (year and day of the year).
fn ordinal(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    if !has(s, &[(4, b'-')]) || !matches!(s.get(8), Some(b'T') | Some(b' ')) {
        return None;
    }
    let (y, doy) = (i64::from(num(s.get(0..4))?), num(s.get(5..8))?);
    let t = hms(s, 9)?;
    let days = if days_in_month(y, 2) == 29 { 366 } else { 365 };
    if doy == 0 || doy > days {
        return None;
    }
    let start = local(ctx, y, 1, 1, t, 17 + fraction(s, 17))?;
    Some(Stamp {
        time: start.time + i64::from(doy - 1) * 86_400,
        ..start
    })
}

/// `2026/11/28 13:55:36[.123456]`: Go's `log` package, nginx's error log.
fn slashed(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    if !has(s, &[(4, b'/'), (7, b'/'), (10, b' ')]) {
        return None;
    }
    let (y, mo, d) = (num(s.get(0..4))?, num(s.get(5..7))?, num(s.get(8..10))?);
    local(ctx, i64::from(y), mo, d, hms(s, 11)?, 19 + fraction(s, 19))
}

/// `17/06/09 20:10:40`: Spark's `yy/MM/dd HH:mm:ss`.
fn spark(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    if !has(s, &[(2, b'/'), (5, b'/'), (8, b' ')]) {
        return None;
    }
    let (y, mo, d) = (num(s.get(0..2))?, num(s.get(3..5))?, num(s.get(6..8))?);
    local(
        ctx,
        2000 + i64::from(y),
        mo,
        d,
        hms(s, 9)?,
        17 + fraction(s, 17),
    )
}

/// `081109 203615`: HDFS's `yyMMdd HHmmss`.
fn compact(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    if !has(s, &[(6, b' '), (13, b' ')]) {
        return None;
    }
    let (y, mo, d) = (num(s.get(0..2))?, num(s.get(2..4))?, num(s.get(4..6))?);
    let t = (num(s.get(7..9))?, num(s.get(9..11))?, num(s.get(11..13))?);
    local(ctx, 2000 + i64::from(y), mo, d, t, 13)
}

/// `1428634687123` (ms) or `1480000000.123` (s), followed by a blank.
fn epoch(s: &[u8]) -> Option<Stamp> {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let len = n + fraction(s, n);
    if !(n == 10 || n == 13) || !matches!(s.get(len), None | Some(b' ') | Some(b'\t')) {
        return None;
    }
    let v = s[..n]
        .iter()
        .fold(0i64, |v, &b| v * 10 + i64::from(b - b'0'));
    let time = match n {
        10 if v >= 1_000_000_000 => v,
        13 if v >= 1_000_000_000_000 => v / 1000,
        _ => return None,
    };
    Some(Stamp {
        time,
        offset: None,
        len,
    })
}

/// A stamp at the start of a line followed by a non-alphanumeric byte: `[stamp]` or a bare
/// stamp of one of the shapes above.
fn stamp(s: &[u8], ctx: &ParseCtx) -> Option<Stamp> {
    if s.first() == Some(&b'[') {
        let inner = &s[1..];
        let st = iso(inner, ctx)
            .or_else(|| slashed(inner, ctx))
            .or_else(|| ordinal(inner, ctx))?;
        return (inner.get(st.len) == Some(&b']')).then_some(Stamp {
            len: st.len + 2,
            ..st
        });
    }
    if !s.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let st = iso(s, ctx)
        .or_else(|| ordinal(s, ctx))
        .or_else(|| slashed(s, ctx))
        .or_else(|| spark(s, ctx))
        .or_else(|| compact(s, ctx))
        .or_else(|| epoch(s))?;
    (!s.get(st.len).is_some_and(u8::is_ascii_alphanumeric)).then_some(st)
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Skips blanks and separators: `,`, `|`, and runs of `-` or `:` standing alone.
fn skip_separators(s: &[u8], mut pos: usize) -> usize {
    loop {
        match s.get(pos) {
            Some(&b) if is_blank(b) || b == b',' || b == b'|' => pos += 1,
            Some(&b @ (b'-' | b':')) => {
                let run = s[pos..].iter().take_while(|&&c| c == b).count();
                if s.get(pos + run).is_none_or(|&c| is_blank(c)) {
                    pos += run;
                } else {
                    return pos;
                }
            }
            _ => return pos,
        }
    }
}

/// Index of the `]` closing the `[` at `s[open]`, counting nested brackets.
fn closing_bracket(s: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in s.iter().enumerate().skip(open) {
        match b {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn token_end(s: &[u8], pos: usize) -> usize {
    s[pos..]
        .iter()
        .position(|&b| is_blank(b))
        .map_or(s.len(), |e| pos + e)
}

/// A level word with surrounding `[]():-,<>` stripped.
fn level_word(tok: &[u8]) -> Option<Level> {
    let strip = |b: &u8| b"[]():-,<>".contains(b);
    let start = tok.iter().position(|b| !strip(b))?;
    let end = tok.iter().rposition(|b| !strip(b))? + 1;
    Level::from_word(&tok[start..end])
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$' | b'-' | b'/')
}

/// A logger name: starts with a letter, identifier bytes only.
fn is_logger(tok: &[u8]) -> bool {
    tok.first().is_some_and(u8::is_ascii_alphabetic) && tok.iter().all(|&b| is_ident(b))
}

/// ZooKeeper's `[thread:Class@line]`: the class.
fn class_at_line(inner: &[u8]) -> Option<&[u8]> {
    let at = inner.iter().rposition(|&b| b == b'@')?;
    num(inner.get(at + 1..))?;
    let head = &inner[..at];
    let start = head
        .iter()
        .rposition(|&b| b == b':' || b == b'/' || b == b' ')
        .map_or(0, |p| p + 1);
    let class = &head[start..];
    is_logger(class).then_some(class)
}

/// `com.x.Y: msg`, `Class      : msg`, `com.x.Y - msg` at `s[pos..]`: the logger and where
/// the message starts.
fn logger_column(s: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let end = pos + s[pos..].iter().take_while(|&&b| is_ident(b)).count();
    let name = &s[pos..end];
    if !is_logger(name) {
        return None;
    }
    let dotted = name.contains(&b'.') && !name.ends_with(b".");
    let colon_then_blank =
        |i: usize| s.get(i) == Some(&b':') && s.get(i + 1).is_none_or(|&b| is_blank(b));
    if dotted && colon_then_blank(end) {
        return Some((name, end + 1));
    }
    let pad = s[end..].iter().take_while(|&&b| b == b' ').count();
    if pad > 0 && colon_then_blank(end + pad) {
        return Some((name, end + pad + 1));
    }
    if dotted && s[end..].starts_with(b" - ") {
        return Some((name, end + 3));
    }
    None
}

/// Kafka's trailing `(kafka.log.Log)`: the message before it and the logger.
fn trailing_logger(msg: &[u8]) -> Option<(&[u8], &[u8])> {
    let body = msg.strip_suffix(b")")?;
    let open = body.iter().rposition(|&b| b == b'(')?;
    let name = &body[open + 1..];
    let last = &name[name.iter().rposition(|&b| b == b'.')? + 1..];
    let ok = is_logger(name)
        && name[0].is_ascii_lowercase()
        && last.first().is_some_and(u8::is_ascii_uppercase)
        && open > 0
        && msg[open - 1] == b' ';
    ok.then(|| (msg[..open].trim_ascii_end(), name))
}

/// After the level: `[thread] com.x.Y: msg`, `pid --- [thread] Class : msg`,
/// `[thread:Class@12] - msg`, `msg (logger)`, or just the message.
fn after_level(s: &[u8], pos: usize) -> (&[u8], &[u8]) {
    let msg_start = skip_separators(s, pos);
    let mut p = msg_start;
    // Spring Boot's `12345 --- `.
    for _ in 0..2 {
        let end = token_end(s, p);
        let tok = &s[p..end];
        if !tok.is_empty() && (tok.iter().all(u8::is_ascii_digit) || tok.iter().all(|&b| b == b'-'))
        {
            p = skip_separators(s, end);
        }
    }
    let mut bracket_class = None;
    for _ in 0..2 {
        if s.get(p) != Some(&b'[') {
            break;
        }
        let Some(close) = closing_bracket(s, p) else {
            break;
        };
        bracket_class = bracket_class.or_else(|| class_at_line(&s[p + 1..close]));
        p = close + 1;
        while s.get(p).is_some_and(|&b| is_blank(b)) {
            p += 1;
        }
    }
    if let Some((app, start)) = logger_column(s, p) {
        let spaces = s[start..].iter().take_while(|&&b| b == b' ').count();
        return (app, &s[start + spaces..]);
    }
    if let Some(class) = bracket_class {
        return (class, &s[skip_separators(s, p)..]);
    }
    let msg = &s[msg_start..];
    trailing_logger(msg).map_or((&b""[..], msg), |(m, app)| (app, m))
}

/// `:LEVEL:name:msg` or `:LEVEL:msg` (Python's default layout after a stamp).
fn python(s: &[u8]) -> Option<(Option<Level>, &[u8], &[u8])> {
    let r = s.strip_prefix(b":")?;
    let colon = memchr::memchr(b':', r)?;
    let level = Level::from_word(r[..colon].trim_ascii())?;
    let after = &r[colon + 1..];
    if let Some(c) = memchr::memchr(b':', after) {
        let name = &after[..c];
        if !name.is_empty() && !name.iter().any(|&b| is_blank(b)) {
            return Some((Some(level), name, &after[c + 1..]));
        }
    }
    Some((Some(level), b"", after))
}

/// Whether a zap field is a caller: `pkg/file.go:12`.
fn is_caller(f: &[u8]) -> bool {
    let Some(c) = f.iter().rposition(|&b| b == b':') else {
        return false;
    };
    f[..c].contains(&b'.') && num(f.get(c + 1..)).is_some()
}

/// zap's console encoder: `\tlevel\t[logger\t][caller\t]msg[\t{fields}]`.
fn zap(s: &[u8]) -> Option<(Option<Level>, &[u8], &[u8])> {
    let r = s.strip_prefix(b"\t")?;
    let (f0, rest) = split_tab(r);
    let level = Level::from_word(f0.trim_ascii())?;
    let rest = rest.unwrap_or(b"");
    let (f1, after1) = split_tab(rest);
    if is_caller(f1) {
        return Some((Some(level), b"", after1.unwrap_or(b"")));
    }
    if let Some(after1) = after1 {
        let (f2, after2) = split_tab(after1);
        if is_caller(f2) {
            return Some((Some(level), f1, after2.unwrap_or(b"")));
        }
    }
    Some((Some(level), b"", rest))
}

fn split_tab(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b'\t', s) {
        Some(t) => (&s[..t], Some(&s[t + 1..])),
        None => (s, None),
    }
}

/// The level, app and message after a stamp.
fn fields(s: &[u8]) -> (Option<Level>, &[u8], &[u8]) {
    if let Some(f) = python(s).or_else(|| zap(s)) {
        return f;
    }
    let mut pos = 0;
    let mut app_before: &[u8] = b"";
    for _ in 0..4 {
        pos = skip_separators(s, pos);
        if pos >= s.len() {
            break;
        }
        if s[pos] == b'[' {
            let Some(close) = closing_bracket(s, pos) else {
                break;
            };
            if let Some(level) = Level::from_word(s[pos + 1..close].trim_ascii()) {
                let (app, msg) = after_level(s, close + 1);
                return (
                    Some(level),
                    if app.is_empty() { app_before } else { app },
                    msg,
                );
            }
            pos = close + 1;
            continue;
        }
        let end = token_end(s, pos);
        let tok = &s[pos..end];
        if let Some(level) = level_word(tok) {
            let (app, msg) = after_level(s, end);
            return (
                Some(level),
                if app.is_empty() { app_before } else { app },
                msg,
            );
        }
        if tok.iter().all(u8::is_ascii_digit) {
            pos = end;
        } else if is_logger(tok) && s[end..].starts_with(b" - ") {
            app_before = tok;
            pos = end;
        } else {
            break;
        }
    }
    (None, b"", &s[skip_separators(s, 0)..])
}

/// glog: `E0517 15:04:22.619632 1952452992 logging_unittest.cc:253] msg` (no year).
fn glog<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let level = match line.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warning,
        b'E' => Level::Error,
        b'F' => Level::Critical,
        _ => return None,
    };
    if !has(line, &[(5, b' ')]) {
        return None;
    }
    let (mo, d) = (num(line.get(1..3))?, num(line.get(3..5))?);
    let t = hms(line, 6)?;
    let mut p = 14 + fraction(line, 14);
    let blanks = line[p..].iter().take_while(|&&b| b == b' ').count();
    let thread = line[p + blanks..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if blanks == 0 || thread == 0 || line.get(p + blanks + thread) != Some(&b' ') {
        return None;
    }
    p += blanks + thread + 1;
    let close = p + memchr::memchr(b']', &line[p..])?;
    if !line[p..close].contains(&b':') {
        return None;
    }
    let msg = &line[(close + 2).min(line.len())..];
    let st = local(ctx, i64::from(ctx.year_for(mo)), mo, d, t, 0)?;
    Some(Event {
        time: st.time,
        offset: None,
        level: Some(level),
        app: Cow::Borrowed(b""),
        message: Cow::Borrowed(msg),
    })
}

/// Android logcat `threadtime`: `03-17 16:13:38.811  1702  2395 D WindowManager: msg`.
fn logcat<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    if !has(line, &[(2, b'-'), (5, b' '), (14, b'.')]) {
        return None;
    }
    let (mo, d) = (num(line.get(0..2))?, num(line.get(3..5))?);
    let t = hms(line, 6)?;
    num(line.get(15..18))?;
    let mut p = 18;
    for _ in 0..2 {
        let blanks = line[p..].iter().take_while(|&&b| b == b' ').count();
        let digits = line[p + blanks..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if blanks == 0 || digits == 0 {
            return None;
        }
        p += blanks + digits;
    }
    let level = match (line.get(p), line.get(p + 1), line.get(p + 2)) {
        (Some(b' '), Some(&l), Some(b' ')) => match l {
            b'V' => Level::Trace,
            b'D' => Level::Debug,
            b'I' => Level::Info,
            b'W' => Level::Warning,
            b'E' => Level::Error,
            b'F' | b'A' => Level::Critical,
            _ => return None,
        },
        _ => return None,
    };
    let rest = &line[p + 3..];
    let (app, msg) = match memchr::memmem::find(rest, b": ") {
        Some(c) => (rest[..c].trim_ascii(), &rest[c + 2..]),
        None => (&b""[..], rest),
    };
    let st = local(ctx, i64::from(ctx.year_for(mo)), mo, d, t, 0)?;
    Some(Event {
        time: st.time,
        offset: None,
        level: Some(level),
        app: Cow::Borrowed(app),
        message: Cow::Borrowed(msg),
    })
}

/// Parses one plain-text line that starts with a timestamp.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Some(st) = stamp(line, ctx) else {
        return glog(line, ctx).or_else(|| logcat(line, ctx));
    };
    let (level, app, message) = fields(&line[st.len..]);
    Some(Event {
        time: st.time,
        offset: st.offset,
        level,
        app: Cow::Borrowed(app),
        message: Cow::Borrowed(message.trim_ascii_end()),
    })
}

#[cfg(test)]
#[path = "tests/plain.rs"]
mod tests;
