//! Input sources: files and stdin, as one byte slice each, cut into chunks of whole lines.
//!
//! Regular files are memory-mapped; stdin, pipes and other special files are read into
//! memory. A chunk always ends just after a `\n` (or at the end of the data), so every line
//! belongs to exactly one chunk and the parallel scan sees the same lines as a sequential one.

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
}

impl Source {
    /// An input from bytes already in memory (tests, benchmarks).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source {
            name: name.into(),
            data: Data::Owned(bytes),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
        }
    }

    /// Opens a path, or stdin for `-`.
    pub fn open(path: &str) -> Result<Source> {
        if path == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("<stdin>: read failed")?;
            return Ok(Source::from_bytes("<stdin>", buf));
        }
        let meta = std::fs::metadata(path).with_context(|| format!("{path}: cannot open"))?;
        if meta.is_dir() {
            bail!("{path}: is a directory; pass the log files inside it");
        }
        let mut file = File::open(path).with_context(|| format!("{path}: cannot open"))?;
        if !meta.is_file() || meta.len() == 0 {
            // Pipes, character devices (/dev/stdin, /dev/null), process substitution, and
            // empty files, which cannot be mapped.
            let mut buf = Vec::new();
            file.read_to_end(&mut buf)
                .with_context(|| format!("{path}: read failed"))?;
            return Ok(Source::from_bytes(path, buf));
        }
        // SAFETY: the map is read-only and lives as long as `Source`. The contract of a file
        // mapping is that the file's bytes may change under us if another process writes to
        // it: an appended line is simply not seen (the map has the length at open time), a
        // rewritten byte shows up as changed text, which the parsers tolerate as they do any
        // bytes. If the file is truncated while mapped (logrotate's `copytruncate`), reading
        // a page past the new end raises SIGBUS and the process dies. The risk is accepted for
        // the speed of mapping; rotate with `create` (the default) rather than `copytruncate`
        // while hindsight runs, or pass a copy of the file.
        let map = unsafe { Mmap::map(&file) }.with_context(|| format!("{path}: cannot map"))?;
        Ok(Source {
            name: path.to_string(),
            data: Data::Mapped(map),
        })
    }
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
pub fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
    let empty = chunk.is_empty();
    body.split(|&b| b == b'\n')
        .filter(move |_| !empty)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
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
