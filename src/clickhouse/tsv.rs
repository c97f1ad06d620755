//! ClickHouse's `TabSeparated` format: rows of fields split by tabs, with `\t`, `\n`, `\\`
//! (and a few more) escaped, and `\N` for NULL. Read back as bytes: log text need not be
//! UTF-8.

use anyhow::{anyhow, Result};

/// The rows of a TSV answer, each a list of unescaped fields (`None` for `\N`).
pub fn rows(data: &[u8]) -> Vec<Vec<Option<Vec<u8>>>> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.split(|&b| b == b'\t').map(unescape).collect())
        .collect()
}

fn unescape(f: &[u8]) -> Option<Vec<u8>> {
    if f == b"\\N" {
        return None;
    }
    let mut out = Vec::with_capacity(f.len());
    let mut i = 0;
    while i < f.len() {
        if f[i] == b'\\' && i + 1 < f.len() {
            out.push(match f[i + 1] {
                b'n' => b'\n',
                b't' => b'\t',
                b'r' => b'\r',
                b'0' => 0,
                b'b' => 8,
                b'f' => 12,
                b'a' => 7,
                b'v' => 11,
                c => c,
            });
            i += 2;
        } else {
            out.push(f[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Appends `v` escaped for a TSV field.
pub fn escape_into(out: &mut Vec<u8>, v: &[u8]) {
    for &b in v {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => out.extend_from_slice(b"\\0"),
            _ => out.push(b),
        }
    }
}

/// Typed access to the fields of one row, with errors that say which query answered what.
pub struct Row<'a> {
    pub fields: &'a [Option<Vec<u8>>],
    pub what: &'a str,
}

impl Row<'_> {
    pub fn bytes(&self, i: usize) -> Result<&[u8]> {
        match self.fields.get(i) {
            Some(Some(v)) => Ok(v),
            Some(None) => Ok(b""),
            None => Err(anyhow!(
                "{}: ClickHouse answered {} fields where {} were expected",
                self.what,
                self.fields.len(),
                i + 1
            )),
        }
    }

    pub fn string(&self, i: usize) -> Result<String> {
        Ok(String::from_utf8_lossy(self.bytes(i)?).into_owned())
    }

    pub fn num<T: std::str::FromStr>(&self, i: usize) -> Result<T> {
        let b = self.bytes(i)?;
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                anyhow!(
                    "{}: expected a number in field {}, ClickHouse answered {:?}",
                    self.what,
                    i + 1,
                    String::from_utf8_lossy(b)
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let hostile: &[u8] = b"a\tb\\c\nd\re\0f \xff'\"`";
        let mut line = Vec::new();
        escape_into(&mut line, hostile);
        line.extend_from_slice(b"\t\\N\n");
        let r = rows(&line);
        assert_eq!(r, vec![vec![Some(hostile.to_vec()), None]]);
    }

    #[test]
    fn numbers_name_the_query() {
        let r = rows(b"12\tx\n");
        let row = Row {
            fields: &r[0],
            what: "buckets",
        };
        assert_eq!(row.num::<u64>(0).unwrap(), 12);
        let e = row.num::<u64>(1).unwrap_err().to_string();
        assert!(e.starts_with("buckets: expected a number"), "{e}");
        assert!(row.bytes(5).is_err());
    }
}
