//! Table tests of `plain.rs` on real lines (origins named beside each row).
use super::*;
use crate::time::Zone;

fn check(line: &[u8], ctx: &ParseCtx, want: Option<(i64, Option<Level>, &str, &str)>) {
    crate::format::assert_event(line, parse(line, ctx), want);
}

/// Real lines from tstack/lnav `test/logfile_*` (BSD-2-Clause) and elastic/examples
/// `Miscellaneous/kafka_monitoring/.../server.log.2016-12-19-20` (Apache-2.0); see
/// /work/shared/corpus/SOURCES.md.
#[test]
fn real_lines() {
    let utc = ParseCtx::utc_2026();
    // Kafka: bracketed stamp, trailing logger.
    check(b"[2016-12-19 20:39:50,730] INFO Rolled new log segment for 'test-3' in 1 ms. (kafka.log.Log)",
        &utc, Some((1_482_179_990, Some(Level::Info), "kafka.log.Log", "Rolled new log segment for 'test-3' in 1 ms.")));
    check(b"[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511 (kafka.server.ReplicaFetcherThread)",
        &utc, Some((1_482_179_988, Some(Level::Warning), "kafka.server.ReplicaFetcherThread", "[ReplicaFetcherThread-0-2], Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511")));
    // ... and the stack trace after it is not a line of this format.
    check(
        b"java.io.IOException: Connection to 2 was disconnected before the response was read",
        &utc,
        None,
    );
    check(b"\tat kafka.utils.NetworkClientBlockingOps$$anonfun$blockingSendAndReceive$extension$1$$anonfun$apply$1.apply(NetworkClientBlockingOps.scala:115)", &utc, None);
    // Spring Boot-like layout with padded thread and class columns, a tab in the message.
    check(b"2025-01-24T07:00:30,139 INFO [background-preinit       ] Version                  : HV000001: Hibernate Validator 8.0.1.Final",
        &utc, Some((1_737_702_030, Some(Level::Info), "Version", "HV000001: Hibernate Validator 8.0.1.Final")));
    check(b"2025-01-24T07:00:38,878 INFO [main                     ] ActivatorIorPool         : \t/objroot/iorroot/activators/activator-ts_one.ior",
        &utc, Some((1_737_702_038, Some(Level::Info), "ActivatorIorPool", "\t/objroot/iorroot/activators/activator-ts_one.ior")));
    // Python `stamp:LEVEL:msg` and `stamp:LEVEL:name:msg`, CRLF endings.
    check(
        b"2009-07-20 22:59:30,221:ERROR:Goodbye, World!",
        &utc,
        Some((1_248_130_770, Some(Level::Error), "", "Goodbye, World!")),
    );
    check(
        b"2014-10-08 16:56:38,344:WARN:foo bar baz\r",
        &utc,
        Some((1_412_787_398, Some(Level::Warning), "", "foo bar baz")),
    );
    check(
        b"2015-03-12T23:16:52.071:INFO:com.root:Response :",
        &utc,
        Some((1_426_202_212, Some(Level::Info), "com.root", "Response :")),
    );
    // The indented continuation of a multi-line entry.
    check(b"  How are you today?", &utc, None);
    // ISO ordinal dates.
    check(
        b"2012-025T10:22:40,672:DEBUG:foo bar baz",
        &utc,
        Some((1_327_486_960, Some(Level::Debug), "", "foo bar baz")),
    );
    // An unreadable zone glued to the stamp.
    check(b"2015-04-24T21:08:10.313913FOO err rbd  [22968]lotuscreds:ERROR:Could not retrieve lotus account information from db", &utc, None);
    // Epoch milliseconds, no level.
    check(
        b"1428634687123 Hello, World!",
        &utc,
        Some((1_428_634_687, None, "", "Hello, World!")),
    );
    // glog: level letter, no year (taken from the context).
    check(
        b"E0517 15:04:22.619632 1952452992 logging_unittest.cc:253] Log every 3, iteration 19",
        &utc,
        Some((
            1_779_030_262,
            Some(Level::Error),
            "",
            "Log every 3, iteration 19",
        )),
    );
    check(
        b"W0517 15:04:22.619751    2452992 logging_unittest.cc:263] log_if this",
        &utc,
        Some((1_779_030_262, Some(Level::Warning), "", "log_if this")),
    );
    // zap console: tab-separated, with and without a caller.
    check(b"2025-04-24T22:09:20.856Z\terror\tinternal/queue_sender.go:128\tExporting failed. Dropping data.\t{\"otelcol.component.id\": \"otlphttp/prometheus\", \"dropped_items\": 60}",
        &utc, Some((1_745_532_560, Some(Level::Error), "", "Exporting failed. Dropping data.\t{\"otelcol.component.id\": \"otlphttp/prometheus\", \"dropped_items\": 60}")));
    check(b"2025-04-24T22:09:21.256Z\tinfo\tMetrics\t{\"otelcol.component.id\": \"debug\", \"otelcol.component.kind\": \"Exporter\", \"otelcol.signal\": \"metrics\", \"resource metrics\": 1, \"metrics\": 30, \"data points\": 45}",
        &utc, Some((1_745_532_561, Some(Level::Info), "", "Metrics\t{\"otelcol.component.id\": \"debug\", \"otelcol.component.kind\": \"Exporter\", \"otelcol.signal\": \"metrics\", \"resource metrics\": 1, \"metrics\": 30, \"data points\": 45}")));
    // Its Go stack trace lines.
    check(
        b"go.opentelemetry.io/collector/exporter/exporterhelper/internal.NewQueueSender.func3",
        &utc,
        None,
    );
    // Lines without a date: time only, TAI64N labels.
    check(
        b"00:00:00.000 foo DEBUG  some super duper message",
        &utc,
        None,
    );
    check(
        b"@40000000433225833b6e1a8c tcpserver: status: 5/30",
        &utc,
        None,
    );
}

