//! `signature_accuracy`: how well [`hindsight::signature`] groups messages, measured on the
//! loghub 2k samples as "grouping accuracy" (Zhu et al., "Tools and Benchmarks for Automated
//! Log Parsing", ICSE-SEIP 2019): a message counts as correct when the set of messages the
//! miner grouped with it is exactly the set grouped with it in the ground truth.
//!
//! ```text
//! cargo run --release --example signature_accuracy [-- CORPUS_ROOT] [--bench]
//! ```
//!
//! Reads `<root>/<system>/<System>_2k.log_structured.csv` (default root `../shared/corpus`),
//! feeds the `Content` column to one miner with default settings in file order, and prints a
//! Markdown table next to Drain's published figure. Exits 0 with a message when the corpus is
//! absent. The loghub data is for research only: nothing of it is copied anywhere.
//! `--bench` also times a million messages through a miner capped at 1000 clusters.
//!
//! Drain's figures are from Table III of Zhu et al.; they were reached with settings tuned
//! per system (threshold, depth, masking regexes), while this miner uses one setting for all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use hindsight::signature::{MinerConfig, SignatureMiner};

/// (folder, file prefix, Drain's grouping accuracy from Zhu et al. 2019).
const SYSTEMS: &[(&str, &str, f64)] = &[
    ("hdfs", "HDFS", 0.998),
    ("hadoop", "Hadoop", 0.948),
    ("spark", "Spark", 0.920),
    ("zookeeper", "Zookeeper", 0.967),
    ("openstack", "OpenStack", 0.733),
    ("bgl", "BGL", 0.963),
    ("hpc", "HPC", 0.887),
    ("thunderbird", "Thunderbird", 0.955),
    ("windows", "Windows", 0.997),
    ("linux", "Linux", 0.690),
    ("mac", "Mac", 0.787),
    ("android", "Android", 0.911),
    ("healthapp", "HealthApp", 0.780),
    ("apache", "Apache", 1.000),
    ("openssh", "OpenSSH", 0.788),
    ("proxifier", "Proxifier", 0.527),
];

fn main() -> Result<()> {
    let mut root = PathBuf::from("../shared/corpus");
    let mut bench = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--bench" => bench = true,
            _ => root = PathBuf::from(arg),
        }
    }
    if !root.is_dir() {
        println!("no corpus at {}: nothing to measure", root.display());
        return Ok(());
    }
    println!(
        "| system | lines | templates (truth) | templates (found) | grouping accuracy \
         | Drain (published) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let (mut sum, mut drain_sum, mut n) = (0.0, 0.0, 0);
    for &(dir, name, drain) in SYSTEMS {
        let path = root.join(dir).join(format!("{name}_2k.log_structured.csv"));
        if !path.is_file() {
            continue;
        }
        let r = measure(&path).with_context(|| format!("reading {}", path.display()))?;
        println!(
            "| {name} | {} | {} | {} | {:.3} | {drain:.3} |",
            r.lines, r.truth_templates, r.found_templates, r.accuracy
        );
        sum += r.accuracy;
        drain_sum += drain;
        n += 1;
    }
    if n > 0 {
        let mean = |x: f64| x / f64::from(n);
        println!(
            "| **mean** | | | | **{:.3}** | {:.3} |",
            mean(sum),
            mean(drain_sum)
        );
    }
    if bench {
        million();
    }
    Ok(())
}

struct Measured {
    lines: usize,
    truth_templates: usize,
    found_templates: usize,
    accuracy: f64,
}

fn measure(path: &Path) -> Result<Measured> {
    let text = String::from_utf8_lossy(&std::fs::read(path)?).into_owned();
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().context("empty file")?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(content), Some(event)) = (col("Content"), col("EventId")) else {
        bail!("no Content or EventId column");
    };
    let mut miner = SignatureMiner::new(MinerConfig::default());
    let mut truth = Vec::new();
    let mut found = Vec::new();
    for (i, row) in rows.enumerate() {
        let (Some(msg), Some(ev)) = (row.get(content), row.get(event)) else {
            bail!("row {} is short", i + 2);
        };
        truth.push(ev.clone());
        found.push(miner.add(msg.as_bytes(), i as i64));
    }
    Ok(Measured {
        lines: truth.len(),
        truth_templates: distinct(&truth),
        found_templates: miner.len(),
        accuracy: grouping_accuracy(&truth, &found),
    })
}

fn distinct<T: std::hash::Hash + Eq>(v: &[T]) -> usize {
    v.iter().collect::<std::collections::HashSet<_>>().len()
}

/// Share of messages whose found group is exactly their true group: a found group is right
/// when all its members share one true id and it holds every message of that id.
fn grouping_accuracy<T: std::hash::Hash + Eq, U: std::hash::Hash + Eq>(
    truth: &[T],
    found: &[U],
) -> f64 {
    let mut truth_size: HashMap<&T, usize> = HashMap::new();
    for t in truth {
        *truth_size.entry(t).or_default() += 1;
    }
    let mut groups: HashMap<&U, Vec<usize>> = HashMap::new();
    for (i, f) in found.iter().enumerate() {
        groups.entry(f).or_default().push(i);
    }
    let correct: usize = groups
        .values()
        .filter(|g| {
            let t = &truth[g[0]];
            g.iter().all(|&i| &truth[i] == t) && truth_size[t] == g.len()
        })
        .map(Vec::len)
        .sum();
    correct as f64 / truth.len().max(1) as f64
}

/// RFC 4180 records: fields may be quoted, with `""` for a quote; CRLF or LF line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A million messages through a miner capped at 1000 clusters, twice: all distinct and
/// matching nothing, then drawn from 5000 kinds with variables (more kinds than room).
fn million() {
    let distinct = |i: u64| format!("{} {} {} failed", word(i, 'a'), word(i, 'b'), word(i, 'c'));
    let kinds = |i: u64| {
        let k = (i * 7919) % 5000;
        format!(
            "{} {} failed for user {} from 10.{}.{}.{} after {}ms {} {}",
            word(k, 'a'),
            word(k, 'b'),
            word(i % 97, 'u'),
            i % 256,
            (i / 256) % 256,
            k % 256,
            i % 1000,
            word(k, 'c'),
            word(k, 'd'),
        )
    };
    println!();
    for (name, gen) in [
        ("distinct", &distinct as &dyn Fn(u64) -> String),
        ("5000 kinds", &kinds),
    ] {
        let mut miner = SignatureMiner::new(MinerConfig {
            max_clusters: 1000,
            ..MinerConfig::default()
        });
        let start = Instant::now();
        for i in 0..1_000_000u64 {
            miner.add(gen(i).as_bytes(), i as i64);
        }
        println!(
            "1,000,000 messages ({name}): {} clusters, {} other, {:.2} s, peak RSS {}",
            miner.len(),
            miner.other(),
            start.elapsed().as_secs_f64(),
            peak_rss().unwrap_or_else(|| "unknown".into())
        );
    }
}

/// `VmHWM` from `/proc/self/status` (Linux only).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line["VmHWM:".len()..].trim().to_string())
}

/// `i` spelt in letters after `prefix`: no digits, so the miner sees a new word.
fn word(mut i: u64, prefix: char) -> String {
    let mut s = String::from(prefix);
    loop {
        s.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}
