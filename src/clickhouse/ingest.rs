//! `hindsight ingest`: local logs into a ClickHouse table, for hosts that do not ship their
//! logs yet. The files are read with the same format detection and parsers as `report`; each
//! entry becomes one row of the documented schema ([`CREATE_SQL`]); lines that no parser
//! reads are counted and reported per file, never dropped silently.

use super::http::{Client, Endpoint};
use super::sql::Table;
use super::tsv::escape_into;
use crate::cli::{Config, OutputFormat, ReportArgs};
use crate::format::kind::Record;
use crate::format::Level;
use anyhow::{bail, Result};
use std::io::Write;

/// The table `ingest --create` creates (`{table}` is the backquoted name). Requests have a
/// status (> 0); event-log entries have status 0, a level (empty when the line gave none),
/// an app and a message. Times are UTC seconds; `utc_offset` is the offset the stamp was
/// written with (NULL when it had none); `line` is the entry's 1-based line in its file.
pub const CREATE_SQL: &str = "CREATE TABLE IF NOT EXISTS {table} (
    time DateTime,
    host String,
    source String,
    line UInt64,
    utc_offset Nullable(Int32),
    status UInt16,
    client String,
    method String,
    path String,
    bytes UInt64,
    latency_us Nullable(UInt32),
    upstream_us Nullable(UInt32),
    level String,
    app String,
    message String
) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (host, source, time)";

const INSERT_COLUMNS: &str = "time, host, source, line, utc_offset, status, client, method, path, bytes, latency_us, upstream_us, level, app, message";

/// `hindsight ingest`'s command line.
#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// Log files (any format `report` reads, gzip or zstd too), directories, or `-`.
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<String>,

    /// ClickHouse's HTTP interface (http://HOST:8123). The password, if any, is read from
    /// the environment variable HINDSIGHT_CLICKHOUSE_PASSWORD.
    #[arg(long, value_name = "URL")]
    pub clickhouse: String,

    /// The table to insert into (db.table).
    #[arg(long, value_name = "DB.TABLE")]
    pub table: String,

    /// The host these logs come from, written in every row.
    #[arg(long, value_name = "NAME")]
    pub host: String,

    /// Create the database and the table if they do not exist (schema in the README).
    #[arg(long)]
    pub create: bool,

    /// The ClickHouse user.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,

    /// Rows per INSERT.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub batch: usize,

    /// As for `report`: the zone of stamps without an offset.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// As for `report`: the year of syslog stamps that have none.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,

    /// As for `report`: read every input as this format.
    #[arg(long, value_name = "NAME")]
    pub input_format: Option<String>,

    /// As for `report`: the `log_format` of a custom nginx access log.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

/// What was loaded from one file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub path: String,
    pub format: &'static str,
    pub lines: u64,
    pub rows: u64,
    pub continuation: u64,
    pub skipped: u64,
    pub first_skipped: Option<u64>,
}

/// The resolved settings of an ingest.
pub struct Ingest {
    pub config: Config,
    pub endpoint: Endpoint,
    pub table: Table,
    pub host: String,
    pub create: bool,
    pub batch: usize,
}

/// A usage error (exit code 2) in the ingest's flags.
pub fn resolve(a: IngestArgs) -> Result<Ingest> {
    let table = Table::parse(&a.table)?;
    let endpoint = Endpoint::parse(&a.clickhouse, a.user.clone())?;
    if a.host.is_empty() || a.host.chars().any(char::is_control) {
        bail!("--host: expected a host name, got {:?}", a.host);
    }
    if a.batch == 0 {
        bail!("--batch: must be at least 1");
    }
    // The reading flags are `report`'s: resolve them the same way.
    #[derive(clap::Parser)]
    struct Wrap {
        #[command(flatten)]
        a: ReportArgs,
    }
    let mut argv: Vec<String> = vec!["hindsight".into()];
    for (flag, v) in [
        ("--tz", &a.tz),
        ("--input-format", &a.input_format),
        ("--log-format", &a.log_format),
    ] {
        if let Some(v) = v {
            argv.push(format!("{flag}={v}"));
        }
    }
    if let Some(y) = a.year {
        argv.push(format!("--year={y}"));
    }
    argv.push("--".into());
    argv.extend(a.files.iter().cloned());
    let wrap = <Wrap as clap::Parser>::try_parse_from(argv)?;
    let config = Config::from_args(wrap.a, OutputFormat::Text)?;
    Ok(Ingest {
        config,
        endpoint,
        table,
        host: a.host,
        create: a.create,
        batch: a.batch,
    })
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Emergency => "emergency",
        Level::Alert => "alert",
        Level::Critical => "critical",
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
        Level::Info => "info",
        Level::Debug => "debug",
        Level::Trace => "trace",
    }
}

