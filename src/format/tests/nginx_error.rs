//! Table tests of `nginx_error.rs` on real lines (origins named beside each row).
use super::*;
use crate::time::Zone;

/// (line, UTC seconds, level, message); `None` for a line that is not of this format.
type Row = (&'static [u8], Option<(i64, Level, &'static [u8])>);

fn check(rows: &[Row], ctx: &ParseCtx) {
    for (line, want) in rows {
        let shown = String::from_utf8_lossy(line);
        let got = parse(line, ctx);
        match (got, want) {
            (None, None) => {}
            (Some(g), Some((time, level, message))) => {
                assert_eq!(g.time, *time, "time of {shown}");
                assert_eq!(g.offset, None, "offset of {shown}");
                assert_eq!(g.level, Some(*level), "level of {shown}");
                assert_eq!(&*g.app, b"nginx", "app of {shown}");
                assert_eq!(
                    String::from_utf8_lossy(&g.message),
                    String::from_utf8_lossy(message),
                    "message of {shown}"
                );
                assert!(matches!(g.message, Cow::Borrowed(_)), "borrowed: {shown}");
            }
            (g, w) => panic!("{shown}: got {g:?}, wanted a record: {}", w.is_some()),
        }
    }
}

/// Real lines from elastic/beats `filebeat/module/nginx/error/test/error.log`
/// (Apache-2.0), copied as written, read with a UTC context.
#[test]
fn real_lines() {
    let rows: &[Row] = &[
        (br#"2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#,
         Some((1_477_406_974, Level::Error, br#"open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#))),
        (br#"2016/10/25 14:50:44 [error] 54053#0: *3 open() "/usr/local/Cellar/nginx/1.10.2_1/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /adsasd HTTP/1.1", host: "localhost:8080""#,
         Some((1_477_407_044, Level::Error, br#"open() "/usr/local/Cellar/nginx/1.10.2_1/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /adsasd HTTP/1.1", host: "localhost:8080""#))),
        // First physical line of a multi-line FastCGI entry; `pid#tid` both long.
        (br#"2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: "PHP message: PHP Warning:  Declaration of FEE_Field_Terms::wrap($content, $taxonomy, $before, $sep, $after) should be compatible with FEE_Field_Post::wrap($content, $post_id = 0) in /var/www/xxx/web/wp-content/plugins/front-end-editor/php/fields/post.php on line 0"#,
         Some((1_572_477_994, Level::Error, br#"FastCGI sent in stderr: "PHP message: PHP Warning:  Declaration of FEE_Field_Terms::wrap($content, $taxonomy, $before, $sep, $after) should be compatible with FEE_Field_Post::wrap($content, $post_id = 0) in /var/www/xxx/web/wp-content/plugins/front-end-editor/php/fields/post.php on line 0"#))),
        // Its continuation lines are not lines of this format.
        (br#"PHP message: PHP Warning:  Declaration of FEE_Field_Tags::wrap($content, $before, $sep, $after) should be compatible with FEE_Field_Terms::wrap($content, $taxonomy, $before, $sep, $after) in /var/www/xxx/web/wp-content/plugins/front-end-editor/php/fields/post.php on line 0"#,
         None),
        (br#"2019/11/05 14:50:44 [error] 54053#0: *3 open() "/usr/local/Cellar/nginx/1.10.2_1/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /pysio HTTP/1.1", host: "localhost:8080""#,
         Some((1_572_965_444, Level::Error, br#"open() "/usr/local/Cellar/nginx/1.10.2_1/html/adsasd" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /pysio HTTP/1.1", host: "localhost:8080""#))),
    ];
    check(rows, &ParseCtx::utc_2026());
}

/// Shapes nginx writes that the corpus lacks, levels, and the zone of the context.
#[test]
fn shapes_and_zones() {
    let rows: &[Row] = &[
        (br#"2026/11/28 13:55:36 [error] 1234#0: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#,
         Some((1_795_874_136, Level::Error, br#"connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#))),
        // No connection: process-level events.
        (b"2026/11/28 13:55:36 [notice] 1#1: signal process started",
         Some((1_795_874_136, Level::Notice, b"signal process started"))),
        (b"2026/11/28 13:55:36 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
         Some((1_795_874_136, Level::Emergency, b"bind() to 0.0.0.0:80 failed (98: Address already in use)"))),
        (b"2026/11/28 13:55:36 [warn] 7#7: *9 an upstream response is buffered to a temporary file",
         Some((1_795_874_136, Level::Warning, b"an upstream response is buffered to a temporary file"))),
        (b"2026/11/28 13:55:36 [crit] 7#7: *9 SSL_do_handshake() failed",
         Some((1_795_874_136, Level::Critical, b"SSL_do_handshake() failed"))),
        (b"2026/11/28 13:55:36 [alert] 7#7: worker process 8 exited on signal 9",
         Some((1_795_874_136, Level::Alert, b"worker process 8 exited on signal 9"))),
        (b"2026/11/28 13:55:36 [info] 7#7: *9 client closed connection",
         Some((1_795_874_136, Level::Info, b"client closed connection"))),
        (b"2026/11/28 13:55:36 [debug] 7#7: *9 http cleanup add: 0000",
         Some((1_795_874_136, Level::Debug, b"http cleanup add: 0000"))),
        // `*` not followed by a connection number stays in the message.
        (b"2026/11/28 13:55:36 [error] 7#7: *x y", Some((1_795_874_136, Level::Error, b"*x y"))),
        // Empty message.
        (b"2026/11/28 13:55:36 [error] 7#7:", Some((1_795_874_136, Level::Error, b""))),
        (b"2026/11/28 13:55:36 [error] 7#7: *12", Some((1_795_874_136, Level::Error, b""))),
    ];
    check(rows, &ParseCtx::utc_2026());
    // The stamp is local time: at +01:00 the same wall clock is an hour earlier in UTC.
    let paris = ParseCtx {
        zone: Zone::parse("Europe/Paris").unwrap(),
        year: 2026,
        month: 12,
    };
    check(
        &[(
            b"2026/11/28 13:55:36 [error] 7#7: x",
            Some((1_795_870_536, Level::Error, b"x")),
        )],
        &paris,
    );
    let summer = (
        b"2026/07/01 12:00:00 [error] 7#7: x" as &[u8],
        Some((1_782_900_000, Level::Error, b"x" as &[u8])),
    );
    check(&[summer], &paris);
}

#[test]
fn hostile_and_malformed() {
    let good = br#"2026/11/28 13:55:36 [error] 1234#0: *5 connect() failed, client: 1.2.3.4"#;
    let mut rows: Vec<Row> = Vec::new();
    // Every truncation of a good line either fails or gives a prefix of its message.
    for n in 0..good.len() {
        let got = parse(&good[..n], &ParseCtx::utc_2026());
        if let Some(e) = got {
            assert!(good[..n].ends_with(&e.message), "{n}");
        }
    }
    for bad in [
        &b""[..],
        b"2026/11/28 13:55:36",
        b"2026/11/28 13:55:36 [error]",
        b"2026/11/28 13:55:36 [error] 1234#0",
        b"2026/11/28 13:55:36 [error] #0: x",
        b"2026/11/28 13:55:36 [error] 12#: x",
        b"2026/11/28 13:55:36 [error] 12#0:x",
        b"2026/13/28 13:55:36 [error] 1#0: bad month",
        b"2026/02/30 13:55:36 [error] 1#0: no such day",
        b"2026/11/28 24:00:00 [error] 1#0: bad hour",
        b"2026-11-28 13:55:36 [error] 1#0: iso dashes",
        b"2026/11/28 13:55:36 [fatal] 1#0: not an nginx level",
        b"2026/11/28 13:55:36 [ERROR] 1#0: upper case",
        b"2026/11/28 13:55:36 [errorerrorerror] 1#0: x",
        b"2026/11/28 13:55:36 error 1#0: no brackets",
        b"\xff\xfe\x00\x00garbage",
        b"\x00\x00\x00\x00/\x00\x00/\x00\x00 \x00\x00:\x00\x00:\x00\x00 [error] 1#0: x",
        b"2\xc3\x28\x00/11/28 13:55:36 [error] 1#0: bad utf-8 in the year",
    ] {
        rows.push((bad, None));
    }
    // Invalid UTF-8 and NUL bytes in the message are kept as they are.
    rows.push((
        b"2026/11/28 13:55:36 [error] 1#0: *2 \xff\x00\xc3\x28",
        Some((1_795_874_136, Level::Error, b"\xff\x00\xc3\x28")),
    ));
    check(&rows, &ParseCtx::utc_2026());

    // A huge line: read in one pass, message borrowed whole.
    let mut huge = b"2026/11/28 13:55:36 [error] 1#0: ".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 4 << 20));
    let e = parse(&huge, &ParseCtx::utc_2026()).unwrap();
    assert_eq!(e.message.len(), 4 << 20);
}

#[test]
fn fields_table() {
    let f = fields(br#"connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#);
    assert_eq!(
        f,
        NginxErrorFields {
            text: b"connect() failed (111: Connection refused) while connecting to upstream",
            client: Some(b"127.0.0.1"),
            server: Some(b"_"),
            request: Some(b"GET / HTTP/1.1"),
            upstream: Some(b"http://127.0.0.1:8080/"),
            host: Some(b"localhost"),
            referrer: None,
        }
    );
    // elastic/beats error.log, first line (message as `parse` gives it).
    let f = fields(br#"open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#);
    assert_eq!(f.text, br#"open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory)"#);
    assert_eq!(f.client, Some(&b"127.0.0.1"[..]));
    assert_eq!(f.server, Some(&b"localhost"[..]));
    assert_eq!(f.request, Some(&b"GET /favicon.ico HTTP/1.1"[..]));
    assert_eq!(f.host, Some(&b"localhost:8080"[..]));
    assert_eq!(f.referrer, Some(&b"http://localhost:8080/"[..]));
    assert_eq!(f.upstream, None);

    // TLS errors before any request: client and server only; IPv6 client.
    let f = fields(b"SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: 2001:db8::1, server: 0.0.0.0:443");
    assert_eq!(f.text, &b"SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking"[..]);
    assert_eq!(
        (f.client, f.server),
        (Some(&b"2001:db8::1"[..]), Some(&b"0.0.0.0:443"[..]))
    );

    // Stream module: quoted upstream, then byte counters.
    let f = fields(br#"upstream timed out (110: Connection timed out) while proxying connection, client: 10.0.0.5, server: 0.0.0.0:53, upstream: "10.0.0.9:53", bytes from/to client:40/0, bytes from/to upstream:0/40"#);
    assert_eq!(f.upstream, Some(&b"10.0.0.9:53"[..]));
    assert_eq!(
        f.text,
        &b"upstream timed out (110: Connection timed out) while proxying connection"[..]
    );

    // A request line that imitates the context, and quotes inside it.
    let f = fields(br#"access forbidden by rule, client: 1.2.3.4, server: s, request: "GET /a", client: 6.6.6.6, x"y HTTP/1.1", host: "h""#);
    assert_eq!(f.client, Some(&b"1.2.3.4"[..]));
    assert_eq!(
        f.request,
        Some(&br#"GET /a", client: 6.6.6.6, x"y HTTP/1.1"#[..])
    );
    assert_eq!(f.host, Some(&b"h"[..]));
    // Text before the context that contains the marker (FastCGI stderr quoting it).
    let f = fields(br#"FastCGI sent in stderr: "x, client: evil" while reading response header from upstream, client: 1.2.3.4, server: s, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php.sock:", host: "h""#);
    assert_eq!(f.text, &br#"FastCGI sent in stderr: "x, client: evil" while reading response header from upstream"#[..]);
    assert_eq!(f.upstream, Some(&b"fastcgi://unix:/run/php.sock:"[..]));

    // No context, or one that does not read to the end: all of it is text.
    for text in [
        &b"signal process started"[..],
        b"",
        b"x, client: ",
        b"x, client: 1.2.3.4, nonsense: 1",
        b"x, client: 1.2.3.4, request: \"unterminated",
        b"x, client: a b, server: s",
        b"\xff\x00, client: \xff",
    ] {
        let f = fields(text);
        if text == b"\xff\x00, client: \xff" {
            assert_eq!(f.client, Some(&b"\xff"[..]));
            continue;
        }
        assert_eq!(
            f,
            NginxErrorFields {
                text,
                ..Default::default()
            },
            "{}",
            String::from_utf8_lossy(text)
        );
    }
    // Many markers: bounded work, no panic.
    let many = b", client: a, request: \"".repeat(100_000);
    let f = fields(&many);
    assert_eq!(f.client, Some(&b"a"[..]));
}

/// Random edits of a good line (bytes changed, cut, repeated) never panic.
#[test]
fn mutations_do_not_panic() {
    let ctx = ParseCtx::utc_2026();
    let seed: &[u8] = br#"2016/10/25 14:49:34 [error] 54053#0: *1 open() "/x" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#;
    for l in crate::format::mutations(seed, 20_000) {
        let _ = parse(&l, &ctx);
        let _ = fields(&l);
    }
}
