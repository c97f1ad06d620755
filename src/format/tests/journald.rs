//! Table tests of `journald.rs` on real lines (origins named beside each row).
use super::*;

fn check(line: &[u8], want: Option<(i64, Option<Level>, &str, &str)>) {
    if let Some(g) = crate::format::assert_event(line, parse(line, &ParseCtx::utc_2026()), want) {
        assert_eq!(
            g.offset,
            None,
            "offset of {}",
            String::from_utf8_lossy(line)
        );
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
