//! Table tests of `apache_error.rs` on real lines (origins named beside each row).
use super::*;
use crate::time::Zone;

/// (line, UTC seconds, level, app, message); `None` for a line that is not of this format.
type Row = (
    &'static [u8],
    Option<(i64, Level, &'static str, &'static [u8])>,
);

fn check(rows: &[Row], ctx: &ParseCtx) {
    for (line, want) in rows {
        let shown = String::from_utf8_lossy(line);
        match (parse(line, ctx), want) {
            (None, None) => {}
            (Some(g), Some((time, level, app, message))) => {
                assert_eq!(g.time, *time, "time of {shown}");
                assert_eq!(g.level, Some(*level), "level of {shown}");
                assert_eq!(&*g.app, app.as_bytes(), "app of {shown}");
                assert_eq!(
                    String::from_utf8_lossy(&g.message),
                    String::from_utf8_lossy(message),
                    "message of {shown}"
                );
            }
            (g, w) => panic!("{shown}: got {g:?}, wanted a record: {}", w.is_some()),
        }
    }
}

/// Real lines, read with a UTC context. Sources: elastic/beats (Apache-2.0)
/// `filebeat/module/apache/error/test/{test.log,ubuntu-2.2.22.log,sublevel.log}`; tstack/lnav
/// (BSD-2-Clause) `src/formats/error_log.json` samples.
#[test]
fn real_lines() {
    let rows: &[Row] = &[
        // elastic/beats test.log: 2.2 and 2.4 interleaved, 2.4 with microseconds.
        (b"[Mon Dec 26 16:22:08 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico",
         Some((1_482_769_328, Level::Error, "apache", b"File does not exist: /var/www/favicon.ico"))),
        (b"[Mon Dec 26 16:15:55.103786 2016] [core:notice] [pid 11379] AH00094: Command line: '/usr/local/Cellar/httpd24/2.4.23_2/bin/httpd'",
         Some((1_482_768_955, Level::Notice, "apache", b"AH00094: Command line: '/usr/local/Cellar/httpd24/2.4.23_2/bin/httpd'"))),
        (b"[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
         Some((1_315_564_949, Level::Error, "apache", b"File does not exist: /usr/local/apache2/htdocs/favicon.ico"))),
        // elastic/beats ubuntu-2.2.22.log: the referer goes, so both lines give one message.
        (b"[Mon Dec 26 16:17:53 2016] [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations",
         Some((1_482_769_073, Level::Notice, "apache", b"Apache/2.2.22 (Ubuntu) configured -- resuming normal operations"))),
        (b"[Mon Dec 26 16:22:00 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico, referer: http://192.168.33.72/",
         Some((1_482_769_320, Level::Error, "apache", b"File does not exist: /var/www/favicon.ico"))),
        (b"[Mon Dec 26 16:22:17 2016] [error] [client 192.168.33.1] File does not exist: /var/www/crap",
         Some((1_482_769_337, Level::Error, "apache", b"File does not exist: /var/www/crap"))),
        // elastic/beats sublevel.log: trace sub-level, `%F: ` before the client field; the
        // file ends with an empty line.
        (b"[Wed Oct 20 19:20:59.121211 2021] [rewrite:trace3] [pid 121591:tid 140413273032448] mod_rewrite.c(470): [client 10.121.192.8:38350] 10.121.192.8 - - [dev.elastic.co/sid#55a374e851c8][rid#7fb438083ac0/initial] applying pattern '^/import/?(.*)$' to uri '/'",
         Some((1_634_757_659, Level::Trace, "apache", b"mod_rewrite.c(470): 10.121.192.8 - - [dev.elastic.co/sid#55a374e851c8][rid#7fb438083ac0/initial] applying pattern '^/import/?(.*)$' to uri '/'"))),
        (b"", None),
        // tstack/lnav error_log.json samples: CUPS, 2.4 with and without tid, IPv6 client.
        (b"E [08/Jun/2013:11:28:58 -0700] Unknown directive BrowseOrder on line 22 of /private/etc/cups/cupsd.conf.",
         Some((1_370_716_138, Level::Error, "cupsd", b"Unknown directive BrowseOrder on line 22 of /private/etc/cups/cupsd.conf."))),
        (b"[Tue Apr 04 06:18:29.712806 2017] [mpm_prefork:notice] [pid 17725] AH00163: Apache/2.4.23 (Unix) configured -- resuming normal operations",
         Some((1_491_286_709, Level::Notice, "apache", b"AH00163: Apache/2.4.23 (Unix) configured -- resuming normal operations"))),
        (b"[Tue Apr 04 06:28:08.605341 2017] [core:error] [pid 17962] [client 127.0.0.1:60444] AH00135: Invalid method in request FOO /",
         Some((1_491_287_288, Level::Error, "apache", b"AH00135: Invalid method in request FOO /"))),
        (b"[Thu Jan 17 02:42:49 2013] [notice] Digest: generating secret for digest authentication ...",
         Some((1_358_390_569, Level::Notice, "apache", b"Digest: generating secret for digest authentication ..."))),
        (b"[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
         Some((1_305_188_937, Level::Error, "apache", b"File does not exist: /usr/local/apache2/htdocs/favicon.ico"))),
        (b"[Thu Jan 02 22:23:07.368853 2020] [http:info] [pid 4784:tid 139701043291904] [client 66.220.149.10:45948] AH01593: chunked Transfer-Encoding forbidden: /",
         Some((1_578_003_787, Level::Info, "apache", b"AH01593: chunked Transfer-Encoding forbidden: /"))),
    ];
    check(rows, &ParseCtx::utc_2026());
}

