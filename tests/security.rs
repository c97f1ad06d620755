//! Log text is attacker-controlled: a request path, a user agent, a syslog message or even a
//! file name can carry terminal escapes (OSC 8 links, CSI), carriage returns, bidi overrides,
//! Markdown and HTML. Every output format must show it as inert text.

use crate::util::*;
use pulldown_cmark::{Event, Options, Parser, Tag};

/// 2026-11-28T10:00:00Z.
const T0: i64 = 1_795_860_000;

/// Hostile pieces, each written into paths, messages, program names and a file name.
const HOSTILE: &[&str] = &[
    "\x1b]8;;http://evil\x07click\x1b]8;;\x07",
    "\x1b[2J\x1b[31m",
    "\r\u{9b}31m",
    "\u{202e}gnp.exe",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "`` ` ``",
    "| a | b |",
    "*em* _u_ ~~s~~",
];

fn hostile(k: usize) -> String {
    HOSTILE[k % HOSTILE.len()].to_string()
}

/// An access log with a 502 burst on hostile paths, and a syslog with hostile error messages
/// and program names during it (and a hostile operator command before it).
fn write_logs(dir: &std::path::Path) -> (String, String) {
    let mut access = Vec::new();
    for s in 0..5400 {
        let bad = (1800..2400).contains(&s);
        let path = if bad {
            format!("/api/{}", hostile(s as usize))
        } else {
            "/ok".to_string()
        };
        let stamp = hindsight::time::utc_datetime(T0 + s).format("%d/%b/%Y:%H:%M:%S +0000");
        let ua = hostile(s as usize + 3).replace('"', "'");
        access.extend_from_slice(
            format!(
                "192.0.2.{} - - [{stamp}] \"GET {path} HTTP/1.1\" {} 10 \"-\" \"{ua}\"\n",
                s % 20,
                if bad { 502 } else { 200 }
            )
            .as_bytes(),
        );
    }
    let mut syslog = Vec::new();
    for s in (0..5400).step_by(5) {
        let t = hindsight::time::utc_datetime(T0 + s).format("%b %e %H:%M:%S");
        let (app, msg) = if (1800..2400).contains(&s) {
            (
                format!("app{}", hostile(s as usize).replace([' ', ':', '['], "_")),
                format!("error: upstream {} failed", hostile(s as usize + 1)),
            )
        } else if s == 1700 {
            (
                "sudo".to_string(),
                format!(
                    "root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/bin/systemctl restart {}",
                    hostile(0)
                ),
            )
        } else {
            ("cron".to_string(), "info: tick".to_string())
        };
        syslog.extend_from_slice(format!("{t} web1 {app}[42]: {msg}\n").as_bytes());
    }
    let a = dir.join("access\x1b]8;;evil\x07\r.log");
    std::fs::write(&a, access).unwrap();
    let b = dir.join("syslog\u{202e}");
    std::fs::write(&b, syslog).unwrap();
    (
        a.to_str().unwrap().to_string(),
        b.to_str().unwrap().to_string(),
    )
}

fn output(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(no_controls(&err), "stderr: {err:?}");
    String::from_utf8(out.stdout).expect("output is UTF-8")
}

/// No control character but newline (and no tab), no bidi or zero-width character.
fn no_controls(s: &str) -> bool {
    !s.chars()
        .any(|c| c != '\n' && hindsight::report::unsafe_char(c))
}

/// Markdown read as a CommonMark viewer reads it: no HTML and no link from the logs.
fn assert_inert_markdown(md: &str, what: &str) {
    assert!(no_controls(md), "{what}: a control character got through");
    for event in Parser::new_ext(md, Options::all()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                panic!("{what}: raw HTML from the logs: {h:?}")
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(
                    !dest_url.contains("javascript") && !dest_url.contains("evil"),
                    "{what}: a link from the logs: {dest_url}"
                );
            }
            _ => {}
        }
    }
}

#[test]
fn hostile_log_text_is_inert_in_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = write_logs(dir.path());
    let chart = dir.path().join("chart.svg");
    let md = output(&["report", "--chart", chart.to_str().unwrap(), &a, &b]);
    assert!(md.contains("## Impact"), "{md}");
    // The hostile paths and messages are there, as text.
    assert!(md.contains("alert(1)"), "{md}");
    assert_inert_markdown(&md, "report");
    for t in ["google-sre", "brief"] {
        let out = output(&["report", "--template", t, &a, &b]);
        assert_inert_markdown(&out, t);
    }

    // JSON: valid, and its raw text holds no control or bidi character (they are \u escapes),
    // while the values still hold the log's own text.
    let json = output(&["report", "--format", "json", &a, &b]);
    assert!(no_controls(&json), "raw control or bidi character in JSON");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.to_string().contains("alert(1)"));
    let paths = v["incidents"][0]["impact"]["top_paths"].to_string();
    assert!(
        paths.contains("\\u001b]8;;http://evil\\u0007") || paths.contains("\\u202e"),
        "{paths}"
    );

    // Terminal: nothing a terminal would act on.
    for cmd in ["timeline", "formats", "signatures"] {
        let text = output(&[cmd, &a, &b]);
        assert!(no_controls(&text), "{cmd}: {text:?}");
    }
    for cmd in ["formats", "signatures"] {
        let text = output(&[cmd, "--format", "json", &a, &b]);
        assert!(no_controls(&text), "{cmd} json");
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }

    // SVG: well-formed text, no markup or controls from the logs.
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(
        no_controls(&svg.replace('\t', " ")),
        "control character in SVG"
    );
    for bad in ["<script", "<img", "onerror", "javascript:"] {
        assert!(!svg.contains(bad), "{bad} in SVG");
    }
    // Every tag in the SVG is one the chart writes.
    for tag in svg.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            [
                "svg", "g", "rect", "line", "path", "polyline", "text", "title", "tspan", "circle",
                "desc", "style", "defs", "clipPath", "polygon"
            ]
            .contains(&name.as_str()),
            "unexpected tag <{name} in SVG"
        );
    }
}
