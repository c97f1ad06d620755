//! Apache httpd error log, 2.0/2.2 and 2.4 layouts, and the CUPS `error_log` that borrows its
//! name:
//!
//! ```text
//! [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /x
//! [Thu Jun 27 06:58:09.169510 2019] [include:warn] [pid 15934:tid 140143497725696] [client 10.0.0.1:4434] AH01374: mod_include: ...
//! E [08/Jun/2013:11:28:58 -0700] Unknown directive BrowseOrder on line 22 of /private/etc/cups/cupsd.conf.
//! ```
//!
//! Input: one line without its line ending. Output: an [`Event`]. httpd stamps carry no zone:
//! they are local time in `ctx.zone` (the microseconds of 2.4 are dropped). The level is
//! 2.2's `[error]` or 2.4's `[module:level]` (the module may be empty, `[:error]`;
//! `trace1`..`trace8` are [`Level::Trace`]). 2.4's `ErrorLogFormat "[%{cu}t] ..."` stamp,
//! `2019-06-27 06:58:09.169510`, is read too.
//!
//! `app` is always `apache` (and `cupsd` for the CUPS lines), not the 2.4 module: the app
//! names the program, so that one server's 2.2 and 2.4 lines, and its `core`, `proxy` and
//! `ssl` lines, count as one source; the module is in [`fields`], and the `AH01374:` code
//! that 2.4 puts first in the message names the event more precisely than a module would.
//!
//! `message` is what follows the bracketed fields, without the per-request parts: the
//! `[pid ...]`, `[client ...]` and `[remote ...]` fields and a trailing `, referer: URL` are
//! left out (they are in [`fields`]), so that one error repeated for many clients reads as
//! one message. 2.4 writes `%F: %E: ` (source file at debug and trace levels, APR error)
//! before `[client ...]`; such a client field is cut out of the middle of the message, the
//! one case where the message is copied rather than borrowed.
//!
//! Not lines of this format: anything without a full stamp and a known level, including
//! text that a CGI script or module wrote straight to the log's stderr.

use super::{Event, Level, ParseCtx};
use crate::time::{civil_secs, month_from_abbr, parse_clf, parse_iso, two, CLF_LEN};
use std::borrow::Cow;
use std::net::IpAddr;

/// The parts of a line, before the message is assembled.
struct Parts<'a> {
    time: i64,
    offset: Option<i32>,
    level: Level,
    app: &'static [u8],
    /// Whether the level field was 2.4's `[module:level]` (whose client has a port).
    v24: bool,
    module: Option<&'a [u8]>,
    pid: Option<u32>,
    tid: Option<u64>,
    client: Option<&'a [u8]>,
    referer: Option<&'a [u8]>,
    /// The message is `head` followed by `tail`; `head` is empty unless a client field
    /// was cut out of the middle.
    head: &'a [u8],
    tail: &'a [u8],
}

/// Parses one Apache (or CUPS) error-log line.
pub fn parse<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Event<'a>> {
    let p = split(line, ctx)?;
    let message = if p.head.is_empty() {
        Cow::Borrowed(p.tail)
    } else {
        Cow::Owned([p.head, p.tail].concat())
    };
    Some(Event {
        time: p.time,
        offset: p.offset,
        level: Some(p.level),
        app: Cow::Borrowed(p.app),
        message,
    })
}

/// What an httpd error line says beyond time, level and message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApacheErrorFields<'a> {
    /// 2.4's module (`core`, `proxy_http`, `rewrite`); `None` on 2.2 lines and for `[:error]`.
    pub module: Option<&'a [u8]>,
    /// `[pid 15934]`
    pub pid: Option<u32>,
    /// `[pid 15934:tid 140143497725696]`
    pub tid: Option<u64>,
    /// The client address, without the port that 2.4 appends: `10.0.0.1`, `::1`.
    pub client: Option<&'a [u8]>,
    /// The client port, when 2.4 logged one.
    pub client_port: Option<u16>,
    /// The `, referer: URL` that ends the line when the request had a Referer header.
    pub referer: Option<&'a [u8]>,
    /// 2.4's message code, `AH01374`.
    pub code: Option<&'a [u8]>,
}

impl ApacheErrorFields<'_> {
    /// The client address as an IP address, when it is one.
    pub fn client_ip(&self) -> Option<IpAddr> {
        std::str::from_utf8(self.client?).ok()?.parse().ok()
    }
}

/// The module, process, client and referer of an httpd error line; `None` when
/// [`parse`] would not read the line. (CUPS lines give all fields `None`.)
pub fn fields<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<ApacheErrorFields<'a>> {
    let p = split(line, ctx)?;
    let (client, client_port) = match p.client {
        Some(c) => {
            let (addr, port) = client_addr(c, p.v24);
            (Some(addr), port)
        }
        None => (None, None),
    };
    let first = if p.head.is_empty() { p.tail } else { p.head };
    let code = [first, p.tail].into_iter().find_map(ah_code);
    Some(ApacheErrorFields {
        module: p.module,
        pid: p.pid,
        tid: p.tid,
        client,
        client_port,
        referer: p.referer,
        code,
    })
}

