//! Input sources: files and stdin, as one byte slice each, cut into chunks of whole lines.
//!
//! Regular files are memory-mapped; stdin, pipes and other special files are read into
//! memory; gzip and zstd data (rotated logs such as `access.log.2.gz`) is decompressed into
//! memory, whatever its name. A directory stands for the log files directly inside it. A chunk
//! always ends just after a `\n` (or at the end of the data), so every line belongs to exactly
//! one chunk and the parallel scan sees the same lines as a sequential one.

use anyhow::{bail, Context, Result};
use memmap2::Mmap;
use std::fs::File;
use std::io::Read;
use std::ops::Range;

/// The bytes of one input.
pub enum Data {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

/// One input: its name as the user gave it and its bytes.
pub struct Source {
    pub name: String,
    data: Data,
    /// The compression the data was decoded from (`gzip`, `zstd`).
    pub decoded_from: Option<&'static str>,
    /// When the file was last modified (the year of yearless stamps is taken from it).
    pub modified: Option<std::time::SystemTime>,
    /// Problems met while reading that still left a usable result (a truncated gzip).
    pub warnings: Vec<String>,
}

impl Source {
    /// An input from bytes already in memory (tests, benchmarks).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            name: name.into(),
            data: Data::Owned(bytes),
            decoded_from: None,
            modified: None,
            warnings: Vec::new(),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
        }
    }

    /// Opens a path, or stdin for `-`, and decompresses gzip or zstd data.
    pub fn open(path: &str) -> Result<Source> {
        let mut source = Source::open_raw(path)?;
        source.decompress();
        Ok(source)
    }

    /// Replaces gzip or zstd data by its decompressed bytes. A stream cut short keeps what
    /// could be decoded, with a warning; data that is not valid at all stays as it was.
    fn decompress(&mut self) {
        let kind = match self.compression() {
            Some(k @ ("gzip" | "zstd")) => k,
            _ => return,
        };
        let mut out = Vec::new();
        let result = match kind {
            "gzip" => flate2::read::MultiGzDecoder::new(self.bytes()).read_to_end(&mut out),
            _ => match zstd::stream::read::Decoder::new(self.bytes()) {
                Ok(mut d) => d.read_to_end(&mut out),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            if out.is_empty() {
                self.warnings.push(format!(
                    "{}: {kind} data could not be decompressed: {e}",
                    self.name
                ));
                return;
            }
            self.warnings.push(format!(
                "{}: {kind} data is damaged or cut short ({e}); read the {} bytes before the damage",
                self.name,
                out.len()
            ));
        }
        self.data = Data::Owned(out);
        self.decoded_from = Some(kind);
    }

    fn open_raw(path: &str) -> Result<Source> {
        if path == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("<stdin>: read failed")?;
            return Ok(Source::from_bytes("<stdin>", buf));
        }
        let mut file = File::open(path).with_context(|| format!("{path}: cannot open"))?;
        let meta = file
            .metadata()
            .with_context(|| format!("{path}: cannot open"))?;
        if meta.is_dir() {
            bail!("{path}: is a directory");
        }
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: the map is read-only and lives as long as `Source`; nothing in this
            // process writes to the file. Another process still can, and Rust assumes the bytes
            // behind a `&[u8]` never change, so the contract is the one every mmap-based tool
            // (ripgrep among them) accepts: the logs are not rewritten while hindsight reads
            // them. What happens when they are: lines appended after the map was made are not
            // seen (the map keeps the length at open time), which is the intended snapshot. If
            // the file is truncated while mapped (logrotate's `copytruncate`), touching a page
            // past the new end raises SIGBUS and the process dies; and bytes rewritten in place
            // could make the first and the evidence pass read different text. Rotate with
            // `create` (logrotate's default) while hindsight runs, or give it a copy.
            if let Ok(map) = unsafe { Mmap::map(&file) } {
                let mut source = Source::from_bytes(path, Vec::new());
                source.data = Data::Mapped(map);
                source.modified = meta.modified().ok();
                return Ok(source);
            }
        }
        // Pipes, character devices (/dev/stdin, /dev/null), process substitution, empty
        // files, and files whose file system cannot map them (/proc, /sys): read them.
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)
            .with_context(|| format!("{path}: read failed"))?;
        let mut source = Source::from_bytes(path, buf);
        source.modified = meta.modified().ok();
        Ok(source)
    }

    /// What the first bytes say about the data, when it cannot be a text log as it is.
    pub fn compression(&self) -> Option<&'static str> {
        let b = self.bytes();
        if b.starts_with(&[0x1f, 0x8b]) {
            Some("gzip")
        } else if b.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some("zstd")
        } else if b.starts_with(b"BZh") {
            Some("bzip2")
        } else if b.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Some("xz")
        } else {
            None
        }
    }
}

