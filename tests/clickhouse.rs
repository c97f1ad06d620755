//! `report --clickhouse` and `ingest` against real ClickHouse servers (started by
//! `scripts/clickhouse.sh start`; `.ci/run` does it): the report read from a `Distributed`
//! table over two shards equals the local report of the same files, and bad input gives a
//! one-line error naming the problem.
//!
//! The servers are found through HINDSIGHT_CLICKHOUSE_URL (shard 1) and
//! HINDSIGHT_CLICKHOUSE_URL2 (shard 2; both shards form the cluster `hindsight`). Without
//! them these tests skip, saying so, unless HINDSIGHT_CLICKHOUSE_REQUIRED=1 (set by CI), when
//! skipping is a failure.

use crate::util::*;
use hindsight::clickhouse::http::{Client, Endpoint};
use hindsight::generate::{GenConfig, Scenario, Truth};
use serde_json::Value;
use std::path::Path;

/// The two shards' URLs, or `None` (with a message) when the tests must skip.
fn servers(test: &str) -> Option<(String, String)> {
    let urls = (
        std::env::var("HINDSIGHT_CLICKHOUSE_URL").ok(),
        std::env::var("HINDSIGHT_CLICKHOUSE_URL2").ok(),
    );
    match urls {
        (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => Some((a, b)),
        _ => {
            let msg = format!("{test}: skipped: no ClickHouse servers (start them with `scripts/clickhouse.sh start` and set HINDSIGHT_CLICKHOUSE_URL and HINDSIGHT_CLICKHOUSE_URL2)");
            assert!(
                std::env::var_os("HINDSIGHT_CLICKHOUSE_REQUIRED").is_none(),
                "{msg}, but HINDSIGHT_CLICKHOUSE_REQUIRED is set"
            );
            eprintln!("{msg}");
            None
        }
    }
}

fn sql(url: &str, q: &str) -> String {
    let c = Client::new(Endpoint::parse(url, None).unwrap());
    String::from_utf8(c.query("test", q).unwrap_or_else(|e| panic!("{q}: {e:#}"))).unwrap()
}

/// A fresh database on both shards, named after the test.
fn fresh_db(urls: &[&str], name: &str) -> String {
    let db = format!("hs_{name}_{}", std::process::id());
    for u in urls {
        sql(u, &format!("DROP DATABASE IF EXISTS {db}"));
    }
    db
}

fn ingest(url: &str, table: &str, host: &str, files: &[&str]) -> String {
    let out = bin()
        .args([
            "ingest",
            "--clickhouse",
            url,
            "--table",
            table,
            "--host",
            host,
            "--create",
        ])
        .args(files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "ingest failed: {stderr}");
    stderr
}

/// An ISO-stamped syslog with an OOM kill and an nginx restart around `at`, and noise.
fn syslog(host: &str, at: i64) -> String {
    let stamp = |t: i64| hindsight::time::rfc3339(t).replace('Z', "+00:00");
    let mut s = String::new();
    for k in 0..120 {
        let t = at - 3600 + k * 60;
        s.push_str(&format!(
            "{} {host} CRON[{}]: (root) CMD (run-parts /etc/cron.hourly)\n",
            stamp(t),
            1000 + k
        ));
        if t == at - 120 {
            s.push_str(&format!("{} {host} kernel: [12345.6] Out of memory: Killed process 4242 (nginx) total-vm:1234kB\n", stamp(t + 1)));
            s.push_str(&format!(
                "{} {host} systemd[1]: nginx.service: Main process exited, code=killed, status=9/KILL\n",
                stamp(t + 2)
            ));
        }
        if t == at + 600 {
            s.push_str(&format!("{} {host} sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx\n", stamp(t + 5)));
        }
    }
    s
}

/// An application log: a trickle of an old error, and a burst of a new one from `at`.
fn app_log(at: i64, minutes: i64) -> String {
    let mut s = String::new();
    for k in 0..(3 * 3600) {
        let t = at - 5400 + k;
        let line = if (at..at + minutes * 60).contains(&t) && k % 3 == 0 {
            format!("{{\"time\":\"{}\",\"level\":\"error\",\"logger\":\"orders\",\"msg\":\"upstream db-main timed out after {}ms\"}}", hindsight::time::rfc3339(t), 3000 + k % 17)
        } else if k % 211 == 0 {
            format!("{{\"time\":\"{}\",\"level\":\"error\",\"logger\":\"orders\",\"msg\":\"card declined for order {}\"}}", hindsight::time::rfc3339(t), k)
        } else if k % 10 == 0 {
            format!("{{\"time\":\"{}\",\"level\":\"info\",\"logger\":\"orders\",\"msg\":\"order {} placed\"}}", hindsight::time::rfc3339(t), k)
        } else {
            continue;
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// Every string `webN:PATH` (a ClickHouse source name) as `PATH`, the local name.
fn local_names(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Some((h, rest)) = s.split_once(':') {
                if h.starts_with("web") && rest.starts_with('/') {
                    *s = rest.to_string();
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(local_names),
        Value::Object(o) => o.values_mut().for_each(local_names),
        _ => {}
    }
}

struct Fleet {
    _dir: tempfile::TempDir,
    files: Vec<String>,
    truths: Vec<Truth>,
}

/// Two hosts' logs: web1 an access log with a 5xx spike, an app log and a syslog; web2 an
/// access log with a latency incident. Named so that the local order is host, then name.
fn fleet() -> Fleet {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg1 = GenConfig::new(Scenario::Spike, 11);
    cfg1.minutes = 150;
    let (a1, t1) = write_log(dir.path(), "web1-access.log", &cfg1);
    let mut cfg2 = GenConfig::new(Scenario::Latency, 12);
    cfg2.minutes = 150;
    cfg2.utc_offset_min = 0;
    let (a2, t2) = write_log(dir.path(), "web2-access.log", &cfg2);
    let onset = t1.incidents[0].onset;
    let app = dir.path().join("web1-app.log");
    std::fs::write(&app, app_log(onset, 6)).unwrap();
    let sys = dir.path().join("web1-syslog.log");
    std::fs::write(&sys, syslog("web1", onset)).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();
    Fleet {
        files: vec![path(&a1), path(&app), path(&sys), path(&a2)],
        truths: vec![t1, t2],
        _dir: dir,
    }
}

#[test]
fn distributed_report_equals_the_local_scan() {
    let Some((u1, u2)) = servers("distributed_report_equals_the_local_scan") else {
        return;
    };
    let db = fresh_db(&[&u1, &u2], "equal");
    let f = fleet();
    let local_table = format!("{db}.logs_local");
    let said = ingest(
        &u1,
        &local_table,
        "web1",
        &[&f.files[0], &f.files[1], &f.files[2]],
    );
    assert!(said.contains("0 lines skipped"), "{said}");
    ingest(&u2, &local_table, "web2", &[&f.files[3]]);
    sql(
        &u1,
        &format!("CREATE TABLE {db}.logs AS {local_table} ENGINE = Distributed(hindsight, {db}, logs_local)"),
    );
    let files: Vec<&str> = f.files.iter().map(String::as_str).collect();
    let local = report_json(
        &["--tz", "UTC"]
            .iter()
            .copied()
            .chain(files.iter().copied())
            .collect::<Vec<_>>(),
    );
    let mut remote = report_json(&[
        "--tz",
        "UTC",
        "--clickhouse",
        &u1,
        "--table",
        &format!("{db}.logs"),
    ]);

    crate::schema::check(&remote, "report --clickhouse");
    // The report names the engine and the table.
    let engine = remote["engine"].clone();
    assert_eq!(engine["engine"], "clickhouse");
    assert_eq!(engine["table"], format!("{db}.logs"));
    assert_eq!(engine["hosts"], 2);
    assert!(engine["queries"].as_u64().unwrap() > 4, "{engine}");
    assert!(local["engine"].is_null());

    // Which hosts failed, and which first: web1's spike and web2's slow requests.
    let incidents = remote["incidents"].as_array().unwrap().clone();
    assert!(!incidents.is_empty());
    for inc in &incidents {
        let hosts = inc["hosts"].as_array().expect("per-host breakdown");
        assert_eq!(hosts.len(), 2, "{}", inc["hosts"]);
        let first: Vec<&Value> = hosts.iter().filter(|h| h["failed_first"] == true).collect();
        assert_eq!(first.len(), 1, "{}", inc["hosts"]);
        assert_eq!(first[0]["failed"], true);
        let onset = secs(&inc["onset"]).unwrap();
        let host = first[0]["host"].as_str().unwrap();
        let truth = &f.truths[if host == "web1" { 0 } else { 1 }];
        assert!(
            truth
                .incidents
                .iter()
                .any(|t| (t.onset - onset).abs() <= 120),
            "{host} failed first at {onset}, its truth: {:?}",
            truth.incidents
        );
    }
    let spike = incidents
        .iter()
        .find(|i| (secs(&i["onset"]).unwrap() - f.truths[0].incidents[0].onset).abs() <= 60)
        .expect("web1's spike is found");
    assert!(spike["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["host"] == "web1" && h["failed"] == true));

    // Everything else is the local report, to the second and to the request.
    for inc in remote["incidents"].as_array_mut().unwrap() {
        inc["hosts"] = Value::Array(Vec::new());
    }
    local_names(&mut remote);
    for key in [
        "incidents",
        "series",
        "totals",
        "baseline",
        "thresholds",
        "first",
        "last",
        "timezone",
    ] {
        assert_eq!(
            local[key], remote[key],
            "{key} differs between the local scan and ClickHouse"
        );
    }
    let inc = &local["incidents"][0];
    assert!(inc["impact"]["requests"].as_u64().unwrap() > 0);
    assert!(!local["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["signatures"].as_array().unwrap().is_empty()));
    // Another bucket size and a time range: still the same.
    let since = hindsight::time::rfc3339(f.truths[0].first + 1800);
    let until = hindsight::time::rfc3339(f.truths[0].last - 600);
    let flags = [
        "--tz", "UTC", "--bucket", "2m", "--since", &since, "--until", &until,
    ];
    let local2 = report_json(
        &flags
            .iter()
            .copied()
            .chain(files.iter().copied())
            .collect::<Vec<_>>(),
    );
    let remote_table = format!("{db}.logs");
    let mut remote2 = report_json(
        &flags
            .iter()
            .copied()
            .chain([
                "--clickhouse",
                u1.as_str(),
                "--table",
                remote_table.as_str(),
            ])
            .collect::<Vec<_>>(),
    );
    for inc in remote2["incidents"].as_array_mut().unwrap() {
        inc["hosts"] = Value::Array(Vec::new());
    }
    local_names(&mut remote2);
    assert!(!local2["incidents"].as_array().unwrap().is_empty());
    for key in ["incidents", "series", "totals", "baseline", "thresholds"] {
        assert_eq!(
            local2[key], remote2[key],
            "{key} differs with --bucket 2m --since --until"
        );
    }
    let paths = |v: &Value| -> Vec<String> {
        v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(paths(&local), paths(&remote));
}

#[test]
fn ingest_counts_the_lines_it_cannot_read() {
    let Some((u1, _)) = servers("ingest_counts_the_lines_it_cannot_read") else {
        return;
    };
    let db = fresh_db(&[&u1], "skipped");
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig::new(Scenario::Quiet, 3));
    lines.truncate(500);
    lines.insert(10, b"this is no log line\n".to_vec());
    lines.insert(20, b"\x00\x01 neither \t is this\n".to_vec());
    let path = write(dir.path(), "access.log", &lines);
    let said = ingest(&u1, &format!("{db}.t"), "web9", &[&path]);
    assert!(said.contains("502 lines, 500 rows"), "{said}");
    assert!(
        said.contains("2 lines skipped (not nginx-access; the first at line 11)"),
        "{said}"
    );
    assert_eq!(
        sql(&u1, &format!("SELECT count(), uniqExact(host) FROM {db}.t")).trim(),
        "500\t1"
    );
}

/// Runs `report --clickhouse` with `args` and returns its one-line error.
fn error_of(args: &[&str]) -> String {
    let out = bin().arg("report").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(e.starts_with("hindsight: error: "), "{e}");
    e
}

#[test]
fn an_unreachable_server_is_one_line() {
    // Port 9 on the loopback: nothing listens, whether or not servers run.
    let e = error_of(&["--clickhouse", "http://127.0.0.1:9", "--table", "db.t"]);
    assert!(
        e.contains("ClickHouse at http://127.0.0.1:9: cannot connect"),
        "{e}"
    );
}

#[test]
fn bad_tables_mappings_and_filters_are_one_line() {
    let Some((u1, _)) = servers("bad_tables_mappings_and_filters_are_one_line") else {
        return;
    };
    let db = fresh_db(&[&u1], "bad");
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig::new(Scenario::Quiet, 4));
    lines.truncate(200);
    let path = write(dir.path(), "access.log", &lines);
    ingest(&u1, &format!("{db}.t"), "web1", &[&path]);
    let table = format!("{db}.t");

    let e = error_of(&["--clickhouse", &u1, "--table", &format!("{db}.nope")]);
    assert!(
        e.contains(&format!("table {db}.nope does not exist")),
        "{e}"
    );

    let e = error_of(&[
        "--clickhouse",
        &u1,
        "--table",
        &table,
        "--columns",
        "latency=request_time",
    ]);
    assert!(
        e.contains("has no column `request_time` (for latency)"),
        "{e}"
    );

    let e = error_of(&[
        "--clickhouse",
        &u1,
        "--table",
        &table,
        "--where",
        "no_such_function(status)",
    ]);
    assert!(
        e.contains("reading the buckets") && e.contains("no_such_function"),
        "{e}"
    );

    // A usage error: the table name is checked before anything is sent.
    let out = bin()
        .args(["report", "--clickhouse", &u1, "--table", "t; DROP TABLE x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--table: expected a table name"));
    // The table is still there.
    assert_eq!(
        sql(&u1, &format!("SELECT count() FROM {table}")).trim(),
        "200"
    );
}

#[test]
fn a_password_comes_from_the_environment() {
    let Some((u1, _)) = servers("a_password_comes_from_the_environment") else {
        return;
    };
    let db = fresh_db(&[&u1], "auth");
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines_of(&GenConfig::new(Scenario::Quiet, 5));
    lines.truncate(100);
    let path = write(dir.path(), "access.log", &lines);
    ingest(&u1, &format!("{db}.t"), "web1", &[&path]);
    let table = format!("{db}.t");
    // scripts/clickhouse.sh creates the user `hindsight` with this password.
    let ok = bin()
        .args([
            "report",
            "--format",
            "json",
            "--clickhouse",
            &u1,
            "--table",
            &table,
            "--user",
            "hindsight",
        ])
        .env("HINDSIGHT_CLICKHOUSE_PASSWORD", "hindsight-secret")
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let v: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["sources"][0]["lines"], 100);
    let out = bin()
        .args([
            "report",
            "--clickhouse",
            &u1,
            "--table",
            &table,
            "--user",
            "hindsight",
        ])
        .env("HINDSIGHT_CLICKHOUSE_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(!e.contains("wrong"), "the password is never shown: {e}");
}

#[test]
fn the_sql_latency_bins_are_the_local_bins() {
    let Some((u1, _)) = servers("the_sql_latency_bins_are_the_local_bins") else {
        return;
    };
    use hindsight::aggregate::{latency_bin, LATENCY_EDGES_US};
    let mut values: Vec<u32> = vec![0, 1, 999, u32::MAX];
    for e in LATENCY_EDGES_US {
        values.extend([e - 1, e, e + 1]);
    }
    let mut x: u64 = 7;
    for _ in 0..500 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        values.push((x >> 33) as u32);
    }
    let list = values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let answer = sql(
        &u1,
        &format!(
            "SELECT l, {} FROM (SELECT arrayJoin([{list}]) AS l) FORMAT TSV",
            hindsight::clickhouse::sql::latency_bin_sql("l")
        ),
    );
    let got: Vec<(u32, usize)> = answer
        .lines()
        .map(|l| {
            let (v, b) = l.split_once('\t').unwrap();
            (v.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    assert_eq!(got.len(), values.len());
    for (v, b) in got {
        assert_eq!(b, latency_bin(v), "bin of {v} us");
    }
}

#[test]
fn a_host_that_goes_silent_is_found_and_named() {
    let Some((u1, u2)) = servers("a_host_that_goes_silent_is_found_and_named") else {
        return;
    };
    let db = fresh_db(&[&u1, &u2], "silent");
    let dir = tempfile::tempdir().unwrap();
    let mut quiet = GenConfig::new(Scenario::Quiet, 31);
    quiet.minutes = 120;
    let (a1, _) = write_log(dir.path(), "web1-access.log", &quiet);
    let mut silence = GenConfig::new(Scenario::Silence, 32);
    silence.minutes = 120;
    let (a2, truth) = write_log(dir.path(), "web2-access.log", &silence);
    let (a1, a2) = (a1.to_str().unwrap(), a2.to_str().unwrap());
    let local_table = format!("{db}.logs_local");
    ingest(&u1, &local_table, "web1", &[a1]);
    ingest(&u2, &local_table, "web2", &[a2]);
    sql(
        &u1,
        &format!("CREATE TABLE {db}.logs AS {local_table} ENGINE = Distributed(hindsight, {db}, logs_local)"),
    );
    let local = report_json(&["--tz", "UTC", a1, a2]);
    let mut remote = report_json(&[
        "--tz",
        "UTC",
        "--clickhouse",
        &u1,
        "--table",
        &format!("{db}.logs"),
    ]);
    let inc = remote["incidents"][0].clone();
    assert_eq!(secs(&inc["onset"]), Some(truth.incidents[0].onset), "{inc}");
    let hosts = inc["hosts"].as_array().unwrap();
    let web2 = hosts
        .iter()
        .find(|h| h["host"] == "web2")
        .expect("web2 listed");
    assert_eq!(web2["silent"], true, "{web2}");
    assert_eq!(web2["failed"], true);
    assert_eq!(web2["failed_first"], true);
    let web1 = hosts
        .iter()
        .find(|h| h["host"] == "web1")
        .expect("web1 listed");
    assert_eq!(web1["failed"], false, "{web1}");
    let table = format!("{db}.logs");
    let text = bin()
        .args([
            "timeline",
            "--color",
            "never",
            "--clickhouse",
            &u1,
            "--table",
            &table,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("hosts failed: 1 of 2, first web2 (silent)"),
        "{text}"
    );
    for inc in remote["incidents"].as_array_mut().unwrap() {
        inc["hosts"] = Value::Array(Vec::new());
    }
    local_names(&mut remote);
    for key in ["incidents", "series", "totals", "baseline"] {
        assert_eq!(local[key], remote[key], "{key} differs for a silence");
    }
}
