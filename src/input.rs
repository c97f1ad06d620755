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

mod window;
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

    /// The bytes, when the input is uncompressed and in memory (tests).
    pub fn memory(&self) -> Option<&[u8]> {
        match &self.store {
            Store::Memory(v) if self.decoded_from.is_none() => Some(v),
            _ => None,
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

    /// The blocks of whole lines of the (decoded) data, in order, about `target` bytes each.
    /// `count` adds the stored bytes read to [`Source::consumed`].
    pub fn blocks(&self, target: usize, count: bool) -> Blocks<'_> {
        self.blocks_capped(target, count, MAX_LINE)
    }

    /// [`Source::blocks`] with lines cut at `max_line` bytes.
    fn blocks_capped(&self, target: usize, count: bool, max_line: usize) -> Blocks<'_> {
        let target = target.clamp(1, max_line);
        let kind = match (&self.store, self.decoded_from) {
            (Store::Memory(v), None) => Kind::Memory(v),
            (Store::File { file, len }, None) => Kind::File(file, *len),
            (store, Some(codec)) => {
                let raw: Box<dyn Read + Send + '_> = match store {
                    Store::Memory(v) => Box::new(Counted {
                        inner: &v[..],
                        source: self,
                        count,
                    }),
                    Store::File { file, len } => Box::new(Counted {
                        inner: std::io::BufReader::with_capacity(
                            256 << 10,
                            FileAt {
                                file,
                                pos: 0,
                                len: *len,
                            },
                        ),
                        source: self,
                        count,
                    }),
                };
                let reader: Box<dyn Read + Send + '_> = if codec == "gzip" {
                    Box::new(flate2::read::MultiGzDecoder::new(raw))
                } else {
                    match zstd::stream::read::Decoder::new(raw) {
                        Ok(d) => Box::new(d),
                        Err(_) => Box::new(std::io::empty()),
                    }
                };
                Kind::Stream {
                    reader,
                    carry: Vec::new(),
                    eof: false,
                    codec,
                }
            }
        };
        Blocks {
            source: self,
            target,
            seq: 0,
            pos: 0,
            kind,
            skip_line: false,
            count,
            max_line,
        }
    }

    /// Block `seq`, the bytes `range` of the data, read again without reading what comes
    /// before it; `None` for compressed data, which can only be read from its start.
    pub fn block_at(&self, seq: usize, range: Range<u64>) -> Option<Block<'_>> {
        let len = (range.end - range.start) as usize;
        let data = match (&self.store, self.decoded_from) {
            (Store::Memory(v), None) => {
                Data::Borrowed(&v[range.start as usize..range.end as usize])
            }
            (Store::File { file, .. }, None) => load(file, range.start, len),
            _ => return None,
        };
        let len = len.min(data.len());
        Some(Block {
            seq,
            start: range.start,
            data,
            len,
        })
    }

    /// The lines of a block that were really in the file: when the file shrank under the
    /// block, the block cut just after its last whole line before the lost bytes (recorded,
    /// and said in [`Source::warnings`]); `None` when the block is intact.
    pub fn lost_tail(&self, block: &Block<'_>) -> Option<usize> {
        self.lost_tail_in(block, &self.shrunk_at)
    }

    /// [`Source::lost_tail`] for a later pass, which reads again what the first one counted.
    pub fn lost_tail_later(&self, block: &Block<'_>) -> Option<usize> {
        self.lost_tail_in(block, &self.shrunk_later_at)
    }

    fn lost_tail_in(&self, block: &Block<'_>, record: &AtomicU64) -> Option<usize> {
        let Store::File { file, .. } = &self.store else {
            return None;
        };
        if self.decoded_from.is_some() {
            return None;
        }
        let mut valid = block.len;
        if let Data::Mapped(w) = &block.data {
            if let Some(f) = w.fault() {
                valid = valid.min(f);
            }
        }
        if let Ok(meta) = file.metadata() {
            valid = valid.min(meta.len().saturating_sub(block.start) as usize);
        }
        if valid >= block.len {
            return None;
        }
        let cut = memchr::memrchr(b'\n', &block.bytes()[..valid]).map_or(0, |i| i + 1);
        record.fetch_min(block.start + cut as u64, Ordering::Relaxed);
        Some(cut)
    }

    /// Up to `max` bytes from the start of the (decoded) data.
    pub fn head(&self, max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for b in self.blocks(max.min(HEAD_BYTES), false) {
            out.extend_from_slice(&b.bytes()[..b.len.min(max - out.len())]);
            if out.len() >= max {
                break;
            }
        }
        out
    }

    /// About the last `max` bytes of the (decoded) data, starting at a line.
    pub fn tail(&self, max: usize) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        match (&self.store, self.decoded_from) {
            (Store::File { len, .. }, None) => {
                let start = len.saturating_sub(max as u64);
                if let Some(b) = self.block_at(0, start..*len) {
                    out = b.bytes().to_vec();
                }
            }
            _ => {
                for b in self.blocks(max.max(1), false) {
                    out.extend_from_slice(b.bytes());
                    if out.len() > 2 * max {
                        out.drain(..out.len() - max);
                    }
                }
            }
        }
        if out.len() > max {
            out.drain(..out.len() - max);
        }
        if let Some(i) = memchr::memchr(b'\n', &out) {
            if out.len() >= max {
                out.drain(..=i);
            }
        }
        out
    }

    /// What the first bytes say about the data, when it cannot be a text log as it is.
    pub fn compression(&self) -> Option<&'static str> {
        self.compression
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

