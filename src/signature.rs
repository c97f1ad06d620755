//! Error signatures: the few kinds of error behind thousands of error lines.
//!
//! Why: a postmortem wants "which kinds of error appeared, how often, and which were new",
//! but error lines of one kind differ in addresses, ids, numbers, paths and user names, so
//! counting raw messages shows thousands of "different" errors. This module masks the
//! obvious variables, then mines templates online with Drain (He et al., "Drain: An Online
//! Log Parsing Approach with Fixed Depth Tree", ICWS 2017).
//!
//! Input: message bytes (any bytes: invalid UTF-8 is kept and shown as U+FFFD), in file
//! order, with their time. Output: [`Signature`]s — a template with `<*>` for the variable
//! parts, a stable id (FNV-1a 64 of the template, 16 hex digits), counts, first and last
//! time, and the first message of the kind.
//!
//! **Tokens.** A message is split on runs of ASCII whitespace, except inside a quoted string
//! (`"..."`, or `'...'` when the quote opens a token or follows `=([{:,`), which stays in one
//! token. Punctuation stays attached to its token: `(<*>):` and `<*>` are different tokens,
//! which is consistent because one kind of message always writes the same punctuation.
//! From the 128th token on, the rest of a message is one `<*>`.
//!
//! **Masking** ([`mask`]), per token, keeping its leading `([{"'<` and trailing
//! `)]}"',;:.!?>` around the masked core:
//! - `key=value` becomes `key=<*>`, also after a bracket (`LOGIN(uid=<*>)`); an empty value
//!   stays empty (`rhost=`);
//! - a quoted string becomes `"<*>"`, except that a request line keeps its HTTP method
//!   (`"GET <*>"`); an empty one (`''`, and an empty `()`, `[]`, `{}`) holds a `<*>` too;
//! - URLs (`://`), e-mail addresses, paths (`/var/lib/x`, `./x`, `~/x`, `C:\x`, anything with
//!   two `/`), UUIDs, IPv6 addresses (also `[::1]:80`), `host.name:port`, domain names with
//!   two dots ending in a lower-case label of 2 to 6 letters (Java class names end in a
//!   capital and are kept), and hex strings of 8 or more digits with a decimal digit
//!   (SHA-like) become `<*>`;
//! - otherwise the core is cut into alphanumeric segments at punctuation (`_` included), and
//!   every segment that starts with a decimal digit (numbers, `0x1f`, `12ms`, `3.2s`,
//!   `10KB`, dates, times, IPv4) or is such a hex string becomes `<*>`, with a `-`/`+` sign
//!   in front of it; masks joined only by `.:-/,_+` merge, so `10.0.0.1:8080` and
//!   `2024-03-05T10:15:00.123Z` give one `<*>`, and `blk_-4821339219817623` gives
//!   `blk_<*>`. Segments that start with a letter keep their digits (`ssh2`, `e820`, `v1`):
//!   such names are usually constant.
//!
//! Then, across tokens: a unit after a masked number joins it (`5.2 KB,` gives `<*>,`), an
//! English month or weekday name before a masked token is masked (`Sat Jul <*>`), and a
//! masked token equal to the one before it is dropped, so lists of ids (`blk_<*> blk_<*>`)
//! and dates (`<*> <*> <*>`) of any length give one token.
//!
//! **Clustering** (Drain). A tree keyed by the token count, then by the first `depth - 2`
//! *plain words* of the message (letters, with `-` or `'` inside, within punctuation), leads
//! to a leaf of clusters. Drain keys on the first tokens and sends those with digits down a
//! `<*>` branch; skipping every token that is not a plain word instead keeps one template
//! in one leaf when it starts with a variable such as `com.example.agent:` or `<*>`. A new
//! word gets its own branch while the node has fewer than `max_children`, else shares the `<*>`
//! branch. In its leaf a message joins the most similar cluster — the share of positions at
//! which template and message hold the same token, a masked `<*>` equal to a `<*>` — when
//! that share is at least `sim_threshold`; ties go to the template with more `<*>`, then to
//! the older cluster. The positions that differ become `<*>`. Otherwise the message starts a
//! new cluster. Each leaf indexes its clusters by (position, token) and only clusters listed
//! under the message's rarest tokens are compared (see `SignatureMiner::best`), so a
//! message that matches nothing costs a tree walk and a few look-ups, however many clusters
//! there are.
//!
//! **Parameters.** `depth` 4 (two words) and `max_children` 100, as in Drain;
//! `sim_threshold` 0.78 rather than Drain's 0.4 to 0.7: the masks already removed most
//! variables and count as equal tokens, so what still differs is mostly constant text. 0.78
//! lets one token in five differ (a user name in `login failed for <*> from <*>`), two in
//! ten. The price: messages that differ in one constant word only, after the first two, are
//! joined too (`pool state changed to paused` and `... to resumed`). Measured on the loghub
//! 2k samples with `cargo run --release --example signature_accuracy`; any threshold from
//! 0.74 to 0.80 gives the same figures on Linux, OpenSSH, Apache and HDFS.
//!
//! **Bounded memory.** At most `max_clusters` clusters; once full, a message that matches no
//! cluster is counted in [`SignatureMiner::other`] and stored nowhere. Tree nodes, the token
//! vocabulary and the leaf indexes only grow when a cluster is created, and examples are cut
//! to 300 characters, so memory is bounded by `max_clusters`.
//!
//! **Determinism.** No randomness and no std `RandomState`: the same messages in the same
//! order give the same clusters, templates and ids. Online clustering depends on order. The
//! intended use is one miner per source fed in file order (the incident and baseline windows
//! are narrow, so this is cheap). For parallel chunks, feed one miner per chunk and fold them
//! with [`SignatureMiner::merge`] in chunk order: it re-inserts the later miner's clusters
//! (template, counts, times) in their creation order, so the result is deterministic for a
//! given chunking, but may group slightly differently from a single pass (a later chunk's
//! template joins as a whole, already generalised, and a full miner may have kept a
//! different set of clusters).

use memchr::memchr;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// The mark of a variable part in a template.
pub const WILDCARD: &str = "<*>";
const WILD: &[u8] = WILDCARD.as_bytes();
/// From this token on, the rest of a message is one `<*>`.
const MAX_TOKENS: usize = 128;
/// Examples are cut to this many characters.
const EXAMPLE_CHARS: usize = 300;
/// Vocabulary id of `<*>`, and of a token the miner has never stored.
const WILD_ID: u32 = 0;
const UNKNOWN: u32 = u32::MAX;