/// `AH01374` when the text starts with `AH` + five digits + `:`.
fn ah_code(s: &[u8]) -> Option<&[u8]> {
    let code = s.get(..7)?;
    (code.starts_with(b"AH") && code[2..].iter().all(u8::is_ascii_digit) && s.get(7) == Some(&b':'))
        .then_some(code)
}

/// Splits `10.0.0.1:4434` or `::1:58619` into address and port. 2.4 logs `%a` with the
/// port, 2.2 without: the last `:digits` is taken for a port only on a 2.4 line and only
/// when what stays before it is an IP address (so `[client 72.15.99.187]` on a 2.4 line,
/// or an IPv6 address whose last group is all digits on a 2.2 line, keep their last part).
fn client_addr(c: &[u8], v24: bool) -> (&[u8], Option<u16>) {
    if v24 {
        if let Some(colon) = memchr::memrchr(b':', c) {
            let (addr, port) = (&c[..colon], &c[colon + 1..]);
            let port = (!port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit))
                .then(|| std::str::from_utf8(port).ok()?.parse::<u16>().ok())
                .flatten();
            let is_ip = std::str::from_utf8(addr).is_ok_and(|a| a.parse::<IpAddr>().is_ok());
            if let (Some(port), true) = (port, is_ip) {
                return (addr, Some(port));
            }
        }
    }
    (c, None)
}

fn split<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Parts<'a>> {
    if line.first() == Some(&b'[') {
        httpd(line, ctx)
    } else {
        cups(line)
    }
}

/// Index of the first `]` in the first `max` bytes of `s`.
fn close_within(s: &[u8], max: usize) -> Option<usize> {
    memchr::memchr(b']', &s[..s.len().min(max)])
}

fn httpd<'a>(line: &'a [u8], ctx: &ParseCtx) -> Option<Parts<'a>> {
    // `[stamp]`: 24 bytes (2.2), 31 with microseconds (2.4), up to 36 with nanoseconds.
    let rest = &line[1..];
    let close = close_within(rest, 40)?;
    let (local, offset) = httpd_stamp(&rest[..close])?;
    let time = match offset {
        Some(off) => local - i64::from(off),
        None => ctx.to_utc(local),
    };
    let rest = rest[close + 1..].strip_prefix(b" [")?;

    // `[level]`, `[module:level]`, `[:level]`.
    let close = close_within(rest, 80)?;
    let field = &rest[..close];
    let (module, word, v24) = match memchr::memrchr(b':', field) {
        Some(c) => (Some(&field[..c]), &field[c + 1..], true),
        None => (None, field, false),
    };
    let level = httpd_level(word)?;
    let module = module.filter(|m| !m.is_empty());
    if module.is_some_and(|m| m.iter().any(|&b| b.is_ascii_whitespace() || b == b'[')) {
        return None;
    }
    let mut rest = &rest[close + 1..];

    // `[pid N]`, `[pid N:tid M]`, `[client ADDR]`, `[remote ADDR]`, in that order when present.
    let (mut pid, mut tid, mut client) = (None, None, None);
    loop {
        if let Some(f) = rest.strip_prefix(b" [pid ") {
            let close = close_within(f, 48)?;
            let (p, t) = pid_tid(&f[..close])?;
            (pid, tid) = (Some(p), t);
            rest = &f[close + 1..];
        } else if let Some((addr, after)) = addr_field(rest, b" [client ") {
            client = Some(addr);
            rest = after;
        } else if let Some((_, after)) = addr_field(rest, b" [remote ") {
            rest = after;
        } else {
            break;
        }
    }
    let mut message = match rest.first() {
        None => rest,
        Some(b' ') => &rest[1..],
        Some(_) => return None,
    };

    // `, referer: URL` ends the line when the request had one.
    let mut referer = None;
    if let Some(at) = memchr::memmem::rfind(message, b", referer: ") {
        let url = &message[at + 11..];
        if !url.is_empty() && !url.contains(&b' ') {
            referer = Some(url);
            message = &message[..at];
        }
    }

    // 2.4's `%F: %E: [client ADDR] %M`: the client comes after a `: ` inside the message.
    let mut head: &[u8] = b"";
    if client.is_none() {
        if let Some(at) = memchr::memmem::find(message, b": [client ") {
            let before = &message[..at + 2];
            if !before.contains(&b'[') {
                if let Some((addr, after)) = addr_field(&message[at + 1..], b" [client ") {
                    client = Some(addr);
                    head = before;
                    message = after.strip_prefix(b" ").unwrap_or(after);
                }
            }
        }
    }
    Some(Parts {
        time,
        offset,
        level,
        app: b"apache",
        v24,
        module,
        pid,
        tid,
        client,
        referer,
        head,
        tail: message,
    })
}

