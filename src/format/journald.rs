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
mod tests {
    use super::*;

    fn check(line: &[u8], want: Option<(i64, Option<Level>, &str, &str)>) {
        let got = parse(line, &ParseCtx::utc_2026());
        let shown = String::from_utf8_lossy(line);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some((time, level, app, message))) => {
                assert_eq!(g.time, time, "time of {shown}");
                assert_eq!(g.offset, None, "offset of {shown}");
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

    /// Real lines: fluent-plugins-nursery/fluent-plugin-systemd `test/fixture/test.journal`
    /// exported with `journalctl -o json` (Apache-2.0), and tstack/lnav
    /// `test/logfile_journald.json` (BSD-2-Clause); see /work/shared/corpus/SOURCES.md.
    #[test]
    fn real_lines() {
        // fluent-plugin-systemd: no SYSLOG_IDENTIFIER, so the unit names the app.
        check(br#"{"_MACHINE_ID":"bb9d0a52a41243829ecd729b40ac0bce","__CURSOR":"s=add4782f78ca4b6e84aa88d34e5b4a9d;i=1;b=4737ffc504774b3ba67020bc947f1bc0;m=f401f;t=4d905e499a7d4;x=9953b0ecdea09001","_PID":"88","_GID":"0","_CMDLINE":"/usr/lib/systemd/systemd-journald ","_SYSTEMD_UNIT":"systemd-journald.service","_SYSTEMD_CGROUP":"/system/systemd-journald.service","_BOOT_ID":"4737ffc504774b3ba67020bc947f1bc0","_UID":"0","_COMM":"systemd-journal","_TRANSPORT":"driver","_EXE":"/usr/lib/systemd/systemd-journald","MESSAGE":"Allowing runtime journal files to grow to 24.7M.","__MONOTONIC_TIMESTAMP":"999455","PRIORITY":"6","__REALTIME_TIMESTAMP":"1364519240181716","_HOSTNAME":"arch"}"#,
            Some((1_364_519_240, Some(Level::Info), "systemd-journald.service", "Allowing runtime journal files to grow to 24.7M.")));
        // Kernel lines: identifier `kernel`, no unit.
        check(br#"{"_MACHINE_ID":"bb9d0a52a41243829ecd729b40ac0bce","SYSLOG_IDENTIFIER":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"1640583","_TRANSPORT":"kernel","MESSAGE":"[drm:vmw_driver_load] *ERROR* Hardware has no pitchlock","_HOSTNAME":"arch","__MONOTONIC_TIMESTAMP":"1698380","PRIORITY":"3","_BOOT_ID":"4737ffc504774b3ba67020bc947f1bc0","__CURSOR":"s=add4782f78ca4b6e84aa88d34e5b4a9d;i=1c1;b=4737ffc504774b3ba67020bc947f1bc0;m=19ea4c;t=4d905e4a45200;x=8b06283c4da54247","__REALTIME_TIMESTAMP":"1364519240880640"}"#,
            Some((1_364_519_240, Some(Level::Error), "kernel", "[drm:vmw_driver_load] *ERROR* Hardware has no pitchlock")));
        check(br#"{"__REALTIME_TIMESTAMP":"1364519240183009","_BOOT_ID":"4737ffc504774b3ba67020bc947f1bc0","_TRANSPORT":"kernel","__CURSOR":"s=add4782f78ca4b6e84aa88d34e5b4a9d;i=3d;b=4737ffc504774b3ba67020bc947f1bc0;m=f452c;t=4d905e499ace1;x=81d51d5b8fd15106","_SOURCE_MONOTONIC_TIMESTAMP":"0","_HOSTNAME":"arch","MESSAGE":"Zone ranges:","_MACHINE_ID":"bb9d0a52a41243829ecd729b40ac0bce","SYSLOG_IDENTIFIER":"kernel","PRIORITY":"4","__MONOTONIC_TIMESTAMP":"1000748"}"#,
            Some((1_364_519_240, Some(Level::Warning), "kernel", "Zone ranges:")));
        // _SOURCE_REALTIME_TIMESTAMP (…240.68) is preferred to __REALTIME_TIMESTAMP (…240.85);
        // both are in the same second here, so the test uses the second line of the pair.
        check(br#"{"_UID":"0","PRIORITY":"6","CODE_LINE":"148","CODE_FILE":"src/login/logind-button.c","__CURSOR":"s=add4782f78ca4b6e84aa88d34e5b4a9d;i=1a6;b=4737ffc504774b3ba67020bc947f1bc0;m=196d0b;t=4d905e4a3d4bf;x=5becd41f48384d1c","_EXE":"/usr/lib/systemd/systemd-logind","_SOURCE_REALTIME_TIMESTAMP":"1364519240686959","_MACHINE_ID":"bb9d0a52a41243829ecd729b40ac0bce","_SYSTEMD_CGROUP":"/system/systemd-logind.service","_TRANSPORT":"journal","_BOOT_ID":"4737ffc504774b3ba67020bc947f1bc0","__REALTIME_TIMESTAMP":"1364519240848575","_PID":"132","_COMM":"systemd-logind","__MONOTONIC_TIMESTAMP":"1666315","MESSAGE":"Watching system buttons on /dev/input/event1 (Power Button)","CODE_FUNCTION":"button_open","_GID":"0","_SYSTEMD_UNIT":"systemd-logind.service","_CMDLINE":"/usr/lib/systemd/systemd-logind ","SYSLOG_IDENTIFIER":"systemd-logind","_HOSTNAME":"arch","SYSLOG_FACILITY":"4"}"#,
            Some((1_364_519_240, Some(Level::Info), "systemd-logind", "Watching system buttons on /dev/input/event1 (Power Button)")));
        // lnav: the old spaced style, PRIORITY 1 (alert).
        check(br#"{ "__CURSOR" : "s=e991dd5775894620914f2f7126aae6c1;i=372a;b=0dc874d3fbd44bdbb6fbcfaa27481492;m=24ea327;t=573f280a663fd;x=9ceeb77ef4331563", "__REALTIME_TIMESTAMP" : "1534860261221373", "__MONOTONIC_TIMESTAMP" : "38708007", "_BOOT_ID" : "0dc874d3fbd44bdbb6fbcfaa27481492", "PRIORITY" : "1", "_MACHINE_ID" : "1234567890abcdef1234567890abcdef", "_HOSTNAME" : "imx6ul-medusa", "SYSLOG_FACILITY" : "3", "_UID" : "0", "_GID" : "0", "_SYSTEMD_SLICE" : "system.slice", "_CAP_EFFECTIVE" : "3fffffffff", "_TRANSPORT" : "stdout", "_STREAM_ID" : "d6422e98dfb24d128e274f917f04362f", "SYSLOG_IDENTIFIER" : "python", "_PID" : "184", "_COMM" : "python", "_EXE" : "/usr/bin/python2.7", "_CMDLINE" : "/usr/bin/python -u /usr/bin/medusa/GpsLocator/GpsLocator.py", "_SYSTEMD_CGROUP" : "/system.slice/medusa-GpsLocator.service", "_SYSTEMD_UNIT" : "medusa-GpsLocator.service", "_SYSTEMD_INVOCATION_ID" : "e8fb03c1b8bf47b8ac2fc82f9870fd57", "MESSAGE" : "GPS Reference longitude: 7.358143333" }"#,
            Some((1_534_860_261, Some(Level::Alert), "python", "GPS Reference longitude: 7.358143333")));
    }

    #[test]
    fn entry_fields() {
        let line = br#"{ "__REALTIME_TIMESTAMP" : "1534860261221373", "_BOOT_ID" : "0dc874d3fbd44bdbb6fbcfaa27481492", "PRIORITY" : "6", "SYSLOG_IDENTIFIER" : "python", "_SYSTEMD_UNIT" : "medusa-GpsLocator.service", "MESSAGE" : "GPS Reference latitude: 46.908706667" }"#;
        let e = parse_entry(line, &ParseCtx::utc_2026()).unwrap();
        assert_eq!(e.unit.as_deref(), Some(&b"medusa-GpsLocator.service"[..]));
        assert_eq!(
            e.boot_id.as_deref(),
            Some(&b"0dc874d3fbd44bdbb6fbcfaa27481492"[..])
        );
        assert!(matches!(e.event.message, Cow::Borrowed(_)));
    }

    #[test]
    fn message_shapes() {
        // Byte array (a message that is not UTF-8), null, repeated field, escapes.
        check(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":[104,105,255]}"#,
            Some((1_795_874_136, None, "", "hi\u{fffd}")),
        );
        let e = parse(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":[104,105,255]}"#,
            &ParseCtx::utc_2026(),
        )
        .unwrap();
        assert_eq!(&*e.message, b"hi\xff");
        check(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":null,"_COMM":"sshd"}"#,
            Some((1_795_874_136, None, "sshd", "")),
        );
        check(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":["first","second"]}"#,
            Some((1_795_874_136, None, "", "first")),
        );
        check(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":"a \"quoted\" word\n"}"#,
            Some((1_795_874_136, None, "", "a \"quoted\" word")),
        );
        // A byte array with a value out of range is not a message.
        check(
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":[104,256]}"#,
            Some((1_795_874_136, None, "", "")),
        );
        // A bad source time falls back to the receive time.
        check(br#"{"__REALTIME_TIMESTAMP":"1795874136000000","_SOURCE_REALTIME_TIMESTAMP":"soon","PRIORITY":"9"}"#,
            Some((1_795_874_136, None, "", "")));
    }