/// How the miner clusters; see the module header.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinerConfig {
    /// Depth of the Drain tree as in the paper: the root, the token-count layer, and
    /// `depth - 2` layers of leading plain words. Default 4 (the first two words).
    pub depth: usize,
    /// Least share of equal positions for a message to join a cluster. Default 0.78.
    pub sim_threshold: f64,
    /// Most clusters kept; later messages that match none go to `other`. Default 1000.
    pub max_clusters: usize,
    /// Most token children per tree node before new tokens share the `<*>` branch.
    /// Default 100.
    pub max_children: usize,
}

impl Default for MinerConfig {
    fn default() -> Self {
        MinerConfig {
            depth: 4,
            sim_threshold: 0.78,
            max_clusters: 1000,
            max_children: 100,
        }
    }
}

/// One kind of message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Signature {
    /// [`template_id`] of the template.
    pub id: String,
    /// The message with `<*>` for its variable parts, tokens joined by one space.
    pub template: String,
    pub count: u64,
    pub first_seen: i64,
    pub last_seen: i64,
    /// The first message of this kind, cut to 300 characters.
    pub example: String,
}

/// The masked tokens of a message joined by one space (see the module header).
pub fn mask(message: &[u8]) -> String {
    let mut s = Scratch::default();
    s.mask(message);
    let words: Vec<&[u8]> = s.tokens().collect();
    String::from_utf8_lossy(&words.join(&b' ')).into_owned()
}

/// A stable id for a template: FNV-1a 64 of its UTF-8 bytes, as 16 lower-case hex digits.
pub fn template_id(template: &str) -> String {
    let mut h = Fnv::default();
    h.write(template.as_bytes());
    format!("{:016x}", h.finish())
}

// ---------------------------------------------------------------------------------------
// Hashing: FNV-1a 64, stable across runs and Rust versions.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(FNV_OFFSET)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

// ---------------------------------------------------------------------------------------
// Masking.

/// Buffers reused from message to message.
#[derive(Clone, Default)]
struct Scratch {
    /// Masked tokens, one after another ...
    out: Vec<u8>,
    /// ... and where each ends.
    ends: Vec<usize>,
    /// The token being read, quoted strings already replaced.
    tok: Vec<u8>,
    /// Masked tokens before [`Scratch::finish`], and whether each is a date name to mask.
    raw: Vec<u8>,
    raw_ends: Vec<usize>,
    date: Vec<bool>,
}

impl Scratch {
    fn mask(&mut self, message: &[u8]) {
        self.raw.clear();
        self.raw_ends.clear();
        let mut quotes = Quotes::default();
        let mut i = 0;
        while i < message.len() {
            if message[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if self.raw_ends.len() == MAX_TOKENS - 1 {
                self.raw.extend_from_slice(WILD);
                self.raw_ends.push(self.raw.len());
                break;
            }
            self.tok.clear();
            i = read_token(message, i, &mut self.tok, &mut quotes);
            mask_token(&self.tok, &mut self.raw);
            self.raw_ends.push(self.raw.len());
        }
        self.finish();
    }

    /// Masks month and weekday names that come before a masked token (`Sat Jul <*>`), and
    /// drops a masked token equal to the one before it (`blk_<*> blk_<*>`, a date), moving
    /// the tokens from `raw` to `out`.
    fn finish(&mut self) {
        self.out.clear();
        self.ends.clear();
        let n = self.raw_ends.len();
        let span = |k: usize| {
            (
                if k == 0 { 0 } else { self.raw_ends[k - 1] },
                self.raw_ends[k],
            )
        };
        let mut wild_next = false;
        self.date.clear();
        self.date.resize(n, false);
        for k in (0..n).rev() {
            let (s, e) = span(k);
            let t = &self.raw[s..e];
            self.date[k] = wild_next && is_date_name(t);
            wild_next = t.starts_with(WILD) || self.date[k];
        }
        let mut prev: Option<(usize, usize)> = None;
        for k in 0..n {
            let (s, e) = span(k);
            let after_wild = prev.is_some_and(|(_, pe)| self.out[..pe].ends_with(WILD));
            if let Some(post) = unit_suffix(&self.raw[s..e]).filter(|_| after_wild) {
                self.out.extend_from_slice(post);
                let end = self.out.len();
                *self.ends.last_mut().expect("a token before") = end;
                prev = prev.map(|(ps, _)| (ps, end));
                continue;
            }
            let start = self.out.len();
            if self.date[k] {
                self.out.extend_from_slice(WILD);
            } else {
                self.out.extend_from_slice(&self.raw[s..e]);
            }
            let same = prev.is_some_and(|(ps, pe)| self.out[ps..pe] == self.out[start..]);
            if same && memchr::memmem::find(&self.out[start..], WILD).is_some() {
                self.out.truncate(start);
                continue;
            }
            prev = Some((start, self.out.len()));
            self.ends.push(self.out.len());
        }
    }

    fn tokens(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter()).map(|(s, &e)| &self.out[s..e])
    }
}

/// Remembers, per quote character, that no closing quote is left in the message, so that a
/// message full of unmatched quotes is still read in linear time.
#[derive(Default)]
struct Quotes {
    no_double: bool,
    no_single: bool,
}

impl Quotes {
    /// The closing quote for the quote at `open`: the next one (not escaped by `\`) that is
    /// followed by the end, whitespace or closing punctuation.
    fn close(&mut self, m: &[u8], open: usize) -> Option<usize> {
        let q = m[open];
        let gone = if q == b'"' {
            &mut self.no_double
        } else {
            &mut self.no_single
        };
        if *gone {
            return None;
        }
        let found = (open + 1..m.len()).find(|&j| {
            m[j] == q
                && !(q == b'"' && m[j - 1] == b'\\' && j - 1 > open)
                && m.get(j + 1)
                    .is_none_or(|&b| b.is_ascii_whitespace() || b")]},;:.!?>".contains(&b))
        });
        *gone = found.is_none();
        found
    }
}

/// Reads the token that starts at `start` into `tok`, each quoted string replaced by
/// `"<*>"` (or `""` when empty); returns where the token ends.
fn read_token(m: &[u8], start: usize, tok: &mut Vec<u8>, quotes: &mut Quotes) -> usize {
    let mut i = start;
    while i < m.len() && !m[i].is_ascii_whitespace() {
        let b = m[i];
        let opens = (b == b'"' || b == b'\'') && (i == start || b"=([{:,".contains(&m[i - 1]));
        if opens {
            if let Some(close) = quotes.close(m, i) {
                tok.push(b);
                if let Some(method) = http_method(&m[i + 1..close]) {
                    tok.extend_from_slice(method);
                    tok.push(b' ');
                }
                if close > i + 1 {
                    tok.extend_from_slice(WILD);
                }
                tok.push(b);
                i = close + 1;
                continue;
            }
        }
        tok.push(b);
        i += 1;
    }
    i
}

