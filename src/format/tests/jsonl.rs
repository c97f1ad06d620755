//! Table tests of `jsonl.rs` on real lines (origins named beside each row).
use super::*;
use crate::time::Zone;

fn check(line: &[u8], ctx: &ParseCtx, want: Option<(i64, Option<Level>, &str, &str)>) {
    crate::format::assert_event(line, parse(line, ctx), want);
}

/// Real lines from tstack/lnav `test/` (BSD-2-Clause) and elastic/beats
/// `filebeat/tests/files/logs/docker_corrupted.log` (Apache-2.0); see
/// /work/shared/corpus/SOURCES.md.
#[test]
fn real_lines() {
    let utc = ParseCtx::utc_2026();
    // lnav logfile_bunyan.0: numeric level, `name` as the app.
    check(br#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":30,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","baseBranch":"main","stats":{"managers":{"gitlabci":{"fileCount":1,"depCount":1},"gitlabci-include":{"fileCount":1,"depCount":1},"npm":{"fileCount":1,"depCount":15}},"total":{"fileCount":3,"depCount":17}},"msg":"Dependency extraction complete","time":"2023-03-24T14:26:16.243Z","v":0}"#,
        &utc, Some((1_679_667_976, Some(Level::Info), "renovate", "Dependency extraction complete")));
    check(br#"{"name":"renovate","hostname":"renovate-gitlab-67c4bcb5-9ggbv","pid":7,"level":20,"logContext":"qjifsaDDI","repository":"webgui/custom-icons-transformer","msg":"Found 3 package file(s)","time":"2023-03-24T14:26:16.243Z","v":0,"src":{"file": "/Users/trentm/tm/node-bunyan/examples/src.js","line": 20,"func": "Wuzzle.woos"}}"#,
        &utc, Some((1_679_667_976, Some(Level::Debug), "renovate", "Found 3 package file(s)")));
    // lnav logfile_pino.0: epoch-ms `time`, dotted key `service.name`.
    check(br#"{"level":"info","time":1745532517537,"pid":17,"hostname":"7d82d3f28bad","trace_id":"c759f29f5f1e2162be56f32dd1e77fce","span_id":"17c4a60ca4297cf1","trace_flags":"01","service.name":"payment","request":{"amount":{"currencyCode":"USD","units":{"low":513,"high":0,"unsigned":false},"nanos":999999996},"creditCard":{"creditCardNumber":"4929-6495-8333-3657","creditCardCvv":159,"creditCardExpirationYear":2039,"creditCardExpirationMonth":8}},"msg":"Charge request received."}"#,
        &utc, Some((1_745_532_517, Some(Level::Info), "payment", "Charge request received.")));
    // lnav logfile_ecs_log.json: `@timestamp`, dotted `log.level`, nested `log.logger`.
    check(br#"{"@timestamp":"2025-01-13T09:58:13.634Z","log.level":"error","message":"this is a error message num=15","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":45,"name":"es_logger.py"},"function":"main"},"original":"this is a error message num=15"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}}"#,
        &utc, Some((1_736_762_293, Some(Level::Error), "app", "this is a error message num=15")));
    check(br#"{"@timestamp":"2025-01-13T09:58:13.634Z","log.level":"critical","message":"this is a critical message num=52","ecs.version":"1.6.0","log":{"logger":"app","origin":{"file":{"line":46,"name":"es_logger.py"},"function":"main"},"original":"this is a critical message num=52"},"process":{"name":"MainProcess","pid":9159,"thread":{"id":140631176265728,"name":"MainThread"}}}"#,
        &utc, Some((1_736_762_293, Some(Level::Critical), "app", "this is a critical message num=52")));
    // lnav logfile_json.json: `ts`/`lvl`/`logger`, \u escapes, non-ASCII, custom levels.
    check(r#"{"ts": "2013-09-06T20:00:49.124817Z", "logger": "com.example.demoµs", "lvl": "INFO", "msg": "Starting up \u001B[0;32mservice\u001B[0m"}"#.as_bytes(),
        &utc, Some((1_378_497_649, Some(Level::Info), "com.example.demo\u{b5}s", "Starting up \u{1b}[0;32mservice\u{1b}[0m")));
    check(
        br#"{"ts": "2013-09-06T22:00:59.124817Z", "lvl": "DEBUG5", "msg": "D\bDetails...\n"}"#,
        &utc,
        Some((1_378_504_859, Some(Level::Debug), "", "D\u{8}Details...")),
    );
    check(
        br#"{"ts": "xxx", "lvl": "DEBUG3", "msg": "bad ts...\n"}"#,
        &utc,
        None,
    );
    check(
        br#"{"ts": "2013-09-06 22:01:00Z", "lvl": "DEBUG", "msg": "Details..."}"#,
        &utc,
        Some((1_378_504_860, Some(Level::Debug), "", "Details...")),
    );
    check(
        br#"{"ts": "2013-09-06T22:01:49.124817Z", "lvl": "STATS", "msg": "1 beat per second"}"#,
        &utc,
        Some((1_378_504_909, None, "", "1 beat per second")),
    );
    check(br#"{"ts": "2013-09-06T22:01:49.124817Z", "lvl": "FATAL", "msg": "shoot", "obj": { "field1" : "hi", "field2": 2 }, "arr" : ["hi", {"sub1": true}]}"#,
        &utc, Some((1_378_504_909, Some(Level::Critical), "", "shoot")));
    // lnav logfile_json_invalid.json: the unterminated line.
    check(
        br#"{"ts": "2013-09-06T22:00:59.124817Z", "lvl": "DEBUG4", "msg": "D\bDe\betails...\n"#,
        &utc,
        None,
    );
    // lnav logfile_nested_json.json: level and message one level down.
    check(br#"{"ts": "2013-09-06T22:01:49.124817Z", "@fields": { "lvl": "ERROR", "msg": "looking bad"}}"#,
        &utc, Some((1_378_504_909, Some(Level::Error), "", "looking bad")));
    // lnav logfile_json3.json: `started_at` epoch ms as an integer and as a float.
    check(br#"{ "started_at": 1490386367764.0, "response": { "status": 500, "size": 4433, "headers": { "server": "nginx\/1.11.10", "content-type": "application\/json", "connection": "close", "cache-control": "max-age=0, must-revalidate, no-cache, no-store, private" } }, "request": { "method": "GET", "uri": "\/example\/uri\/5", "size": "166", "querystring": {}, "headers": { "host": "example.com" } }, "client_ip": "1.1.1.1" }"#,
        &utc, Some((1_490_386_367, None, "", "")));
    check(br#"{ "started_at": 1490385986240, "response": { "status": 200, "size": 443, "headers": { "server": "nginx\/1.11.10", "content-type": "application\/json", "connection": "close", "cache-control": "max-age=0, must-revalidate, no-cache, no-store, private" } }, "request": { "method": "GET", "uri": "\/example\/uri\/5", "size": "166", "querystring": {}, "headers": { "host": "example.com" } }, "client_ip": "1.1.1.1" }"#,
        &utc, Some((1_490_385_986, None, "", "")));
    // lnav logfile_json_subsec.json: log4j2 `instant`.
    check(br#"{"instant":{"epochSecond": 1663977619,"nanoOfSecond": 222000123}, "msg": "Goodbye, World!"}"#,
        &utc, Some((1_663_977_619, None, "", "Goodbye, World!")));
    // lnav logfile_rust_tracing.0: message inside `fields`, `target` as the app.
    check(br#"{"timestamp":"2025-10-28T19:15:10.821723Z","level":"ERROR","fields":{"message":"hello! I'm gonna shave a yak","excitement":"yay!"},"target":"fmt_json::yak_shave","spans":[{"yaks":3,"name":"shaving_yaks"},{"yak":3,"name":"shave"}],"threadName":"main","threadId":1}"#,
        &utc, Some((1_761_678_910, Some(Level::Error), "fmt_json::yak_shave", "hello! I'm gonna shave a yak")));
    // lnav logfile_caddy_log.0 (after its compose prefix): float epoch seconds, emoji.
    check(r#"{"level":"warn","ts":1761019831.8274047,"msg":"exiting; byeee!! 👋","signal":"SIGTERM"}"#.as_bytes(),
        &utc, Some((1_761_019_831, Some(Level::Warning), "", "exiting; byeee!! \u{1f44b}")));
    check(br#"{"level":"info","ts":1761019822.316192,"logger":"admin","msg":"admin endpoint started","address":"localhost:2019","enforce_origin":false,"origins":["//[::1]:2019","//127.0.0.1:2019","//localhost:2019"]}"#,
        &utc, Some((1_761_019_822, Some(Level::Info), "admin", "admin endpoint started")));
    // beats docker_corrupted.log: json-file driver, nanosecond time, trailing newline.
    check(br#"{"log":"Fetching dependencies...\n","stream":"stdout","time":"2016-03-02T22:59:04.609292428Z"}"#,
        &utc, Some((1_456_959_544, None, "", "Fetching dependencies...")));
    check(br#"{"log":"sed -i.bk 's/device: any/device: en0/' /build/packetbeat-darwin.yml\n","stream":"stdout","time":"2016-03-02T22:59:04.66649744Z"}"#,
        &utc, Some((1_456_959_544, None, "", "sed -i.bk 's/device: any/device: en0/' /build/packetbeat-darwin.yml")));
    // ... and its line 7, which lost its opening brace.
    check(br#""log":"cp packetbeat.yml /build/packetbeat-linux.yml\n","stream":"stdout","time":"2016-03-02T22:59:04.647847045Z"}"#, &utc, None);
    // lnav logfile_otel_collector.jsonl: records are nested in arrays; no top-level time.
    check(br#"{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"1700000008000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"Log with empty resource attributes and no scope name"}}]}]}]}"#, &utc, None);
}

#[test]
fn synthetic_lines() {
    let utc = ParseCtx::utc_2026();
    let plus2 = ParseCtx {
        zone: Zone::from_offset_secs(7200),
        ..utc
    };
    // Zone-less stamps are read in the context's zone; written offsets win.
    check(br#"{"asctime":"2026-11-28 13:55:36,123","levelname":"ERROR","name":"app.db","message":"pool exhausted"}"#,
        &plus2, Some((1_795_874_136 - 7200, Some(Level::Error), "app.db", "pool exhausted")));
    check(
        br#"{"time":"2026-11-28T13:55:36+01:00","level":"warn","msg":"x"}"#,
        &plus2,
        Some((1_795_870_536, Some(Level::Warning), "", "x")),
    );
    // Epoch strings in µs and ns; the best-ranked time key wins.
    check(
        br#"{"ts":"1795874136123456","msg":"a"}"#,
        &utc,
        Some((1_795_874_136, None, "", "a")),
    );
    check(
        br#"{"date":"1795874136123456789","timestamp":"2026-11-28T13:55:37Z","msg":"a"}"#,
        &utc,
        Some((1_795_874_137, None, "", "a")),
    );
    // A bad best key falls back to the next one.
    check(
        br#"{"timestamp":"soon","time":1795874136,"msg":"a"}"#,
        &utc,
        Some((1_795_874_136, None, "", "a")),
    );
    // Syslog priority keys, nested `log.level` and `service.name`, escaped strings.
    check(
        br#"{"t":1795874136,"priority":3,"message":"disk \"sda\" failed"}"#,
        &utc,
        Some((1_795_874_136, Some(Level::Error), "", "disk \"sda\" failed")),
    );
    check(br#"{"@timestamp":"2026-11-28T13:55:36Z","log":{"level":"WARN"},"service":{"name":"api"},"message":"slow"}"#,
        &utc, Some((1_795_874_136, Some(Level::Warning), "api", "slow")));
    check(
        br#"{"@timestamp":"2026-11-28T13:55:36Z","syslog":{"severity":2},"message":"m"}"#,
        &utc,
        Some((1_795_874_136, Some(Level::Critical), "", "m")),
    );
    // A top-level key beats the same key inside a wrapper.
    check(
        br#"{"ts":1795874136,"fields":{"message":"inner"},"msg":"outer"}"#,
        &utc,
        Some((1_795_874_136, None, "", "outer")),
    );
    // Serilog compact.
    check(br#"{"@t":"2026-11-28T13:55:36.1234567Z","@mt":"Disk {Disk} full","@l":"Error","Disk":"sda"}"#,
        &utc, Some((1_795_874_136, Some(Level::Error), "", "Disk {Disk} full")));
}

#[test]
fn hostile_lines() {
    let utc = ParseCtx::utc_2026();
    for bad in [
        &b""[..],
        b"{",
        b"}",
        b"{}",
        b"[1,2,3]",
        b"\"just a string\"",
        b"{\"msg\":\"no time\"}",
        b"{\"time\":null,\"msg\":\"x\"}",
        b"{\"time\":true}",
        b"{\"time\":[1795874136]}",
        b"{\"time\":{\"a\":1}}",
        b"{\"time\":-1795874136}",
        b"{\"time\":1e300}",
        b"{\"time\":5}",
        b"{\"time\":\"2026-13-45T99:99:99Z\"}",
        b"{\"time\":\"99999999999999999999999\"}",
        b"{\"time\":1795874136} trailing",
        b"{\"time\":1795874136,}",
        b"{\"time\":1795874136,\"msg\":\"\\ud800\"",
        b"{\"time\":1795874136\x00}",
        b"not json at all",
        b"2026-11-28T13:55:36Z {\"level\":\"error\"}",
    ] {
        assert_eq!(parse(bad, &utc), None, "{}", String::from_utf8_lossy(bad));
    }
    // Wrong types for level, message and app are ignored.
    check(
        br#"{"time":1795874136,"level":{"x":1},"msg":42,"logger":[1]}"#,
        &utc,
        Some((1_795_874_136, None, "", "")),
    );
    check(
        br#"{"time":1795874136,"level":99999999999,"msg":"x"}"#,
        &utc,
        Some((1_795_874_136, None, "", "x")),
    );
    // Invalid UTF-8 inside a string: read after a lossy conversion.
    check(
        b"{\"time\":1795874136,\"level\":\"error\",\"msg\":\"bad \xff byte\"}",
        &utc,
        Some((1_795_874_136, Some(Level::Error), "", "bad \u{fffd} byte")),
    );
    // Deep nesting in skipped values does not overflow the stack.
    let deep = format!(
        "{{\"time\":1795874136,\"x\":{}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        parse(deep.as_bytes(), &utc).map(|e| e.time),
        Some(1_795_874_136)
    );
    // A huge message is fine.
    let huge = format!(
        "{{\"time\":1795874136,\"msg\":\"{}\"}}",
        "a".repeat(1 << 20)
    );
    assert_eq!(
        parse(huge.as_bytes(), &utc).map(|e| e.message.len()),
        Some(1 << 20)
    );
}

#[test]
fn borrows_when_no_escapes() {
    let utc = ParseCtx::utc_2026();
    let e = parse(br#"{"time":1795874136,"msg":"plain","logger":"a"}"#, &utc).unwrap();
    assert!(matches!(e.message, Cow::Borrowed(_)) && matches!(e.app, Cow::Borrowed(_)));
    let e = parse(br#"{"time":1795874136,"msg":"esc\"aped"}"#, &utc).unwrap();
    assert!(matches!(e.message, Cow::Owned(_)));
}

#[test]
fn epochs_by_magnitude() {
    for (n, want) in [
        (99_999_999u64, None),
        (1_795_874_136, Some(1_795_874_136)),
        (1_795_874_136_123, Some(1_795_874_136)),
        (1_795_874_136_123_456, Some(1_795_874_136)),
        (1_795_874_136_123_456_789, Some(1_795_874_136)),
        (u64::MAX, Some(18_446_744_073)),
    ] {
        assert_eq!(epoch_secs(n), want, "{n}");
    }
    assert_eq!(epoch_text(b"1761019822.3152757"), Some(1_761_019_822));
    assert_eq!(epoch_text(b"1761019822."), Some(1_761_019_822));
    assert_eq!(epoch_text(b"17610x"), None);
    assert_eq!(epoch_text(b".5"), None);
    assert_eq!(level_text(b"DEBUG2", LevelScale::Named), Some(Level::Debug));
    assert_eq!(level_text(b"50", LevelScale::Named), Some(Level::Error));
    assert_eq!(level_text(b"3", LevelScale::Syslog), Some(Level::Error));
    assert_eq!(level_text(b"99999", LevelScale::Named), None);
}
