//! The JSON report against its published schema, `docs/report.schema.json` (draft-07): real
//! output of the binary over the sample logs, every generator scenario, an application log,
//! empty inputs and `--since` past the data must validate, and corrupted copies of each (a field
//! renamed, a time without `Z`, ...) must not, so a test that passes proves the schema is
//! checking something. The schema itself is checked for strictness, for enums that match the
//! code, and against docs/report.md.

use crate::util::*;
use hindsight::detect::Signal;
use hindsight::format::kind::Format;
use hindsight::generate::{GenConfig, Scenario};
use hindsight::notable::Kind;
use jsonschema::{Draft, JSONSchema};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SCHEMA: &str = include_str!("../docs/report.schema.json");
const DOC: &str = include_str!("../docs/report.md");
const T0: i64 = 1_795_860_000; // 2026-11-28T10:00:00Z

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("docs/report.schema.json is JSON")
}

/// The schema's complaints about a report, one line each (empty: valid).
fn errors(report: &Value) -> Vec<String> {
    let schema = schema();
    let compiled = JSONSchema::options()
        .with_draft(Draft::Draft7)
        .compile(&schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"));
    let result = compiled.validate(report);
    match result {
        Ok(()) => Vec::new(),
        Err(errs) => errs.map(|e| format!("{}: {e}", e.instance_path)).collect(),
    }
}

fn assert_valid(report: &Value, what: &str) {
    let errs = errors(report);
    assert!(
        errs.is_empty(),
        "{what}: the report does not match docs/report.schema.json:\n{}\n{report:#}",
        errs.join("\n")
    );
}

fn assert_rejected(report: &Value, what: &str) {
    assert!(
        !errors(report).is_empty(),
        "the schema accepts a corrupted report ({what}):\n{report:#}"
    );
}

/// Renames `from` to `to` in the object at `pointer`.
fn rename(v: &mut Value, pointer: &str, from: &str, to: &str) {
    let obj = v
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {pointer}"));
    let x = obj
        .remove(from)
        .unwrap_or_else(|| panic!("no {from} at {pointer}"));
    obj.insert(to.to_string(), x);
}

/// JSON pointers of every non-null time in the report.
fn time_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            if b.len() == 20 && b[4] == b'-' && b[10] == b'T' && b[19] == b'Z' {
                out.push(at);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                time_pointers(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                time_pointers(x, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// Corrupted copies of a report, each of which the schema must reject: the generic ones, and
/// those that reach into what this report holds (sources, incidents, signatures, changes).
fn corruptions(report: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut push = |what: &str, f: &dyn Fn(&mut Value)| {
        let mut v = report.clone();
        f(&mut v);
        out.push((what.to_string(), v));
    };
    push("top-level field renamed", &|v| {
        rename(v, "", "totals", "total")
    });
    push("top-level field missing", &|v| {
        v.as_object_mut().unwrap().remove("series");
    });
    push("unknown top-level field", &|v| {
        v["schema_version"] = json!(1)
    });
    push("version not a string", &|v| v["version"] = json!(1));
    push("count as a string", &|v| {
        v["totals"]["requests"] = json!("12")
    });
    push("negative count", &|v| v["totals"]["s5xx"] = json!(-1));
    push("ratio as a percentage", &|v| {
        v["baseline"]["error_ratio"] = json!(42.0)
    });
    push("threshold source outside its enum", &|v| {
        v["thresholds"]["latency_threshold_source"] = json!("manual")
    });
    push("series value not a number", &|v| {
        v["series"]["latency_p95_ms"] = json!(["fast"])
    });
    push("series start without Z", &|v| {
        v["series"]["start"] = json!("2026-11-28T10:00:00")
    });
    push("warning not a string", &|v| {
        v["warnings"] = json!([{"text": "x"}])
    });

    let mut times = Vec::new();
    time_pointers(report, String::new(), &mut times);
    if let Some(p) = times.first() {
        let t = report.pointer(p).unwrap().as_str().unwrap().to_string();
        let no_z = t.trim_end_matches('Z').to_string();
        let offset = format!("{no_z}+00:00");
        let fraction = format!("{no_z}.250Z");
        let space = t.replacen('T', " ", 1);
        for (what, bad) in [
            ("a time without Z", no_z),
            ("a time with +00:00", offset),
            ("a time with fractional seconds", fraction),
            ("a time with a space for T", space),
        ] {
            push(&format!("{what} at {p}"), &|v| {
                *v.pointer_mut(p).unwrap() = json!(bad)
            });
        }
    } else {
        push("a time without Z", &|v| {
            v["first"] = json!("2026-11-28T10:00:00")
        });
    }

    if report["sources"].as_array().is_some_and(|s| !s.is_empty()) {
        push("source field renamed", &|v| {
            rename(v, "/sources/0", "lines", "line_count")
        });
        push("source field missing", &|v| {
            v["sources"][0].as_object_mut().unwrap().remove("skipped");
        });
        push("source format outside its enum", &|v| {
            v["sources"][0]["format"] = json!("nginx")
        });
        push("source boolean as a string", &|v| {
            v["sources"][0]["latency_logged"] = json!("no")
        });
        push("first skipped line 0", &|v| {
            v["sources"][0]["first_skipped_line"] = json!(0)
        });
    }

    if report["incidents"]
        .as_array()
        .is_some_and(|i| !i.is_empty())
    {
        push("incident field renamed", &|v| {
            rename(v, "/incidents/0", "resolved", "resolved_at")
        });
        push("unknown signal", &|v| {
            v["incidents"][0]["signals"] = json!(["5XX"])
        });
        push("no signal", &|v| v["incidents"][0]["signals"] = json!([]));
        push("unknown timeline kind", &|v| {
            v["incidents"][0]["timeline"][0]["kind"] = json!("outage")
        });
        push("timeline entry field renamed", &|v| {
            rename(v, "/incidents/0/timeline/0", "detail", "details")
        });
        push("repeats 0", &|v| {
            v["incidents"][0]["timeline"][0]["repeats"] = json!(0)
        });
        push("impact field renamed", &|v| {
            rename(v, "/incidents/0/impact", "failed", "errors")
        });
        push("ratio above 1", &|v| {
            v["incidents"][0]["peak"]["error_ratio"] = json!(1.5)
        });
        push("duration as a float", &|v| {
            v["incidents"][0]["time_to_detect_s"] = json!(1.5)
        });
        push("percentiles with an extra field", &|v| {
            v["incidents"][0]["impact"]["latency_ms"] =
                json!({"p50": 1.0, "p95": 2.0, "p99": 3.0, "p999": 4.0})
        });
        push("status out of range", &|v| {
            v["incidents"][0]["impact"]["statuses"] = json!([{"status": 999, "count": 1}])
        });
        push("a failure among the changes", &|v| {
            v["incidents"][0]["changes"]["before_onset"] = json!([{
                "time": "2026-11-28T10:00:00Z", "source": "syslog", "kind": "oom-kill",
                "text": "Out of memory (kernel):", "detail": null, "repeats": 1
            }])
        });
    }
    let has_signature = report["incidents"].as_array().is_some_and(|i| {
        i.iter()
            .any(|x| x["signatures"].as_array().is_some_and(|s| !s.is_empty()))
    });
    if has_signature {
        let k = report["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| !x["signatures"].as_array().unwrap().is_empty())
            .unwrap();
        push("signature id not hex", &|v| {
            v["incidents"][k]["signatures"][0]["id"] = json!("XYZ")
        });
        push("signature field renamed", &|v| {
            rename(v, &format!("/incidents/{k}/signatures/0"), "new", "is_new")
        });
    }
    out
}

/// What the schema cannot say but docs/report.md promises.
fn assert_contract(v: &Value, what: &str) {
    for s in v["sources"].as_array().unwrap() {
        let n = |k: &str| s[k].as_u64().unwrap();
        assert_eq!(n("lines"), n("parsed") + n("skipped"), "{what}: {s}");
        assert!(n("continuation") <= n("parsed"), "{what}: {s}");
        assert!(n("out_of_range") <= n("parsed"), "{what}: {s}");
    }
    let series = &v["series"];
    let len = series["requests"].as_array().unwrap().len();
    for k in ["bad", "s5xx", "s4xx", "slow", "latency_p95_ms"] {
        assert_eq!(
            series[k].as_array().unwrap().len(),
            len,
            "{what}: series.{k}"
        );
    }
    assert_eq!(series["start"].is_null(), len == 0, "{what}: series.start");
    for inc in v["incidents"].as_array().unwrap() {
        let onset = secs(&inc["onset"]).unwrap();
        match secs(&inc["resolved"]) {
            None => {
                assert!(inc["duration_s"].is_null(), "{what}: {inc}");
                assert!(inc["time_to_resolve_s"].is_null(), "{what}: {inc}");
                assert_eq!(inc["resolution_confirmed"], false, "{what}: {inc}");
            }
            Some(r) => {
                assert_eq!(inc["duration_s"].as_i64(), Some(r - onset), "{what}: {inc}");
                assert_eq!(inc["time_to_resolve_s"], inc["duration_s"], "{what}: {inc}");
            }
        }
        let times: Vec<i64> = inc["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| secs(&e["time"]).unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{what}: timeline order"
        );
    }
}

/// The report validates, keeps the contract, and none of its corrupted copies validates.
pub(crate) fn check(report: &Value, what: &str) {
    assert_valid(report, what);
    assert_contract(report, what);
    let bad = corruptions(report);
    assert!(bad.len() >= 15, "{what}: too few corruptions tried");
    for (how, v) in &bad {
        assert_rejected(v, &format!("{what}: {how}"));
    }
}

fn path_str(p: &std::path::Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn the_nginx_down_sample_matches_the_schema() {
    let v = report_json(&[
        "sample-logs/nginx-down.access.log",
        "sample-logs/nginx-down.syslog",
    ]);
    let inc = v["incidents"].as_array().unwrap();
    assert!(!inc.is_empty(), "{v}");
    // The sample exercises notable kinds and changes: the schema's enums are really used.
    let kinds: BTreeSet<&str> = inc
        .iter()
        .flat_map(|i| i["timeline"].as_array().unwrap())
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        kinds.contains("oom-kill") && kinds.contains("onset"),
        "{kinds:?}"
    );
    assert!(!inc[0]["changes"]["before_onset"]
        .as_array()
        .unwrap()
        .is_empty());
    check(&v, "nginx-down");
}

#[test]
fn every_generated_scenario_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in Scenario::ALL {
        let (path, truth) = write_log(
            dir.path(),
            &format!("{scenario}.log"),
            &GenConfig::new(scenario, 1),
        );
        let v = report_json(&[path_str(&path)]);
        if scenario.has_incident() {
            assert!(
                !v["incidents"].as_array().unwrap().is_empty(),
                "{scenario}: {truth:?}"
            );
        }
        check(&v, scenario.name());
    }
    // Options that change what the fields hold: an IANA zone, a fixed latency threshold, a
    // bigger bucket.
    let (path, _) = write_log(dir.path(), "spike.log", &GenConfig::new(Scenario::Spike, 2));
    let v = report_json(&[
        path_str(&path),
        "--tz",
        "Europe/Paris",
        "--latency-threshold",
        "800ms",
        "--bucket",
        "5m",
    ]);
    assert_eq!(v["timezone"], "Europe/Paris");
    assert_eq!(v["thresholds"]["latency_threshold_source"], "fixed");
    check(&v, "spike with --tz, --latency-threshold and --bucket");
}

/// An application log (JSON lines): a steady trickle of a known error, a burst of a new one
/// from `onset` until `end`, and a Python traceback (continuation lines) in the burst.
fn app_log(onset: i64, end: i64, until: i64) -> String {
    let mut log = String::new();
    for t in T0..until {
        let s = t - T0;
        let (level, msg) = if (onset..end).contains(&t) && s % 2 == 0 {
            (
                "error",
                format!(
                    "could not acquire connection from pool db-main after {}ms",
                    3000 + s % 17
                ),
            )
        } else if s % 97 == 0 {
            (
                "error",
                format!("payment provider returned 402 for order {}", 1000 + s),
            )
        } else {
            ("info", format!("order {s} placed"))
        };
        log.push_str(&format!(
            "{{\"time\":\"{}\",\"level\":\"{level}\",\"logger\":\"orders\",\"msg\":\"{msg}\"}}\n",
            hindsight::time::rfc3339(t)
        ));
        if t == onset + 100 {
            log.push_str("Traceback (most recent call last):\n  File \"api.py\", line 3, in <module>\nConnectionRefusedError: [Errno 111] Connection refused\n");
        }
    }
    log
}

#[test]
fn an_application_log_incident_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let onset = T0 + 5400;
    std::fs::write(&path, app_log(onset, onset + 600, T0 + 3 * 3600)).unwrap();
    let v = report_json(&[path_str(&path)]);
    let inc = &v["incidents"][0];
    assert_eq!(inc["signals"], json!(["errors"]), "{v}");
    assert!(!inc["signatures"].as_array().unwrap().is_empty(), "{inc}");
    assert!(
        !inc["impact"]["top_errors"].as_array().unwrap().is_empty(),
        "{inc}"
    );
    assert_eq!(v["sources"][0]["format"], "json-lines");
    assert_eq!(v["sources"][0]["continuation"], 3);
    check(&v, "application log");
}

#[test]
fn an_ongoing_incident_has_null_resolution_and_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let end = T0 + 2 * 3600;
    // The burst goes on until the log ends.
    std::fs::write(&path, app_log(T0 + 5400, end, end)).unwrap();
    let v = report_json(&[path_str(&path)]);
    let inc = &v["incidents"][0];
    assert!(inc["resolved"].is_null(), "{inc}");
    assert!(inc["duration_s"].is_null(), "{inc}");
    check(&v, "ongoing incident");
}

#[test]
fn an_empty_file_and_dev_null_match_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let mut inputs = vec![path_str(&empty).to_string()];
    if std::path::Path::new("/dev/null").exists() {
        inputs.push("/dev/null".to_string());
    }
    for input in &inputs {
        let v = report_json(&[input]);
        assert_eq!(v["sources"][0]["lines"], 0, "{v}");
        assert_eq!(v["sources"][0]["format"], "unknown", "{v}");
        assert!(
            v["first"].is_null() && v["series"]["start"].is_null(),
            "{v}"
        );
        assert_eq!(v["incidents"], json!([]));
        check(&v, input);
    }
}

#[test]
fn a_report_with_since_after_all_data_matches_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = write_log(dir.path(), "spike.log", &GenConfig::new(Scenario::Spike, 1));
    let v = report_json(&[path_str(&path), "--since", "2030-01-01T00:00:00Z"]);
    let s = &v["sources"][0];
    assert!(s["parsed"].as_u64().unwrap() > 0, "{s}");
    assert_eq!(s["out_of_range"], s["parsed"], "{s}");
    assert!(v["first"].is_null() && v["last"].is_null(), "{v}");
    assert_eq!(v["series"]["requests"], json!([]));
    check(&v, "--since after all data");
}