/// The HTTP method that starts a quoted request line (`"GET /x HTTP/1.1"`), kept because
/// failing reads and failing writes are different signatures.
fn http_method(quoted: &[u8]) -> Option<&[u8]> {
    const METHODS: &[&[u8]] = &[
        b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"CONNECT", b"OPTIONS", b"TRACE", b"PATCH",
    ];
    let word = quoted.split(|&b| b == b' ').next()?;
    (word.len() < quoted.len() && METHODS.contains(&word)).then_some(word)
}

/// The trailing punctuation of a unit token (`KB,` gives `,`), which joins the masked
/// number before it: `5.2 KB,` becomes `<*>,`.
fn unit_suffix(t: &[u8]) -> Option<&[u8]> {
    const UNITS: &str = "B KB kB MB GB TB PB KiB MiB GiB TiB K M G k ns us \u{b5}s ms s sec secs \
                         min mins h hr hrs %";
    let (pre, core, post) = split_punct(t);
    let unit = UNITS.split_ascii_whitespace().any(|u| u.as_bytes() == core);
    (pre.is_empty() && unit).then_some(post)
}

/// English month and weekday names, capitalised or in capitals.
fn is_date_name(t: &[u8]) -> bool {
    const NAMES: &str = "jan feb mar apr may jun jul aug sep sept oct nov dec january february \
                         march april june july august september october november december \
                         mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday \
                         thursday friday saturday sunday";
    let t = t.strip_suffix(b",").unwrap_or(t);
    let capital = t.first().is_some_and(u8::is_ascii_uppercase);
    let rest_same = t[1.min(t.len())..].iter().all(|b| b.is_ascii_lowercase())
        || t.iter().all(|b| b.is_ascii_uppercase());
    let name = NAMES
        .split_ascii_whitespace()
        .any(|n| n.as_bytes().eq_ignore_ascii_case(t));
    capital && rest_same && name
}

/// Writes the masked form of one token.
fn mask_token(tok: &[u8], out: &mut Vec<u8>) {
    let opens = |b: &u8| b"([{\"'".contains(b);
    let closes = |b: &u8| b")]}\"'".contains(b);
    if let [open, close] = tok {
        // `()`, `[]`, `""`: a value that is empty this time.
        if opens(open) && closes(close) {
            out.push(*open);
            out.extend_from_slice(WILD);
            out.push(*close);
            return;
        }
    }
    if mask_key_value(tok, out) {
        return;
    }
    let (mut pre, core, post) = split_punct(tok);
    if pre.ends_with(b"[") && memchr(b']', core).is_some() && is_ipv6(core) {
        pre = &pre[..pre.len() - 1]; // `[::1]:80` is one address
    }
    out.extend_from_slice(pre);
    if is_variable_core(core) {
        out.extend_from_slice(WILD);
    } else {
        mask_segments(core, out);
    }
    out.extend_from_slice(post);
}

/// `key=value` as `key=<*>`, keeping what comes before the key if it ends in `([{<,;:|`
/// (`LOGIN(uid=0)`) and trailing `,;)]}`; `false` when the token is not one.
fn mask_key_value(tok: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(eq) = memchr(b'=', tok) else {
        return false;
    };
    let is_key = |b: &u8| b.is_ascii_alphanumeric() || b"_-.".contains(b);
    let start = eq - tok[..eq].iter().rev().take_while(|b| is_key(b)).count();
    let key = &tok[start..eq];
    let key_ok = key
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
    let prefix_ok = start == 0 || b"([{<,;:|".contains(&tok[start - 1]);
    if !key_ok || !prefix_ok {
        return false;
    }
    let value = &tok[eq + 1..];
    let post = value
        .iter()
        .rev()
        .take_while(|b| b",;)]}>".contains(b))
        .count();
    out.extend_from_slice(&tok[..eq + 1]);
    if post < value.len() {
        out.extend_from_slice(WILD);
    }
    out.extend_from_slice(&value[value.len() - post..]);
    true
}

/// Splits off leading `([{"'<` and trailing `)]}"',;:.!?>` (but not the brackets of `<*>`).
fn split_punct(tok: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut s = 0;
    let mut e = tok.len();
    while s < e && (b"([{\"'".contains(&tok[s]) || (tok[s] == b'<' && !tok[s..].starts_with(WILD)))
    {
        s += 1;
    }
    while e > s
        && (b")]}\"',;:.!?".contains(&tok[e - 1])
            || (tok[e - 1] == b'>' && !tok[s..e].ends_with(WILD)))
    {
        e -= 1;
    }
    (&tok[..s], &tok[s..e], &tok[e..])
}

/// Whether the whole core is one variable: a quoted string, URL, e-mail address, path,
/// UUID, IPv6 address, long hex string, `host:port` or domain name.
fn is_variable_core(c: &[u8]) -> bool {
    c == WILD
        || memchr::memmem::find(c, b"://").is_some()
        || is_email(c)
        || is_path(c)
        || is_uuid(c)
        || is_ipv6(c)
        || is_long_hex(c)
        || is_host_port(c)
        || is_hostname(c)
}

/// `host.name:port`, the host as in [`is_hostname`] but with one dot enough.
fn is_host_port(c: &[u8]) -> bool {
    let Some(colon) = memchr::memrchr(b':', c) else {
        return false;
    };
    let (host, port) = (&c[..colon], &c[colon..]);
    is_port(port) && port.len() <= 6 && is_domain(host, 1)
}

/// A domain name with at least two dots whose last label is 2 to 6 lower-case letters
/// (`dsl-10-2-3.isp.example.net`); Java class names (`org.apache.Foo`) end in a capital.
fn is_hostname(c: &[u8]) -> bool {
    is_domain(c, 2)
}