#[test]
fn layouts() {
    let utc = ParseCtx::utc_2026();
    let t = 1_795_874_136;
    for (line, level, app, msg) in [
        // log4j / Hadoop.
        (&b"2026-11-28 13:55:36,123 ERROR [main] com.x.Y: disk full"[..], Some(Level::Error), "com.x.Y", "disk full"),
        // ZooKeeper.
        (b"2026-11-28 13:55:36,747 - WARN  [SendWorker:188978561024:QuorumCnxManager$SendWorker@688] - Send worker leaving thread",
            Some(Level::Warning), "QuorumCnxManager$SendWorker", "Send worker leaving thread"),
        // logback default with a date, Spring Boot.
        (b"2026-11-28 13:55:36.123 [main] ERROR c.e.Foo - boom", Some(Level::Error), "c.e.Foo", "boom"),
        (b"2026-11-28 13:55:36.123 ERROR 4242 --- [           main] o.s.b.SpringApplication                  : Application run failed",
            Some(Level::Error), "o.s.b.SpringApplication", "Application run failed"),
        // Python cookbook layout.
        (b"2026-11-28 13:55:36,123 - myapp.db - ERROR - pool exhausted", Some(Level::Error), "myapp.db", "pool exhausted"),
        // ISO with Z, bracketed level, pid before the level.
        (b"2026-11-28T13:55:36.123Z INFO started", Some(Level::Info), "", "started"),
        (b"2026/11/28 13:55:36 [error] 1234#0: *5 connect() failed", Some(Level::Error), "", "1234#0: *5 connect() failed"),
        (b"2026-11-28 13:55:36.123 4242 WARNING msg", Some(Level::Warning), "", "msg"),
        // Windows CBS-like: `, Level   Source   msg`.
        (b"2026-11-28 13:55:36, Info                  CBS    Loaded Servicing Stack", Some(Level::Info), "", "CBS    Loaded Servicing Stack"),
        // Go's log package: no level.
        (b"2026/11/28 13:55:36 listening on :8080", None, "", "listening on :8080"),
        // Spark and HDFS stamps.
        (b"26/11/28 13:55:36 INFO spark.SecurityManager: Changing view acls to: yarn", Some(Level::Info), "spark.SecurityManager", "Changing view acls to: yarn"),
        (b"261128 135536 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating", Some(Level::Info), "dfs.DataNode$PacketResponder", "PacketResponder 1 terminating"),
        // Epoch seconds with a fraction.
        (b"1795874136.25 ERROR boom", Some(Level::Error), "", "boom"),
        // A level-like word inside a sentence is not a level.
        (b"2026-11-28 13:55:36 the error was ignored", None, "", "the error was ignored"),
        // A message-like `Word:` is not a logger.
        (b"2026-11-28 13:55:36 ERROR Failed: timeout", Some(Level::Error), "", "Failed: timeout"),
        // Only a stamp.
        (b"2026-11-28 13:55:36", None, "", ""),
    ] {
        check(line, &utc, Some((t, level, app, msg)));
    }
    // Android logcat, year from the context.
    check(
        b"11-28 13:55:36.811  1702  2395 D WindowManager: printFreezingDisplayLogs",
        &utc,
        Some((
            t,
            Some(Level::Debug),
            "WindowManager",
            "printFreezingDisplayLogs",
        )),
    );
    // Zone-less stamps use the context's zone; written offsets win.
    let plus1 = ParseCtx {
        zone: Zone::from_offset_secs(3600),
        ..utc
    };
    check(
        b"2026-11-28 14:55:36,000 INFO x",
        &plus1,
        Some((t, Some(Level::Info), "", "x")),
    );
    let e = parse(b"2026-11-28T13:55:36-05:00 INFO x", &plus1).unwrap();
    assert_eq!((e.time, e.offset), (t + 5 * 3600, Some(-5 * 3600)));
    // glog in January read in a December context belongs to the same year; a December
    // stamp read in a January context belongs to the year before.
    let jan = ParseCtx { month: 1, ..utc };
    assert_eq!(
        parse(b"I1228 13:55:36.000000 1 a.cc:1] x", &jan)
            .unwrap()
            .time,
        t + 30 * 86_400 - 365 * 86_400
    );
}

