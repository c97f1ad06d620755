//! Log formats: one file per format family, each turning one line of bytes into a record.
//!
//! Parsers borrow from the input (zero-copy where the format allows) and never panic; a line
//! they cannot read yields `None` and is counted by the caller. Access logs give an
//! [`Access`] (a request); every other format gives an [`Event`] (a timestamped entry with a
//! level, an emitting program and a message).

pub mod access;
pub mod apache_error;
pub mod journald;
pub mod jsonl;
pub mod kind;
pub mod logfmt;
pub mod logformat;
pub mod nginx_error;
pub mod plain;
pub mod syslog;

pub use access::Access;

use crate::time::Zone;
use std::borrow::Cow;

/// Severity, on the syslog scale (lower is worse).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Info,
    Debug,
    Trace,
}

impl Level {
    /// Error or worse: a bad event.
    pub fn is_error(self) -> bool {
        self <= Level::Error
    }

    /// From a syslog/journald priority, 0 (emerg) to 7 (debug).
    pub fn from_priority(p: u8) -> Option<Level> {
        Some(match p {
            0 => Level::Emergency,
            1 => Level::Alert,
            2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warning,
            5 => Level::Notice,
            6 => Level::Info,
            7 => Level::Debug,
            _ => return None,
        })
    }

    /// From a level word, any case: `ERROR`, `err`, `Warn`, `FATAL`, `crit`, `E` is not one.
    pub fn from_word(w: &[u8]) -> Option<Level> {
        if w.is_empty() || w.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        let lower = &mut buf[..w.len()];
        lower.copy_from_slice(w);
        lower.make_ascii_lowercase();
        Some(match &*lower {
            b"emerg" | b"emergency" | b"panic" => Level::Emergency,
            b"alert" => Level::Alert,
            b"crit" | b"critical" | b"fatal" | b"severe" => Level::Critical,
            b"err" | b"error" | b"eror" => Level::Error,
            b"warn" | b"warning" => Level::Warning,
            b"notice" => Level::Notice,
            b"info" | b"information" | b"informational" => Level::Info,
            b"debug" | b"dbug" | b"fine" => Level::Debug,
            b"trace" | b"finer" | b"finest" | b"verbose" => Level::Trace,
            _ => return None,
        })
    }