fn is_domain(c: &[u8], dots: usize) -> bool {
    let tld = c.rsplit(|&b| b == b'.').next().unwrap_or_default();
    c.iter().filter(|&&b| b == b'.').count() >= dots
        && (2..=6).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_lowercase)
        && c.split(|&b| b == b'.').all(|l| {
            l.first().is_some_and(u8::is_ascii_alphanumeric)
                && l.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

fn is_email(c: &[u8]) -> bool {
    let Some(at) = memchr(b'@', c) else {
        return false;
    };
    let (local, domain) = (&c[..at], &c[at + 1..]);
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or_default();
    !local.is_empty()
        && local
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && memchr(b'.', domain).is_some()
        && domain
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b".-".contains(&b))
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}

fn is_path(c: &[u8]) -> bool {
    (c.len() > 1 && c[0] == b'/')
        || c.starts_with(b"./")
        || c.starts_with(b"../")
        || c.starts_with(b"~/")
        || (c.len() > 3 && c[0].is_ascii_alphabetic() && &c[1..3] == b":\\")
        || c.iter().filter(|&&b| b == b'/').count() >= 2
}

fn is_uuid(c: &[u8]) -> bool {
    c.len() == 36
        && c.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Hex digits and colons with at least two colons and a digit or `::`, optionally as
/// `[addr]:port` (the leading `[` is already split off).
fn is_ipv6(c: &[u8]) -> bool {
    let addr = match memchr(b']', c) {
        Some(k) if c[k + 1..].is_empty() || is_port(&c[k + 1..]) => &c[..k],
        Some(_) => return false,
        None => c,
    };
    addr.iter().filter(|&&b| b == b':').count() >= 2
        && addr
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        && (addr.iter().any(u8::is_ascii_digit) || memchr::memmem::find(addr, b"::").is_some())
}

fn is_port(c: &[u8]) -> bool {
    c.len() > 1 && c[0] == b':' && c[1..].iter().all(u8::is_ascii_digit)
}

/// Eight or more hex digits, at least one of them decimal: hashes, addresses, ids.
fn is_long_hex(c: &[u8]) -> bool {
    c.len() >= 8 && c.iter().all(u8::is_ascii_hexdigit) && c.iter().any(u8::is_ascii_digit)
}

/// Masks the segments of `core` that start with a digit (or are long hex), merging masks
/// joined only by `.:-/,_+`.
fn mask_segments(core: &[u8], out: &mut Vec<u8>) {
    let mut last_wild: Option<usize> = None;
    let mut i = 0;
    while i < core.len() {
        if core[i..].starts_with(WILD) {
            push_wild(out, &mut last_wild);
            i += WILD.len();
        } else if is_word_byte(core[i]) {
            let j = i + core[i..].iter().take_while(|&&b| is_word_byte(b)).count();
            let seg = &core[i..j];
            if seg[0].is_ascii_digit() || is_long_hex(seg) {
                let signed = i > 0
                    && matches!(core[i - 1], b'-' | b'+')
                    && (i == 1 || !is_word_byte(core[i - 2]));
                if signed {
                    out.pop();
                }
                push_wild(out, &mut last_wild);
            } else {
                out.extend_from_slice(seg);
            }
            i = j;
        } else {
            out.push(core[i]);
            i += 1;
        }
    }
}

/// Writes `<*>`, or nothing when only separators follow the previous one (which then
/// covers them).
fn push_wild(out: &mut Vec<u8>, last_wild: &mut Option<usize>) {
    if let Some(end) = *last_wild {
        if end <= out.len() && out[end..].iter().all(|b| b".:-/,_+".contains(b)) {
            out.truncate(end);
            return;
        }
    }
    out.extend_from_slice(WILD);
    *last_wild = Some(out.len());
}

/// Letters (any non-ASCII byte counts as one), with `-` or `'` inside, within punctuation.
fn is_plain_word(t: &[u8]) -> bool {
    let (_, core, _) = split_punct(t);
    let letter = |b: &u8| b.is_ascii_alphabetic() || *b >= 0x80;
    core.first().is_some_and(letter)
        && core.last().is_some_and(letter)
        && core.iter().all(|b| letter(b) || *b == b'-' || *b == b'\'')
}

// ---------------------------------------------------------------------------------------
// The miner.

/// Tokens stored in templates, by id; id 0 is `<*>`.
#[derive(Clone)]
struct Vocab {
    ids: FnvMap<Box<[u8]>, u32>,
    words: Vec<Box<[u8]>>,
}

impl Default for Vocab {
    fn default() -> Self {
        let mut v = Vocab {
            ids: FnvMap::default(),
            words: Vec::new(),
        };
        v.intern(WILD);
        v
    }
}

impl Vocab {
    fn get(&self, t: &[u8]) -> u32 {
        self.ids.get(t).copied().unwrap_or(UNKNOWN)
    }

    fn intern(&mut self, t: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(t.into());
        self.ids.insert(t.into(), id);
        id
    }
}

/// A tree node; the nodes at the last layer hold clusters.
#[derive(Clone, Default)]
struct Node {
    children: FnvMap<u32, u32>,
    wild: Option<u32>,
    /// Cluster numbers, by slot ...
    clusters: Vec<u32>,
    /// ... and the slots whose template has a given token at a given position
    /// (`position << 32 | token`).
    index: FnvMap<u64, Vec<u32>>,
}

fn index_key(pos: usize, token: u32) -> u64 {
    ((pos as u64) << 32) | u64::from(token)
}

#[derive(Clone)]
struct Cluster {
    /// The leaf that holds it, and its slot there.
    leaf: u32,
    slot: u32,
    tokens: Vec<u32>,
    /// How many of `tokens` are `<*>`.
    wilds: usize,
    count: u64,
    first_seen: i64,
    last_seen: i64,
    example: String,
}

/// A message (or a template being merged) ready for the tree.
struct Probe<'a> {
    /// Vocabulary ids; [`UNKNOWN`] for tokens never stored.
    ids: &'a [u32],
    /// The tokens themselves, to store when a cluster is created.
    words: &'a [&'a [u8]],
}

/// What a cluster gets from a message or a merged cluster.
struct Stats {
    count: u64,
    first_seen: i64,
    last_seen: i64,
}

/// A Drain log-template miner with a cap on clusters; see the module header.
#[derive(Clone)]
pub struct SignatureMiner {
    cfg: MinerConfig,
    vocab: Vocab,
    /// Token count -> first-layer node.
    roots: FnvMap<usize, u32>,
    nodes: Vec<Node>,
    clusters: Vec<Cluster>,
    other: u64,
    scratch: Scratch,
    /// Candidate slots of a leaf, and a mark for each slot (all `false` between calls).
    touched: Vec<u32>,
    seen: Vec<bool>,
}

impl Default for SignatureMiner {
    fn default() -> Self {
        SignatureMiner::new(MinerConfig::default())
    }
}