fn num(out: &mut Vec<u8>, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

fn opt(out: &mut Vec<u8>, v: Option<impl std::fmt::Display>) {
    match v {
        Some(v) => num(out, v),
        None => out.extend_from_slice(b"\\N"),
    }
}

/// Reads the files and inserts their entries; returns what each file gave.
pub fn run(ing: &Ingest) -> Result<Vec<Loaded>> {
    let client = Client::new(ing.endpoint.clone());
    if ing.create {
        if let Some((db, _)) = ing.table.name().split_once('.') {
            client.query(
                "creating the database",
                &format!("CREATE DATABASE IF NOT EXISTS `{db}`"),
            )?;
        }
        client.query(
            "creating the table",
            &CREATE_SQL.replace("{table}", &ing.table.sql()),
        )?;
    }
    let insert = format!(
        "INSERT INTO {} ({INSERT_COLUMNS}) FORMAT TabSeparated",
        ing.table.sql()
    );
    let what = format!("inserting into {}", ing.table.name());
    // Fails early, with the server's word, when the table is missing or has other columns.
    client.query(
        "checking the table",
        &format!(
            "SELECT {INSERT_COLUMNS} FROM {} LIMIT 0 FORMAT TSV",
            ing.table.sql()
        ),
    )?;
    let (sources, warnings) = crate::open_inputs(&ing.config)?;
    for w in warnings {
        eprintln!("hindsight: warning: {}", crate::report::terminal_safe(&w));
    }
    let plan = crate::plan(&ing.config, &sources);
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut rows_in_buf = 0usize;
    for ((source, parser), detection) in sources.iter().zip(&plan.parsers).zip(&plan.detections) {
        let mut loaded = Loaded {
            path: source.name.clone(),
            format: detection.format.name(),
            ..Loaded::default()
        };
        let mut cache = crate::time::ClfCache::default();
        for block in source.blocks(ing.config.chunk_bytes, false) {
            for line in crate::input::lines(block.bytes()) {
                loaded.lines += 1;
                let rec = match parser.parse(line, &mut cache) {
                    None => {
                        loaded.skipped += 1;
                        loaded.first_skipped.get_or_insert(loaded.lines);
                        continue;
                    }
                    Some(Record::Continuation) => {
                        loaded.continuation += 1;
                        continue;
                    }
                    Some(r) => r,
                };
                let time = match &rec {
                    Record::Access(a) => a.time,
                    Record::Event(e) => e.time,
                    Record::Continuation => continue,
                };
                if !(0..=i64::from(u32::MAX)).contains(&time) {
                    // DateTime holds 1970..2106: such a stamp cannot be stored.
                    loaded.skipped += 1;
                    loaded.first_skipped.get_or_insert(loaded.lines);
                    continue;
                }
                num(&mut buf, time);
                buf.push(b'\t');
                escape_into(&mut buf, ing.host.as_bytes());
                buf.push(b'\t');
                escape_into(&mut buf, source.name.as_bytes());
                buf.push(b'\t');
                num(&mut buf, loaded.lines);
                buf.push(b'\t');
                match &rec {
                    Record::Access(a) => {
                        num(&mut buf, a.offset);
                        buf.push(b'\t');
                        num(&mut buf, a.status);
                        for f in [a.client, a.method, a.path()] {
                            buf.push(b'\t');
                            escape_into(&mut buf, f);
                        }
                        buf.push(b'\t');
                        num(&mut buf, a.bytes);
                        buf.push(b'\t');
                        opt(&mut buf, a.request_us);
                        buf.push(b'\t');
                        opt(&mut buf, a.upstream_us);
                        buf.extend_from_slice(b"\t\t\t\n");
                    }
                    Record::Event(e) => {
                        opt(&mut buf, e.offset);
                        buf.extend_from_slice(b"\t0\t\t\t\t0\t\\N\t\\N\t");
                        buf.extend_from_slice(e.level.map_or("", level_name).as_bytes());
                        buf.push(b'\t');
                        escape_into(&mut buf, &e.app);
                        buf.push(b'\t');
                        escape_into(&mut buf, &e.message);
                        buf.push(b'\n');
                    }
                    Record::Continuation => {}
                }
                loaded.rows += 1;
                rows_in_buf += 1;
                if rows_in_buf >= ing.batch || buf.len() >= 64 << 20 {
                    client.insert(&what, &insert, std::mem::take(&mut buf))?;
                    rows_in_buf = 0;
                }
            }
        }
        out.push(loaded);
    }
    if rows_in_buf > 0 {
        client.insert(&what, &insert, buf)?;
    }
    Ok(out)
}