/// `<prefix>ADDR]` at the start of `s`: the address (not empty, no space) and what follows.
fn addr_field<'a>(s: &'a [u8], prefix: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let f = s.strip_prefix(prefix)?;
    let close = close_within(f, 80)?;
    let addr = &f[..close];
    (!addr.is_empty() && !addr.iter().any(|&b| b == b' ' || b == b'['))
        .then(|| (addr, &f[close + 1..]))
}

/// `15934` or `15934:tid 140143497725696`.
fn pid_tid(s: &[u8]) -> Option<(u32, Option<u64>)> {
    let (p, t) = match memchr::memchr(b':', s) {
        Some(c) => (&s[..c], Some(s[c + 1..].strip_prefix(b"tid ")?)),
        None => (s, None),
    };
    let pid = number(p)?;
    let tid = match t {
        Some(t) => Some(number(t)?),
        None => None,
    };
    Some((u32::try_from(pid).ok()?, tid))
}

/// ASCII digits (1 to 19 of them) as a number.
fn number(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |n, &b| n * 10 + u64::from(b - b'0')))
}

/// httpd's `LogLevel` words, and nothing else (so that `[client ...]` or a bracketed word of
/// another log is not taken for a level).
fn httpd_level(word: &[u8]) -> Option<Level> {
    match word {
        b"emerg" | b"alert" | b"crit" | b"error" | b"warn" | b"notice" | b"info" | b"debug" => {
            Level::from_word(word)
        }
        [b't', b'r', b'a', b'c', b'e', b'1'..=b'8'] => Some(Level::Trace),
        _ => None,
    }
}

const WEEKDAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// `Wed Oct 11 14:32:52 2000`, `Mon Dec 26 16:15:55.103786 2016` (day may be space-padded),
/// or `2019-06-27 06:58:09.169510`: local seconds, and an offset if the stamp has one.
fn httpd_stamp(s: &[u8]) -> Option<(i64, Option<i32>)> {
    if s.first().is_some_and(u8::is_ascii_digit) {
        let iso = parse_iso(s)?;
        return (iso.len == s.len()).then_some((iso.local, iso.offset));
    }
    if s.len() < 24
        || s[3] != b' '
        || s[7] != b' '
        || s[10] != b' '
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    if !WEEKDAYS.contains(&&s[..3]) {
        return None;
    }
    let month = month_from_abbr(&s[4..7])?;
    let day = if s[8] == b' ' {
        two(&[b'0', s[9]])?
    } else {
        two(&s[8..10])?
    };
    let (h, mi, sec) = (two(&s[11..13])?, two(&s[14..16])?, two(&s[17..19])?);
    let mut pos = 19;
    if s[pos] == b'.' {
        let n = s[pos + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 || n > 9 {
            return None;
        }
        pos += 1 + n;
    }
    let year = s.get(pos..)?.strip_prefix(b" ")?;
    if year.len() != 4 {
        return None;
    }
    let year = two(&year[..2])? * 100 + two(&year[2..])?;
    Some((civil_secs(i64::from(year), month, day, h, mi, sec)?, None))
}

/// CUPS: `E [08/Jun/2013:11:28:58 -0700] message`, the stamp optionally with
/// `.microseconds` (`LogTimeFormat usecs`). The level letters are cupsd's.
fn cups(line: &[u8]) -> Option<Parts<'_>> {
    let level = match line.first()? {
        b'X' => Level::Emergency,
        b'A' => Level::Alert,
        b'C' => Level::Critical,
        b'E' => Level::Error,
        b'W' => Level::Warning,
        b'N' => Level::Notice,
        b'I' => Level::Info,
        b'D' => Level::Debug,
        b'd' => Level::Trace,
        _ => return None,
    };
    let rest = line[1..].strip_prefix(b" [")?;
    let close = close_within(rest, 40)?;
    let stamp = &rest[..close];
    let (time, offset) = if stamp.len() == CLF_LEN {
        parse_clf(stamp)?
    } else if stamp.len() >= CLF_LEN + 2 {
        // `08/Jun/2013:11:28:58.123456 -0700`: drop the fraction, keep the 26-byte shape.
        let (date, frac, zone) = (
            &stamp[..20],
            &stamp[20..stamp.len() - 6],
            &stamp[stamp.len() - 6..],
        );
        let ok = frac.len() >= 2 && frac[0] == b'.' && frac[1..].iter().all(u8::is_ascii_digit);
        if !ok {
            return None;
        }
        let mut buf = [0u8; CLF_LEN];
        buf[..20].copy_from_slice(date);
        buf[20..].copy_from_slice(zone);
        parse_clf(&buf)?
    } else {
        return None;
    };
    let rest = &rest[close + 1..];
    let message = match rest.first() {
        None => rest,
        Some(b' ') => &rest[1..],
        Some(_) => return None,
    };
    Some(Parts {
        time,
        offset: Some(offset),
        level,
        app: b"cupsd",
        v24: false,
        module: None,
        pid: None,
        tid: None,
        client: None,
        referer: None,
        head: b"",
        tail: message,
    })
}

#[cfg(test)]
#[path = "tests/apache_error.rs"]
mod tests;