impl SignatureMiner {
    pub fn new(cfg: MinerConfig) -> Self {
        SignatureMiner {
            cfg,
            vocab: Vocab::default(),
            roots: FnvMap::default(),
            nodes: Vec::new(),
            clusters: Vec::new(),
            other: 0,
            scratch: Scratch::default(),
            touched: Vec::new(),
            seen: Vec::new(),
        }
    }

    pub fn config(&self) -> &MinerConfig {
        &self.cfg
    }

    /// Adds one message; returns the number of the cluster it joined or started (stable:
    /// clusters are numbered in creation order and never renumbered), or `None` when the
    /// miner is full and it matched nothing, so it was counted in [`Self::other`].
    pub fn add(&mut self, message: &[u8], time: i64) -> Option<usize> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.mask(message);
        let words: Vec<&[u8]> = scratch.tokens().collect();
        let ids: Vec<u32> = words.iter().map(|w| self.vocab.get(w)).collect();
        let stats = Stats {
            count: 1,
            first_seen: time,
            last_seen: time,
        };
        let probe = Probe {
            ids: &ids,
            words: &words,
        };
        let got = self.insert(&probe, stats, || example(message));
        drop(words);
        self.scratch = scratch;
        got
    }

    /// Folds in a miner fed with later messages: its clusters are re-inserted in creation
    /// order, each as its template with its counts and times (the earlier example is kept),
    /// and its `other` is added. This miner's configuration is used.
    pub fn merge(&mut self, later: SignatureMiner) {
        self.other += later.other;
        for c in later.clusters {
            let words: Vec<&[u8]> = c
                .tokens
                .iter()
                .map(|&t| &*later.vocab.words[t as usize])
                .collect();
            let ids: Vec<u32> = words.iter().map(|w| self.vocab.get(w)).collect();
            let stats = Stats {
                count: c.count,
                first_seen: c.first_seen,
                last_seen: c.last_seen,
            };
            let probe = Probe {
                ids: &ids,
                words: &words,
            };
            let example = c.example;
            self.insert(&probe, stats, move || example);
        }
    }

    /// The signatures, most frequent first, then by template. Clusters that ended with the
    /// same template are reported as one.
    pub fn signatures(&self) -> Vec<Signature> {
        let mut by_template: BTreeMap<String, Signature> = BTreeMap::new();
        for (i, c) in self.clusters.iter().enumerate() {
            let template = self.render(i);
            let s = by_template
                .entry(template)
                .or_insert_with_key(|t| Signature {
                    id: template_id(t),
                    template: t.clone(),
                    count: 0,
                    first_seen: c.first_seen,
                    last_seen: c.last_seen,
                    example: c.example.clone(),
                });
            s.count += c.count;
            s.first_seen = s.first_seen.min(c.first_seen);
            s.last_seen = s.last_seen.max(c.last_seen);
        }
        let mut out: Vec<Signature> = by_template.into_values().collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
        });
        out
    }

    /// The current template of cluster `cluster` (a number returned by [`Self::add`]).
    pub fn template(&self, cluster: usize) -> Option<String> {
        (cluster < self.clusters.len()).then(|| self.render(cluster))
    }

    /// How many clusters there are.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// Messages that matched no cluster after the miner was full.
    pub fn other(&self) -> u64 {
        self.other
    }

    fn render(&self, cluster: usize) -> String {
        let words: Vec<&[u8]> = self.clusters[cluster]
            .tokens
            .iter()
            .map(|&t| &*self.vocab.words[t as usize])
            .collect();
        String::from_utf8_lossy(&words.join(&b' ')).into_owned()
    }

    /// Joins the best cluster, or starts one if there is room, or counts in `other`.
    fn insert(
        &mut self,
        p: &Probe<'_>,
        stats: Stats,
        example: impl FnOnce() -> String,
    ) -> Option<usize> {
        let leaf = self.find_leaf(p);
        if let Some(c) = leaf.and_then(|n| self.best(n, p.ids)) {
            self.join(c, p.ids, &stats);
            return Some(c);
        }
        if self.clusters.len() >= self.cfg.max_clusters {
            self.other += stats.count;
            return None;
        }
        Some(self.create(p, stats, example()))
    }

    /// The tokens that pick the leaf: the first `depth - 2` plain words.
    fn path<'p>(&self, ids: &'p [u32], words: &'p [&[u8]]) -> impl Iterator<Item = u32> + 'p {
        let k = self.cfg.depth.saturating_sub(2);
        (0..ids.len())
            .filter(|&d| is_plain_word(words[d]))
            .take(k)
            .map(|d| ids[d])
    }

    /// The leaf for a probe, without creating anything: the child for the token, else the
    /// `<*>` child.
    fn find_leaf(&self, p: &Probe<'_>) -> Option<u32> {
        let mut node = *self.roots.get(&p.ids.len())?;
        for id in self.path(p.ids, p.words) {
            let n = &self.nodes[node as usize];
            node = n.children.get(&id).copied().or(n.wild)?;
        }
        Some(node)
    }

    /// The leaf for tokens just stored as `ids`, creating the path: a new token gets a child
    /// while the node has fewer than `max_children`, else goes to the `<*>` child.
    fn make_leaf(&mut self, ids: &[u32], words: &[&[u8]]) -> u32 {
        let mut node = match self.roots.get(&ids.len()) {
            Some(&n) => n,
            None => {
                let n = self.new_node();
                self.roots.insert(ids.len(), n);
                n
            }
        };
        let path: Vec<u32> = self.path(ids, words).collect();
        for id in path {
            let n = &self.nodes[node as usize];
            node = match (n.children.get(&id), n.wild) {
                (Some(&child), _) => child,
                (None, _) if n.children.len() < self.cfg.max_children => {
                    let child = self.new_node();
                    self.nodes[node as usize].children.insert(id, child);
                    child
                }
                (None, Some(w)) => w,
                (None, None) => {
                    let w = self.new_node();
                    self.nodes[node as usize].wild = Some(w);
                    w
                }
            };
        }
        node
    }

    fn new_node(&mut self) -> u32 {
        self.nodes.push(Node::default());
        (self.nodes.len() - 1) as u32
    }

    /// The most similar cluster of the leaf, if similar enough: most equal positions, then
    /// most `<*>`, then the oldest.
    ///
    /// A cluster with at least `need` equal positions differs in at most `len - need`, so it
    /// holds the message's token at one of any `len - need + 1` positions at least: the
    /// candidates are the clusters listed in the leaf's index under the message's tokens at
    /// the `len - need + 1` positions with the shortest lists. A message of unseen tokens
    /// thus costs a few look-ups, however many clusters the leaf holds.
    fn best(&mut self, leaf: u32, ids: &[u32]) -> Option<usize> {
        let node = &self.nodes[leaf as usize];
        let len = ids.len();
        if len == 0 {
            return node.clusters.first().map(|&c| c as usize);
        }
        let need = ((self.cfg.sim_threshold * len as f64 - 1e-9).ceil().max(1.0) as usize).min(len);
        let mut lists: Vec<&[u32]> = ids
            .iter()
            .enumerate()
            .map(|(pos, &t)| {
                node.index
                    .get(&index_key(pos, t))
                    .map_or(&[][..], Vec::as_slice)
            })
            .collect();
        lists.sort_by_key(|l| l.len());
        self.seen.resize(node.clusters.len(), false);
        self.touched.clear();
        for &slot in lists[..len - need + 1].iter().copied().flatten() {
            if !std::mem::replace(&mut self.seen[slot as usize], true) {
                self.touched.push(slot);
            }
        }
        let mut best: Option<(usize, usize, u32)> = None; // (equal, wilds, slot)
        for &slot in &self.touched {
            self.seen[slot as usize] = false;
            let c = &self.clusters[node.clusters[slot as usize] as usize];
            let equal = c.tokens.iter().zip(ids).filter(|(a, b)| a == b).count();
            let key = (equal, c.wilds, Reverse(slot));
            if equal >= need && best.is_none_or(|(e, w, s)| key > (e, w, Reverse(s))) {
                best = Some((equal, c.wilds, slot));
            }
        }
        best.map(|(_, _, slot)| node.clusters[slot as usize] as usize)
    }

    /// Adds a message's counts to cluster `c`, turning the positions that differ into `<*>`.
    fn join(&mut self, c: usize, ids: &[u32], stats: &Stats) {
        let cluster = &mut self.clusters[c];
        let (leaf, slot) = (cluster.leaf, cluster.slot);
        cluster.count += stats.count;
        cluster.first_seen = cluster.first_seen.min(stats.first_seen);
        cluster.last_seen = cluster.last_seen.max(stats.last_seen);
        for (pos, &t) in ids.iter().enumerate() {
            let old = cluster.tokens[pos];
            if old == t || old == WILD_ID {
                continue;
            }
            cluster.tokens[pos] = WILD_ID;
            cluster.wilds += 1;
            let index = &mut self.nodes[leaf as usize].index;
            if let Some(list) = index.get_mut(&index_key(pos, old)) {
                if let Some(k) = list.iter().position(|&s| s == slot) {
                    list.swap_remove(k);
                }
            }
            index.entry(index_key(pos, WILD_ID)).or_default().push(slot);
        }
    }

    /// Starts a cluster; returns its number.
    fn create(&mut self, p: &Probe<'_>, stats: Stats, example: String) -> usize {
        let ids: Vec<u32> = p.words.iter().map(|w| self.vocab.intern(w)).collect();
        let leaf = self.make_leaf(&ids, p.words);
        let c = self.clusters.len();
        let node = &mut self.nodes[leaf as usize];
        let slot = node.clusters.len() as u32;
        node.clusters.push(c as u32);
        for (pos, &t) in ids.iter().enumerate() {
            node.index.entry(index_key(pos, t)).or_default().push(slot);
        }
        self.clusters.push(Cluster {
            leaf,
            slot,
            wilds: ids.iter().filter(|&&t| t == WILD_ID).count(),
            tokens: ids,
            count: stats.count,
            first_seen: stats.first_seen,
            last_seen: stats.last_seen,
            example,
        });
        c
    }
}

