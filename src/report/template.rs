//! Report templates: the postmortem in a team's own outline, written in Jinja syntax and
//! rendered with minijinja.
//!
//! Input: a [`Report`] and a template source. Output: the rendered text (Markdown, usually).
//! The template context is exactly the JSON report (`hindsight report -f json`): top-level
//! `version`, `timezone`, `first`, `last`, `sources`, `totals`, `baseline`, `thresholds`,
//! `incidents`, `series`, `notes`, `warnings`, with the same field names and nesting. Times are
//! RFC 3339 strings in UTC (`2026-11-28T11:01:21Z`); the filters below show them in the
//! report's zone. One global is added beside the context: `chart_file`, where the SVG chart was
//! written (or `none`).
//!
//! Filters, also callable as functions (`{{ t | local }}` or `{{ local(t) }}`):
//!
//! | Filter | Does |
//! |---|---|
//! | `local(t)` | An RFC 3339 time (or UTC seconds) as `2026-11-28 12:01:21 UTC+01:00` in the report's zone |
//! | `localtime(t)` / `localtime(t, fmt)` | `12:01:21 UTC+01:00`, or a chrono `strftime` format (`%Z` is the zone's label, `CET` or `UTC+01:00`) |
//! | `epoch(t)` | UTC seconds of a time, for arithmetic: `((i.onset \| epoch) - (e.time \| epoch)) \| duration` |
//! | `duration(s)` | Seconds as `17 min 27 s` |
//! | `percent(r)` | A ratio as `42.0%` or `0.31%` |
//! | `thousands(n)` | `12,345` |
//! | `md(text)` | Log text escaped for Markdown: no markup, link, HTML or table cell can come out of it |
//! | `code(text)` / `code(text, table=true)` | Log text as an inline code span, backticks included; `table=true` also escapes `\|` for a table cell |
//! | `prose(text)` | hindsight's own sentences that quote log text in backticks (`measures`): escaped like `md`, their code spans kept |
//!
//! `none` (an ongoing incident's `resolved`, a missing `time_to_detect_s`) shows as `—` in the
//! time and number filters, and as nothing in `md`.
//!
//! Auto-escaping is off: the output is Markdown, not HTML. **Every string that comes from the
//! logs (paths, clients, messages, signatures, timeline text and details, file names, notes)
//! must go through `md`, `code` or `prose`**, or a hostile request line can inject links,
//! HTML or table cells into the postmortem. `md` escapes inline markup only: do not start a
//! line with it (a leading `#`, `-` or `1.` would still make a heading or a list).
//!
//! Undefined variables and attributes are errors when printed or passed to the filters above
//! (a misspelt field is reported, not silently empty); `{% if x.missing %}` is allowed. Blocks trim their newline
//! (`trim_blocks`, `lstrip_blocks`), and a final newline is kept. Errors name the template line.

use super::{human_duration, markdown_escape, percent, thousands, unsafe_char, Report};
use crate::time::Zone;
use anyhow::{anyhow, Result};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Built-in templates: (name, description, source).
pub const BUILTINS: &[(&str, &str, &str)] = &[
    (
        "google-sre",
        "Google SRE-style postmortem: Summary, Impact, Root Causes, Trigger, Resolution, \
         Detection, Action Items, Lessons Learned, Timeline",
        include_str!("../../templates/google-sre.md.j2"),
    ),
    (
        "brief",
        "One-screen summary for a chat message or a ticket",
        include_str!("../../templates/brief.md.j2"),
    ),
];

/// The source of a built-in template, by name (`google-sre`, or `google-sre.md.j2`).
pub fn builtin(name: &str) -> Option<&'static str> {
    let name = name.strip_suffix(".md.j2").unwrap_or(name);
    BUILTINS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, source)| *source)
}

/// Renders the report with a template source; errors name the template line.
pub fn render(report: &Report, source: &str) -> Result<String> {
    render_named(report, "template", source)
}

/// Like [`render`], with the name errors give the template (its file name, say).
pub fn render_named(report: &Report, name: &str, source: &str) -> Result<String> {
    let env = environment(report);
    let context = to_value(serde_json::to_value(report)?);
    env.template_from_named_str(name, source)
        .and_then(|t| t.render(context))
        .map_err(|e| describe(&e, name, source))
}