    #[test]
    fn hostile_lines() {
        for bad in [
            &b""[..],
            b"{",
            b"{}",
            // Generic JSON application logs are not journal entries.
            br#"{"time":"2026-11-28T13:55:36Z","level":"error","msg":"x"}"#,
            br#"{"_SOURCE_REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":"no receive time"}"#,
            br#"{"__REALTIME_TIMESTAMP":"1795874136000000","MESSAGE":"truncated"#,
            br#"{"__REALTIME_TIMESTAMP":"not a number"}"#,
            br#"{"__REALTIME_TIMESTAMP":"-5"}"#,
            br#"{"__REALTIME_TIMESTAMP":"99999999999999999999999"}"#,
            br#"{"__REALTIME_TIMESTAMP":"9999999999999999999"}"#,
            br#"{"__REALTIME_TIMESTAMP":1.5e300}"#,
            br#"["__REALTIME_TIMESTAMP"]"#,
            b"{\"__REALTIME_TIMESTAMP\":\"1795874136000000\"\x00}",
            b"__REALTIME_TIMESTAMP=1795874136000000",
        ] {
            assert_eq!(
                parse(bad, &ParseCtx::utc_2026()),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        check(
            b"{\"__REALTIME_TIMESTAMP\":\"1795874136000000\",\"MESSAGE\":\"raw \xff\"}",
            Some((1_795_874_136, None, "", "raw \u{fffd}")),
        );
    }
}