/// One input to open: its path, and whether it was found inside a directory argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub path: String,
    pub from_directory: bool,
}

/// Expands the command line's inputs: a directory stands for the regular files directly
/// inside it (symbolic links followed; not subdirectories), sorted by name, leaving out hidden
/// files and the binary files of /var/log (`wtmp`, `btmp`, `lastlog`, `faillog`,
/// `*.journal`). A file reached twice (by a link and by its name) is read once. Other names
/// are kept as given; errors about them come when they are opened.
pub fn expand(inputs: &[String]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        let path = std::path::Path::new(input);
        if input == "-" || !path.is_dir() {
            out.push(Input {
                path: input.clone(),
                from_directory: false,
            });
            continue;
        }
        let mut found = Vec::new();
        for entry in
            std::fs::read_dir(path).with_context(|| format!("{input}: cannot list directory"))?
        {
            let entry = entry.with_context(|| format!("{input}: cannot list directory"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let binary = ["wtmp", "btmp", "lastlog", "faillog"]
                .iter()
                .any(|b| name.starts_with(b))
                || name.ends_with(".journal")
                || name.ends_with(".journal~");
            let is_file = std::fs::metadata(entry.path())
                .map(|m| m.is_file())
                .unwrap_or(false);
            if name.starts_with('.') || binary || !is_file {
                continue;
            }
            found.push(entry.path());
        }
        if found.is_empty() {
            bail!("{input}: no log files in this directory");
        }
        found.sort();
        for p in found {
            let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if seen.insert(canonical) {
                out.push(Input {
                    path: p.to_string_lossy().into_owned(),
                    from_directory: true,
                });
            }
        }
    }
    Ok(out)
}

/// Cuts `data` into ranges of about `target` bytes, each ending just after a `\n` (or at the
/// end of the data). Empty data gives no chunks.
pub fn chunk_ranges(data: &[u8], target: usize) -> Vec<Range<usize>> {
    let target = target.max(1);
    let mut out = Vec::with_capacity(data.len() / target + 1);
    let mut start = 0;
    while start < data.len() {
        let want = start.saturating_add(target);
        if want >= data.len() {
            out.push(start..data.len());
            break;
        }
        let end = match memchr::memchr(b'\n', &data[want - 1..]) {
            Some(i) => want + i,
            None => data.len(),
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// The lines of a chunk, without `\n` or `\r\n`. A final line without `\n` is a line too.
pub fn lines(chunk: &[u8]) -> Lines<'_> {
    Lines { rest: chunk }
}

/// Iterator over the lines of a chunk; finds line ends with memchr.
pub struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, &self.rest[self.rest.len()..]),
        };
        self.rest = rest;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_everything_at_line_boundaries() {
        let data = b"a\nbb\n\nccc\r\ndddd";
        for target in 1..=data.len() + 2 {
            let ranges = chunk_ranges(data, target);
            let mut pos = 0;
            for r in &ranges {
                assert_eq!(r.start, pos);
                assert!(r.end > r.start);
                assert!(r.end == data.len() || data[r.end - 1] == b'\n');
                pos = r.end;
            }
            assert_eq!(pos, data.len());
            let all: Vec<&[u8]> = ranges
                .iter()
                .flat_map(|r| lines(&data[r.clone()]))
                .collect();
            assert_eq!(
                all,
                vec![&b"a"[..], b"bb", b"", b"ccc", b"dddd"],
                "target {target}"
            );
        }
    }

    #[test]
    fn line_counts_match_wc_plus_unterminated_last_line() {
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").count(), 1);
        assert_eq!(lines(b"x").count(), 1);
        assert_eq!(lines(b"x\ny\n").count(), 2);
        assert_eq!(lines(b"x\r\ny").count(), 2);
    }
}