/// The first characters of a message, for display.
fn example(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .trim()
        .chars()
        .take(EXAMPLE_CHARS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (message, masked). Real lines, message part only: nginx and Apache error logs from
    /// elastic/beats (Apache-2.0), syslog, logfmt and RFC 5424 lines from tstack/lnav
    /// (BSD-2-Clause), Kafka broker lines from elastic/examples (Apache-2.0); see
    /// corpus/SOURCES.md.
    const REAL: &[(&str, &str)] = &[
        (
            r#"*1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/""#,
            r#"*<*> open() "<*>" failed (<*>: No such file or directory), client: <*>, server: localhost, request: "GET <*>", host: "<*>", referrer: "<*>""#,
        ),
        (
            "[client 192.168.33.1] File does not exist: /var/www/favicon.ico",
            "[client <*>] File does not exist: <*>",
        ),
        (
            "AH00094: Command line: '/usr/local/Cellar/httpd24/2.4.23_2/bin/httpd'",
            "AH00094: Command line: '<*>'",
        ),
        (
            "lookup(file): lookup for foobar failed",
            "lookup(file): lookup for foobar failed",
        ),
        (
            "timstack : TTY=pts/6 ; PWD=/auto/wstimstack/rpms/lbuild/test ; USER=root ; COMMAND=/usr/bin/tail /var/log/messages",
            "timstack : TTY=<*> ; PWD=<*> ; USER=<*> ; COMMAND=<*> <*>",
        ),
        (
            "vm_compressor_record_warmup (9478314 - 9492476)",
            "vm_compressor_record_warmup (<*> - <*>)",
        ),
        (
            "hibernate_page_list_setall(preflight 0) start 0xffffff8428276000, 0xffffff8428336000",
            "hibernate_page_list_setall(preflight <*>) start <*>, <*>",
        ),
        (
            r#"[origin software="rsyslogd" swVersion="8.4.2" x-pid="900" x-info="http://www.rsyslog.com"] start"#,
            "[origin software=<*> swVersion=<*> x-pid=<*> x-info=<*>] start",
        ),
        (
            "DHCPREQUEST on eth0 to 192.168.1.1 port 67",
            "DHCPREQUEST on eth0 to <*> port <*>",
        ),
        (
            "network changed: v4(en0-:192.168.1.8) DNS- Proxy- SMB",
            "network changed: v4(en0-:<*>) DNS- Proxy- SMB",
        ),
        (
            "dynamic arp entry(28b18eb1-3575-4179-956b-aae009433d27, 10.12.160.4) is created",
            "dynamic arp entry(<*>, <*>) is created",
        ),
        (
            "Restoring selinux mode for /var/lib/cloud (recursive=False)",
            "Restoring selinux mode for <*> (recursive=<*>)",
        ),
        (
            "Service exited due to SIGKILL | sent by mds[198]",
            "Service exited due to SIGKILL | sent by mds[<*>]",
        ),
        (
            "Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@26408511 (kafka.server.ReplicaFetcherThread)",
            "Error in fetch kafka.server.ReplicaFetcherThread$FetchRequest@<*> (kafka.server.ReplicaFetcherThread)",
        ),
        (
            "[Group Metadata Manager on Broker 0]: Finished loading offsets from [__consumer_offsets,11] in 37 milliseconds.",
            "[Group Metadata Manager on Broker <*>]: Finished loading offsets from [__consumer_offsets,<*>] in <*> milliseconds.",
        ),
        (
            "Deleting index /tmp/kafka-logs/test-0/00000000000000197661.index.deleted (kafka.log.OffsetIndex)",
            "Deleting index <*> (kafka.log.OffsetIndex)",
        ),
    ];

    #[test]
    fn masks_real_lines() {
        for (line, want) in REAL {
            assert_eq!(mask(line.as_bytes()), *want, "{line}");
        }
    }

    /// (message, masked), one kind of variable per row; written for this test.
    const KINDS: &[(&str, &str)] = &[
        (
            "from 10.0.0.7:51234 to [2001:db8::1]:443",
            "from <*> to <*>",
        ),
        ("peer fe80::1ff:fe23:4567:890a gone", "peer <*> gone"),
        (
            "job 550e8400-e29b-41d4-a716-446655440000 done",
            "job <*> done",
        ),
        (
            "took 12ms, then 3.2s, read 10KB",
            "took <*>, then <*>, read <*>",
        ),
        ("free 5.2 KB, used 93 B", "free <*>, used <*>"),
        (
            "offset -42 at 0x1f of 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
            "offset <*> at <*> of <*>",
        ),
        (
            "deleting blk_-4821339219817623 and blk_733",
            "deleting blk_<*> and blk_<*>",
        ),
        ("ask to delete blk_1 blk_2 blk_3", "ask to delete blk_<*>"),
        ("mail to alice@example.com failed", "mail to <*> failed"),
        ("GET https://example.com/a?b=c failed", "GET <*> failed"),
        (
            "open ./conf/app.yml and ~/x and C:\\logs\\a.txt",
            "open <*> and <*> and <*>",
        ),
        (
            "resolve db-3.eu-west.example.net and db.example.com:5432",
            "resolve <*> and <*>",
        ),
        (
            "last seen Tue Mar  5 10:15:00 2024 here",
            "last seen <*> here",
        ),
        ("May I retry?", "May I retry?"),
        (
            r#"user=alice uid=1000 ruser= rhost= mode="read only","#,
            "user=<*> uid=<*> ruser= rhost= mode=<*>,",
        ),
        (
            "session opened by LOGIN(uid=0)",
            "session opened by LOGIN(uid=<*>)",
        ),
        (
            "can't open 'my file' and '' now",
            "can't open '<*>' and '<*>' now",
        ),
        (r#"say "hi there"#, r#"say "hi there"#),
        (
            "connection from 10.1.1.1 () at noon",
            "connection from <*> (<*>) at noon",
        ),
        (r#""POST /api/v1/items HTTP/2" 503"#, r#""POST <*>" <*>"#),
        (
            "x86_64 ssh2 e820 v1.2.3 HTTP/1.1",
            "x86_<*> ssh2 e820 v1.<*> HTTP/<*>",
        ),
        ("  spaced\tout\r\n", "spaced out"),
        ("", ""),
    ];

    #[test]
    fn masks_each_kind_of_variable() {
        for (line, want) in KINDS {
            assert_eq!(mask(line.as_bytes()), *want, "{line}");
        }
    }

    #[test]
    fn masks_bytes_that_are_not_utf8() {
        assert_eq!(
            mask(b"caf\xe9 failed after 42 tries"),
            "caf\u{fffd} failed after <*> tries"
        );
    }

    #[test]
    fn caps_tokens_per_message() {
        let long = "word ".repeat(500);
        let masked = mask(long.as_bytes());
        assert_eq!(masked.split(' ').count(), MAX_TOKENS);
        assert!(masked.ends_with("word <*>"));
    }

    #[test]
    fn template_ids_are_fnv1a_64() {
        assert_eq!(template_id(""), "cbf29ce484222325");
        assert_eq!(template_id("a"), "af63dc4c8601ec8c");
        assert_eq!(template_id("<*> failed").len(), 16);
    }

    fn mine(lines: &[&str]) -> (SignatureMiner, Vec<Option<usize>>) {
        let mut m = SignatureMiner::default();
        let got = lines
            .iter()
            .enumerate()
            .map(|(t, l)| m.add(l.as_bytes(), t as i64))
            .collect();
        (m, got)
    }

    #[test]
    fn one_variable_word_joins_and_becomes_a_wildcard() {
        // tstack/lnav test/logfile_syslog.0 (BSD-2-Clause).
        let (m, got) = mine(&[
            "lookup(file): lookup for foobar failed",
            "attempting to mount entry /auto/opt",
            "lookup(file): lookup for opt failed",
        ]);
        assert_eq!(got, [Some(0), Some(1), Some(0)]);
        assert_eq!(
            m.template(0).unwrap(),
            "lookup(file): lookup for <*> failed"
        );
        assert_eq!(m.template(1).unwrap(), "attempting to mount entry <*>");
        let sigs = m.signatures();
        assert_eq!(sigs[0].template, "lookup(file): lookup for <*> failed");
        assert_eq!(
            (sigs[0].count, sigs[0].first_seen, sigs[0].last_seen),
            (2, 0, 2)
        );
        assert_eq!(sigs[0].example, "lookup(file): lookup for foobar failed");
        assert_eq!(sigs[0].id, template_id(&sigs[0].template));
    }

    /// Kafka broker messages from elastic/examples (Apache-2.0).
    const KAFKA: &[&str] = &[
        "[Group Metadata Manager on Broker 0]: Loading offsets and group metadata from [__consumer_offsets,11] (kafka.coordinator.GroupMetadataManager)",
        "[Group Metadata Manager on Broker 0]: Finished loading offsets from [__consumer_offsets,11] in 37 milliseconds. (kafka.coordinator.GroupMetadataManager)",
        "[Group Metadata Manager on Broker 1]: Loading offsets and group metadata from [__consumer_offsets,14] (kafka.coordinator.GroupMetadataManager)",
        "Deleting segment 104630 from log test-1. (kafka.log.Log)",
        "[Group Metadata Manager on Broker 1]: Finished loading offsets from [__consumer_offsets,14] in 1 milliseconds. (kafka.coordinator.GroupMetadataManager)",
        "Truncating log __consumer_offsets-1 to offset 0. (kafka.log.Log)",
        "Rolled new log segment for 'test-0' in 1 ms. (kafka.log.Log)",
        "[Group Metadata Manager on Broker 0]: Removed 0 expired offsets in 1 milliseconds. (kafka.coordinator.GroupMetadataManager)",
        "Deleting segment 104631 from log test-0. (kafka.log.Log)",
        "Rolled new log segment for 'test-1' in 2 ms. (kafka.log.Log)",
        "Truncating log __consumer_offsets-10 to offset 0. (kafka.log.Log)",
        "[Group Metadata Manager on Broker 0]: Removed 0 expired offsets in 2 milliseconds. (kafka.coordinator.GroupMetadataManager)",
    ];

    #[test]
    fn different_events_stay_apart() {
        let (m, got) = mine(KAFKA);
        assert_eq!(m.len(), 6, "{:#?}", m.signatures());
        assert_eq!(got[0], got[2]);
        assert_eq!(got[1], got[4]);
        assert_eq!(got[3], got[8]);
        assert_ne!(got[0], got[1]);
        // Same length, same leading words, half the tokens differ: written for this test.
        let (m, got) = mine(&[
            "Connection to db closed unexpectedly",
            "Connection to db opened successfully",
        ]);
        assert_ne!(got[0], got[1]);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn same_input_gives_same_signatures() {
        let (a, _) = mine(KAFKA);
        let (b, _) = mine(KAFKA);
        assert_eq!(a.signatures(), b.signatures());
        let ids: Vec<String> = a.signatures().into_iter().map(|s| s.id).collect();
        assert!(ids.iter().all(|id| id.len() == 16));
        let counts: Vec<u64> = a.signatures().iter().map(|s| s.count).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        assert_eq!(counts.iter().sum::<u64>(), KAFKA.len() as u64);
    }

    #[test]
    fn merge_in_chunk_order_is_deterministic() {
        let fold = |chunk: usize| {
            let mut acc = SignatureMiner::default();
            for (k, part) in KAFKA.chunks(chunk).enumerate() {
                let mut m = SignatureMiner::default();
                for (t, l) in part.iter().enumerate() {
                    m.add(l.as_bytes(), (k * chunk + t) as i64);
                }
                acc.merge(m);
            }
            acc.signatures()
        };
        let single = mine(KAFKA).0.signatures();
        for chunk in [1, 2, 5, 12] {
            assert_eq!(fold(chunk), fold(chunk), "chunk {chunk}");
            // These messages group the same way whatever the chunking.
            assert_eq!(fold(chunk), single, "chunk {chunk}");
        }
    }

    #[test]
    fn merge_respects_the_cap() {
        let small = MinerConfig {
            max_clusters: 2,
            ..MinerConfig::default()
        };
        let mut a = SignatureMiner::new(small);
        let mut b = SignatureMiner::new(small);
        for l in &KAFKA[..4] {
            a.add(l.as_bytes(), 0);
        }
        for l in &KAFKA[4..] {
            b.add(l.as_bytes(), 1);
        }
        let before = a.other() + b.other();
        a.merge(b);
        assert_eq!(a.len(), 2);
        let kept: u64 = a.signatures().iter().map(|s| s.count).sum();
        assert_eq!(kept + a.other(), KAFKA.len() as u64);
        assert!(a.other() > before);
    }

    /// `i` spelt in letters: a word the miner has never seen.
    fn word(mut i: usize, prefix: char) -> String {
        let mut s = String::from(prefix);
        loop {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    }

    /// 200,000 messages that match nothing (the example's `--bench` runs a million in
    /// release mode): clusters, tree and vocabulary stop growing at the cap.
    #[test]
    fn full_miner_counts_the_rest_as_other() {
        let n = 200_000;
        let mut m = SignatureMiner::new(MinerConfig {
            max_clusters: 1000,
            ..MinerConfig::default()
        });
        for i in 0..n {
            let msg = format!("{} {} {} failed", word(i, 'a'), word(i, 'b'), word(i, 'c'));
            let got = m.add(msg.as_bytes(), i as i64);
            assert_eq!(got.is_some(), i < 1000);
        }
        assert_eq!(m.len(), 1000);
        assert_eq!(m.other(), (n - 1000) as u64);
        assert!(m.vocab.words.len() <= 1 + 4 * 1000);
        assert!(m.nodes.len() <= 1 + 2 * 1000);
    }

    /// The index look-up in [`SignatureMiner::best`] against comparing with every cluster
    /// of the leaf.
    #[test]
    fn best_matches_brute_force() {
        let mut m = SignatureMiner::default();
        let lines: Vec<&str> = KAFKA
            .iter()
            .chain(REAL.iter().map(|(l, _)| l))
            .chain(KINDS.iter().map(|(l, _)| l))
            .copied()
            .collect();
        for (t, l) in lines.iter().cycle().take(3 * lines.len()).enumerate() {
            let mut s = Scratch::default();
            s.mask(l.as_bytes());
            let words: Vec<&[u8]> = s.tokens().collect();
            let ids: Vec<u32> = words.iter().map(|w| m.vocab.get(w)).collect();
            let probe = Probe {
                ids: &ids,
                words: &words,
            };
            if let Some(leaf) = m.find_leaf(&probe) {
                let brute = m.nodes[leaf as usize]
                    .clusters
                    .iter()
                    .map(|&c| &m.clusters[c as usize])
                    .map(|c| (c.tokens.iter().zip(&ids).filter(|(a, b)| a == b).count(), c))
                    .filter(|(e, _)| *e as f64 >= m.cfg.sim_threshold * ids.len() as f64 - 1e-9)
                    .max_by_key(|(e, c)| (*e, c.wilds, Reverse(c.slot)))
                    .map(|(_, c)| m.nodes[leaf as usize].clusters[c.slot as usize] as usize);
                assert_eq!(m.best(leaf, &ids), brute, "{l}");
            }
            m.add(l.as_bytes(), t as i64);
        }
    }

    #[test]
    fn identical_templates_are_reported_once() {
        let mut m = SignatureMiner::default();
        m.add(b"disk full on /var", 5);
        let mut later = SignatureMiner::default();
        later.add(b"disk full on /srv", 3);
        m.merge(later);
        let sigs = m.signatures();
        assert_eq!(sigs.len(), 1);
        assert_eq!(
            (sigs[0].count, sigs[0].first_seen, sigs[0].last_seen),
            (2, 3, 5)
        );
        assert_eq!(sigs[0].template, "disk full on <*>");
        assert_eq!(sigs[0].example, "disk full on /var");
    }
}
