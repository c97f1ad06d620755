//! Timestamps and time zones.
//!
//! Input: the bytes of a timestamp as a log writes it. Output: UTC seconds since the epoch plus
//! the UTC offset the writer used. The access-log stamp `28/Nov/2026:13:55:36 +0100` has a fast
//! path that checks the shape with byte comparisons and converts digits by hand; consecutive
//! lines usually repeat the same second, so [`ClfCache`] remembers the last stamp it converted.
//! chrono is used for display only, where speed does not matter.

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};

/// A time zone to show times in: a fixed offset or an IANA zone (DST-aware).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// Parses `UTC`, `Z`, `+01:00`, `-0530`, `+01`, or an IANA name such as `Europe/Paris`.
    pub fn parse(text: &str) -> Result<Zone, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t.eq_ignore_ascii_case("gmt") {
            return Ok(Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset")));
        }
        if let Some(first) = t.bytes().next() {
            if first == b'+' || first == b'-' {
                return parse_offset_text(t)
                    .and_then(FixedOffset::east_opt)
                    .map(Zone::Fixed)
                    .ok_or_else(|| format!("invalid UTC offset {t:?} (expected ±HH:MM)"));
            }
        }
        t.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!("unknown time zone {t:?} (use an IANA name like Europe/Paris or ±HH:MM)")
        })
    }

    /// The zone of a fixed offset in seconds east of UTC.
    pub fn from_offset_secs(secs: i32) -> Zone {
        Zone::Fixed(FixedOffset::east_opt(secs).unwrap_or(FixedOffset::east_opt(0).expect("zero")))
    }

    /// A name for the report: `UTC`, `UTC+01:00`, or the IANA name.
    pub fn name(&self) -> String {
        match self {
            Zone::Fixed(off) if off.local_minus_utc() == 0 => "UTC".to_string(),
            Zone::Fixed(off) => format!("UTC{}", offset_text(off.local_minus_utc())),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }

    /// Offset from UTC, in seconds, at the given instant.
    pub fn offset_at(&self, utc_secs: i64) -> i32 {
        let utc = utc_datetime(utc_secs);
        match self {
            Zone::Fixed(off) => off.local_minus_utc(),
            Zone::Named(tz) => tz
                .offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc(),
        }
    }

    /// UTC seconds of a wall-clock time in this zone (see [`civil_secs`]). In a DST overlap
    /// the earlier instant is taken; in a DST gap, the time as if the clock had not jumped.
    pub fn local_to_utc(&self, local: i64) -> i64 {
        match self {
            Zone::Fixed(off) => local - i64::from(off.local_minus_utc()),
            Zone::Named(tz) => {
                let naive = utc_datetime(local).naive_utc();
                match tz.from_local_datetime(&naive) {
                    chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                        t.timestamp()
                    }
                    chrono::LocalResult::None => {
                        let day_before = naive - chrono::Duration::days(1);
                        let before = tz
                            .offset_from_utc_datetime(&day_before)
                            .fix()
                            .local_minus_utc();
                        local - i64::from(before)
                    }
                }
            }
        }
    }

    /// The machine's zone: `TZ` when it names an IANA zone, else `/etc/localtime`'s link
    /// target, else UTC.
    pub fn machine() -> Zone {
        let from_env = std::env::var("TZ")
            .ok()
            .and_then(|t| Zone::parse(t.trim_start_matches(':')).ok());
        let from_link = || {
            let target = std::fs::read_link("/etc/localtime").ok()?;
            let t = target.to_string_lossy();
            let name = t.split("zoneinfo/").nth(1)?;
            Zone::parse(name).ok()
        };
        from_env
            .or_else(from_link)
            .unwrap_or(Zone::Fixed(FixedOffset::east_opt(0).expect("zero")))
    }

    /// The local wall-clock time at an instant, as a chrono value with a fixed offset.
    pub fn local(&self, utc_secs: i64) -> DateTime<FixedOffset> {
        let off = FixedOffset::east_opt(self.offset_at(utc_secs)).expect("offset in range");
        utc_datetime(utc_secs).with_timezone(&off)
    }

    /// The zone label at an instant: `UTC`, `+01:00`, or `CET`.
    pub fn label_at(&self, utc_secs: i64) -> String {
        match self {
            Zone::Fixed(off) if off.local_minus_utc() == 0 => "UTC".to_string(),
            Zone::Fixed(off) => format!("UTC{}", offset_text(off.local_minus_utc())),
            Zone::Named(tz) => {
                let abbr = tz
                    .offset_from_utc_datetime(&utc_datetime(utc_secs).naive_utc())
                    .to_string();
                // chrono-tz gives abbreviations like "CET", or "+0530" where none exists.
                if abbr.starts_with('+') || abbr.starts_with('-') {
                    format!("UTC{}", offset_text(self.offset_at(utc_secs)))
                } else {
                    abbr
                }
            }
        }
    }

    /// `2026-11-28 14:02:13 CET`
    pub fn format_datetime(&self, utc_secs: i64) -> String {
        format!(
            "{} {}",
            self.local(utc_secs).format("%Y-%m-%d %H:%M:%S"),
            self.label_at(utc_secs)
        )
    }

    /// `14:02 CET` (or `14:02:13 CET` with seconds).
    pub fn format_time(&self, utc_secs: i64, seconds: bool) -> String {
        let fmt = if seconds { "%H:%M:%S" } else { "%H:%M" };
        format!(
            "{} {}",
            self.local(utc_secs).format(fmt),
            self.label_at(utc_secs)
        )
    }
}

