//! Syslog as it lands in files: BSD / RFC 3164 lines (`/var/log/syslog`, `auth.log`,
//! `messages`, macOS `system.log`), rsyslog's high-precision ISO 8601 variant
//! (`RSYSLOG_FileFormat`, SUSE's default), and RFC 5424.
//!
//! Input: one line without its line ending (a stray trailing `\r` is dropped). Output: an
//! [`Event`] that borrows from the line: `app` is the tag or APP-NAME without its `[pid]`,
//! `message` the MSG without leading spaces, trailing whitespace or a UTF-8 BOM.
//!
//! Shapes read, after an optional `<PRI>`:
//! - `Nov 28 13:55:36 host prog[123]: msg`. The day may be space-padded (`Nov  8`) or not
//!   (`Apr 4`), the seconds may carry a fraction, and French month names (`août`, `déc.`)
//!   are read because some syslogds format stamps with the C library in the user's locale.
//!   There is no year: it is `ctx.year_for(month)`, so a `Dec` line in a file last written in
//!   January belongs to the year before. There is no zone: the wall clock is read in
//!   `ctx.zone`; in a DST fall-back hour the earlier instant is taken, so a file may step
//!   back in time there, as it did on the machine.
//! - `2026-11-28T13:55:36.123456+01:00 host prog[123]: msg`: the `T` is required (a space
//!   would claim log4j-style application logs); without an offset, `ctx.zone` applies.
//! - `<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`, with `-` for any
//!   absent field, structured data whose values may escape `\"`, `\\` and `\]`, and the same
//!   body without `<PRI>1 ` (VMware NSX writes it so). A NILVALUE stamp has no time: `None`.
//!
//! The tag is what ends in `[pid]:` or `:` within 128 bytes. Real tags are not RFC 3164's
//! 32 alphanumerics: `postfix/smtpd`, `sshd(pam_unix)`, `com.apple.xpc.launchd[1] (svc):`
//! (a space instead of the colon), `Setup Assistant[1173]:` and `syslogd 1.4.1:` (spaces).
//! A tag may hold up to three single spaces when it ends in `[pid]:`, or one before a
//! version (whose `app` is then `syslogd`), so that `lookup for opt failed: x` is not read
//! as a tag. A line with a
//! host and no tag (`--- last message repeated 2 times ---`, or a message logged without
//! one) still gives an event, with an empty `app`. When the first word after the stamp ends
//! in `:` (`kernel: msg`), the line has no host.
//!
//! Level: from PRI when there is one (`severity = pri & 7`). Most files have none, and then
//! the line says it or nothing does:
//! 1. a non-numeric "pid" that is a level word (`util.py[DEBUG]:`);
//! 2. a level word ([`Level::from_word`] on the token stripped of `[]<>:=`) among the first
//!    four tokens of the message. The first token counts in any form (`error: ...`,
//!    `ERROR ...`, `[warn] ...`); later ones only when marked by that punctuation or written
//!    in capitals, which finds `2026-11-28 13:55:36,123 ERROR [main]` and `<err>` after a
//!    stamp but not `Invalid user info from ...` or `EXT4-fs error (device sda1)`;
//! 3. `level=X` or `severity=X` (`X` possibly quoted) anywhere in the structured data or
//!    message, not as the end of a longer key (`loglevel=3`).
//!
//! Otherwise `None`. Words like `failed` or `denied` are not levels: they describe outcomes
//! that are often routine (a wrong password), and counting them is the caller's business.
//!
//! Lines coloured with ANSI escapes (an SGR sequence before the stamp, as some macOS tools
//! write) are read with the escapes removed; only those lines allocate.

use super::{Event, Level, ParseCtx};
use crate::time::{civil_secs, month_from_abbr, parse_iso, two};
use std::borrow::Cow;

const ESC: u8 = 0x1b;
/// How far to look for the end of a tag.
const MAX_TAG: usize = 128;
/// Longest `[pid]` content.
const MAX_PID: usize = 32;
/// How many message tokens may hold a level word.
const LEVEL_TOKENS: usize = 4;

/// Parses one syslog line; `None` for anything else (continuation lines included).
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    if line.first() == Some(&ESC) {
        let clean = strip_ansi(line);
        return parse_line(&clean, ctx).map(|(e, _)| Event {
            time: e.time,
            offset: e.offset,
            level: e.level,
            app: Cow::Owned(e.app.into_owned()),
            message: Cow::Owned(e.message.into_owned()),
        });
    }
    parse_line(line, ctx).map(|(e, _)| e)
}

/// The HOSTNAME of a syslog line (empty when the line has none); `None` when [`parse`]
/// would give `None`, and for ANSI-coloured lines.
pub fn host<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<&'a [u8]> {
    parse_line(line, ctx).map(|(_, host)| host)
}

