//! A second input backend: the logs already sit in a ClickHouse table (a fleet's, often a
//! `Distributed` table over shards), so the heavy aggregation runs there.
//!
//! Input: a table, a column mapping, the time range. Output: the same [`Report`] the local
//! scan gives. The first pass is SQL computing exactly the per-source, per-bucket counters of
//! [`crate::aggregate`] (requests, events, bad events and their slots, 5xx, 4xx, bytes, first
//! and last time, the latency histogram on the same edges); the detector runs on them
//! unchanged; then [`crate::evidence::gather_with`] asks this module's [`reader::Reader`] for
//! each window, which answers with SQL what the local narrow pass reads from the files
//! (per-second counts, impact numbers, notable events, error entries for the signatures).
//! `hindsight ingest` ([`ingest`]) loads local logs into such a table.

pub mod http;
pub mod ingest;
mod reader;
pub mod sql;
pub mod tsv;

use crate::aggregate::{self, Bucket, Histogram, SourceAgg};
use crate::cli::Config;
use crate::evidence;
use crate::format::kind::Format;
use crate::report::{self, Report};
use anyhow::{bail, Result};
use http::{Client, Endpoint};
use sql::{Columns, Query, Table};
use tsv::Row;

/// The `--clickhouse` flags of `hindsight report`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClickHouseArgs {
    /// Read the logs from ClickHouse's HTTP interface at this URL (http://HOST:8123)
    /// instead of files; needs --table. The password, if any, is read from the environment
    /// variable HINDSIGHT_CLICKHOUSE_PASSWORD.
    #[arg(long, value_name = "URL", requires = "table")]
    pub clickhouse: Option<String>,

    /// The table to read (db.table), as loaded by `hindsight ingest` or mapped with --columns.
    #[arg(long, value_name = "DB.TABLE", requires = "clickhouse")]
    pub table: Option<String>,

    /// An extra SQL condition on the table's rows (e.g. "host LIKE 'web%'"). Trusted: it is
    /// your own SQL, sent as written inside parentheses.
    #[arg(long = "where", value_name = "SQL", requires = "clickhouse")]
    pub filter: Option<String>,

    /// Which column holds each field, over the defaults `hindsight ingest` writes:
    /// time=time,host=host,source=source,line=line,offset=utc_offset,status=status,
    /// client=client,path=path,bytes=bytes,latency=latency_us,latency_unit=us,
    /// upstream=upstream_us,level=level,app=app,message=message. `key=-`: no such column.
    #[arg(long, value_name = "KEY=COLUMN,...", requires = "clickhouse")]
    pub columns: Option<String>,

    /// The ClickHouse user (default: the server's default user).
    #[arg(long, value_name = "USER", requires = "clickhouse")]
    pub user: Option<String>,
}

/// Where the logs are read from, resolved and validated.
#[derive(Clone, Debug)]
pub struct Target {
    pub endpoint: Endpoint,
    pub table: Table,
    pub columns: Columns,
    pub filter: Option<String>,
}

impl ClickHouseArgs {
    /// `None` when `--clickhouse` is not given.
    pub fn resolve(&self) -> Result<Option<Target>> {
        let Some(url) = &self.clickhouse else {
            return Ok(None);
        };
        let Some(table) = &self.table else {
            bail!("--clickhouse needs --table");
        };
        let filter = self
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        Ok(Some(Target {
            endpoint: Endpoint::parse(url, self.user.clone())?,
            table: Table::parse(table)?,
            columns: Columns::parse(self.columns.as_deref().unwrap_or(""))?,
            filter: filter.map(str::to_string),
        }))
    }
}

/// One source of the table: a (host, source) pair.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceKey {
    pub host: String,
    pub source: String,
}

impl SourceKey {
    fn name(&self) -> String {
        match (self.host.is_empty(), self.source.is_empty()) {
            (true, true) => "(all rows)".into(),
            (false, true) => self.host.clone(),
            (true, false) => self.source.clone(),
            (false, false) => format!("{}:{}", self.host, self.source),
        }
    }
}

