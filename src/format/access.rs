//! nginx / Apache access logs: `common`, `combined`, and either followed by extra fields such
//! as nginx's `$request_time $upstream_response_time` (found on each line by their shape).
//!
//! Input: one line without its line ending. Output: an [`Access`] that borrows from the line.
//! Tolerated: `-` fields, `\"` and `\xXX` escapes inside quoted fields, IPv6 clients, invalid
//! UTF-8 anywhere, a leading virtual host, an `X-Forwarded-For` list in place of the address,
//! empty or `-` requests (`"" 400`, `"-" 408`). A line without ident and user fields, or
//! without a valid stamp and status, is not an access-log line.

use crate::time::{ClfCache, CLF_LEN};
use nom::branch::alt;
use nom::bytes::complete::{tag, take, take_while1, take_while_m_n};
use nom::combinator::{map_opt, value};
use nom::sequence::{delimited, preceded};
use nom::IResult;

type PResult<'a, T> = IResult<&'a [u8], T>;

/// One request from an access log.
#[derive(Clone, Debug, PartialEq)]
pub struct Access<'a> {
    /// The client address (the first address when a forwarded-for list was logged).
    pub client: &'a [u8],
    /// UTC seconds.
    pub time: i64,
    /// Offset of the stamp, seconds east of UTC.
    pub offset: i32,
    /// `GET`, `POST`, ... (empty when the request line was empty or `-`).
    pub method: &'a [u8],
    /// The request target as logged, query string included (`-` when absent).
    pub target: &'a [u8],
    pub status: u16,
    pub bytes: u64,
    /// `$request_time` in microseconds, when the line carries it.
    pub request_us: Option<u32>,
    /// `$upstream_response_time` in microseconds (summed over retries), when logged.
    pub upstream_us: Option<u32>,
}

impl Access<'_> {
    /// The target without its query string.
    pub fn path(&self) -> &[u8] {
        match memchr::memchr(b'?', self.target) {
            Some(i) => &self.target[..i],
            None => self.target,
        }
    }
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn spaces(i: &[u8]) -> PResult<'_, &[u8]> {
    take_while1(is_space)(i)
}

/// `"..."` with backslash escapes; returns the raw inside (escapes are left as written).
fn quoted(i: &[u8]) -> PResult<'_, &[u8]> {
    let (rest, _) = tag("\"")(i)?;
    let mut pos = 0;
    while let Some(off) = memchr::memchr2(b'"', b'\\', &rest[pos..]) {
        let at = pos + off;
        if rest[at] == b'\\' {
            pos = at + 2;
            if pos > rest.len() {
                break;
            }
        } else {
            return Ok((&rest[at + 1..], &rest[..at]));
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(
        i,
        nom::error::ErrorKind::Char,
    )))
}

fn clf_stamp<'a>(cache: &mut ClfCache) -> impl FnMut(&'a [u8]) -> PResult<'a, (i64, i32)> + '_ {
    move |i: &'a [u8]| {
        map_opt(
            delimited(tag("["), take(CLF_LEN), tag("]")),
            |s: &[u8]| cache.parse(s),
        )(i)
    }
}

fn status(i: &[u8]) -> PResult<'_, u16> {
    map_opt(
        take_while_m_n(3, 3, |b: u8| b.is_ascii_digit()),
        |d: &[u8]| {
            let v =
                u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0');
            (100..=599).contains(&v).then_some(v)
        },
    )(i)
}

fn digits_u64(d: &[u8]) -> Option<u64> {
    if d.is_empty() || d.len() > 19 {
        return None;
    }
    Some(d.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')))
}

/// `$body_bytes_sent`: digits, or `-` for none (`-1` is written by some servers).
fn body_bytes(i: &[u8]) -> PResult<'_, u64> {
    alt((
        map_opt(take_while1(|b: u8| b.is_ascii_digit()), digits_u64),
        value(0, tag("-1")),
        value(0, tag("-")),
    ))(i)
}