/// The environment: Markdown output (no auto-escaping), strict about undefined values, the
/// report's zone captured by the time filters.
fn environment(report: &Report) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    let zone = report.zone;
    macro_rules! register {
        ($name:literal, $f:expr) => {
            env.add_filter($name, $f);
            env.add_function($name, $f);
        };
    }
    register!("local", move |t: Value| -> Result<String, Error> {
        Ok(secs_of("local", &t)?.map_or_else(dash, |s| zone.format_datetime(s)))
    });
    register!("localtime", move |t: Value,
                                 fmt: Option<String>|
          -> Result<String, Error> {
        let Some(s) = secs_of("localtime", &t)? else {
            return Ok(dash());
        };
        match fmt {
            None => Ok(zone.format_time(s, true)),
            Some(f) => strftime(&zone, s, &f),
        }
    });
    register!("epoch", |t: Value| -> Result<Value, Error> {
        Ok(secs_of("epoch", &t)?.map_or(Value::from(()), Value::from))
    });
    register!("duration", |s: Value| -> Result<String, Error> {
        Ok(number("duration", &s)?.map_or_else(dash, |v| human_duration(v.round() as i64)))
    });
    register!("percent", |r: Value| -> Result<String, Error> {
        Ok(number("percent", &r)?.map_or_else(dash, percent))
    });
    register!("thousands", |n: Value| -> Result<String, Error> {
        Ok(number("thousands", &n)?.map_or_else(dash, |v| {
            let s = thousands(v.abs().round() as u64);
            if v < 0.0 {
                format!("-{s}")
            } else {
                s
            }
        }))
    });
    register!("md", |text: Value| -> Result<String, Error> {
        Ok(markdown_escape(&text_of("md", &text)?))
    });
    register!("code", |text: Value, kw: Kwargs| -> Result<String, Error> {
        let table: Option<bool> = kw.get("table")?;
        kw.assert_all_used()?;
        let inner = code_text(&text_of("code", &text)?);
        Ok(if table.unwrap_or(false) {
            format!("`{}`", inner.replace('|', "\\|"))
        } else {
            format!("`{inner}`")
        })
    });
    register!("prose", |text: Value| -> Result<String, Error> {
        Ok(prose(&text_of("prose", &text)?))
    });
    env.add_global(
        "chart_file",
        report
            .chart_file
            .clone()
            .map_or(Value::from(()), Value::from),
    );
    env
}

/// What `none` shows as.
fn dash() -> String {
    "—".to_string()
}

/// UTC seconds of an RFC 3339 string or an integer; `None` for `none`.
fn secs_of(filter: &str, t: &Value) -> Result<Option<i64>, Error> {
    defined(filter, t)?;
    if t.is_none() {
        return Ok(None);
    }
    if let Some(s) = t.as_str() {
        return chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.timestamp()))
            .map_err(|e| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!("{filter}: {s:?} is not an RFC 3339 time ({e})"),
                )
            });
    }
    if t.is_integer() {
        if let Ok(v) = i64::try_from(t.clone()) {
            return Ok(Some(v));
        }
    }
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("{filter}: expected an RFC 3339 time or UTC seconds, got {t:?}"),
    ))
}

/// A number as `f64`; `None` for `none`.
fn number(filter: &str, v: &Value) -> Result<Option<f64>, Error> {
    defined(filter, v)?;
    if v.is_none() {
        return Ok(None);
    }
    if v.is_number() {
        if let Ok(x) = f64::try_from(v.clone()) {
            return Ok(Some(x));
        }
    }
    Err(Error::new(
        ErrorKind::InvalidOperation,
        format!("{filter}: expected a number, got {v:?}"),
    ))
}

/// The text of a value: a string as it is, `none` as nothing, anything else as printed.
fn text_of(filter: &str, v: &Value) -> Result<String, Error> {
    defined(filter, v)?;
    Ok(if v.is_none() {
        String::new()
    } else if let Some(s) = v.as_str() {
        s.to_string()
    } else {
        v.to_string()
    })
}

/// An undefined value (a misspelt field, say) is an error, not an empty string.
fn defined(filter: &str, v: &Value) -> Result<(), Error> {
    if v.is_undefined() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("{filter}: the value is undefined (a misspelt name or field?)"),
        ));
    }
    Ok(())
}