/// `+01:00` from seconds east of UTC.
pub fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn parse_offset_text(t: &str) -> Option<i32> {
    let b = t.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = b[1..].iter().copied().filter(|c| *c != b':').collect();
    if !digits.iter().all(u8::is_ascii_digit) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let h = i32::from((digits[0] - b'0') * 10 + (digits[1] - b'0'));
    let m = if digits.len() == 4 {
        i32::from((digits[2] - b'0') * 10 + (digits[3] - b'0'))
    } else {
        0
    };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

/// UTC seconds to a chrono value; out-of-range values clamp to the epoch.
pub fn utc_datetime(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// RFC 3339 in UTC with `Z`: `2026-11-28T13:55:36Z`.
pub fn rfc3339(secs: i64) -> String {
    utc_datetime(secs).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `Jan` -> 1 ... `Dec` -> 12 (case-sensitive, as servers write them).
pub fn month_from_abbr(b: &[u8]) -> Option<u32> {
    // Case-sensitive like nginx and Apache write them.
    Some(match b {
        b"Jan" => 1,
        b"Feb" => 2,
        b"Mar" => 3,
        b"Apr" => 4,
        b"May" => 5,
        b"Jun" => 6,
        b"Jul" => 7,
        b"Aug" => 8,
        b"Sep" => 9,
        b"Oct" => 10,
        b"Nov" => 11,
        b"Dec" => 12,
        _ => return None,
    })
}

/// Two ASCII digits.
#[inline]
pub fn two(b: &[u8]) -> Option<u32> {
    let (a, c) = (b[0].wrapping_sub(b'0'), b[1].wrapping_sub(b'0'));
    (a < 10 && c < 10).then_some(u32::from(a) * 10 + u32::from(c))
}

/// Length of a `%d/%b/%Y:%H:%M:%S %z` stamp.
pub const CLF_LEN: usize = 26;

/// Parses `28/Nov/2026:13:55:36 +0100` into (UTC seconds, offset seconds east).
pub fn parse_clf(s: &[u8]) -> Option<(i64, i32)> {
    if s.len() != CLF_LEN
        || s[2] != b'/'
        || s[6] != b'/'
        || s[11] != b':'
        || s[14] != b':'
        || s[17] != b':'
        || s[20] != b' '
    {
        return None;
    }
    let day = two(&s[0..2])?;
    let month = month_from_abbr(&s[3..6])?;
    let year = two(&s[7..9])? * 100 + two(&s[9..11])?;
    let (hour, min, sec) = (two(&s[12..14])?, two(&s[15..17])?, two(&s[18..20])?);
    let sign = match s[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (two(&s[22..24])?, two(&s[24..26])?);
    if !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 || oh > 23 || om > 59 {
        return None;
    }
    if day > days_in_month(i64::from(year), month) {
        return None;
    }
    let offset = sign * (oh * 3600 + om * 60) as i32;
    let local = days_from_civil(i64::from(year), month, day) * 86_400
        + i64::from(hour * 3600 + min * 60 + sec);
    Some((local - i64::from(offset), offset))
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Remembers the last access-log stamp: lines written in the same second share it.
#[derive(Default)]
pub struct ClfCache {
    last: [u8; CLF_LEN],
    value: Option<(i64, i32)>,
}

impl ClfCache {
    #[inline]
    pub fn parse(&mut self, s: &[u8]) -> Option<(i64, i32)> {
        if self.value.is_some() && s == self.last {
            return self.value;
        }
        let v = parse_clf(s)?;
        self.last.copy_from_slice(s);
        self.value = Some(v);
        Some(v)
    }
}

/// Seconds since 1970-01-01T00:00:00 of a wall-clock date and time (no zone applied), or
/// `None` when a field is out of range.
pub fn civil_secs(y: i64, mo: u32, d: u32, h: u32, mi: u32, sec: u32) -> Option<i64> {
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + sec))
}

/// A timestamp read from the start of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsoStamp {
    /// Seconds of the wall-clock time as written (see [`civil_secs`]).
    pub local: i64,
    /// Nanoseconds of the fraction, when written.
    pub nanos: u32,
    /// The offset written with it (seconds east of UTC), `Z` being 0.
    pub offset: Option<i32>,
    /// Bytes consumed.
    pub len: usize,
}

impl IsoStamp {
    /// UTC seconds, using `zone` when the stamp carries no offset.
    pub fn utc(&self, zone: &Zone) -> i64 {
        match self.offset {
            Some(off) => self.local - i64::from(off),
            None => zone.local_to_utc(self.local),
        }
    }
}

fn digits_n(s: &[u8], n: usize) -> Option<u32> {
    let d = s.get(..n)?;
    d.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Parses `YYYY-MM-DD[T| ]HH:MM[:SS][.fff|,fff][Z|±HH:MM|±HHMM|±HH| UTC|  Z]` at the start
/// of `s` (ISO 8601 / RFC 3339, and the `2026-11-28 13:55:36,123` of log4j and Python).
pub fn parse_iso(s: &[u8]) -> Option<IsoStamp> {
    if s.len() < 16
        || s[4] != b'-'
        || s[7] != b'-'
        || !(s[10] == b'T' || s[10] == b' ' || s[10] == b't')
        || s[13] != b':'
    {
        return None;
    }
    let y = digits_n(s, 4)?;
    let (mo, d) = (two(&s[5..7])?, two(&s[8..10])?);
    let (h, mi) = (two(&s[11..13])?, two(&s[14..16])?);
    let mut pos = 16;
    let mut sec = 0;
    if s.get(pos) == Some(&b':') {
        sec = digits_n(&s[pos + 1..], 2)?;
        pos += 3;
    }
    let mut nanos = 0u32;
    if matches!(s.get(pos), Some(b'.') | Some(b','))
        && s.get(pos + 1).is_some_and(u8::is_ascii_digit)
    {
        pos += 1;
        let start = pos;
        while s.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 9 {
                nanos = nanos * 10 + u32::from(s[pos] - b'0');
            }
            pos += 1;
        }
        for _ in (pos - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let local = civil_secs(i64::from(y), mo, d, h, mi, sec)?;
    let (offset, used) = parse_offset_suffix(&s[pos..]);
    Some(IsoStamp {
        local,
        nanos,
        offset,
        len: pos + used,
    })
}

/// A zone suffix right after a time: `Z`, `±HH:MM`, `±HHMM`, `±HH`, or ` UTC`/` GMT`.
fn parse_offset_suffix(s: &[u8]) -> (Option<i32>, usize) {
    match s.first() {
        Some(b'Z') | Some(b'z') => (Some(0), 1),
        Some(&c @ (b'+' | b'-')) => {
            let sign = if c == b'+' { 1 } else { -1 };
            let Some(h) = digits_n(&s[1..], 2) else {
                return (None, 0);
            };
            let (m, used) = if s.get(3) == Some(&b':') {
                match digits_n(&s[4..], 2) {
                    Some(m) => (m, 6),
                    None => return (None, 0),
                }
            } else if let Some(m) = digits_n(&s[3..], 2) {
                (m, 5)
            } else {
                (0, 3)
            };
            if h > 23 || m > 59 {
                return (None, 0);
            }
            (Some(sign * (h * 3600 + m * 60) as i32), used)
        }
        Some(b' ') if s.get(1..4) == Some(b"UTC") || s.get(1..4) == Some(b"GMT") => (Some(0), 4),
        _ => (None, 0),
    }
}

/// Parses a duration such as `90s`, `5m`, `1h`, `250ms`, or a bare number of seconds.
pub fn parse_duration_secs(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {text:?} (examples: 90s, 5m, 1h, 500ms)"))?;
    let mult = match unit.trim() {
        "" | "s" | "sec" => 1.0,
        "ms" => 0.001,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?} (use ms, s, m or h)"
            ))
        }
    };
    if !n.is_finite() || n < 0.0 {
        return Err(format!("invalid duration {text:?}"));
    }
    Ok(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;

    fn chrono_clf(s: &str) -> Option<(i64, i32)> {
        let dt = DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z").ok()?;
        Some((dt.timestamp(), dt.offset().local_minus_utc()))
    }

    #[test]
    fn clf_table() {
        let rows: &[(&str, Option<(i64, i32)>)] = &[
            ("28/Nov/2026:13:55:36 +0100", Some((1_795_870_536, 3600))),
            ("01/Jan/1970:00:00:00 +0000", Some((0, 0))),
            ("22/Jan/2019:03:56:14 +0330", Some((1_548_116_774, 12600))),
            ("09/Jun/2020:12:10:39 -0700", Some((1_591_729_839, -25200))),
            ("29/Feb/2024:23:59:59 +0000", Some((1_709_251_199, 0))),
            ("29/Feb/2023:00:00:00 +0000", None),
            ("31/Apr/2023:00:00:00 +0000", None),
            ("28/nov/2026:13:55:36 +0100", None),
            ("28/Nov/2026:24:00:00 +0100", None),
            ("28/Nov/2026:13:55:36 0100", None),
            ("28/Nov/2026 13:55:36 +0100", None),
            ("2x/Nov/2026:13:55:36 +0100", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_clf(text.as_bytes()), *want, "{text}");
            if want.is_some() {
                assert_eq!(chrono_clf(text), *want, "chrono disagrees on {text}");
            }
        }
    }

    #[test]
    fn clf_agrees_with_chrono_over_many_days() {
        let mut t = DateTime::parse_from_rfc3339("1999-12-25T23:59:58+05:45").unwrap();
        for _ in 0..4000 {
            let text = t.format("%d/%b/%Y:%H:%M:%S %z").to_string();
            assert_eq!(parse_clf(text.as_bytes()), chrono_clf(&text), "{text}");
            t += chrono::Duration::seconds(86_400 * 3 + 3_607);
        }
    }

    #[test]
    fn cache_returns_new_values_when_the_stamp_changes() {
        let mut c = ClfCache::default();
        let a = c.parse(b"28/Nov/2026:13:55:36 +0100").unwrap();
        assert_eq!(c.parse(b"28/Nov/2026:13:55:36 +0100"), Some(a));
        let b = c.parse(b"28/Nov/2026:13:55:37 +0100").unwrap();
        assert_eq!(b.0, a.0 + 1);
        assert_eq!(c.parse(b"28/Nov/2026:13:55:3x +0100"), None);
    }

    #[test]
    fn zones() {
        assert_eq!(Zone::parse("+01:00").unwrap().offset_at(0), 3600);
        assert_eq!(Zone::parse("-0530").unwrap().offset_at(0), -19800);
        assert_eq!(Zone::parse("UTC").unwrap().name(), "UTC");
        assert!(Zone::parse("+25:00").is_err());
        assert!(Zone::parse("Mars/Olympus").is_err());
        let paris = Zone::parse("Europe/Paris").unwrap();
        let summer = NaiveDateTime::parse_from_str("2026-07-01 12:00:00", "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(paris.offset_at(summer), 7200);
        assert_eq!(paris.label_at(summer), "CEST");
        assert_eq!(paris.offset_at(1_795_870_536), 3600);
        assert_eq!(
            Zone::parse("+01:00")
                .unwrap()
                .format_datetime(1_795_870_536),
            "2026-11-28 13:55:36 UTC+01:00"
        );
    }

    #[test]
    fn iso_table() {
        let utc = Zone::parse("UTC").unwrap();
        // (text, Some((UTC seconds, offset, bytes used, nanoseconds)))
        type Row = (&'static str, Option<(i64, Option<i32>, usize, u32)>);
        let rows: &[Row] = &[
            (
                "2026-11-28T13:55:36Z x",
                Some((1_795_874_136, Some(0), 20, 0)),
            ),
            (
                "2026-11-28T13:55:36.123456+01:00",
                Some((1_795_870_536, Some(3600), 32, 123_456_000)),
            ),
            (
                "2026-11-28 13:55:36,123 INFO",
                Some((1_795_874_136, None, 23, 123_000_000)),
            ),
            (
                "2026-11-28T13:55:36-0530",
                Some((1_795_893_936, Some(-19800), 24, 0)),
            ),
            (
                "2026-11-28T13:55:36+05",
                Some((1_795_856_136, Some(18000), 22, 0)),
            ),
            (
                "2026-11-28 13:55 UTC",
                Some((1_795_874_100, Some(0), 20, 0)),
            ),
            ("2026-02-30T00:00:00Z", None),
            ("2026-11-28X13:55:36Z", None),
            ("26-11-28T13:55:36Z", None),
        ];
        for (text, want) in rows {
            let got = parse_iso(text.as_bytes()).map(|s| (s.utc(&utc), s.offset, s.len, s.nanos));
            assert_eq!(got, *want, "{text}");
        }
    }

    #[test]
    fn local_to_utc_handles_dst() {
        let paris = Zone::parse("Europe/Paris").unwrap();
        let summer = civil_secs(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(paris.local_to_utc(summer), summer - 7200);
        // 2026-10-25 02:30 happens twice in Paris: the earlier (summer time) is taken.
        let twice = civil_secs(2026, 10, 25, 2, 30, 0).unwrap();
        assert_eq!(paris.local_to_utc(twice), twice - 7200);
        // 2026-03-29 02:30 never happens: read with the offset before the jump.
        let never = civil_secs(2026, 3, 29, 2, 30, 0).unwrap();
        assert_eq!(paris.local_to_utc(never), never - 3600);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_secs("90s"), Ok(90.0));
        assert_eq!(parse_duration_secs("5m"), Ok(300.0));
        assert_eq!(parse_duration_secs("500ms"), Ok(0.5));
        assert_eq!(parse_duration_secs("2"), Ok(2.0));
        assert!(parse_duration_secs("5 parsecs").is_err());
        assert!(parse_duration_secs("").is_err());
    }
}