/// Shapes from the Apache documentation and the brief, and the zone of the context.
#[test]
fn shapes_and_zones() {
    let rows: &[Row] = &[
        (b"[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test",
         Some((971_274_772, Level::Error, "apache", b"client denied by server configuration: /export/home/live/ap/htdocs/test"))),
        (b"[Thu Jun 27 06:58:09.169510 2019] [include:warn] [pid 15934:tid 140143497725696] [client 10.0.0.1:4434] AH01374: mod_include: Options +Includes (or IncludesNoExec) wasn't set, INCLUDES filter removed: /test.shtml",
         Some((1_561_618_689, Level::Warning, "apache", b"AH01374: mod_include: Options +Includes (or IncludesNoExec) wasn't set, INCLUDES filter removed: /test.shtml"))),
        // Empty module; crit, alert, emerg, debug.
        (b"[Thu Jun 27 06:58:09 2019] [:error] [pid 1] [client 10.0.0.1:1] PHP Fatal error:  x",
         Some((1_561_618_689, Level::Error, "apache", b"PHP Fatal error:  x"))),
        (b"[Thu Jun 27 06:58:09 2019] [crit] x", Some((1_561_618_689, Level::Critical, "apache", b"x"))),
        (b"[Thu Jun 27 06:58:09 2019] [mpm_event:alert] [pid 1:tid 2] x", Some((1_561_618_689, Level::Alert, "apache", b"x"))),
        (b"[Thu Jun 27 06:58:09 2019] [core:emerg] [pid 1] AH00020: x", Some((1_561_618_689, Level::Emergency, "apache", b"AH00020: x"))),
        (b"[Thu Jun 27 06:58:09 2019] [ssl:debug] [pid 1] ssl_engine_io.c(1213): [client 1.2.3.4:5] x", Some((1_561_618_689, Level::Debug, "apache", b"ssl_engine_io.c(1213): x"))),
        (b"[Thu Jun 27 06:58:09 2019] [ssl:trace8] x", Some((1_561_618_689, Level::Trace, "apache", b"x"))),
        // `%E: ` (APR error) before the client field, and [remote] from mod_remoteip.
        (b"[Thu Jun 27 06:58:09.1 2019] [proxy_http:error] [pid 1:tid 2] (70007)The timeout specified has expired: [client 10.0.0.1:40000] AH01102: error reading status line from remote server 127.0.0.1:8080",
         Some((1_561_618_689, Level::Error, "apache", b"(70007)The timeout specified has expired: AH01102: error reading status line from remote server 127.0.0.1:8080"))),
        (b"[Thu Jun 27 06:58:09 2019] [core:info] [pid 1] [remote 10.0.0.2:80] [client 10.0.0.1:4] AH00128: x", Some((1_561_618_689, Level::Info, "apache", b"AH00128: x"))),
        // Space-padded day, `%{cu}t` stamp, empty message.
        (b"[Sun Dec  4 04:47:44 2005] [notice] x", Some((1_133_671_664, Level::Notice, "apache", b"x"))),
        (b"[2019-06-27 06:58:09.169510] [core:error] [pid 1] x", Some((1_561_618_689, Level::Error, "apache", b"x"))),
        (b"[Thu Jun 27 06:58:09 2019] [error]", Some((1_561_618_689, Level::Error, "apache", b""))),
        // CUPS with microseconds, and its other level letters.
        (b"W [08/Jun/2013:11:28:58.123456 -0700] x", Some((1_370_716_138, Level::Warning, "cupsd", b"x"))),
        (b"d [08/Jun/2013:11:28:58 +0000] x", Some((1_370_690_938, Level::Trace, "cupsd", b"x"))),
    ];
    check(rows, &ParseCtx::utc_2026());
    // Zone-less stamps are local: at UTC-07:00 add seven hours; CUPS keeps its own offset.
    let ctx = ParseCtx {
        zone: Zone::from_offset_secs(-7 * 3600),
        year: 2026,
        month: 12,
    };
    check(
        &[
            (
                b"[Wed Oct 11 14:32:52 2000] [error] x",
                Some((971_274_772 + 7 * 3600, Level::Error, "apache", b"x")),
            ),
            (
                b"E [08/Jun/2013:11:28:58 -0700] x",
                Some((1_370_716_138, Level::Error, "cupsd", b"x")),
            ),
        ],
        &ctx,
    );
    let e = parse(b"E [08/Jun/2013:11:28:58 -0700] x", &ctx).unwrap();
    assert_eq!(e.offset, Some(-25200));
    let e = parse(b"[Wed Oct 11 14:32:52 2000] [error] x", &ctx).unwrap();
    assert_eq!(e.offset, None);
    assert!(matches!(e.message, Cow::Borrowed(_)));
}

