//! Table tests of `logfmt.rs` on real lines (origins named beside each row).
use super::*;
use crate::time::Zone;

/// UTC time, offset, level, app, message.
type Want = (i64, Option<i32>, Option<Level>, &'static str, &'static str);

fn check(line: &[u8], ctx: &ParseCtx, want: Option<Want>) {
    let short = want.map(|(time, _, level, app, message)| (time, level, app, message));
    if let Some(g) = crate::format::assert_event(line, parse(line, ctx), short) {
        assert_eq!(
            Some(g.offset),
            want.map(|w| w.1),
            "offset of {}",
            String::from_utf8_lossy(line)
        );
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
