//! The rendered outputs: snapshots of Markdown, JSON and text for the bundled samples (a change
//! in wording or numbers shows up as a reviewable diff: `cargo insta review`), and Markdown
//! that a CommonMark parser reads with every table intact, even for hostile log text.

use crate::util::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::path::Path;

fn sample_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs")
}

/// Runs the binary from the repository root so that paths in the output are relative.
fn render(args: &[&str]) -> String {
    let out = bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn snapshots_of_the_samples() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        let down = [
            "sample-logs/nginx-down.access.log",
            "sample-logs/nginx-down.syslog",
        ];
        insta::assert_snapshot!("nginx-down.md", render(&[&["report"][..], &down].concat()));
        insta::assert_snapshot!(
            "nginx-down.txt",
            render(&[&["timeline"][..], &down].concat())
        );
        insta::assert_snapshot!(
            "spike.md",
            render(&["report", "sample-logs/spike.access.log"])
        );
        insta::assert_snapshot!(
            "slow-upstream.txt",
            render(&["timeline", "sample-logs/slow-upstream.access.log"])
        );
        insta::assert_snapshot!(
            "quiet.md",
            render(&["report", "sample-logs/quiet.access.log"])
        );
        let json: serde_json::Value = serde_json::from_str(&render(&[
            "report",
            "--format",
            "json",
            "sample-logs/spike.access.log",
        ]))
        .unwrap();
        // The incidents are the contract that matters; the series is long and checked elsewhere.
        insta::assert_snapshot!(
            "spike.incidents.json",
            serde_json::to_string_pretty(&json["incidents"]).unwrap()
        );
    });
}

/// Every table in `md` as rows of cell texts.
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    let mut out = Vec::new();
    let (mut table, mut row, mut cell): (Vec<Vec<String>>, Vec<String>, String) =
        (Vec::new(), Vec::new(), String::new());
    let mut in_cell = false;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Table(_)) => table.clear(),
            Event::End(TagEnd::Table) => out.push(std::mem::take(&mut table)),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                table.push(std::mem::take(&mut row))
            }
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                cell.clear();
            }
            Event::End(TagEnd::TableCell) => {
                in_cell = false;
                row.push(std::mem::take(&mut cell));
            }
            Event::Text(t) | Event::Code(t) if in_cell => cell.push_str(&t),
            _ => {}
        }
    }
    out
}

#[test]
fn hostile_log_text_never_breaks_a_table_or_becomes_html() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = 1_795_860_000i64;
    let mut log = String::new();
    let hostile = "/a|b<script>alert(1)</script>\x1b]0;pwned\x07``x";
    for s in 0..7200i64 {
        let t = hindsight::time::utc_datetime(t0 + s).format("%d/%b/%Y:%H:%M:%S +0000");
        let (path, status) = if (3600..4200).contains(&s) {
            (hostile, 502)
        } else {
            ("/ok", 200)
        };
        log.push_str(&format!(
            "203.0.113.{} - - [{t}] \"GET {path} HTTP/1.1\" {status} 0 \"-\" \"-\"\n",
            s % 50
        ));
    }
    // And an error log whose messages carry the same payload.
    let mut errors = String::new();
    for s in (3600..4200i64).step_by(3) {
        let t = hindsight::time::utc_datetime(t0 + s).format("%Y/%m/%d %H:%M:%S");
        errors.push_str(&format!("{t} [error] 12#0: *{s} upstream failed for \"{hostile}\" | <b>bold</b> [x](http://evil.example)\n"));
    }
    let access = dir.path().join("access.log");
    let error = dir.path().join("error.log");
    std::fs::write(&access, log).unwrap();
    std::fs::write(&error, errors).unwrap();
    let out = bin()
        .args(["report", "--tz", "UTC"])
        .arg(&access)
        .arg(&error)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## Impact"), "{md}");
    let found = tables(&md);
    assert!(found.len() >= 3, "{} tables", found.len());
    for t in &found {
        let width = t[0].len();
        for row in t {
            assert_eq!(
                row.len(),
                width,
                "a row with {} cells in a table of {width}: {row:?}",
                row.len()
            );
        }
    }
    // No raw HTML, no link, no terminal escape anywhere in the document.
    for ev in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match ev {
            Event::Html(h) | Event::InlineHtml(h) => panic!("raw HTML in the Markdown: {h}"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                panic!("a link in the Markdown: {dest_url}")
            }
            _ => {}
        }
    }
    assert!(!md.contains('\x1b') && !md.contains('\x07'));
    let text = String::from_utf8(
        bin()
            .args(["timeline"])
            .arg(&access)
            .arg(&error)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    let _ = sample_dir();
}
