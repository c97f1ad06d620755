//! The `hindsight` binary: parse arguments, run the pipeline, print, exit.

use clap::Parser;
use hindsight::cli::Cli;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`hindsight report x | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let msg: Vec<String> = err.chain().map(|e| e.to_string()).collect();
            eprintln!(
                "hindsight: error: {}",
                hindsight::report::terminal_safe(&msg.join(": "))
            );
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let hindsight::cli::Command::Templates { name } = &cli.command {
        let text = match name {
            None => hindsight::report::template::BUILTINS
                .iter()
                .map(|(n, d, _)| format!("{n:12} {d}\n"))
                .collect::<String>()
                + "\nPrint one with `hindsight templates NAME > my.md.j2`, edit it, use it with `--template my.md.j2`.\n",
            Some(n) => hindsight::report::template::builtin(n)
                .ok_or_else(|| anyhow::anyhow!("{n}: no such built-in template (hindsight templates lists them)"))?
                .to_string(),
        };
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| anyhow::Error::new(e).context("stdout: write failed"))?;
        return Ok(());
    }
    if let hindsight::cli::Command::Ingest(args) = cli.command {
        return ingest(args);
    }
    let config = match cli.into_config() {
        Ok(c) => c,
        Err(e) => {
            // Invalid flag values are usage errors: exit 2 like clap does.
            eprintln!("hindsight: error: {e}");
            std::process::exit(2)
        }
    };
    if config.formats_only || config.signatures_only {
        if config.clickhouse.is_some() {
            eprintln!("hindsight: error: --clickhouse works with `report` and `timeline`; `formats` and `signatures` read files");
            std::process::exit(2)
        }
        let text = if config.formats_only {
            hindsight::formats_report(&config)?
        } else {
            hindsight::signatures_report(&config)?
        };
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| anyhow::Error::new(e).context("stdout: write failed"))?;
        return Ok(());
    }
    let mut stats = hindsight::Stats::default();
    let mut report = match &config.clickhouse {
        Some(target) => hindsight::clickhouse::analyze(&config, target)?,
        None => hindsight::analyze_files_timed(&config, &mut stats)?,
    };
    if let Some(chart) = &config.chart {
        write_file(chart, hindsight::report::render_svg(&report).as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write the chart: {e}", chart.display()))?;
        // Linked from the Markdown by its name when beside it, else by the path given.
        let beside = config.output.as_ref().and_then(|o| o.parent()) == chart.parent();
        report.chart_file = Some(if beside {
            chart.file_name().map_or_else(
                || chart.display().to_string(),
                |f| f.to_string_lossy().into_owned(),
            )
        } else {
            chart.display().to_string()
        });
    }
    for w in hindsight::warnings(&report) {
        eprintln!(
            "hindsight: warning: {}",
            hindsight::report::terminal_safe(&w)
        );
    }
    let render_start = std::time::Instant::now();
    let out = hindsight::render(&config, &report)?;
    stats.phases.push(("render", render_start.elapsed()));
    if config.stats {
        eprint!("{}", stats.render(config.threads));
    }
    match &config.output {
        Some(path) => write_file(path, out.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| anyhow::Error::new(e).context("stdout: write failed"))?;
        }
    }
    Ok(())
}

/// `hindsight ingest`: load log files into a ClickHouse table, then say what each file gave.
fn ingest(args: hindsight::clickhouse::ingest::IngestArgs) -> anyhow::Result<()> {
    use hindsight::report::{terminal_safe, thousands};
    let ing = match hindsight::clickhouse::ingest::resolve(args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("hindsight: error: {}", terminal_safe(&format!("{e:#}")));
            std::process::exit(2)
        }
    };
    let started = std::time::Instant::now();
    let loaded = hindsight::clickhouse::ingest::run(&ing)?;
    let mut stderr = std::io::stderr().lock();
    for l in &loaded {
        let skipped = match l.first_skipped {
            Some(first) => format!(
                ", {} lines skipped (not {}; the first at line {first})",
                thousands(l.skipped),
                l.format
            ),
            None => String::new(),
        };
        let _ = writeln!(
            stderr,
            "{}: {}: {} lines, {} rows{}{}",
            terminal_safe(&ing.host),
            terminal_safe(&l.path),
            thousands(l.lines),
            thousands(l.rows),
            if l.continuation > 0 {
                format!(", {} continuation lines", thousands(l.continuation))
            } else {
                String::new()
            },
            skipped
        );
    }
    let rows: u64 = loaded.iter().map(|l| l.rows).sum();
    let skipped: u64 = loaded.iter().map(|l| l.skipped).sum();
    let _ = writeln!(
        stderr,
        "inserted {} rows into {} in {:.1} s; {} lines skipped",
        thousands(rows),
        ing.table.name(),
        started.elapsed().as_secs_f64(),
        thousands(skipped)
    );
    Ok(())
}

/// Writes an output file without following a symbolic link planted where it goes (in `/tmp`,
/// say, by another user, pointing at a file root can write): the text goes to a new file in
/// the same directory, created exclusively, which is then renamed over the path. A link there
/// is replaced, never written through, and a reader never sees half a report. Devices and
/// pipes (`-o /dev/null`) are written in place, and so is an existing file in a directory
/// where a new file cannot be made (opened with `O_NOFOLLOW`).
fn write_file(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path);
    if let Ok(m) = &meta {
        if !m.is_file() && !m.file_type().is_symlink() {
            if m.is_dir() {
                return Err(std::io::Error::other("is a directory"));
            }
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)?
                .write_all(bytes);
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.{n}.tmp", std::process::id()));
        let tmp = dir.join(tmp_name);
        // create_new: O_CREAT | O_EXCL, which fails on an existing name, a link included.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            // A file one may write in a directory one may not: rewrite it in place, still
            // without following a link (O_NOFOLLOW fails on one).
            Err(e)
                if e.kind() == std::io::ErrorKind::PermissionDenied
                    && meta.as_ref().is_ok_and(|m| m.is_file()) =>
            {
                use std::os::unix::fs::OpenOptionsExt;
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(path)?;
                f.set_len(0)?;
                return f.write_all(bytes);
            }
            Err(e) => return Err(e),
        }
    };
    let written = file.write_all(bytes).and_then(|()| {
        // An existing report keeps its permissions.
        match &meta {
            Ok(m) if m.is_file() => file.set_permissions(m.permissions()),
            _ => Ok(()),
        }
    });
    drop(file);
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