/// `len` bytes of a file from `offset`: mapped, or read when no window can be mapped (then a
/// file that shrank gives fewer bytes).
fn load(file: &File, offset: u64, len: usize) -> Data<'static> {
    if let Some(w) = Window::map(file, offset, len) {
        return Data::Mapped(w);
    }
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    buf.truncate(got);
    Data::Owned(buf)
}

/// A file read with `pread` from `pos`, up to `len` (its length when opened).
struct FileAt<'a> {
    file: &'a File,
    pos: u64,
    len: u64,
}

impl Read for FileAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let want = buf.len().min(left.min(usize::MAX as u64) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A reader that adds what it reads to its source's progress.
struct Counted<'a, R> {
    inner: R,
    source: &'a Source,
    count: bool,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.count {
            self.source.consumed.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

enum Data<'a> {
    Borrowed(&'a [u8]),
    Mapped(Window),
    Owned(Vec<u8>),
}

impl Data<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Borrowed(b) => b,
            Data::Mapped(w) => w.bytes(),
            Data::Owned(v) => v,
        }
    }

    fn len(&self) -> usize {
        self.bytes().len()
    }
}

/// Whole lines of one input: the `seq`-th block, from offset `start` of the decoded data.
pub struct Block<'a> {
    pub seq: usize,
    pub start: u64,
    data: Data<'a>,
    len: usize,
}

impl Block<'_> {
    pub fn bytes(&self) -> &[u8] {
        &self.data.bytes()[..self.len]
    }

    /// Offsets of the block in the decoded data.
    pub fn range(&self) -> Range<u64> {
        self.start..self.start + self.len as u64
    }
}

