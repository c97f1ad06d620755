//! Table tests of `logformat.rs` on real lines (origins named beside each row).
use super::*;
use crate::format::access;

/// What a line must give: client, UTC time, offset, method, target, status, bytes,
/// request µs, upstream µs.
type Want = (
    &'static str,
    i64,
    i32,
    &'static str,
    &'static str,
    u16,
    u64,
    Option<u32>,
    Option<u32>,
);

fn check(f: &LogFormat, line: &[u8], want: Option<Want>) {
    let mut cache = ClfCache::default();
    let shown = String::from_utf8_lossy(line);
    let got = f.parse(line, &mut cache).map(|a| {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (client, method, target) = (text(a.client), text(a.method), text(a.target));
        (
            client,
            a.time,
            a.offset,
            method,
            target,
            a.status,
            a.bytes,
            a.request_us,
            a.upstream_us,
        )
    });
    let want = want.map(|w| {
        let (client, method, target) = (w.0.to_string(), w.3.to_string(), w.4.to_string());
        (client, w.1, w.2, method, target, w.5, w.6, w.7, w.8)
    });
    assert_eq!(got, want, "{shown}");
}

const TIMED: &str = r#"'$remote_addr - $remote_user [$time_local] "$request" '
    '$status $body_bytes_sent "$http_referer" '
    '"$http_user_agent" $request_time $upstream_response_time'"#;

const UPSTREAMINFO: &str = r#"log_format upstreaminfo
    '$remote_addr - $remote_user [$time_local] "$request" '
    '$status $body_bytes_sent "$http_referer" "$http_user_agent" '
    '$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr '
    '$upstream_response_length $upstream_response_time $upstream_status $req_id';"#;

/// (a) The predefined `combined` format agrees with access.rs on real lines (elastic/beats
/// filebeat/module/nginx/access/test/access.log, Apache-2.0; see tests/data/ATTRIBUTION.md).
/// The last line has a leading virtual host, which both read past.
#[test]
fn combined_agrees_with_access_parser() {
    let data = include_str!("../../../tests/data/beats-nginx-access.log");
    let quoted = format!("'{COMBINED}'");
    let conf = format!("log_format combined '{COMBINED}';");
    for spec in ["combined", COMBINED, &quoted, &conf] {
        let f = LogFormat::compile(spec).unwrap();
        let mut n = 0;
        for line in data.lines() {
            let (mut c1, mut c2) = (ClfCache::default(), ClfCache::default());
            let ours = f.parse(line.as_bytes(), &mut c1);
            let theirs = access::parse(line.as_bytes(), &mut c2);
            assert!(ours.is_some(), "{line}");
            assert_eq!(ours, theirs, "{line}");
            n += 1;
        }
        assert_eq!(n, 13);
    }
}