/// Every subschema of the schema, with where it is.
fn subschemas<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(o) => {
            out.push((at.clone(), v));
            for (k, x) in o {
                subschemas(x, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                subschemas(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn enum_of<'a>(schema: &'a Value, pointer: &str) -> BTreeSet<&'a str> {
    schema
        .pointer(pointer)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no enum at {pointer}"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// Every notable kind; a new variant fails to compile here until it is added (and to the
/// schema's enums, which the test below then checks).
fn every_kind() -> Vec<Kind> {
    use Kind::*;
    let all = [
        OomKill,
        Crash,
        DiskFull,
        IoError,
        ServiceFailed,
        ServiceStopped,
        ServiceStarted,
        Reload,
        Reboot,
        Package,
        Deploy,
        Sudo,
        Login,
    ];
    for k in all {
        match k {
            OomKill | Crash | DiskFull | IoError | ServiceFailed | ServiceStopped
            | ServiceStarted | Reload | Reboot | Package | Deploy | Sudo | Login => {}
        }
    }
    all.to_vec()
}

/// Every signal, likewise.
fn every_signal() -> Vec<Signal> {
    let all = [
        Signal::Errors5xx,
        Signal::Latency,
        Signal::Errors,
        Signal::Silence,
    ];
    for s in all {
        match s {
            Signal::Errors5xx | Signal::Latency | Signal::Errors | Signal::Silence => {}
        }
    }
    all.to_vec()
}

#[test]
fn the_schema_is_strict_and_its_enums_match_the_code() {
    let schema = schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    // Compiling checks the schema against the draft-07 meta-schema.
    JSONSchema::options()
        .with_draft(Draft::Draft7)
        .compile(&schema)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"));

    let mut all = Vec::new();
    subschemas(&schema, String::new(), &mut all);
    let mut objects = 0;
    for (at, s) in &all {
        if s.get("type") != Some(&json!("object")) {
            continue;
        }
        objects += 1;
        let props = s["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{at}: an object without properties"));
        assert_eq!(
            s.get("additionalProperties"),
            Some(&json!(false)),
            "{at}: additionalProperties must be false"
        );
        let required: BTreeSet<&str> = s["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{at}: no required"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let names: BTreeSet<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(required, names, "{at}: every field is always emitted");
        for (name, p) in props {
            let d = p["description"].as_str().unwrap_or("");
            assert!(d.len() >= 10, "{at}/properties/{name}: no description");
            assert!(
                ["type", "allOf", "anyOf", "$ref"]
                    .iter()
                    .any(|k| p.get(*k).is_some()),
                "{at}/properties/{name}: no type"
            );
        }
    }
    assert!(objects >= 17, "only {objects} object schemas found");

    // Every time is a string with the YYYY-MM-DDTHH:MM:SSZ pattern.
    for def in ["time", "nullableTime"] {
        let p = schema["definitions"][def]["pattern"].as_str().unwrap();
        assert!(
            p.starts_with("^[0-9]{4}-") && p.ends_with(":[0-5][0-9]Z$"),
            "{p}"
        );
    }

    let timeline = enum_of(&schema, "/definitions/timelineEntry/properties/kind/enum");
    let mut want: BTreeSet<&str> = ["onset", "detected", "peak", "mitigated", "resolved"].into();
    want.extend(every_kind().into_iter().map(Kind::name));
    assert_eq!(timeline, want, "timeline kinds");
    // And every kind has a rule that gives it.
    for k in every_kind() {
        assert!(
            hindsight::notable::RULES.iter().any(|r| r.kind == k),
            "{k:?}"
        );
    }
    let changes = enum_of(
        &schema,
        "/definitions/changeEntry/allOf/1/properties/kind/enum",
    );
    let want: BTreeSet<&str> = every_kind()
        .into_iter()
        .filter(|k| k.is_change())
        .map(Kind::name)
        .collect();
    assert_eq!(changes, want, "change kinds");

    let signals = enum_of(
        &schema,
        "/definitions/incident/properties/signals/items/enum",
    );
    let want: BTreeSet<&str> = every_signal().into_iter().map(Signal::name).collect();
    assert_eq!(signals, want, "signals");

    let formats = enum_of(&schema, "/definitions/source/properties/format/enum");
    let mut want: BTreeSet<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    want.insert("unknown");
    // Sources read from a ClickHouse table (`report --clickhouse`).
    want.insert("clickhouse");
    assert_eq!(formats, want, "source formats");
}

#[test]
fn docs_report_md_documents_every_field_of_the_schema() {
    let schema = schema();
    let mut all = Vec::new();
    subschemas(&schema, String::new(), &mut all);
    let mut missing = BTreeSet::new();
    for (_, s) in &all {
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for name in props.keys() {
                if !DOC.contains(&format!("| `{name}` |")) {
                    missing.insert(name.clone());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/report.md has no table row for: {missing:?}"
    );
    // The example in the documentation is a real incident object, spelled as the schema
    // spells it.
    let start = DOC
        .find("```json\n")
        .expect("docs/report.md has a JSON example")
        + 8;
    let len = DOC[start..].find("```").expect("the JSON example ends");
    let example: Value =
        serde_json::from_str(&DOC[start..start + len]).expect("the example is JSON");
    let mut incident = schema.clone();
    let root = incident.as_object_mut().unwrap();
    for k in ["type", "required", "properties", "additionalProperties"] {
        root.remove(k);
    }
    root.insert("allOf".into(), json!([{"$ref": "#/definitions/incident"}]));
    let compiled = JSONSchema::options()
        .with_draft(Draft::Draft7)
        .compile(&incident)
        .unwrap();
    let errs: Vec<String> = match compiled.validate(&example) {
        Ok(()) => Vec::new(),
        Err(e) => e.map(|e| format!("{}: {e}", e.instance_path)).collect(),
    };
    assert!(errs.is_empty(), "the example in docs/report.md: {errs:?}");
    let mut renamed = example.clone();
    rename(&mut renamed, "", "onset", "started");
    assert!(
        !compiled.is_valid(&renamed),
        "the incident schema accepts a renamed field"
    );
}