#[test]
fn not_plain() {
    let utc = ParseCtx::utc_2026();
    for bad in [
        &b""[..],
        b"hello world",
        b"127.0.0.1 - - [28/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 5",
        b"192.168.0.1 - - [28/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 5",
        b"Nov 28 13:55:36 host sshd[1]: error: bad",
        b"<34>1 2026-11-28T13:55:36Z host app - - - msg",
        b"{\"time\":\"2026-11-28T13:55:36Z\"}",
        b"time=2026-11-28T13:55:36Z level=error",
        b"2026-13-28 13:55:36 INFO bad month",
        b"2026-02-30 13:55:36 INFO bad day",
        b"2026-11-28 25:55:36 INFO bad hour",
        b"12345 short number",
        b"123456789012 twelve digits",
        b"0999999999 before 2001",
        b"[2026-11-28 13:55:36,123 INFO unclosed",
        b"E1128 13:55:36.123456 1234 no bracket",
        b"E1328 13:55:36.123456 1234 a.cc:1] bad month",
        b"X1128 13:55:36.123456 1234 a.cc:1] bad letter",
        b"11-28 13:55:36.811 1702 D no tid",
        b"2026-11-28",
        b"2026-11-28T",
        b"2",
        b"[",
        b"E",
        b"\x00\x00\x00",
        b"2026-11-28 13:55:36FOO",
    ] {
        assert_eq!(parse(bad, &utc), None, "{}", String::from_utf8_lossy(bad));
    }
    // Invalid UTF-8, NUL bytes and unbalanced brackets after a stamp: a sane result.
    check(
        b"2026-11-28 13:55:36 ERROR \xff\xfe\x00 [[[",
        &utc,
        Some((
            1_795_874_136,
            Some(Level::Error),
            "",
            "\u{fffd}\u{fffd}\u{0} [[[",
        )),
    );
    check(
        b"2026-11-28 13:55:36 [[[ ERROR",
        &utc,
        Some((1_795_874_136, None, "", "[[[ ERROR")),
    );
    check(
        b"2026-11-28 13:55:36 ERROR [x:Y@",
        &utc,
        Some((1_795_874_136, Some(Level::Error), "", "[x:Y@")),
    );
    check(
        b"2026-11-28 13:55:36\terror",
        &utc,
        Some((1_795_874_136, Some(Level::Error), "", "")),
    );
    check(
        b"[2026-11-28 13:55:36] INFO x ()",
        &utc,
        Some((1_795_874_136, Some(Level::Info), "", "x ()")),
    );
    // Prefixes of every length of a long line: no panic.
    let long = b"[2016-12-19 20:39:48,918] WARN [ReplicaFetcherThread-0-2], Error (kafka.server.R) E0517 15:04:22.619632 1952452992 a.cc:253] 03-17 16:13:38.811  1702  2395 D W: m";
    for n in 0..=long.len() {
        let _ = parse(&long[..n], &utc);
        let _ = parse(&long[long.len() - n..], &utc);
    }
}