/// (b) combined + `$request_time $upstream_response_time`, given as nginx.conf pieces.
#[test]
fn combined_with_timings() {
    let f = LogFormat::compile(TIMED).unwrap();
    #[rustfmt::skip]
    let names = [
        "remote_addr", "remote_user", "time_local", "request", "status", "body_bytes_sent",
        "http_referer", "http_user_agent", "request_time", "upstream_response_time",
    ];
    assert_eq!(f.variables(), names);
    #[rustfmt::skip]
    let rows: &[(&[u8], Option<Want>)] = &[
        (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /api/orders?id=7 HTTP/1.1" 502 157 "-" "curl/8.4.0" 30.004 30.001"#,
            Some(("10.1.2.3", 1_795_870_536, 3600, "GET", "/api/orders?id=7", 502, 157, Some(30_004_000), Some(30_001_000)))),
        // Retries and an internal redirect: summed.
        (br#"10.1.2.3 - alice [28/Nov/2026:13:55:36 +0100] "POST /pay HTTP/2.0" 200 2 "https://shop/" "Mozilla/5.0 (X11)" 0.250 0.100, 0.050 : 0.025"#,
            Some(("10.1.2.3", 1_795_870_536, 3600, "POST", "/pay", 200, 2, Some(250_000), Some(175_000)))),
        // Served without an upstream; escaped quotes in the user agent.
        (br#"::1 - - [28/Nov/2026:13:55:36 +0100] "GET /static/a.css HTTP/1.1" 304 0 "-" "x\x22y\"z" 0.000 -"#,
            Some(("::1", 1_795_870_536, 3600, "GET", "/static/a.css", 304, 0, Some(0), None))),
        // A 408 without a request.
        (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "-" 408 0 "-" "-" 60.001 -"#,
            Some(("10.1.2.3", 1_795_870_536, 3600, "", "-", 408, 0, Some(60_001_000), None))),
        // Plain combined lines lack the timings: not this format.
        (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 1 "-" "curl""#, None),
        // A time that is not a time.
        (br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 1 "-" "curl" fast -"#, None),
    ];
    for (line, want) in rows {
        check(&f, line, *want);
    }
}

/// (c) The ingress-nginx `upstreaminfo` format on real lines from elastic/beats
/// filebeat/module/nginx/ingress_controller/test/test.log @ 056953d4 (Apache-2.0;
/// /work/shared/corpus/nginx/beats-nginx-ingress-controller-test.log).
#[test]
fn ingress_upstreaminfo() {
    let f = LogFormat::compile(UPSTREAMINFO).unwrap();
    #[rustfmt::skip]
    let rows: &[(&[u8], Option<Want>)] = &[
        (br#"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884"#,
            Some(("192.168.64.1", 1_581_076_131, 0, "POST", "/products", 200, 59, Some(1000), Some(0)))),
        // A malformed method rejected by nginx: no upstream, `-` placeholders.
        (br#"192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b"#,
            Some(("192.168.64.1", 1_581_076_190, 0, "PATCHp", "/products/42", 400, 163, Some(0), None))),
        // Two upstreams tried: lists in four fields, separated by `, `.
        (br#"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /v2/some HTTP/1.1" 200 61 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae24486dbb4156dcbe21f5d402"#,
            Some(("192.168.64.14", 1_581_076_962, 0, "GET", "/v2/some", 200, 61, Some(1000), Some(104_000)))),
        // IPv6 client with a user, IPv6 upstream in brackets.
        (br#"2a02:cf40:: - remote_monitoring_user [24/Aug/2022:21:04:17 +0000] "POST /_bulk HTTP/1.1" 200 470 "-" "Elastic-metricbeat/7.16.3 (linux; amd64; e7cede6a62ed4452bd9044fc6f4947df; 2022-01-07 00:50:33 +0000 UTC)" 2057 0.033 [esmon-esmon-es-http-9200] [] [2a02:cf40::]:9200 470 0.036 200 3db73c6c673c4256ade033a6ce08c2ab"#,
            Some(("2a02:cf40::", 1_661_375_057, 0, "POST", "/_bulk", 200, 470, Some(33_000), Some(36_000)))),
        // The deliberately malformed upstream address is opaque: the request still counts.
        (br#"2a02:cf40::4e36 - - [24/Aug/2022:18:05:41 +0000] "GET /favicon.ico HTTP/2.0" 502 552 "https://localhost:8080/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/104.0.0.0 Safari/537.36" 27 0.000 [localhost-8080] [] [2a02:cf40::7]:5000, [2a02:cf40::::::::4e36]:500000000 0, 0 0.000, 0.000 502, 502 3db73c6c673c4256ade033a6ce08c2ab"#,
            Some(("2a02:cf40::4e36", 1_661_364_341, 0, "GET", "/favicon.ico", 502, 552, Some(0), Some(0)))),
        // A unix socket upstream.
        (br#"192.168.64.1 - - [07/Feb/2020:11:56:54 +0000] "GET /products/42 HTTP/1.1" 200 59 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.5 Safari/605.1.15" 369 0.002 [default-web-8080] [] unix:/var/run/php-fpm.sock 59 0.002 200 0f76ea730f282d5759018eb756b23b14"#,
            Some(("192.168.64.1", 1_581_076_614, 0, "GET", "/products/42", 200, 59, Some(2000), Some(2000)))),
        // The second upstream gave no time: `0.100, -`.
        (br#"192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /test/test.mp4 HTTP/1.1" 200 61 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.14; rv:72.0) Gecko/20100101 Firefox/72.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 - 0.100, - 200, - 835136ae24486dbb4156dcbe21f5d402"#,
            Some(("192.168.64.14", 1_581_076_962, 0, "GET", "/test/test.mp4", 200, 61, Some(1000), Some(100_000)))),
    ];
    for (line, want) in rows {
        check(&f, line, *want);
    }
}

/// (d) `escape=json` with `$time_iso8601`, and `$msec`.
#[test]
fn json_and_msec() {
    let json = LogFormat::compile(
        r#"log_format json_combined escape=json
          '{'
            '"time":"$time_iso8601",'
            '"remote_addr":"$remote_addr",'
            '"request":"$request",'
            '"status": "$status",'
            '"body_bytes_sent":$body_bytes_sent,'
            '"request_time":$request_time,'
            '"upstream_response_time":"$upstream_response_time",'
            '"http_user_agent":"$http_user_agent"'
          '}';"#,
    )
    .unwrap();
    #[rustfmt::skip]
    let rows: &[(&[u8], Option<Want>)] = &[
        (br#"{"time":"2026-11-28T13:55:36+01:00","remote_addr":"10.0.0.7","request":"GET /a\"b?q=\u0001\\ HTTP/1.1","status": "502","body_bytes_sent":0,"request_time":1.002,"upstream_response_time":"1.001, 0.001","http_user_agent":"say \"hi\""}"#,
            Some(("10.0.0.7", 1_795_870_536, 3600, "GET", r#"/a\"b?q=\u0001\\"#, 502, 0, Some(1_002_000), Some(1_002_000)))),
        // Unset variables are empty with escape=json.
        (br#"{"time":"2026-11-28T12:55:36+00:00","remote_addr":"10.0.0.7","request":"","status": "400","body_bytes_sent":0,"request_time":0.000,"upstream_response_time":"","http_user_agent":""}"#,
            Some(("10.0.0.7", 1_795_870_536, 0, "", "-", 400, 0, Some(0), None))),
        // Cut off in the user agent.
        (br#"{"time":"2026-11-28T12:55:36+00:00","remote_addr":"10.0.0.7","request":"GET / HTTP/1.1","status": "200","body_bytes_sent":5,"request_time":0.000,"upstream_response_time":"","http_user_agent":"curl"#, None),
        // A stamp without its offset is not $time_iso8601.
        (br#"{"time":"2026-11-28T12:55:36","remote_addr":"10.0.0.7","request":"GET / HTTP/1.1","status": "200","body_bytes_sent":5,"request_time":0.000,"upstream_response_time":"","http_user_agent":"curl"}"#, None),
    ];
    for (line, want) in rows {
        check(&json, line, *want);
    }

    let msec = LogFormat::compile(
        r#"$msec $http_x_forwarded_for "$request_method $scheme://$host$request_uri" $status $bytes_sent $request_time"#,
    )
    .unwrap();
    #[rustfmt::skip]
    let rows: &[(&[u8], Option<Want>)] = &[
        (br#"1480000000.123 203.0.113.9, 10.0.0.1 "GET https://shop.example/cart?x=1" 503 210 0.004"#,
            Some(("203.0.113.9", 1_480_000_000, 0, "GET", "/cart?x=1", 503, 210, Some(4000), None))),
        (br#"1480000001.999 - "HEAD http://a/" 200 0 0.000"#,
            Some(("-", 1_480_000_001, 0, "HEAD", "/", 200, 0, Some(0), None))),
        (br#"14800x0001.999 - "HEAD http://a/" 200 0 0.000"#, None),
    ];
    for (line, want) in rows {
        check(&msec, line, *want);
    }
}

/// Other shapes: `$uri$is_args$args`, `$uri?$args`, `${var}`, `$time_local` before a space,
/// `escape=none`, forwarded-for as the only address, a bare format starting with a quote.
#[test]
fn other_shapes() {
    #[rustfmt::skip]
    let rows: &[(&str, &[u8], Option<Want>)] = &[
        ("$remote_addr $time_local $request_method $uri$is_args$args $status",
            b"10.0.0.1 28/Nov/2026:13:55:36 +0100 GET /a?b=1 500",
            Some(("10.0.0.1", 1_795_870_536, 3600, "GET", "/a?b=1", 500, 0, None, None))),
        ("$remote_addr $time_local $request_method $uri$is_args$args $status",
            b"10.0.0.1 28/Nov/2026:13:55:36 +0100 GET /a- 500",
            Some(("10.0.0.1", 1_795_870_536, 3600, "GET", "/a", 500, 0, None, None))),
        ("[$time_local] $request_method $uri?$args ${status}xx",
            b"[28/Nov/2026:13:55:36 +0100] GET /a?b=1 404xx",
            Some(("-", 1_795_870_536, 3600, "GET", "/a?b=1", 404, 0, None, None))),
        ("[$time_local] $request_method $uri?$args ${status}xx",
            b"[28/Nov/2026:13:55:36 +0100] GET /a?- 404xx",
            Some(("-", 1_795_870_536, 3600, "GET", "/a", 404, 0, None, None))),
        (r#"escape=none '$http_x_forwarded_for [$time_local] "$request" $status'"#,
            br#"198.51.100.2, 10.0.0.1 [28/Nov/2026:13:55:36 +0100] "GET /say"hi HTTP/1.1" 200"#,
            Some(("198.51.100.2", 1_795_870_536, 3600, "GET", r#"/say"hi"#, 200, 0, None, None))),
        (r#""$request" $status [$time_local]"#,
            br#""GET / HTTP/1.1" 201 [28/Nov/2026:13:55:36 +0100]"#,
            Some(("-", 1_795_870_536, 3600, "GET", "/", 201, 0, None, None))),
        ("combined",
            b"1.2.3.4 - - [28/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"\r",
            Some(("1.2.3.4", 1_795_870_536, 3600, "GET", "/", 200, 1, None, None))),
    ];
    for (spec, line, want) in rows {
        let f = LogFormat::compile(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        check(&f, line, *want);
    }
}

/// (e) Specs that cannot make an access record, with words the error must contain.
#[test]
fn compile_errors() {
    #[rustfmt::skip]
    let rows: &[(&str, &str)] = &[
        ("", "empty"),
        ("   ", "empty"),
        ("''", "no variables"),
        ("log_format main ;", "no format text"),
        ("$remote_addr [$time_local] \"$request\"", "no $status"),
        ("'$remote_addr \"$request\" $status'", "no time variable"),
        ("'$remote_addr [$time_local] $status", "unbalanced quotes"),
        ("log_format main '$remote_addr [$time_local] ' \"$status", "unbalanced quotes"),
        ("[$time_local] $status$body_bytes_sent", "$status and $body_bytes_sent"),
        ("[$time_local] $request_method$request_uri $status", "nothing between"),
        ("[$time_local] $ $status", "`$` must start"),
        ("[$time_local] ${status $status", "closing }"),
        ("escape=xml '[$time_local] $status'", "unknown escape=xml"),
        ("'[$time_local] $status'; extra", "after ';'"),
    ];
    for (spec, words) in rows {
        match LogFormat::compile(spec) {
            Ok(f) => panic!("{spec:?} compiled: {:?}", f.variables()),
            Err(e) => assert!(e.contains(words), "{spec:?}: {e}"),
        }
    }
    // Ignored variables next to each other are one opaque field.
    let f = LogFormat::compile("[$time_local] $status $foo$bar end").unwrap();
    let want = ("-", 1_795_870_536, 3600, "", "-", 200, 0, None, None);
    check(&f, b"[28/Nov/2026:13:55:36 +0100] 200 xyz end", Some(want));
}

/// (e) Lines that are not in the format: never a panic, never a record.
#[test]
fn hostile_lines() {
    let formats = [
        LogFormat::compile("combined").unwrap(),
        LogFormat::compile(TIMED).unwrap(),
        LogFormat::compile(UPSTREAMINFO).unwrap(),
        LogFormat::compile(r#"escape=json '{"t":"$time_iso8601","s":$status,"r":"$request"}'"#)
            .unwrap(),
    ];
    let huge = vec![b'"'; 1 << 20];
    let slashes = vec![b'\\'; 100_001];
    #[rustfmt::skip]
    let bad: &[&[u8]] = &[
        b"",
        b"\"",
        b"\\",
        b"\x00\x01\x02\xff[[[[\"\"\"",
        &huge,
        &slashes,
        br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 2000 5 "-" "ua" 0.001 0.001"#,
        br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 099 5 "-" "ua" 0.001 0.001"#,
        br#"10.1.2.3 - - [28/Nov/2026:13:55:3 +0100] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.001 0.001"#,
        br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 200 5x "-" "ua" 0.001 0.001"#,
        b"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] \"GET /\xff\xfe HTTP/1.1\" 200 5 \"-\" \"ua\" 0.001 \\",
        br#"{"t":"2026-11-28T12:55:36+00:00","s":200,"r":"GET /\"#,
        br#"{"t":"2026-11-28T12:55:36+00:00","s":"200","r":"GET /"}"#,
    ];
    for f in &formats {
        for line in bad {
            let mut cache = ClfCache::default();
            let shown = String::from_utf8_lossy(&line[..line.len().min(100)]);
            assert_eq!(f.parse(line, &mut cache), None, "{shown}");
        }
    }
    // Every cut of a good line before its last field is not a record (a cut inside the
    // last field can leave a shorter valid value, `0.00`; a cut after the user agent is
    // a valid combined line).
    let good = br#"10.1.2.3 - - [28/Nov/2026:13:55:36 +0100] "GET /x HTTP/1.1" 200 5 "-" "ua" 0.001 0.001"#;
    let mut cache = ClfCache::default();
    assert!(formats[1].parse(good, &mut cache).is_some());
    for cut in 0..good.len() - b"0.001".len() {
        assert_eq!(
            formats[1].parse(&good[..cut], &mut cache),
            None,
            "cut at {cut}"
        );
    }
}

#[test]
fn list_separators() {
    let line = b"a, b : c d";
    assert!(in_list_separator(line, 0, 1)); // the comma of ", "
    assert!(in_list_separator(line, 0, 2)); // its space
    assert!(in_list_separator(line, 0, 4)); // " : "
    assert!(in_list_separator(line, 0, 6));
    assert!(!in_list_separator(line, 0, 8)); // before "d"
    assert_eq!(upstream_sum(b"0.100, - : 0.002"), Some(Some(102_000)));
    assert_eq!(upstream_sum(b"-"), Some(None));
    assert_eq!(upstream_sum(b"1.0, x"), None);
}