/// The event and the host.
fn parse_line<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<(Event<'a>, &'a [u8])> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (pri, rest) = match line.first() {
        Some(b'<') => {
            let (p, rest) = pri(line)?;
            (Some(p), rest)
        }
        _ => (None, line),
    };
    // `<PRI>1 ` is RFC 5424; `<PRI>` alone is RFC 3164 as sent over the network.
    if let (Some(p), Some(body)) = (pri, rest.strip_prefix(b"1 ")) {
        return rfc5424(p, body, ctx);
    }
    let (time, offset, len, iso) = stamp(rest, ctx)?;
    let rest = skip_spaces(rest.get(len..)?.strip_prefix(b" ")?);
    let (host, body) = split_host(rest)?;
    let parts = match split_tag(body) {
        Some(tag) => Some(tag),
        // An ISO stamp may head an RFC 5424 body without `<PRI>1`.
        None if iso && !host.is_empty() => rfc5424_after_host(body),
        None => None,
    }
    .unwrap_or(Parts {
        app: b"",
        pid: None,
        sd: b"",
        message: body,
    });
    let level = match pri {
        Some(p) => Level::from_priority(p & 7),
        None => parts.level(),
    };
    let event = Event {
        time,
        offset,
        level,
        app: Cow::Borrowed(parts.app),
        message: Cow::Borrowed(clean_message(parts.message)),
    };
    Some((event, host))
}

/// What follows the host: the tag or APP-NAME, the pid, the structured data, the message.
struct Parts<'a> {
    app: &'a [u8],
    pid: Option<&'a [u8]>,
    sd: &'a [u8],
    message: &'a [u8],
}

impl Parts<'_> {
    /// The level the line states without a PRI (see the module header).
    fn level(&self) -> Option<Level> {
        let in_pid = self
            .pid
            .filter(|p| !p.iter().all(u8::is_ascii_digit))
            .and_then(Level::from_word);
        in_pid
            .or_else(|| leading_level(self.message))
            .or_else(|| keyed_level(self.sd))
            .or_else(|| keyed_level(self.message))
    }
}

/// `<PRI>`: 1 to 3 digits, at most 191 (facility 23, severity 7).
fn pri(line: &[u8]) -> Option<(u8, &[u8])> {
    let close = line.iter().take(5).position(|&b| b == b'>')?;
    let digits = &line[1..close];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    let value = u8::try_from(value).ok().filter(|&v| v <= 191)?;
    Some((value, &line[close + 1..]))
}

/// The stamp at the start: (UTC seconds, written offset, bytes used, ISO or not).
fn stamp(s: &[u8], ctx: &ParseCtx) -> Option<(i64, Option<i32>, usize, bool)> {
    if s.len() > 10 && s[4] == b'-' && s[10] == b'T' {
        let st = parse_iso(s)?;
        // rsyslog writes `.` fractions and a host after the stamp; `2025-01-24T07:00:30,139
        // INFO [main] ...` is an application log (log4j), not syslog.
        if s.get(19) == Some(&b',') {
            return None;
        }
        let rest = s[st.len..].trim_ascii_start();
        let host = &rest[..rest.iter().position(|&b| b == b' ').unwrap_or(rest.len())];
        if crate::format::Level::from_word(host).is_some() {
            return None;
        }
        return Some((st.utc(&ctx.zone), st.offset, st.len, true));
    }
    let (time, len) = bsd_stamp(s, ctx)?;
    Some((time, None, len, false))
}

/// `Nov 28 13:55:36`, `Nov  8 13:55:36`, `Apr 4 03:39:57`, `août 19 11:08:37`, with an
/// optional `.fraction`: (UTC seconds, bytes used).
fn bsd_stamp(s: &[u8], ctx: &ParseCtx) -> Option<(i64, usize)> {
    let (month, mut i) = month_name(s)?;
    i += 1;
    if s.get(i) == Some(&b' ') {
        i += 1;
    }
    let mut day = digit(s.get(i))?;
    i += 1;
    if let Some(d) = digit(s.get(i)) {
        day = day * 10 + d;
        i += 1;
    }
    if s.get(i) != Some(&b' ') {
        return None;
    }
    let t = s.get(i + 1..i + 9)?;
    if t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (h, mi, sec) = (two(&t[0..2])?, two(&t[3..5])?, two(&t[6..8])?);
    i += 9;
    if s.get(i) == Some(&b'.') && digit(s.get(i + 1)).is_some() {
        i += 1;
        while digit(s.get(i)).is_some() {
            i += 1;
        }
    }
    let local = civil_secs(i64::from(ctx.year_for(month)), month, day, h, mi, sec)?;
    Some((ctx.to_utc(local), i))
}

fn digit(b: Option<&u8>) -> Option<u32> {
    b.filter(|b| b.is_ascii_digit())
        .map(|&b| u32::from(b - b'0'))
}

