//! Input sources: files and stdin, read a block of whole lines at a time.
//!
//! Regular files are memory-mapped one window of a few MiB at a time (see [`window`]), so
//! resident memory stays flat whatever the file's size and a file truncated while read is
//! survived. gzip and zstd data (rotated logs such as `access.log.2.gz`) is decompressed as a
//! stream, whatever its name. stdin, pipes and other special files are first copied to an
//! unnamed temporary file, so that they too can be read twice (the evidence pass reads parts of
//! the data again). A directory stands for the log files directly inside it.
//!
//! A block always ends just after a `\n` (or at the end of the data), so every line belongs to
//! exactly one block and the parallel scan sees the same lines as a sequential one. Blocks are
//! cut the same way on every read of the same data, so a later pass can ask for block `seq`
//! of a compressed stream again.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

mod blocks;
mod window;
pub use blocks::{Block, Blocks};
pub use window::Window;

/// Longest line read whole. A longer one (a binary file, a runaway writer) is read up to
/// this length and the rest of it skipped, with a warning: memory stays bounded.
pub const MAX_LINE: usize = 256 << 20;

/// How many bytes of an input format detection looks at.
pub const HEAD_BYTES: usize = 1 << 20;

enum Store {
    /// A regular file (or a temporary copy of a pipe), `len` bytes long when opened: lines
    /// appended later are not read, so both passes see the same snapshot.
    File {
        file: File,
        len: u64,
    },
    Memory(Vec<u8>),
}

/// One input: its name as the user gave it and how to read its bytes.
pub struct Source {
    pub name: String,
    store: Store,
    /// The compression the data is decoded from (`gzip`, `zstd`).
    pub decoded_from: Option<&'static str>,
    compression: Option<&'static str>,
    /// When the file was last modified (the year of yearless stamps is taken from it).
    pub modified: Option<std::time::SystemTime>,
    /// Problems met while reading that still left a usable result (a truncated gzip).
    warnings: Mutex<Vec<String>>,
    /// Offset (in the decoded data) from which the file was found shorter than when it was
    /// opened; `u64::MAX` while it has not shrunk.
    shrunk_at: AtomicU64,
    /// The same for a later pass (the evidence), once the first had read everything.
    shrunk_later_at: AtomicU64,
    /// Bytes of the stored data read so far by the first pass (for progress).
    pub consumed: AtomicU64,
    /// The data says gzip or zstd but none of it could be decoded.
    undecodable: std::sync::atomic::AtomicBool,
}

impl Source {
    fn new(name: String, store: Store) -> Source {
        let mut s = Source {
            name,
            store,
            decoded_from: None,
            compression: None,
            modified: None,
            warnings: Mutex::new(Vec::new()),
            shrunk_at: AtomicU64::new(u64::MAX),
            shrunk_later_at: AtomicU64::new(u64::MAX),
            consumed: AtomicU64::new(0),
            undecodable: std::sync::atomic::AtomicBool::new(false),
        };
        s.compression = s.sniff();
        s.decoded_from = s.compression.filter(|k| matches!(*k, "gzip" | "zstd"));
        s
    }

    /// An input from bytes already in memory (tests, benchmarks).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        Source::new(name.into(), Store::Memory(bytes))
    }

    /// Opens a path, or stdin for `-`. Regular files are read in place; anything else is
    /// copied first.
    pub fn open(path: &str) -> Result<Source> {
        if path == "-" {
            let store = spool(std::io::stdin().lock()).context("<stdin>: read failed")?;
            return Ok(Source::new("<stdin>".into(), store));
        }
        let file = File::open(path).with_context(|| format!("{path}: cannot open"))?;
        let meta = file
            .metadata()
            .with_context(|| format!("{path}: cannot open"))?;
        if meta.is_dir() {
            bail!("{path}: is a directory");
        }
        // A regular file that can be mapped is read in place. Pipes, character devices
        // (/dev/stdin, /dev/null), process substitution, and files of /proc and /sys (whose
        // size says nothing of their content) are copied.
        let mappable = meta.is_file()
            && meta.len() > 0
            && Window::map(&file, 0, meta.len().min(4096) as usize).is_some();
        let store = if mappable {
            Store::File {
                file,
                len: meta.len(),
            }
        } else {
            spool(file).with_context(|| format!("{path}: read failed"))?
        };
        let mut source = Source::new(path.to_string(), store);
        source.modified = meta.modified().ok();
        Ok(source)
    }

    /// Size of the data as stored (compressed size for compressed inputs).
    pub fn size(&self) -> u64 {
        match &self.store {
            Store::File { len, .. } => *len,
            Store::Memory(v) => v.len() as u64,
        }
    }

    /// Problems met while reading, so far.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.warnings.lock().map(|w| w.clone()).unwrap_or_default();
        let at = self.shrunk_at.load(Ordering::Relaxed);
        if at != u64::MAX {
            w.push(format!(
                "{}: the file shrank while it was read (truncated in place, as logrotate's copytruncate does); read its first {} bytes, the lines after them are not in this report",
                self.name, at
            ));
        }
        let later = self.shrunk_later_at.load(Ordering::Relaxed);
        if later != u64::MAX && at == u64::MAX {
            w.push(format!(
                "{}: the file shrank after its lines were counted (truncated in place, as logrotate's copytruncate does); the lines after byte {} could not be read again, so the evidence of incidents they held is partial",
                self.name, later
            ));
        }
        w
    }

    pub fn warn(&self, w: String) {
        if let Ok(mut all) = self.warnings.lock() {
            if !all.contains(&w) {
                all.push(w);
            }
        }
    }

    /// Compression seen in the data but not decoded: bzip2 and xz, or gzip and zstd data of
    /// which nothing could be decoded (known once the data has been read).
    pub fn undecoded(&self) -> Option<&'static str> {
        match self.compression {
            Some("gzip" | "zstd") if !self.undecodable.load(Ordering::Relaxed) => None,
            other => other,
        }
    }

    fn sniff(&self) -> Option<&'static str> {
        let mut b = [0u8; 6];
        let n = match &self.store {
            Store::Memory(v) => {
                let n = v.len().min(6);
                b[..n].copy_from_slice(&v[..n]);
                n
            }
            Store::File { file, .. } => file.read_at(&mut b, 0).unwrap_or(0),
        };
        let b = &b[..n];
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