/// Checks that the table exists and has the mapped columns, before any long query.
fn check_table(client: &Client, q: &Query) -> Result<()> {
    let answer = client.query("describing the table", &q.describe());
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            let text = format!("{e:#}");
            if text.contains("doesn't exist")
                || text.contains("does not exist")
                || text.contains("UNKNOWN_TABLE")
                || text.contains("UNKNOWN_DATABASE")
            {
                bail!(
                    "ClickHouse at {}: table {} does not exist",
                    client.url(),
                    q.table.name()
                );
            }
            return Err(e);
        }
    };
    let rows = tsv::rows(&answer);
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.first().cloned().flatten())
        .map(|n| String::from_utf8_lossy(&n).into_owned())
        .collect();
    for (field, column) in q.columns.named() {
        if !names.iter().any(|n| n == column) {
            bail!(
                "--columns: table {} has no column `{column}` (for {field}); its columns are: {}",
                q.table.name(),
                names.join(", ")
            );
        }
    }
    Ok(())
}

fn each_row(data: &[u8], what: &str, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<()> {
    for fields in tsv::rows(data) {
        f(&Row {
            fields: &fields,
            what,
        })?;
    }
    Ok(())
}

/// The first pass: per source, the counters the local scan computes.
fn read_sources(client: &Client, q: &Query) -> Result<(Vec<SourceKey>, Vec<SourceAgg>)> {
    let what = "reading the buckets";
    let answer = client.query(what, &q.buckets())?;
    let mut keys: Vec<SourceKey> = Vec::new();
    let mut aggs: Vec<SourceAgg> = Vec::new();
    // Rows come ordered by host, source and bucket: a new key starts a new source.
    each_row(&answer, what, |r| {
        let key = SourceKey {
            host: r.string(0)?,
            source: r.string(1)?,
        };
        if keys.last() != Some(&key) {
            keys.push(key);
            aggs.push(SourceAgg::default());
        }
        let b = Bucket {
            requests: r.num(3)?,
            events: r.num(4)?,
            bad_events: r.num(5)?,
            bad_slots: r.num(6)?,
            s5xx: r.num(7)?,
            s4xx: r.num(8)?,
            bytes: r.num(9)?,
            first: r.num(10)?,
            last: r.num(11)?,
            latency: None,
        };
        let agg = aggs.last_mut().expect("pushed above");
        agg.lines += b.requests + b.events;
        agg.leveled += r.num::<u64>(12)?;
        agg.timed += r.num::<u64>(13)?;
        agg.upstream_timed += r.num::<u64>(14)?;
        agg.first = Some(agg.first.map_or(b.first, |f| f.min(b.first)));
        agg.last = Some(agg.last.map_or(b.last, |l| l.max(b.last)));
        agg.buckets.insert(r.num(2)?, b);
        Ok(())
    })?;
    for a in &mut aggs {
        a.parsed = a.lines;
    }
    if keys.windows(2).any(|w| w[0] >= w[1]) {
        bail!(
            "ClickHouse at {}: {what}: the rows did not come sorted by host and source",
            client.url()
        );
    }
    let index = |r: &Row<'_>| -> Result<Option<usize>> {
        let k = SourceKey {
            host: r.string(0)?,
            source: r.string(1)?,
        };
        Ok(keys.binary_search(&k).ok())
    };
    if let Some(sql) = q.offsets() {
        let what = "reading the UTC offsets";
        each_row(&client.query(what, &sql)?, what, |r| {
            if let Some(i) = index(r)? {
                aggs[i].offsets.insert(r.num(2)?, r.num(3)?);
            }
            Ok(())
        })?;
    }
    if let Some(sql) = q.histograms() {
        let what = "reading the latency histograms";
        each_row(&client.query(what, &sql)?, what, |r| {
            let (Some(i), b, bin, n) = (
                index(r)?,
                r.num::<i64>(2)?,
                r.num::<usize>(3)?,
                r.num::<u32>(4)?,
            ) else {
                return Ok(());
            };
            if let (Some(bucket), true) =
                (aggs[i].buckets.get_mut(&b), bin < aggregate::LATENCY_BINS)
            {
                bucket
                    .latency
                    .get_or_insert_with(|| Box::new(Histogram::default()))
                    .0[bin] += n;
            }
            Ok(())
        })?;
    }
    Ok((keys, aggs))
}