#[test]
fn fields_table() {
    let ctx = ParseCtx::utc_2026();
    let f = |l: &'static [u8]| fields(l, &ctx).unwrap();
    assert_eq!(
        f(b"[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] File does not exist: /usr/local/apache2/htdocs/favicon.ico"),
        ApacheErrorFields {
            module: Some(b"core"),
            pid: Some(8777),
            tid: Some(4_326_490_112),
            client: Some(b"::1"),
            client_port: Some(58619),
            referer: None,
            code: None,
        }
    );
    let g = f(b"[Mon Dec 26 16:22:00 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico, referer: http://192.168.33.72/");
    assert_eq!(
        (g.module, g.pid, g.client, g.client_port),
        (None, None, Some(&b"192.168.33.1"[..]), None)
    );
    assert_eq!(g.referer, Some(&b"http://192.168.33.72/"[..]));
    assert_eq!(g.client_ip(), Some("192.168.33.1".parse().unwrap()));
    // 2.4 without a port keeps the address whole.
    let g = f(b"[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico");
    assert_eq!(
        (g.client, g.client_port),
        (Some(&b"72.15.99.187"[..]), None)
    );
    let g = f(b"[Tue Apr 04 06:28:08.605341 2017] [core:error] [pid 17962] [client 127.0.0.1:60444] AH00135: Invalid method in request FOO /");
    assert_eq!(
        (g.client, g.client_port, g.code),
        (Some(&b"127.0.0.1"[..]), Some(60444), Some(&b"AH00135"[..]))
    );
    let g = f(b"[Thu Jun 27 06:58:09.1 2019] [proxy_http:error] [pid 1:tid 2] (70007)The timeout specified has expired: [client 10.0.0.1:40000] AH01102: error reading status line");
    assert_eq!(
        (g.client, g.code, g.module),
        (
            Some(&b"10.0.0.1"[..]),
            Some(&b"AH01102"[..]),
            Some(&b"proxy_http"[..])
        )
    );
    let g = f(b"[Thu Jun 27 06:58:09 2019] [:error] [pid 1] x");
    assert_eq!(g.module, None);
    // 2.2 IPv6 client: no port to split off.
    let g = f(b"[Thu Jun 27 06:58:09 2019] [error] [client 2001:db8::1:80] x");
    assert_eq!(
        (g.client, g.client_port),
        (Some(&b"2001:db8::1:80"[..]), None)
    );
    assert_eq!(
        fields(b"E [08/Jun/2013:11:28:58 -0700] x", &ctx),
        Some(ApacheErrorFields::default())
    );
    assert_eq!(fields(b"garbage", &ctx), None);
}

