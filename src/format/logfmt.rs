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
mod tests {
    use super::*;
    use crate::time::Zone;

    /// UTC time, offset, level, app, message.
    type Want = (i64, Option<i32>, Option<Level>, &'static str, &'static str);

    fn check(line: &[u8], ctx: &ParseCtx, want: Option<Want>) {
        let got = parse(line, ctx);
        let shown = String::from_utf8_lossy(line);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some((time, offset, level, app, message))) => {
                assert_eq!((g.time, g.offset), (time, offset), "time of {shown}");
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

    /// Real lines from tstack/lnav `test/logfile_logfmt.0`, `test/logfile_grafana.0` and
    /// `test/logfile_mixed_json2.json` (BSD-2-Clause); see /work/shared/corpus/SOURCES.md.
    #[test]
    fn real_lines() {
        let utc = ParseCtx::utc_2026();
        // logrus: quoted time, empty value `reason=`.
        check(br#"time="2021-09-15T21:17:10.220731Z" level=error msg="error retrieving pod status: pod inc-1-enh-domain-c14-ns-2/hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp is not found: PodNotFound" namespace=inc-1-enh-domain-c14-ns-2 pod=hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp reason= status=Pending"#,
            &utc, Some((1_631_740_630, Some(0), Some(Level::Error), "", "error retrieving pod status: pod inc-1-enh-domain-c14-ns-2/hello-inc-1-enh-domain-c14-ns-2-3-d8f465685-k75gp is not found: PodNotFound")));
        check(br#"time="2021-09-15T21:17:11.674149Z" level=warning msg="Failed to DeletePod in the provider" error="pod inc-1-domain-c14-ns-6/fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b is not found: PodNotFound" namespace=inc-1-domain-c14-ns-6 pod=fe-inc-1-domain-c14-ns-6-5-656d9bb695-4584b uid=be2def59-3a08-42fd-8f84-6f64cfcefa93"#,
            &utc, Some((1_631_740_631, Some(0), Some(Level::Warning), "", "Failed to DeletePod in the provider")));
        // Grafana: `logger=` first, nanosecond `t=`, `=` inside a quoted value.
        check(br#"logger=settings t=2025-04-24T19:51:48.520963849Z level=info msg="Starting Grafana" version=11.5.2 commit=598e0338d5374d6bc404b02a58094132c5eeceb8 branch=HEAD compiled=2025-04-24T19:51:48Z"#,
            &utc, Some((1_745_524_308, Some(0), Some(Level::Info), "settings", "Starting Grafana")));
        check(br#"logger=settings t=2025-04-24T19:51:48.521249283Z level=info msg="Config overridden from command line" arg="default.paths.data=/var/lib/grafana""#,
            &utc, Some((1_745_524_308, Some(0), Some(Level::Info), "settings", "Config overridden from command line")));
        // lnav mixed file: `timestamp=`, quoted level.
        check(
            br#"timestamp="2013-09-06T22:00:50.123000Z" level="INFO" msg="Hello, World""#,
            &utc,
            Some((
                1_378_504_850,
                Some(0),
                Some(Level::Info),
                "",
                "Hello, World",
            )),
        );
        // Its JSON and stack-trace neighbours are not logfmt.
        check(
            br#"{"ts": "2013-09-06T20:00:48.124817Z", "lvl": "TRACE", "msg": "trace test"}"#,
            &utc,
            None,
        );
        check(b"panic: foo bar failed baz", &utc, None);
        check(b"   level1.py:10034", &utc, None);
    }

    #[test]
    fn synthetic_lines() {
        let utc = ParseCtx::utc_2026();
        let plus2 = ParseCtx {
            zone: Zone::from_offset_secs(7200),
            ..utc
        };
        // Grafana's `+0000` offsets and `eror` level; a zone-less stamp uses the context.
        check(br#"t=2020-04-21T14:17:07+0200 lvl=eror msg="Failed to look up user" logger=context userId=0"#,
            &utc, Some((1_587_471_427, Some(7200), Some(Level::Error), "context", "Failed to look up user")));
        check(
            b"ts=2026-11-28T13:55:36 level=debug component=raft msg=tick",
            &plus2,
            Some((
                1_795_874_136 - 7200,
                None,
                Some(Level::Debug),
                "raft",
                "tick",
            )),
        );
        // go-kit epoch seconds; escapes resolved (and only then copied).
        check(
            br#"ts=1795874136.25 caller=main.go:42 level=warn msg="said \"no\"\tthen left""#,
            &utc,
            Some((
                1_795_874_136,
                None,
                Some(Level::Warning),
                "",
                "said \"no\"\tthen left",
            )),
        );
        let e = parse(br#"ts=1795874136 msg="plain words""#, &utc).unwrap();
        assert!(matches!(e.message, Cow::Borrowed(b"plain words")));
        // No level key: level None. Truncated quote: the value runs to the end.
        check(
            br#"time=2026-11-28T13:55:36Z msg="cut sho"#,
            &utc,
            Some((1_795_874_136, Some(0), None, "", "cut sho")),
        );
        // A bad best time key falls back to the next one.
        check(
            b"time=later ts=2026-11-28T13:55:36Z msg=x",
            &utc,
            Some((1_795_874_136, Some(0), None, "", "x")),
        );
    }

    #[test]
    fn not_logfmt() {
        let utc = ParseCtx::utc_2026();
        for bad in [
            &b""[..],
            b"=",
            b"==== ====",
            b"time=2026-11-28T13:55:36Z",
            b"time=2026-11-28T13:55:36Z is when x=1 happened again",
            b"2026-11-28 13:55:36 INFO set x=1 y=2",
            b"Nov 28 13:55:36 host app[1]: retry=3 delay=5",
            b"127.0.0.1 - - [28/Nov/2026:13:55:36 +0000] \"GET /?a=b&c=d HTTP/1.1\" 200 5",
            b"level=error msg=\"no time\"",
            b"time=yesterday level=error msg=x",
            b"time=5 level=error",
            b"time=\"2026-11-28T13:55:36Z level=error",
            b"\"time\"=2026-11-28T13:55:36Z level=error",
            b"time=2026-11-28T13:55:36Z\x00 level=\xff\xfe",
        ] {
            let got = parse(bad, &utc);
            // The NUL/invalid-UTF-8 row may parse; it must just not panic.
            if bad.contains(&0) {
                continue;
            }
            assert_eq!(got, None, "{}", String::from_utf8_lossy(bad));
        }
        // Values with `\` at the very end, lone quotes: no panic.
        for odd in [
            &b"time=2026-11-28T13:55:36Z msg=\"\\"[..],
            b"time=2026-11-28T13:55:36Z msg=\"a\\\"",
            b"a=\" b=\"\" c",
        ] {
            let _ = parse(odd, &utc);
        }
    }
}