/// Engine, table and time spent, for the report.
fn engine_report(
    client: &Client,
    q: &Query,
    hosts: usize,
    total: std::time::Duration,
) -> report::EngineReport {
    let (spent, queries) = client.spent();
    report::EngineReport {
        engine: "clickhouse".into(),
        url: client.url().to_string(),
        table: q.table.name().to_string(),
        filter: q.filter.clone(),
        queries: u64::from(queries),
        query_ms: spent.as_millis() as u64,
        total_ms: total.as_millis() as u64,
        hosts: hosts as u64,
    }
}

/// `hindsight report --clickhouse`: the pipeline of [`crate::analyze`], with the scan and the
/// narrow passes done by the server.
pub fn analyze(config: &Config, target: &Target) -> Result<Report> {
    let started = std::time::Instant::now();
    let client = Client::new(target.endpoint.clone());
    let th = &config.thresholds;
    let q = Query {
        table: target.table.clone(),
        columns: target.columns.clone(),
        since: config.since,
        until: config.until,
        filter: target.filter.clone(),
        bucket_s: th.bucket_s,
    };
    check_table(&client, &q)?;
    let (keys, per_source) = read_sources(&client, &q)?;
    let crate::Judged {
        all,
        series,
        detection,
        notes,
    } = crate::judge(&per_source, th);
    let bounds = evidence::Window {
        start: config.since.unwrap_or(i64::MIN),
        end: config.until.map_or(i64::MAX, |u| u - 1),
    };
    let reader = reader::Reader {
        client: &client,
        q: &q,
        keys: &keys,
    };
    let evidence = evidence::gather_with(&reader, &series, &detection, bounds)?;
    let windows: Vec<(i64, i64)> = evidence
        .iter()
        .map(|e| {
            (
                e.onset,
                e.resolved
                    .unwrap_or(series.time_of(series.buckets.len()) - 1)
                    .max(e.onset),
            )
        })
        .collect();
    let hosts: std::collections::BTreeSet<&str> = keys.iter().map(|k| k.host.as_str()).collect();
    let per_host = if hosts.len() > 1 {
        windows
            .iter()
            .map(|&w| reader.hosts(w, &detection, th))
            .collect::<Result<Vec<_>>>()?
    } else {
        vec![Vec::new(); windows.len()]
    };
    let names: Vec<String> = keys.iter().map(SourceKey::name).collect();
    let mut report = report::build(report::Inputs {
        config,
        formats: per_source
            .iter()
            .map(|s| {
                if s.buckets.values().any(|b| b.requests > 0) {
                    Format::Access
                } else {
                    Format::Plain
                }
            })
            .collect(),
        assumptions: keys
            .iter()
            .map(|_| vec![format!("read from ClickHouse table {}", q.table.name())])
            .collect(),
        source_warnings: vec![Vec::new(); keys.len()],
        compression: vec![None; keys.len()],
        names,
        sources: &per_source,
        all_buckets: &all,
        series: &series,
        detection: &detection,
        evidence,
        notes,
    });
    for s in &mut report.sources {
        if s.parsed > 0 {
            s.format = "clickhouse".into();
        }
    }
    for (inc, hosts) in report.incidents.iter_mut().zip(per_host) {
        inc.hosts = hosts;
    }
    if keys.is_empty() {
        report
            .warnings
            .push(format!("table {}: no rows match", q.table.name()));
    }
    report.engine = Some(engine_report(&client, &q, hosts.len(), started.elapsed()));
    Ok(report)
}