/// `strftime` in the report's zone, with `%Z` as the zone's label at that instant.
fn strftime(zone: &Zone, secs: i64, fmt: &str) -> Result<String, Error> {
    let mut f = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            f.push(c);
            continue;
        }
        match chars.next() {
            Some('Z') => f.push_str(&zone.label_at(secs).replace('%', "%%")),
            Some(n) => {
                f.push('%');
                f.push(n);
            }
            None => f.push('%'),
        }
    }
    let mut out = String::new();
    write!(out, "{}", zone.local(secs).format(&f)).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("localtime: invalid format {fmt:?}"),
        )
    })?;
    Ok(out)
}

/// Text for inside a code span (the rule of the Markdown renderer): a backtick cannot close
/// it, control and invisible format characters are replaced, empty text shows as `(empty)`.
fn code_text(s: &str) -> String {
    if s.is_empty() {
        return "(empty)".to_string();
    }
    s.chars()
        .map(|c| {
            if c == '`' || unsafe_char(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// A sentence of hindsight's that quotes log text in backticks: the text between code spans
/// escaped, the spans kept as code. Whatever the quoted text holds, every part comes out either
/// escaped or inside a span it cannot close (an unpaired backtick is escaped).
fn prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (k, part) in parts.iter().enumerate() {
        if k % 2 == 0 {
            out.push_str(&markdown_escape(part));
        } else if k + 1 < parts.len() {
            out.push('`');
            out.push_str(&code_text(part));
            out.push('`');
        } else {
            out.push_str("\\`");
            out.push_str(&markdown_escape(part));
        }
    }
    out
}

/// The JSON report as a template value.
fn to_value(v: serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::from(()),
        J::Bool(b) => Value::from(b),
        J::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::from(u)
            } else if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                Value::from(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        J::String(s) => Value::from(s),
        J::Array(a) => a.into_iter().map(to_value).collect(),
        J::Object(m) => Value::from_object(
            m.into_iter()
                .map(|(k, v)| (k, to_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

/// A template error as one message: the template, the line, what went wrong, and the line's
/// text.
fn describe(e: &Error, name: &str, source: &str) -> anyhow::Error {
    let in_source = e.name().is_none_or(|n| n == name);
    let mut msg = match (e.name().unwrap_or(name), e.line()) {
        (n, Some(l)) => format!("{n}, line {l}: {}", e.kind()),
        (n, None) => format!("{n}: {}", e.kind()),
    };
    if let Some(d) = e.detail() {
        let _ = write!(msg, ": {d}");
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let _ = write!(msg, ": {c}");
        cause = c.source();
    }
    if let (true, Some(l)) = (in_source, e.line()) {
        if let Some(text) = source.lines().nth(l - 1) {
            let _ = write!(msg, "\n  {l} | {}", text.trim_end());
        }
    }
    anyhow!(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenConfig, Scenario, Truth};
    use clap::Parser;

    const HOSTILE: &str = "/a`b|c<script>";

    fn log(scenario: Scenario) -> (Vec<u8>, Truth) {
        let mut bytes = Vec::new();
        let truth = generate(&GenConfig::new(scenario, 1), &mut bytes).expect("generates");
        (bytes, truth)
    }

    /// The report the real pipeline makes of an access log named `x`.
    fn analyze(bytes: Vec<u8>) -> Report {
        let config = crate::cli::Cli::try_parse_from(["hindsight", "report", "x"])
            .unwrap()
            .into_config()
            .unwrap();
        crate::analyze(&config, &[crate::input::Source::from_bytes("x", bytes)]).unwrap()
    }

    fn report(scenario: Scenario) -> Report {
        analyze(log(scenario).0)
    }

    /// UTC seconds of an access-log line.
    fn line_time(line: &str) -> i64 {
        let start = line.find('[').expect("stamp") + 1;
        crate::time::parse_clf(&line.as_bytes()[start..start + crate::time::CLF_LEN])
            .expect("stamp parses")
            .0
    }

    /// Every other 5xx request gets `path`, so that it tops the incident's failing paths.
    fn with_failing_path(bytes: &[u8], path: &str) -> Vec<u8> {
        let text = std::str::from_utf8(bytes).expect("utf-8");
        let mut out = String::with_capacity(text.len() + 4096);
        let mut bad = 0;
        for line in text.lines() {
            let req = line.find("] \"").expect("request") + 3;
            let end = req + line[req..].find('"').expect("request end");
            let status = &line[end + 2..end + 5];
            let mut parts = line[req..end].splitn(3, ' ');
            let (method, _, proto) = (parts.next(), parts.next(), parts.next());
            if status.starts_with('5') {
                bad += 1;
                if bad % 2 == 0 {
                    let (m, p) = (method.unwrap(), proto.unwrap());
                    out.push_str(&format!("{}{m} {path} {p}{}\n", &line[..req], &line[end..]));
                    continue;
                }
            }
            out.push_str(line);
            out.push('\n');
        }
        out.into_bytes()
    }

    fn builtins(r: &Report) -> Vec<(&'static str, String)> {
        BUILTINS
            .iter()
            .map(|(name, _, source)| {
                let out = render_named(r, name, source)
                    .unwrap_or_else(|e| panic!("{name} renders: {e:#}"));
                check_layout(name, &out);
                (*name, out)
            })
            .collect()
    }

    /// Blank lines around headings, never two in a row, one final newline, no template syntax
    /// left over.
    fn check_layout(name: &str, out: &str) {
        assert!(
            out.ends_with('\n') && !out.ends_with("\n\n"),
            "{name}:\n{out}"
        );
        assert!(
            !out.contains("\n\n\n"),
            "{name}: two blank lines in a row:\n{out}"
        );
        assert!(!out.contains("{{") && !out.contains("{%"), "{name}:\n{out}");
        let lines: Vec<&str> = out.lines().collect();
        for (k, l) in lines.iter().enumerate() {
            if l.starts_with('#') && k > 0 {
                assert_eq!(
                    lines[k - 1],
                    "",
                    "{name}: no blank line before {l:?}:\n{out}"
                );
                assert_eq!(lines.get(k + 1), Some(&""), "{name}: {l:?}:\n{out}");
            }
        }
    }

    /// The Markdown outside code spans (backslash escapes dropped there).
    fn outside_code(md: &str) -> String {
        let (mut out, mut code, mut chars) = (String::new(), false, md.chars());
        while let Some(c) = chars.next() {
            match c {
                '\\' if !code => {
                    chars.next();
                }
                '`' => code = !code,
                _ if !code => out.push(c),
                _ => {}
            }
        }
        assert!(!code, "unclosed code span");
        out
    }

    const SRE_SECTIONS: &[&str] = &[
        "## Summary",
        "## Impact",
        "## Root Causes",
        "## Trigger",
        "## Resolution",
        "## Detection",
        "## Action Items",
        "## Lessons Learned",
        "### What went well",
        "### What went wrong",
        "### Where we got lucky",
        "## Timeline",
    ];

    #[test]
    fn builtin_lookup() {
        assert_eq!(BUILTINS.len(), 2);
        for (name, description, source) in BUILTINS {
            assert!(!description.is_empty());
            assert_eq!(builtin(name), Some(*source));
            assert_eq!(builtin(&format!("{name}.md.j2")), Some(*source));
        }
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn spike() {
        let r = report(Scenario::Spike);
        assert_eq!(r.incidents.len(), 1);
        assert_eq!(r.timezone, "UTC+01:00");
        let i = &r.incidents[0];
        let onset = r.zone.format_datetime(i.onset.0);
        assert!(onset.ends_with("UTC+01:00"), "{onset}");
        for (name, out) in builtins(&r) {
            assert!(out.contains(&onset), "{name}: onset {onset}:\n{out}");
            assert!(
                out.contains(&format!(
                    "{} of {} requests",
                    thousands(i.impact.failed),
                    thousands(i.impact.requests)
                )),
                "{name}:\n{out}"
            );
            assert!(
                out.contains(&percent(i.impact.failed_ratio)),
                "{name}:\n{out}"
            );
            assert!(
                out.contains(&human_duration(i.duration_s.unwrap())),
                "{name}:\n{out}"
            );
            assert!(out.contains("HTTP 502"), "{name}:\n{out}");
            assert!(out.contains(&prose(&i.measures[0])), "{name}:\n{out}");
        }
        let sre = render(&r, builtin("google-sre").unwrap()).unwrap();
        let mut at = 0;
        for s in SRE_SECTIONS {
            let found = sre[at..]
                .find(&format!("\n{s}\n"))
                .unwrap_or_else(|| panic!("{s} missing or out of order:\n{sre}"));
            at += found + 1;
        }
        assert!(sre.starts_with(&format!(
            "# Postmortem: incident of {}\n",
            r.zone.local(i.onset.0).format("%Y-%m-%d")
        )));
        assert!(
            sre.contains("- [ ] 78.3% of the failures were 502/504"),
            "{sre}"
        );
        assert!(sre.contains("| `/api/checkout` |"), "{sre}");
        assert!(sre.contains("TODO"));
        // Timeline entries in the report's zone, the detail as code.
        let first = &i.timeline[0];
        assert!(sre.contains(&format!(
            "- **{}**: {} `{}`",
            r.zone.format_datetime(first.time.0),
            markdown_escape(&first.text),
            first.detail.as_deref().unwrap()
        )));
    }

    #[test]
    fn silence() {
        let r = report(Scenario::Silence);
        assert_eq!(r.incidents.len(), 1);
        let i = &r.incidents[0];
        assert_eq!(i.signals, ["silence"]);
        let missing = thousands(i.impact.missing_requests.unwrap());
        for (name, out) in builtins(&r) {
            assert!(
                out.contains(&r.zone.format_datetime(i.onset.0)),
                "{name}:\n{out}"
            );
            assert!(
                out.contains("Nothing") && out.contains("logged by `x`"),
                "{name}:\n{out}"
            );
            assert!(
                out.to_lowercase()
                    .contains(&format!("about {missing} entries")),
                "{name}:\n{out}"
            );
            assert!(!out.contains("0 of 4 requests"), "{name}:\n{out}");
        }
        let sre = render(&r, builtin("google-sre").unwrap()).unwrap();
        assert!(sre.contains("the entries stopped"), "{sre}");
        assert!(sre.contains("- [ ] Alert on absent traffic"), "{sre}");
    }

    #[test]
    fn quiet() {
        let r = report(Scenario::Quiet);
        assert!(r.incidents.is_empty());
        let requests = thousands(r.totals.requests);
        for (name, out) in builtins(&r) {
            assert!(out.contains("No incident"), "{name}:\n{out}");
            assert!(out.contains(&requests), "{name}:\n{out}");
        }
        let sre = render(&r, builtin("google-sre").unwrap()).unwrap();
        assert!(sre.starts_with("# Postmortem: no incident found\n"));
        assert!(sre.contains("\n## Summary\n") && sre.contains("\n## Supporting information\n"));
        assert!(!sre.contains("## Timeline"), "{sre}");
    }

    #[test]
    fn two_incidents() {
        let r = report(Scenario::TwoIncidents);
        assert_eq!(r.incidents.len(), 2);
        for (name, out) in builtins(&r) {
            for i in &r.incidents {
                let onset = r.zone.format_datetime(i.onset.0);
                assert!(
                    out.contains(&format!("Incident {}", i.id)),
                    "{name}:\n{out}"
                );
                assert!(out.contains(&onset), "{name}:\n{out}");
                assert!(out.contains(&thousands(i.impact.failed)), "{name}:\n{out}");
            }
        }
        let sre = render(&r, builtin("google-sre").unwrap()).unwrap();
        assert!(sre.starts_with("# Postmortem: 2 incidents\n"));
        assert!(sre.contains("| # | Start | End |"), "{sre}");
        // One subsection per incident in each per-incident section.
        assert_eq!(sre.matches("### Incident 2 (").count(), 8, "{sre}");
    }

    #[test]
    fn every_scenario_renders() {
        // No input lines at all.
        let empty = builtins(&analyze(Vec::new()));
        assert!(
            empty[0].1.contains("No requests were analysed"),
            "{}",
            empty[0].1
        );
        for scenario in Scenario::ALL {
            let r = report(scenario);
            for (name, out) in builtins(&r) {
                for i in &r.incidents {
                    let onset = r.zone.format_datetime(i.onset.0);
                    assert!(out.contains(&onset), "{scenario:?} {name}:\n{out}");
                }
            }
        }
    }

    #[test]
    fn ongoing() {
        // The log cut in the middle of the incident.
        let (bytes, truth) = log(Scenario::Spike);
        let t = &truth.incidents[0];
        let cut = t.onset + (t.resolved - t.onset) / 2;
        let text = String::from_utf8(bytes).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| line_time(l) <= cut)
            .map(|l| format!("{l}\n"))
            .collect();
        let r = analyze(kept.into_bytes());
        assert_eq!(r.incidents.len(), 1);
        assert!(r.incidents[0].resolved.is_none());
        let outs = builtins(&r);
        assert!(outs[0].1.contains("still going on"), "{}", outs[0].1);
        assert!(outs[0]
            .1
            .contains("Ongoing: the logs end before the incident did."));
        assert!(outs[1].1.contains("**still going on**"), "{}", outs[1].1);
    }

    #[test]
    fn hostile_path_is_escaped() {
        let (bytes, _) = log(Scenario::Spike);
        let r = analyze(with_failing_path(&bytes, HOSTILE));
        let top = &r.incidents[0].impact.top_paths[0];
        assert_eq!(top.path, HOSTILE);
        for (name, out) in builtins(&r) {
            assert!(!out.contains("a`b"), "{name}: raw backtick:\n{out}");
            assert!(!outside_code(&out).contains("<script>"), "{name}:\n{out}");
            // Only ever inside a code span, its pipe escaped in table cells.
            let plain = "`/a\u{fffd}b|c<script>`";
            let cell = "`/a\u{fffd}b\\|c<script>`";
            assert!(out.contains(plain) || out.contains(cell), "{name}:\n{out}");
            let spans = out.matches(plain).count() + out.matches(cell).count();
            assert_eq!(out.matches("<script>").count(), spans, "{name}:\n{out}");
            for line in out.lines().filter(|l| l.contains(cell)) {
                assert!(line.starts_with('|') || line.starts_with("  |"), "{line}");
            }
            for line in out.lines().filter(|l| l.contains(plain)) {
                assert!(
                    !line.trim_start().starts_with('|'),
                    "{name}: pipe in a table: {line}"
                );
            }
        }
    }

    #[test]
    fn changes_and_event_logs_are_escaped() {
        // A silence, with a hostile operator command before it and a restart before recovery.
        let (access, truth) = log(Scenario::Silence);
        let t = &truth.incidents[0];
        let stamp = crate::time::rfc3339;
        let syslog = format!(
            "{} web1 CRON[1]: (root) CMD (true)\n\
             {} web1 sudo:   deploy : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/echo `id` | tee <x>\n\
             {} web1 sudo:   alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n\
             {} web1 CRON[2]: (root) CMD (true)\n",
            stamp(truth.first + 60),
            stamp(t.onset - 600),
            stamp(t.resolved - 20),
            stamp(truth.last - 60),
        );
        // An application log: a new error with markup in it during the silence.
        let mut app = String::new();
        for s in (truth.first..truth.last).step_by(30) {
            let (level, msg) = if (t.onset..t.resolved).contains(&s) {
                (
                    "error",
                    format!(
                        "upstream `db` failed | retry <b>{}</b> [x](http://e)",
                        s % 7
                    ),
                )
            } else {
                ("info", format!("tick {s}"))
            };
            app.push_str(&format!(
                "{{\"time\":\"{}\",\"level\":\"{level}\",\"logger\":\"api|v2\",\"msg\":\"{msg}\"}}\n",
                stamp(s)
            ));
        }
        let config = crate::cli::Cli::try_parse_from(["hindsight", "report", "x"])
            .unwrap()
            .into_config()
            .unwrap();
        let r = crate::analyze(
            &config,
            &[
                crate::input::Source::from_bytes("access.log", access),
                crate::input::Source::from_bytes("sys.log", syslog.into_bytes()),
                crate::input::Source::from_bytes("app.log", app.into_bytes()),
            ],
        )
        .unwrap();
        assert_eq!(r.incidents.len(), 1, "{}", r.to_json());
        let i = &r.incidents[0];
        assert_eq!(i.changes.before_onset.len(), 1, "{}", r.to_json());
        assert_eq!(i.changes.before_recovery.len(), 1, "{}", r.to_json());
        for (name, out) in builtins(&r) {
            let outside = outside_code(&out);
            for raw in ["<b>", "<x>", "[x](", "api|v2"] {
                assert!(
                    !outside.contains(raw),
                    "{name}: {raw} outside code:\n{outside}"
                );
            }
            assert!(
                out.contains("echo \u{fffd}id\u{fffd} | tee <x>`"),
                "{name}:\n{out}"
            );
            assert!(out.contains("systemctl restart nginx`"), "{name}:\n{out}");
        }
        let sre = render(&r, builtin("google-sre").unwrap()).unwrap();
        assert!(sre.contains("10 min before onset"), "{sre}");
        assert!(sre.contains("20 s before it ended"), "{sre}");
        assert!(sre.contains("`api\\|v2`"), "{sre}");
    }

    #[test]
    fn user_template() {
        let r = report(Scenario::Spike);
        assert_eq!(
            render(&r, "{{ incidents | length }} incidents").unwrap(),
            "1 incidents"
        );
        let i = &r.incidents[0];
        let out = render(
            &r,
            "{% for i in incidents %}{{ i.onset | local }}|{{ localtime(i.onset, '%H:%M %Z') }}|\
             {{ i.duration_s | duration }}|{{ i.impact.failed_ratio | percent }}|\
             {{ i.impact.failed | thousands }}|{{ i.resolved | epoch - i.onset | epoch }}\
             {% endfor %}|{{ none | local }}|{{ none | duration }}",
        )
        .unwrap();
        assert_eq!(
            out,
            format!(
                "{}|{} UTC+01:00|{}|{}|{}|{}|—|—",
                r.zone.format_datetime(i.onset.0),
                r.zone.local(i.onset.0).format("%H:%M"),
                human_duration(i.duration_s.unwrap()),
                percent(i.impact.failed_ratio),
                thousands(i.impact.failed),
                i.duration_s.unwrap()
            )
        );
        // A misspelt field is an error, in a filter too; `none` is not.
        for t in [
            "{{ incidents[0].resolvd }}",
            "{{ incidents[0].resolvd | local }}",
            "{{ nope | md }}",
        ] {
            let e = render(&r, t).unwrap_err();
            assert!(format!("{e:#}").contains("undefined"), "{t}: {e:#}");
        }
        assert_eq!(render(&r, "[{{ none | md }}]").unwrap(), "[]");
    }

    #[test]
    fn filters() {
        assert_eq!(markdown_escape(HOSTILE), r"/a\`b\|c\<script\>");
        assert_eq!(code_text(HOSTILE), "/a\u{fffd}b|c<script>");
        assert_eq!(code_text(""), "(empty)");
        assert_eq!(prose("x `a|b` y_z"), r"x `a|b` y\_z");
        assert_eq!(prose("odd ` one *"), r"odd \` one \*");
        assert_eq!(prose("`a\u{1b}`"), "`a\u{fffd}`");
        let zone = Zone::parse("Europe/Paris").unwrap();
        assert_eq!(
            strftime(&zone, 1_795_860_000, "%d %b %H:%M %Z %%Z").unwrap(),
            "28 Nov 11:00 CET %Z"
        );
        assert!(strftime(&zone, 0, "%Q").is_err());
    }

    #[test]
    fn filters_escape_in_templates() {
        let r = report(Scenario::Quiet);
        let out = render(
            &r,
            "{% set s = \"/a`b|c<script>\" %}{{ s | md }} {{ s | code }} \
             {{ s | code(table=true) }} {{ '' | code }} [{{ none | md }}]",
        )
        .unwrap();
        assert_eq!(
            out,
            "/a\\`b\\|c\\<script\\> `/a\u{fffd}b|c<script>` `/a\u{fffd}b\\|c<script>` `(empty)` []"
        );
    }

    #[test]
    fn errors_name_the_line() {
        let r = report(Scenario::Quiet);
        let e = render(&r, "# Title\n\n{% if incidents %}\nopen\n").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.starts_with("template, line 4: syntax error"), "{msg}");
        let e = render(&r, "ok\n{{ totals.nope }}\n").unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.starts_with("template, line 2: undefined value"),
            "{msg}"
        );
        assert!(msg.contains("2 | {{ totals.nope }}"), "{msg}");
        let e = render_named(&r, "mine.md.j2", "a\nb\n{{ first | localtime('%Q') }}").unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.starts_with("mine.md.j2, line 3: invalid operation"),
            "{msg}"
        );
        assert!(msg.contains("invalid format"), "{msg}");
        let e = render(&r, "{{ 'soon' | local }}").unwrap_err();
        assert!(format!("{e:#}").contains("not an RFC 3339 time"), "{e:#}");
    }
}
