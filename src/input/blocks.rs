//! Reading an input a block of whole lines at a time: windows of a mapped file, pieces of a
//! decoded gzip or zstd stream, or slices of bytes in memory; and reading a block again.

use super::{Source, Store, Window, HEAD_BYTES, MAX_LINE};
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};

impl Source {
    /// The blocks of whole lines of the (decoded) data, in order, about `target` bytes each.
    /// `count` adds the stored bytes read to [`Source::consumed`].
    pub fn blocks(&self, target: usize, count: bool) -> Blocks<'_> {
        self.blocks_capped(target, count, MAX_LINE)
    }

    /// [`Source::blocks`] with lines cut at `max_line` bytes.
    pub(super) fn blocks_capped(&self, target: usize, count: bool, max_line: usize) -> Blocks<'_> {
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
                let end = super::cut_after(v, start, self.target);
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