/// Seconds with a decimal point (`0.123`) into microseconds; `None` for anything else
/// (at most 7 digits before the point and 9 after; digits past the sixth are dropped).
fn seconds_us(tok: &[u8]) -> Option<u32> {
    let mut whole = 0u64;
    let mut i = 0;
    while let Some(&b) = tok.get(i).filter(|b| b.is_ascii_digit()) {
        whole = whole * 10 + u64::from(b - b'0');
        i += 1;
    }
    if i == 0 || i > 7 || tok.get(i) != Some(&b'.') {
        return None;
    }
    let frac = &tok[i + 1..];
    if frac.is_empty() || frac.len() > 9 {
        return None;
    }
    let mut micros = 0u64;
    for (k, &b) in frac.iter().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        if k < 6 {
            micros = micros * 10 + u64::from(b - b'0');
        }
    }
    for _ in frac.len()..6 {
        micros *= 10;
    }
    Some(u32::try_from(whole * 1_000_000 + micros).unwrap_or(u32::MAX))
}

/// `$upstream_response_time`: `0.120`, `0.1, 0.2` (retries), `0.1 : 0.2` (internal
/// redirects), or `-`. Returns the sum in microseconds, `None` for `-`, or no match.
fn upstream_times(i: &[u8]) -> Option<(usize, Option<u32>)> {
    let mut pos = 0;
    let mut total: Option<u64> = None;
    loop {
        let rest = &i[pos..];
        let tok_len = rest
            .iter()
            .position(|&b| is_space(b) || b == b',')
            .unwrap_or(rest.len());
        let tok = &rest[..tok_len];
        if tok == b"-" {
        } else if let Some(us) = seconds_us(tok) {
            total = Some(total.unwrap_or(0) + u64::from(us));
        } else {
            return None;
        }
        pos += tok_len;
        // A list continues with ", " or " : ".
        let after = &i[pos..];
        let sep = if after.starts_with(b", ") {
            2
        } else if after.starts_with(b" : ") {
            3
        } else {
            return Some((pos, total.map(|t| u32::try_from(t).unwrap_or(u32::MAX))));
        };
        pos += sep;
    }
}

/// The address part before ident and user: `1.2.3.4`, `vhost 1.2.3.4`,
/// `10.0.0.2, 10.0.0.1, 127.0.0.1`, `"10.5.1.2, 199.96.1.1" 10.2.1.185`.
pub(crate) fn pick_client(prefix: &[u8]) -> Option<&[u8]> {
    let trimmed = prefix.trim_ascii();
    if trimmed.is_empty() {
        return None;
    }
    // One pass: the first comma (a forwarded-for list) and the last space before it.
    let mut last_space = None;
    for (k, &b) in trimmed.iter().enumerate() {
        if b == b',' {
            // A forwarded-for list: its first entry is the original client.
            let first = trimmed[..k].trim_ascii();
            let first = first.strip_prefix(b"\"").unwrap_or(first);
            let start = first
                .iter()
                .rposition(|&b| is_space(b))
                .map_or(0, |p| p + 1);
            let first = &first[start..];
            return (!first.is_empty()).then_some(first);
        }
        if is_space(b) {
            last_space = Some(k);
        }
    }
    Some(&trimmed[last_space.map_or(0, |p| p + 1)..])
}

/// Where the `[stamp]` starts: the first `[` followed by a digit and closed 27 bytes later.
fn find_stamp(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = memchr::memchr(b'[', &line[from..]) {
        let at = from + off;
        if line.get(at + 1).is_some_and(u8::is_ascii_digit)
            && line.get(at + 1 + CLF_LEN) == Some(&b']')
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits `method target protocol` (protocol optional); an empty or `-` request gives
/// an empty method and a `-` target.
pub(crate) fn split_request(req: &[u8]) -> (&[u8], &[u8]) {
    let req = req.trim_ascii();
    if req.is_empty() || req == b"-" {
        return (b"", b"-");
    }
    match memchr::memchr(b' ', req) {
        Some(sp) => {
            let rest = req[sp + 1..].trim_ascii_start();
            let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
            (&req[..sp], &rest[..end])
        }
        // Not a method and target: keep the bytes (e.g. a TLS handshake sent to port 80).
        None => (b"", req),
    }
}

/// Extra fields after the status and bytes: referer and user agent (combined), then any
/// trailing fields. The first bare token shaped like seconds with a decimal point is
/// `$request_time`; the token after it, when it is `-` or seconds, `$upstream_response_time`.
fn trailing(i: &[u8]) -> (Option<u32>, Option<u32>) {
    let mut request = None;
    let mut p = 0;
    loop {
        while i.get(p).is_some_and(|&b| is_space(b)) {
            p += 1;
        }
        if p >= i.len() {
            return (request, None);
        }
        if i[p] == b'"' {
            match quoted(&i[p..]) {
                Ok((rest, _)) => p = i.len() - rest.len(),
                Err(_) => return (request, None),
            }
            continue;
        }
        if request.is_some() {
            return (request, upstream_times(&i[p..]).and_then(|(_, t)| t));
        }
        let len = i[p..]
            .iter()
            .position(|&b| is_space(b))
            .unwrap_or(i.len() - p);
        if let Some(us) = seconds_us(&i[p..p + len]) {
            request = Some(us);
        }
        p += len;
    }
}

/// Parses one access-log line. `cache` speeds up lines that repeat the previous stamp.
pub fn parse<'a>(line: &'a [u8], cache: &mut ClfCache) -> Option<Access<'a>> {
    parse_as::<true>(line, cache)
}