enum Kind<'a> {
    Memory(&'a [u8]),
    File(&'a File, u64),
    Stream {
        reader: Box<dyn Read + Send + 'a>,
        carry: Vec<u8>,
        eof: bool,
        codec: &'static str,
    },
}

/// Iterator over the blocks of a source; see [`Source::blocks`].
pub struct Blocks<'a> {
    source: &'a Source,
    target: usize,
    seq: usize,
    pos: u64,
    kind: Kind<'a>,
    /// The last block ended inside a line longer than [`MAX_LINE`]: skip to its end.
    skip_line: bool,
    count: bool,
    max_line: usize,
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Block<'a>;

    fn next(&mut self) -> Option<Block<'a>> {
        if self.skip_line {
            self.skip_line = false;
            self.skip_rest_of_line();
        }
        let mut long = false;
        let (data, len) = match &mut self.kind {
            Kind::Memory(v) => {
                let start = self.pos as usize;
                if start >= v.len() {
                    return None;
                }
                let want = start.saturating_add(self.target);
                let end = if want >= v.len() {
                    v.len()
                } else {
                    memchr::memchr(b'\n', &v[want - 1..]).map_or(v.len(), |i| want + i)
                };
                (Data::Borrowed(&v[start..end]), end - start)
            }
            Kind::File(file, len) => {
                let file: &'a File = file;
                let len = *len;
                if self.pos >= len || self.source.shrunk_at.load(Ordering::Relaxed) <= self.pos {
                    return None;
                }
                let mut want = (self.target as u64).min(len - self.pos) as usize;
                loop {
                    let data = load(file, self.pos, want);
                    let last = self.pos + want as u64 == len;
                    let found = if last {
                        Some(want)
                    } else {
                        memchr::memrchr(b'\n', data.bytes()).map(|i| i + 1)
                    };
                    // Fewer bytes than asked for, or zeros where the file was cut under the
                    // map: the file is shorter than when it was opened.
                    let mut got = data.len();
                    if let Data::Mapped(w) = &data {
                        got = got.min(w.fault().unwrap_or(usize::MAX));
                    }
                    if got < want {
                        let cut = memchr::memrchr(b'\n', &data.bytes()[..got]).map_or(0, |i| i + 1);
                        self.source
                            .shrunk_at
                            .fetch_min(self.pos + cut as u64, Ordering::Relaxed);
                        if cut == 0 {
                            return None;
                        }
                        break (data, cut);
                    }
                    if let Some(cut) = found {
                        break (data, cut);
                    }
                    if want >= self.max_line {
                        long = true;
                        break (data, want);
                    }
                    want = (want * 2).min(self.max_line).min((len - self.pos) as usize);
                }
            }
            Kind::Stream {
                reader,
                carry,
                eof,
                codec,
            } => {
                let mut buf = std::mem::take(carry);
                let mut want = self.target;
                loop {
                    if !*eof && buf.len() < want {
                        let before = buf.len();
                        // Room for exactly what is asked: read_to_end would otherwise double
                        // the buffer.
                        buf.reserve_exact(want - buf.len() + 64);
                        let r = reader
                            .by_ref()
                            .take((want - buf.len()) as u64)
                            .read_to_end(&mut buf);
                        match r {
                            Ok(0) => *eof = true,
                            Ok(_) => {}
                            Err(e) => {
                                *eof = true;
                                let decoded = self.pos + buf.len() as u64;
                                if decoded == 0 {
                                    self.source.undecodable.store(true, Ordering::Relaxed);
                                }
                                self.source.warn(if decoded == 0 {
                                    format!(
                                        "{}: {codec} data could not be decompressed: {e}",
                                        self.source.name
                                    )
                                } else {
                                    format!(
                                        "{}: {codec} data is damaged or cut short ({e}); read the {decoded} bytes before the damage",
                                        self.source.name
                                    )
                                });
                            }
                        }
                        if buf.len() > before && buf.len() < want && !*eof {
                            continue;
                        }
                    }
                    if buf.is_empty() {
                        return None;
                    }
                    if *eof {
                        let n = buf.len();
                        break (Data::Owned(buf), n);
                    }
                    if let Some(i) = memchr::memrchr(b'\n', &buf) {
                        *carry = buf[i + 1..].to_vec();
                        break (Data::Owned(buf), i + 1);
                    }
                    if buf.len() >= self.max_line {
                        long = true;
                        let n = buf.len();
                        break (Data::Owned(buf), n);
                    }
                    want = (want * 2).min(self.max_line);
                }
            }
        };
        if long {
            self.long_line();
        }
        let block = Block {
            seq: self.seq,
            start: self.pos,
            data,
            len,
        };
        if self.count && self.source.decoded_from.is_none() {
            self.source
                .consumed
                .fetch_add(len as u64, Ordering::Relaxed);
        }
        self.seq += 1;
        self.pos += len as u64;
        Some(block)
    }
}

impl Blocks<'_> {
    fn long_line(&mut self) {
        self.skip_line = true;
        self.source.warn(format!(
            "{}: a line at byte {} is longer than {} bytes; read its first {} bytes only",
            self.source.name, self.pos, self.max_line, self.max_line
        ));
    }

    /// Moves past the end of the line the last block cut (its bytes are not read).
    fn skip_rest_of_line(&mut self) {
        let step = self.target.max(1 << 20);
        match &mut self.kind {
            Kind::Memory(_) => {}
            Kind::File(file, len) => {
                // `pos` is already past the block; what follows up to `\n` is skipped.
                let mut at = self.pos;
                while at < *len {
                    let want = (step as u64).min(*len - at) as usize;
                    let data = load(file, at, want);
                    if data.len() == 0 {
                        at = *len;
                        break;
                    }
                    if let Some(i) = memchr::memchr(b'\n', data.bytes()) {
                        at += i as u64 + 1;
                        break;
                    }
                    at += data.len() as u64;
                }
                self.pos = at;
            }
            Kind::Stream {
                reader, carry, eof, ..
            } => loop {
                if let Some(i) = memchr::memchr(b'\n', carry) {
                    self.pos += i as u64 + 1;
                    carry.drain(..=i);
                    return;
                }
                self.pos += carry.len() as u64;
                carry.clear();
                if *eof {
                    return;
                }
                match reader.by_ref().take(step as u64).read_to_end(carry) {
                    Ok(0) | Err(_) => *eof = true,
                    Ok(_) => {}
                }
            },
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