/// The month name at the start and its length, which a space must follow: `Nov` (as
/// servers write it, case-sensitive), or a French abbreviation with or without its dot.
fn month_name(s: &[u8]) -> Option<(u32, usize)> {
    if s.get(3) == Some(&b' ') {
        if let Some(m) = month_from_abbr(&s[..3]) {
            return Some((m, 3));
        }
    }
    let len = s.iter().take(7).position(|&b| b == b' ')?;
    let word = &s[..len];
    let word = word.strip_suffix(b".").unwrap_or(word);
    const FRENCH: [(&str, u32); 16] = [
        ("janv", 1),
        ("févr", 2),
        ("fevr", 2),
        ("mars", 3),
        ("avr", 4),
        ("avril", 4),
        ("mai", 5),
        ("juin", 6),
        ("juil", 7),
        ("août", 8),
        ("aout", 8),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("déc", 12),
        ("dec", 12),
    ];
    FRENCH
        .iter()
        .find(|(name, _)| name.as_bytes() == word)
        .map(|&(_, m)| (m, len))
}

fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    &s[n..]
}

/// (host, the rest) after the stamp. No host when the first word is a tag (`kernel:`,
/// `sshd[12]:`) or syslogd's own `--- last message repeated 2 times ---`.
fn split_host(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = memchr::memchr(b' ', s).unwrap_or(s.len());
    let first = &s[..end];
    if first.is_empty() || first.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return None;
    }
    if first == b"---" || (first.ends_with(b":") && split_tag(s).is_some()) {
        return Some((b"", s));
    }
    let rest = skip_spaces(&s[end..]);
    (!rest.is_empty()).then_some((first, rest))
}

/// `prog[123]: msg`, `prog: msg`, `launchd[1] (svc): msg`, `Setup Assistant[1173]: msg`,
/// `syslogd 1.4.1: msg`, `[CLOUDINIT] util.py[DEBUG]: msg`; `None` when there is no tag.
fn split_tag(s: &[u8]) -> Option<Parts<'_>> {
    let limit = s.len().min(MAX_TAG);
    let mut spaces = 0;
    let mut i = 0;
    // A bracketed pseudo-tag in front of the real one, as cloud-init writes.
    if s.first() == Some(&b'[') {
        i = bracket_end(s, 0)? + 1;
    }
    while i < limit {
        match s[i] {
            b':' if i > 0 => {
                let name = &s[..i];
                if spaces > 0 && !(spaces == 1 && version_at(name).is_some()) {
                    return None;
                }
                return Some(Parts {
                    app: without_version(name),
                    pid: None,
                    sd: b"",
                    message: &s[i + 1..],
                });
            }
            b'[' if i > 0 && s[i - 1] != b' ' => {
                let close = bracket_end(s, i)?;
                let message = match s.get(close + 1) {
                    Some(b':') => &s[close + 2..],
                    // `com.apple.xpc.launchd[1] (com.apple.mdworker[50989]): Service exited`
                    Some(b' ') if spaces == 0 => &s[close + 2..],
                    _ => return None,
                };
                return Some(Parts {
                    app: without_version(&s[..i]),
                    pid: Some(&s[i + 1..close]),
                    sd: b"",
                    message,
                });
            }
            b' ' => {
                spaces += 1;
                if spaces > 3 || s.get(i + 1) == Some(&b' ') {
                    return None;
                }
            }
            b':' | b'[' => return None,
            b if b < 0x20 || b == 0x7f => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the `]` closing the `[` at `open`: non-empty, short, no spaces inside.
fn bracket_end(s: &[u8], open: usize) -> Option<usize> {
    let inside = s.get(open + 1..)?;
    let len = inside.iter().take(MAX_PID + 1).position(|&b| b == b']')?;
    let ok = len > 0
        && inside[..len]
            .iter()
            .all(|&b| b > b' ' && b != 0x7f && b != b'[');
    ok.then_some(open + 1 + len)
}

/// Where the version of `syslogd 1.4.1` starts: after the last space, a digit.
fn version_at(name: &[u8]) -> Option<usize> {
    let sp = name.iter().rposition(|&b| b == b' ')?;
    name.get(sp + 1).filter(|b| b.is_ascii_digit()).map(|_| sp)
}

/// `syslogd 1.4.1` -> `syslogd`, `BezelServices 255.10` -> `BezelServices`: the program,
/// whatever release wrote the line.
fn without_version(name: &[u8]) -> &[u8] {
    match version_at(name) {
        Some(sp) if !name[..sp].contains(&b' ') => &name[..sp],
        _ => name,
    }
}

/// RFC 5424 after `<PRI>1 `: `STAMP HOST APP PROCID MSGID SD [MSG]`.
fn rfc5424<'a>(pri: u8, s: &'a [u8], ctx: &ParseCtx) -> Option<(Event<'a>, &'a [u8])> {
    // A NILVALUE stamp gives no time to place the event at.
    if s.len() < 11 || s[10] != b'T' {
        return None;
    }
    let st = parse_iso(s)?;
    let rest = s.get(st.len..)?.strip_prefix(b" ")?;
    let (host, rest) = field(rest, 255)?;
    let parts = rfc5424_after_host(rest)?;
    let event = Event {
        time: st.utc(&ctx.zone),
        offset: st.offset,
        level: Level::from_priority(pri & 7),
        app: Cow::Borrowed(parts.app),
        message: Cow::Borrowed(clean_message(parts.message)),
    };
    Some((event, nil_to_empty(host)))
}

/// `APP PROCID MSGID SD [MSG]`, each field a run of printable ASCII or `-`.
fn rfc5424_after_host(s: &[u8]) -> Option<Parts<'_>> {
    let (app, s) = field(s, 48)?;
    let (procid, s) = field(s, 128)?;
    let (_msgid, s) = field(s, 32)?;
    let sd_len = match s.first() {
        Some(b'-') => 1,
        Some(b'[') => structured_data_len(s)?,
        _ => return None,
    };
    let message = match s.get(sd_len) {
        None => &s[sd_len..],
        Some(b' ') => &s[sd_len + 1..],
        Some(_) => return None,
    };
    let sd = if sd_len == 1 { b"" } else { &s[..sd_len] };
    Some(Parts {
        app: nil_to_empty(app),
        pid: Some(procid).filter(|p| p != b"-"),
        sd,
        message,
    })
}