    /// From a bunyan/pino numeric level: 10 trace, 20 debug, 30 info, 40 warn, 50 error,
    /// 60 fatal.
    pub fn from_bunyan(n: i64) -> Option<Level> {
        Some(match n {
            10 => Level::Trace,
            20 => Level::Debug,
            30 => Level::Info,
            40 => Level::Warning,
            50 => Level::Error,
            60 => Level::Critical,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Emergency => "emergency",
            Level::Alert => "alert",
            Level::Critical => "critical",
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

/// One entry of an event log: anything that is not an access log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<'a> {
    /// UTC seconds.
    pub time: i64,
    /// The offset written in the stamp, when there was one.
    pub offset: Option<i32>,
    /// Severity, when the format or the line says.
    pub level: Option<Level>,
    /// Who wrote it: syslog tag / journald identifier or unit / logger name; empty if unknown.
    pub app: Cow<'a, [u8]>,
    /// The message text (unescaped where the format escapes it).
    pub message: Cow<'a, [u8]>,
}

/// What a parser needs beyond the line: how to read stamps that lack a year or a zone.
#[derive(Clone, Copy, Debug)]
pub struct ParseCtx {
    /// Zone of stamps written without an offset (`--tz`, else the machine's zone).
    pub zone: Zone,
    /// Year of the newest entries of a file whose stamps have no year (`--year`, else the
    /// year of the file's modification time) ...
    pub year: i32,
    /// ... and the month of that time: a stamp from a later month belongs to the year before
    /// (a file written from December to January).
    pub month: u32,
}

impl ParseCtx {
    /// The year of a yearless stamp in `month`.
    pub fn year_for(&self, month: u32) -> i32 {
        if month > self.month {
            self.year - 1
        } else {
            self.year
        }
    }

    /// UTC seconds of a wall-clock time written without an offset.
    pub fn to_utc(&self, local: i64) -> i64 {
        self.zone.local_to_utc(local)
    }

    /// A context for tests and for data whose year and zone do not matter: UTC, 2026, December.
    pub fn utc_2026() -> ParseCtx {
        ParseCtx {
            zone: Zone::from_offset_secs(0),
            year: 2026,
            month: 12,
        }
    }
}

/// Whether a line that no parser read continues the entry before it: an indented line, or
/// the head of a stack trace (`Traceback ...`, `Caused by: ...`, `java.lang.X: ...`,
/// `goroutine 1 [running]:`, `panic: ...`). Decided from the line alone, so that any chunking
/// of the input gives the same answer.
pub fn is_continuation(line: &[u8]) -> bool {
    match line.first() {
        None => false,
        Some(b' ') | Some(b'\t') => line.iter().any(|b| !b.is_ascii_whitespace()),
        Some(_) => {
            const HEADS: [&[u8]; 7] = [
                b"Traceback (most recent call last)",
                b"Caused by: ",
                b"goroutine ",
                b"panic: ",
                b"... ",
                b"Suppressed: ",
                // FastCGI stderr continued in nginx's error log.
                b"PHP message: ",
            ];
            if HEADS.iter().any(|h| line.starts_with(h)) {
                return true;
            }
            // `java.lang.IllegalStateException: msg`, `com.foo.BarError`, `ValueError: bad`
            let head_len = line
                .iter()
                .position(|&b| b == b':' || b == b' ')
                .unwrap_or(line.len());
            let head = &line[..head_len];
            let ident = !head.is_empty()
                && head
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'$' || b == b'_');
            ident
                && (head.ends_with(b"Exception") || head.ends_with(b"Error"))
                && (head_len == line.len() || line[head_len] == b':')
        }
    }
}

/// For the parsers' table tests: checks a parsed line against (UTC time, level, app,
/// message), or that it was refused; returns the event for further checks.
#[cfg(test)]
pub(crate) fn assert_event<'a>(
    line: &[u8],
    got: Option<Event<'a>>,
    want: Option<(i64, Option<Level>, &str, &str)>,
) -> Option<Event<'a>> {
    let shown = String::from_utf8_lossy(line);
    match (&got, want) {
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
    got
}

/// For the parsers' robustness tests: `count` random edits of `seed` (bytes changed, cut,
/// removed or inserted), from a fixed xorshift sequence so a failure can be replayed.
#[cfg(test)]
pub(crate) fn mutations(seed: &[u8], count: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    const BYTES: &[u8] = b" []:#*,\"\\0123456789.-/\xff\x00";
    (0..count).map(move |_| {
        let mut l = seed.to_vec();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % l.len().max(1);
            match next() % 4 {
                0 if !l.is_empty() => l[at] = BYTES[(next() as usize) % BYTES.len()],
                1 => l.truncate(at),
                2 if !l.is_empty() => {
                    l.remove(at);
                }
                _ => l.insert(at.min(l.len()), BYTES[(next() as usize) % BYTES.len()]),
            }
        }
        l
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(Level::from_word(b"ERROR"), Some(Level::Error));
        assert_eq!(Level::from_word(b"Warn"), Some(Level::Warning));
        assert_eq!(Level::from_word(b"FATAL"), Some(Level::Critical));
        assert_eq!(Level::from_word(b"E"), None);
        assert_eq!(Level::from_word(b"information-overload"), None);
        assert!(
            Level::Critical.is_error() && Level::Error.is_error() && !Level::Warning.is_error()
        );
        assert_eq!(Level::from_priority(3), Some(Level::Error));
        assert_eq!(Level::from_bunyan(50), Some(Level::Error));
    }

    #[test]
    fn continuations() {
        for yes in [
            &b"\tat com.example.Foo.bar(Foo.java:42)"[..],
            b"    at java.base/java.lang.Thread.run(Thread.java:829)",
            b"  File \"/app/x.py\", line 3, in <module>",
            b"Traceback (most recent call last):",
            b"Caused by: java.io.IOException: broken pipe",
            b"java.lang.NullPointerException",
            b"java.lang.IllegalStateException: connection closed",
            b"ValueError: bad value",
            b"goroutine 1 [running]:",
            b"panic: runtime error: index out of range",
        ] {
            assert!(is_continuation(yes), "{}", String::from_utf8_lossy(yes));
        }
        for no in [
            &b""[..],
            b"   ",
            b"hello world",
            b"2026-11-28 error: x",
            b"Error happened",
            b"NotAnError here",
        ] {
            assert!(!is_continuation(no), "{}", String::from_utf8_lossy(no));
        }
    }
}