/// Copies a stream to an unnamed temporary file (or, when none can be made, to memory).
fn spool(mut from: impl Read) -> std::io::Result<Store> {
    match tempfile::tempfile() {
        Ok(mut file) => {
            let len = std::io::copy(&mut from, &mut file)?;
            Ok(Store::File { file, len })
        }
        Err(_) => {
            let mut buf = Vec::new();
            from.read_to_end(&mut buf)?;
            Ok(Store::Memory(buf))
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
        let end = cut_after(data, start, target);
        out.push(start..end);
        start = end;
    }
    out
}

/// Where a chunk of about `target > 0` bytes from `start < data.len()` ends: just after the
/// first `\n` at or past `start + target - 1`, or at the end of the data.
pub(crate) fn cut_after(data: &[u8], start: usize, target: usize) -> usize {
    let want = start.saturating_add(target);
    if want >= data.len() {
        return data.len();
    }
    memchr::memchr(b'\n', &data[want - 1..]).map_or(data.len(), |i| want + i)
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

    /// Lines of every kind: empty, CRLF, long, and a last one without `\n`.
    fn sample_text() -> Vec<u8> {
        let mut t = Vec::new();
        for i in 0..500 {
            match i % 7 {
                0 => t.extend_from_slice(b"\n"),
                1 => t.extend_from_slice(format!("crlf {i}\r\n").as_bytes()),
                2 => t.extend_from_slice(format!("{}\n", "x".repeat(i * 3)).as_bytes()),
                _ => t.extend_from_slice(format!("line {i}\n").as_bytes()),
            }
        }
        t.extend_from_slice(b"last without newline");
        t
    }

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    fn block_lines(source: &Source, target: usize) -> Vec<Vec<u8>> {
        let mut pos = 0;
        let mut out = Vec::new();
        for (k, b) in source.blocks(target, true).enumerate() {
            assert_eq!(b.seq, k);
            assert_eq!(b.start, pos, "blocks are contiguous");
            pos = b.range().end;
            let bytes = b.bytes();
            assert!(
                bytes.ends_with(b"\n") || pos == source_len(source),
                "a block ends at a line end"
            );
            out.extend(lines(bytes).map(<[u8]>::to_vec));
        }
        out
    }

    fn source_len(source: &Source) -> u64 {
        source
            .blocks(usize::MAX, false)
            .map(|b| b.bytes().len() as u64)
            .sum()
    }

    #[test]
    fn blocks_of_files_memory_and_compressed_streams_give_the_same_lines() {
        let text = sample_text();
        let want: Vec<Vec<u8>> = lines(&text).map(<[u8]>::to_vec).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::encode_all(&text[..], 3).unwrap();
        let plain = file_with(&text);
        let gz_file = file_with(&gz);
        let sources = [
            Source::from_bytes("memory", text.clone()),
            Source::open(plain.path().to_str().unwrap()).unwrap(),
            Source::open(gz_file.path().to_str().unwrap()).unwrap(),
            Source::from_bytes("zstd", zst),
        ];
        assert_eq!(sources[2].decoded_from, Some("gzip"));
        assert_eq!(sources[3].decoded_from, Some("zstd"));
        for source in &sources {
            for target in [1, 2, 7, 100, 4096, 1 << 20] {
                assert_eq!(
                    block_lines(source, target),
                    want,
                    "{} at {target}",
                    source.name
                );
            }
            assert!(source.warnings().is_empty(), "{:?}", source.warnings());
        }
        // Progress counts the stored bytes once per counted pass.
        assert_eq!(
            sources[1].consumed.load(Ordering::Relaxed),
            6 * text.len() as u64
        );
    }

    #[test]
    fn a_block_can_be_read_again_on_its_own() {
        let text = sample_text();
        let f = file_with(&text);
        let source = Source::open(f.path().to_str().unwrap()).unwrap();
        for b in source.blocks(300, false) {
            let again = source.block_at(b.seq, b.range()).unwrap();
            assert_eq!(again.bytes(), b.bytes());
        }
        let gz = Source::from_bytes("gz", {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, &text).unwrap();
            e.finish().unwrap()
        });
        assert!(
            gz.block_at(0, 0..10).is_none(),
            "compressed data is read from its start"
        );
    }

    #[test]
    fn a_line_longer_than_the_cap_is_read_in_part_and_counted_once() {
        let mut text = b"before\n".to_vec();
        text.extend(std::iter::repeat_n(b'y', 10_000));
        text.extend_from_slice(b"\nafter\n");
        let f = file_with(&text);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        let sources = [
            Source::open(f.path().to_str().unwrap()).unwrap(),
            Source::from_bytes("gz", gz.finish().unwrap()),
        ];
        for source in &sources {
            for target in [1, 64, 1000] {
                let got: Vec<Vec<u8>> = source
                    .blocks_capped(target, false, 1024)
                    .flat_map(|b| lines(b.bytes()).map(<[u8]>::to_vec).collect::<Vec<_>>())
                    .collect();
                assert_eq!(got.len(), 3, "{} at {target}", source.name);
                assert_eq!(got[0], b"before");
                assert_eq!(got[1], vec![b'y'; 1024]);
                assert_eq!(got[2], b"after");
                assert!(source.warnings()[0].contains("longer than 1024 bytes"));
            }
        }
    }

    #[test]
    fn lines_appended_after_open_are_not_read() {
        let f = file_with(b"one\ntwo\n");
        let source = Source::open(f.path().to_str().unwrap()).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(f.path())
            .and_then(|mut w| std::io::Write::write_all(&mut w, b"three\n"))
            .unwrap();
        assert_eq!(
            block_lines(&source, 1 << 20),
            vec![b"one".to_vec(), b"two".to_vec()]
        );
        assert!(source.warnings().is_empty());
    }

    #[test]
    fn a_file_truncated_while_read_keeps_the_lines_before_the_cut() {
        let page = 4096;
        let line = format!("{}\n", "z".repeat(99));
        let text = line.repeat(page * 4 / line.len() + 1);
        let f = file_with(text.as_bytes());
        let source = Source::open(f.path().to_str().unwrap()).unwrap();
        let mut blocks = source.blocks(page, true);
        let first = blocks.next().unwrap();
        // logrotate's copytruncate: the file is emptied while it is being read.
        f.as_file().set_len(2 * page as u64 + 50).unwrap();
        assert!(
            source.lost_tail(&first).is_none(),
            "the first block was all there"
        );
        let rest: Vec<Block<'_>> = blocks.collect();
        let kept: u64 = rest
            .iter()
            .map(|b| source.lost_tail(b).unwrap_or(b.bytes().len()) as u64)
            .sum::<u64>()
            + first.bytes().len() as u64;
        let whole_lines_before_cut = (2 * page as u64 + 50) / 100 * 100;
        assert_eq!(kept, whole_lines_before_cut);
        let w = source.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("shrank while it was read"), "{w:?}");
        assert!(
            w[0].contains(&format!("first {whole_lines_before_cut} bytes")),
            "{w:?}"
        );
    }

    #[test]
    fn a_damaged_gzip_keeps_what_was_decoded_and_says_so() {
        let text = sample_text().repeat(20);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        let gz = gz.finish().unwrap();
        let cut = Source::from_bytes("cut.gz", gz[..gz.len() / 2].to_vec());
        let got: usize = cut.blocks(1000, false).map(|b| b.bytes().len()).sum();
        assert!(got > 0 && got < text.len(), "{got}");
        assert!(text.starts_with(&cut.head(got)));
        let w = cut.warnings();
        assert!(w[0].contains("damaged or cut short"), "{w:?}");
        let garbage = Source::from_bytes("bad.gz", vec![0x1f, 0x8b, 0, 1, 2, 3, 4]);
        assert_eq!(garbage.blocks(1000, false).count(), 0);
        assert!(garbage.warnings()[0].contains("could not be decompressed"));
    }

    #[test]
    fn head_and_tail() {
        let text = sample_text();
        let f = file_with(&text);
        let source = Source::open(f.path().to_str().unwrap()).unwrap();
        assert_eq!(source.head(100), text[..100].to_vec());
        let tail = source.tail(200);
        assert!(text.ends_with(&tail) && tail.len() <= 200 && !tail.is_empty());
        assert_eq!(
            text[text.len() - tail.len() - 1],
            b'\n',
            "the tail starts at a line"
        );
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