/// [`parse`] without splitting the request into method and target (left empty): what the
/// counting pass needs. Reads exactly the lines [`parse`] reads.
pub fn parse_counts<'a>(line: &'a [u8], cache: &mut ClfCache) -> Option<Access<'a>> {
    parse_as::<false>(line, cache)
}

#[inline(always)]
fn parse_as<'a, const REQUEST: bool>(line: &'a [u8], cache: &mut ClfCache) -> Option<Access<'a>> {
    let stamp_at = find_stamp(line)?;
    // Before the stamp: client part, ident, user — at least three tokens.
    let before = line[..stamp_at].trim_ascii_end();
    let user_at = before.iter().rposition(|&b| is_space(b))?;
    let ident_part = before[..user_at].trim_ascii_end();
    let ident_at = ident_part.iter().rposition(|&b| is_space(b))?;
    let client = pick_client(&ident_part[..ident_at])?;

    let rest = &line[stamp_at..];
    let (rest, (time, offset)) = clf_stamp(cache)(rest).ok()?;
    let (rest, request) = preceded(spaces, quoted)(rest).ok()?;
    let (rest, status) = preceded(spaces, status)(rest).ok()?;
    let (rest, bytes) = preceded(spaces, body_bytes)(rest).ok()?;
    if rest.first().is_some_and(|&b| !is_space(b)) {
        return None;
    }
    let (request_us, upstream_us) = trailing(rest);
    let (method, target) = if REQUEST {
        split_request(request)
    } else {
        (&b""[..], &b""[..])
    };
    Some(Access {
        client,
        time,
        offset,
        method,
        target,
        status,
        bytes,
        request_us,
        upstream_us,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Want {
        client: &'static str,
        time: i64,
        offset: i32,
        method: &'static str,
        target: &'static str,
        status: u16,
        bytes: u64,
        request_us: Option<u32>,
        upstream_us: Option<u32>,
    }

    fn check(line: &[u8], want: Option<Want>) {
        let mut cache = ClfCache::default();
        let got = parse(line, &mut cache);
        let shown = String::from_utf8_lossy(line);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some(w)) => {
                assert_eq!(g.client, w.client.as_bytes(), "client of {shown}");
                assert_eq!((g.time, g.offset), (w.time, w.offset), "time of {shown}");
                assert_eq!(g.method, w.method.as_bytes(), "method of {shown}");
                assert_eq!(g.target, w.target.as_bytes(), "target of {shown}");
                assert_eq!(
                    (g.status, g.bytes),
                    (w.status, w.bytes),
                    "status/bytes of {shown}"
                );
                assert_eq!(g.request_us, w.request_us, "request_time of {shown}");
                assert_eq!(g.upstream_us, w.upstream_us, "upstream time of {shown}");
            }
            (g, w) => panic!("{shown}: got {g:?}, wanted a record: {}", w.is_some()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn w(
        client: &'static str,
        time: i64,
        offset: i32,
        method: &'static str,
        target: &'static str,
        status: u16,
        bytes: u64,
        request_us: Option<u32>,
        upstream_us: Option<u32>,
    ) -> Option<Want> {
        Some(Want {
            client,
            time,
            offset,
            method,
            target,
            status,
            bytes,
            request_us,
            upstream_us,
        })
    }

    /// Real lines. Sources (Apache-2.0 / BSD-2-Clause, see tests/data/ATTRIBUTION.md):
    /// elastic/beats filebeat/module/{nginx,apache}/access/test, tstack/lnav test/ and
    /// src/formats/access_log.json samples.
    #[test]
    fn real_lines() {
        // elastic/beats nginx access.log: combined.
        check(br#"77.179.66.156 - - [25/Oct/2016:14:49:34 +0200] "GET /favicon.ico HTTP/1.1" 404 571 "http://localhost:8080/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36""#,
            w("77.179.66.156", 1_477_399_774, 7200, "GET", "/favicon.ico", 404, 571, None, None));
        // Leading virtual host.
        check(br#"lessons.example.com 192.168.0.1 - - [09/Jun/2020:12:10:39 -0700] "GET /A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4 HTTP/1.1" 206 7648063 "http://lessons.example.com/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4" "Mozilla/5.0 (Linux; Android 5.1.1; KFFOWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/81.2.16 like Chrome/81.0.4044.138 Safari/537.36""#,
            w("192.168.0.1", 1_591_729_839, -25200, "GET", "/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4", 206, 7_648_063, None, None));
        // X-Forwarded-For lists in place of the address.
        check(br#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0""#,
            w("10.0.0.2", 1_481_105_107, 3600, "GET", "/ocelot", 200, 571, None, None));
        check(br#""10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/xxxx?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront""#,
            w("10.5.102.222", 1_453_468_709, 0, "GET", "/assets/xxxx?q=100", 200, 25507, None, None));
        check(br#"2a03:0000:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121 - - [30/Dec/2016:06:47:09 +0000] "GET /test.html HTTP/1.1" 404 8571 "-" "Mozilla/5.0 (compatible; Facebot 1.0; https://developers.facebook.com/docs/sharing/webmasters/crawler)""#,
            w("2a03:0000:10ff:f00f:0000:0000:0:8000", 1_483_080_429, 0, "GET", "/test.html", 404, 8571, None, None));
        // Empty request.
        check(
            br#"127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-""#,
            w(
                "127.0.0.1",
                1_523_519_320,
                7200,
                "",
                "-",
                400,
                0,
                None,
                None,
            ),
        );
        // Apache common with IPv6 and a request-less 408 with `-` bytes.
        check(
            br#"::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -"#,
            w("::1", 1_482_761_808, 7200, "", "-", 408, 0, None, None),
        );
        // Hostname as client, trailing "$http_x_forwarded_for".
        check(br#"monitoring-server - - [29/May/2017:19:02:48 +0000] "GET /status HTTP/1.1" 200 612 "-" "Mozilla/5.0 (Windows NT 6.1; rv:15.0) Gecko/20120716 Firefox/15.0a2" "-""#,
            w("monitoring-server", 1_496_084_568, 0, "GET", "/status", 200, 612, None, None));
        // lnav: vhost:port, ident and user set, HTTP/2.0, trailing integer (Apache %D) is not
        // taken for seconds.
        check(br#"localhost:443 178.20.184.42 1j0vhgd jsmith [26/Jul/2023:00:01:26 -0700] "GET /secure/RapidBoard.jspa?rapidView=1295 HTTP/2.0" 200 17163 "-" "Mozilla/5.0" 116075"#,
            w("178.20.184.42", 1_690_354_886, -25200, "GET", "/secure/RapidBoard.jspa?rapidView=1295", 200, 17163, None, None));
        // lnav: NASA 1995 line without protocol.
        check(
            br#"202.32.92.47 - - [01/Jun/1995:00:00:59 -0600] "GET /~scottp/publish.html" 200 271"#,
            w(
                "202.32.92.47",
                801_986_459,
                -21600,
                "GET",
                "/~scottp/publish.html",
                200,
                271,
                None,
                None,
            ),
        );
        // lnav: double spaces, `-` bytes, trailing integer.
        check(br#"10.1.10.51 -  -  [23/Dec/2014:21:20:35 +0000] "POST /api/1/rest/foo/bar HTTP/1.1" 200 - "-" "-"  293"#,
            w("10.1.10.51", 1_419_369_635, 0, "POST", "/api/1/rest/foo/bar", 200, 0, None, None));
        // lnav: empty referer, trailing `-`.
        check(br#"10.112.2.3 - - [16/Sep/2022:00:53:14 +0200] "POST /api/v4/jobs/request HTTP/1.1" 204 0 "" "gitlab-runner 15.3.0 (15-3-stable; go1.19; linux/amd64)" -"#,
            w("10.112.2.3", 1_663_282_394, 7200, "POST", "/api/v4/jobs/request", 204, 0, None, None));
        // lnav bad_access_log: no ident/user fields.
        check(br#"192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /vmw/vSphere/default/vmkboot.gz HTTP/1.0" 404 46210 "-" "gPXE/0.9.7""#, None);
        // lnav: Python http.server style, no zone: not this format.
        check(
            br#"172.18.0.1 - - [29/Aug/2023 22:02:58] "GET / HTTP/1.1" 200 -"#,
            None,
        );
        // lnav: zanbil.ir shop log, +0330, Persian percent-encoded path with pipes.
        check(br#"54.36.149.41 - - [22/Jan/2019:03:56:14 +0330] "GET /filter/27|13%20%D9%85%DA%AF%D8%A7%D9%BE,p53 HTTP/1.1" 200 30577 "-" "Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)" "-""#,
            w("54.36.149.41", 1_548_116_774, 12600, "GET", "/filter/27|13%20%D9%85%DA%AF%D8%A7%D9%BE,p53", 200, 30577, None, None));
        // elastic/beats ingress-nginx upstreaminfo: request length then request time.
        check(br#"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884"#,
            w("192.168.64.1", 1_581_076_131, 0, "POST", "/products", 200, 59, Some(1000), None));
    }

    #[test]
    fn nginx_timing_extensions() {
        check(br#"203.0.113.7 - - [28/Nov/2026:13:55:36 +0100] "GET /api HTTP/1.1" 200 12 "-" "curl/8" 0.034 0.031"#,
            w("203.0.113.7", 1_795_870_536, 3600, "GET", "/api", 200, 12, Some(34_000), Some(31_000)));
        check(br#"203.0.113.7 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 502 157 "-" "curl/8" 0.002 0.001, 0.000 : 0.001"#,
            w("203.0.113.7", 1_795_870_536, 3600, "GET", "/x", 502, 157, Some(2_000), Some(2_000)));
        check(br#"203.0.113.7 - - [28/Nov/2026:13:55:36 +0100] "GET /s.css HTTP/1.1" 304 0 "-" "curl/8" 0.000 -"#,
            w("203.0.113.7", 1_795_870_536, 3600, "GET", "/s.css", 304, 0, Some(0), None));
        // common + request time
        check(
            br#"203.0.113.7 - - [28/Nov/2026:13:55:36 +0100] "GET /a HTTP/1.0" 504 0 60.001"#,
            w(
                "203.0.113.7",
                1_795_870_536,
                3600,
                "GET",
                "/a",
                504,
                0,
                Some(60_001_000),
                None,
            ),
        );
    }

    #[test]
    fn hostile_and_malformed() {
        // Escaped quotes (Apache) and \x escapes (nginx) inside the request and agent.
        check(br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET /a\"b HTTP/1.1" 400 0 "-" "x\"y\\" 0.001 -"#,
            w("1.2.3.4", 1_795_874_136, 0, "GET", r#"/a\"b"#, 400, 0, Some(1000), None));
        check(br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "\x16\x03\x01\x00\xA5\x01\x00\x00" 400 166 "-" "-""#,
            w("1.2.3.4", 1_795_874_136, 0, "", r"\x16\x03\x01\x00\xA5\x01\x00\x00", 400, 166, None, None));
        // Invalid UTF-8 in target and agent.
        let mut line = b"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] \"GET /\xff\xfe HTTP/1.1\" 500 1 \"-\" \"\xc3\x28\"".to_vec();
        let mut cache = ClfCache::default();
        let got = parse(&line, &mut cache).expect("invalid UTF-8 is fine");
        assert_eq!(got.target, b"/\xff\xfe");
        assert_eq!(got.status, 500);
        // Unterminated quote, bad status, bad month, truncated line, empty, garbage.
        line.truncate(60);
        for bad in [
            &line[..],
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1 200 1"#.as_slice(),
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1" 2000 1"#,
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1" 700 1"#,
            br#"1.2.3.4 - - [28/Foo/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 1"#,
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000]"#,
            b"",
            b"\x00\x01\x02\xff[[[[",
            br#"- - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 1"#,
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1" - 1"#,
            br#"1.2.3.4 - - [28/Nov/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 12abc"#,
        ] {
            check(bad, None);
        }
    }

    #[test]
    fn seconds_shapes() {
        assert_eq!(seconds_us(b"0.001"), Some(1000));
        assert_eq!(seconds_us(b"12.5"), Some(12_500_000));
        assert_eq!(seconds_us(b"1.0000009"), Some(1_000_000));
        assert_eq!(seconds_us(b"1"), None);
        assert_eq!(seconds_us(b".5"), None);
        assert_eq!(seconds_us(b"1."), None);
        assert_eq!(seconds_us(b"1.2.3"), None);
        assert_eq!(seconds_us(b"9999999.999"), Some(u32::MAX));
    }

    #[test]
    fn the_counting_parse_reads_the_same_lines_and_numbers() {
        let seeds: [&[u8]; 3] = [
            br#"203.0.113.7 - - [28/Nov/2026:13:55:36 +0100] "GET /x?a=1 HTTP/1.1" 502 157 "-" "curl/8" 0.002 0.001, 0.000 : 0.001"#,
            br#"10.5.1.2, 199.96.1.1 - - [07/Feb/2020:11:48:51 +0000] "POST /p HTTP/1.1" 200 59 "-" "c \"q\" x" 89 0.001 [u] 0.000"#,
            br#"vhost 2001:db8::1 - bob [28/Nov/2026:13:55:36 -0530] "-" 408 - "a" "b""#,
        ];
        let mut cache = ClfCache::default();
        let mut read = 0;
        for seed in seeds {
            for line in crate::format::mutations(seed, 3000) {
                let full = parse(&line, &mut cache);
                let counts = parse_counts(&line, &mut cache);
                assert_eq!(full.is_some(), counts.is_some(), "{}", line.escape_ascii());
                if let (Some(f), Some(c)) = (full, counts) {
                    read += 1;
                    assert_eq!(
                        (
                            f.client,
                            f.time,
                            f.offset,
                            f.status,
                            f.bytes,
                            f.request_us,
                            f.upstream_us
                        ),
                        (
                            c.client,
                            c.time,
                            c.offset,
                            c.status,
                            c.bytes,
                            c.request_us,
                            c.upstream_us
                        )
                    );
                }
            }
        }
        assert!(
            read > 1000,
            "the mutations keep many lines readable: {read}"
        );
    }

    /// The first version of `seconds_us`, kept as the reference for the faster one.
    fn seconds_us_reference(tok: &[u8]) -> Option<u32> {
        let dot = memchr::memchr(b'.', tok)?;
        let (int, frac) = (&tok[..dot], &tok[dot + 1..]);
        if int.is_empty() || frac.is_empty() || int.len() > 7 || frac.len() > 9 {
            return None;
        }
        if !int.iter().chain(frac).all(u8::is_ascii_digit) {
            return None;
        }
        let whole = digits_u64(int)?;
        let mut micros = 0u64;
        for k in 0..6 {
            micros = micros * 10 + frac.get(k).map_or(0, |b| u64::from(b - b'0'));
        }
        Some(u32::try_from(whole * 1_000_000 + micros).unwrap_or(u32::MAX))
    }

    #[test]
    fn seconds_match_the_reference_on_every_short_token() {
        let alphabet = b"01.9-a";
        let mut tok = Vec::new();
        for n in 0..=7u32 {
            for mut code in 0..(alphabet.len() as u32).pow(n) {
                tok.clear();
                for _ in 0..n {
                    tok.push(alphabet[(code % alphabet.len() as u32) as usize]);
                    code /= alphabet.len() as u32;
                }
                assert_eq!(
                    seconds_us(&tok),
                    seconds_us_reference(&tok),
                    "{:?}",
                    tok.escape_ascii().to_string()
                );
            }
        }
        for t in [
            &b"1234567.123456789"[..],
            b"12345678.1",
            b"1.1234567890",
            b"0000000.000000001",
        ] {
            assert_eq!(seconds_us(t), seconds_us_reference(t));
        }
    }
}