#[test]
fn hostile_and_malformed() {
    let ctx = ParseCtx::utc_2026();
    let good: &[u8] = b"[Thu Jun 27 06:58:09.169510 2019] [include:warn] [pid 15934:tid 140143497725696] [client 10.0.0.1:4434] AH01374: x, referer: http://a/";
    for n in 0..good.len() {
        // Truncations either fail or read; none panics.
        let _ = parse(&good[..n], &ctx);
        let _ = fields(&good[..n], &ctx);
    }
    let rows: &[Row] = &[
        (b"[Thu Jun 27 06:58:09 2019", None),
        (b"[Thu Jun 27 06:58:09 2019]", None),
        (b"[Thu Jun 27 06:58:09 2019] [err", None),
        (b"[Thu Foo 27 06:58:09 2019] [error] bad month", None),
        (b"[Thu Jun 31 06:58:09 2019] [error] no such day", None),
        (b"[Thu Jun 27 25:58:09 2019] [error] bad hour", None),
        (b"[Xyz Jun 27 06:58:09 2019] [error] bad weekday", None),
        (b"[Thu Jun 27 06:58:09 19] [error] short year", None),
        (b"[Thu Jun 27 06:58:09. 2019] [error] empty fraction", None),
        (
            b"[Thu Jun 27 06:58:09 2019] [fatal] not an httpd level",
            None,
        ),
        (
            b"[Thu Jun 27 06:58:09 2019] [core:trace9] no such trace level",
            None,
        ),
        (
            b"[Thu Jun 27 06:58:09 2019] [client 1.2.3.4] no level",
            None,
        ),
        (
            b"[Thu Jun 27 06:58:09 2019] [error][client 1.2.3.4] no space",
            None,
        ),
        (b"[Thu Jun 27 06:58:09 2019] [error] [pid x] bad pid", None),
        (
            b"[Thu Jun 27 06:58:09 2019] [error] [pid 99999999999] pid too big",
            None,
        ),
        (b"[2019-06-27 06:58:09 junk] [error] x", None),
        (b"Q [08/Jun/2013:11:28:58 -0700] unknown CUPS letter", None),
        (b"E [08/Jun/2013:11:28:58] no zone", None),
        (b"E [08/Jun/2013:11:28:58.x -0700] bad fraction", None),
        (b"PHP Warning:  something written straight to stderr", None),
        (b"\xff\xfe\x00[\x00]", None),
        (b"[\xff\xfe\xfd \xc3\x28 27 06:58:09 2019] [error] x", None),
        (b"[]", None),
        (b"[", None),
        // Invalid UTF-8 and NUL in the message are kept.
        (
            b"[Thu Jun 27 06:58:09 2019] [error] \xff\x00\xc3\x28",
            Some((1_561_618_689, Level::Error, "apache", b"\xff\x00\xc3\x28")),
        ),
        // An unterminated client field is message text.
        (
            b"[Thu Jun 27 06:58:09 2019] [error] [client 1.2.3.4",
            Some((1_561_618_689, Level::Error, "apache", b"[client 1.2.3.4")),
        ),
    ];
    check(rows, &ctx);
    let mut huge = b"[Thu Jun 27 06:58:09 2019] [error] ".to_vec();
    huge.extend(std::iter::repeat_n(b'[', 4 << 20));
    assert_eq!(parse(&huge, &ctx).unwrap().message.len(), 4 << 20);
}

/// Random edits of a good line (bytes changed, cut, repeated) never panic.
#[test]
fn mutations_do_not_panic() {
    let ctx = ParseCtx::utc_2026();
    let seed: &[u8] = b"[Wed Oct 20 19:20:59.121211 2021] [rewrite:trace3] [pid 121591:tid 140413273032448] mod_rewrite.c(470): [client 10.121.192.8:38350] x, referer: http://a/";
    for l in crate::format::mutations(seed, 20_000) {
        let _ = parse(&l, &ctx);
        let _ = fields(&l, &ctx);
    }
}