/// One RFC 5424 header field and what follows its single space.
fn field(s: &[u8], max: usize) -> Option<(&[u8], &[u8])> {
    let end = s.iter().take(max + 1).position(|&b| b == b' ')?;
    let tok = &s[..end];
    let ok = end > 0 && tok.iter().all(|b| (33..=126).contains(b));
    ok.then(|| (tok, &s[end + 1..]))
}

fn nil_to_empty(field: &[u8]) -> &[u8] {
    if field == b"-" {
        b""
    } else {
        field
    }
}

/// Length of the SD-ELEMENTs at the start: `[id k="v" ...][id2 ...]`; inside quotes,
/// a backslash escapes the next byte (`\"`, `\\`, `\]`).
fn structured_data_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while s.get(i) == Some(&b'[') {
        i += 1;
        let mut quoted = false;
        loop {
            match *s.get(i)? {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    Some(i)
}

/// The MSG without a UTF-8 BOM, leading spaces or trailing whitespace.
fn clean_message(m: &[u8]) -> &[u8] {
    let m = m.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(m);
    skip_spaces(m).trim_ascii_end()
}

/// A level word among the first tokens of the message (rule 2 of the module header).
fn leading_level(msg: &[u8]) -> Option<Level> {
    let tokens = msg
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|t| !t.is_empty());
    for (n, tok) in tokens.take(LEVEL_TOKENS).enumerate() {
        let edge = |b: &u8| matches!(b, b'[' | b']' | b'<' | b'>' | b':' | b'=');
        let start = tok.iter().position(|b| !edge(b)).unwrap_or(tok.len());
        let end = tok.iter().rposition(|b| !edge(b)).map_or(start, |e| e + 1);
        let word = &tok[start..end.max(start)];
        let Some(level) = Level::from_word(word) else {
            continue;
        };
        let marked = word.len() < tok.len() || word.iter().all(u8::is_ascii_uppercase);
        if n == 0 || marked {
            return Some(level);
        }
    }
    None
}

/// `level=X` / `severity=X` (rule 3 of the module header).
fn keyed_level(s: &[u8]) -> Option<Level> {
    for key in [&b"level="[..], b"severity="] {
        for at in memchr::memmem::find_iter(s, key) {
            let glued = at > 0
                && (s[at - 1].is_ascii_alphanumeric() || matches!(s[at - 1], b'_' | b'-' | b'.'));
            if glued {
                continue;
            }
            let v = &s[at + key.len()..];
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            let end = v
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(v.len());
            if let Some(level) = Level::from_word(&v[..end]) {
                return Some(level);
            }
        }
    }
    None
}

/// The line without ANSI escape sequences (CSI `ESC [ ... final`, or a lone ESC).
fn strip_ansi(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while let Some(off) = memchr::memchr(ESC, &line[i..]) {
        out.extend_from_slice(&line[i..i + off]);
        i += off + 1;
        if line.get(i) == Some(&b'[') {
            i += 1;
            while line.get(i).is_some_and(|b| !(0x40..=0x7e).contains(b)) {
                i += 1;
            }
            i = (i + 1).min(line.len());
        }
    }
    out.extend_from_slice(&line[i..]);
    out
}

#[cfg(test)]
#[path = "tests/syslog.rs"]
mod tests;
