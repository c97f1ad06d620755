//! ClickHouse's HTTP interface: the SQL in a POST body, `FORMAT TSV` answers, user and
//! password in the `X-ClickHouse-User`/`X-ClickHouse-Key` headers (which 18.16 and current
//! releases both read). The only address ever contacted is the URL given; proxies from the
//! environment are ignored, and redirects are not followed.

use anyhow::{anyhow, bail, Result};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// Where to connect and as whom.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// `http://host:port`, without a trailing slash.
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

/// The environment variable holding the password.
pub const PASSWORD_ENV: &str = "HINDSIGHT_CLICKHOUSE_PASSWORD";

impl Endpoint {
    /// Checks `--clickhouse URL`: `http://HOST[:PORT]`, no credentials, path or query in it.
    pub fn parse(url: &str, user: Option<String>) -> Result<Endpoint> {
        let u = url.trim().trim_end_matches('/');
        if u.starts_with("https://") {
            bail!("--clickhouse: {url:?}: https is not supported yet; use http:// (for example through a local TLS tunnel)");
        }
        let Some(rest) = u.strip_prefix("http://") else {
            bail!("--clickhouse: expected a URL such as http://localhost:8123, got {url:?}");
        };
        if rest.is_empty()
            || rest.contains(['/', '?', '#', '@', ' '])
            || rest.chars().any(|c| c.is_control())
        {
            bail!("--clickhouse: expected http://HOST[:PORT] with no path, query or user in it (use --user and {PASSWORD_ENV}), got {url:?}");
        }
        // host, host:port, [v6] or [v6]:port
        let port = match rest.strip_prefix('[') {
            Some(v6) => match v6.split_once(']') {
                Some((_, "")) => None,
                Some((_, p)) => Some(p.strip_prefix(':').unwrap_or("x")),
                None => Some("x"),
            },
            None => rest.split_once(':').map(|(_, p)| p),
        };
        if port.is_some_and(|p| p.parse::<u16>().is_err()) {
            bail!("--clickhouse: {url:?}: the port must be a number");
        }
        if let Some(name) = &user {
            if name.is_empty() || name.chars().any(|c| c.is_control()) {
                bail!("--user: expected a user name, got {name:?}");
            }
        }
        let password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
        Ok(Endpoint {
            url: u.to_string(),
            user,
            password,
        })
    }
}

/// A connection to one server, which keeps the time its queries took.
pub struct Client {
    endpoint: Endpoint,
    agent: ureq::Agent,
    spent: Cell<Duration>,
    queries: Cell<u32>,
}

impl Client {
    pub fn new(endpoint: Endpoint) -> Client {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Client {
            endpoint,
            agent,
            spent: Cell::new(Duration::ZERO),
            queries: Cell::new(0),
        }
    }

    pub fn url(&self) -> &str {
        &self.endpoint.url
    }

    /// Time spent waiting for answers, and the number of queries sent.
    pub fn spent(&self) -> (Duration, u32) {
        (self.spent.get(), self.queries.get())
    }

    /// Runs `sql` and returns the answer's body; `what` names the query in errors.
    pub fn query(&self, what: &str, sql: &str) -> Result<Vec<u8>> {
        self.post(what, "/", sql.as_bytes().to_vec())
    }

    /// Runs `INSERT ... FORMAT TabSeparated` with `rows` as the data.
    pub fn insert(&self, what: &str, insert_sql: &str, rows: Vec<u8>) -> Result<()> {
        let path = format!("/?query={}", percent_encode(insert_sql));
        self.post(what, &path, rows).map(drop)
    }

    fn post(&self, what: &str, path: &str, body: Vec<u8>) -> Result<Vec<u8>> {
        let started = Instant::now();
        let mut req = self.agent.post(format!("{}{path}", self.endpoint.url));
        if let Some(u) = &self.endpoint.user {
            req = req.header("X-ClickHouse-User", u);
        }
        if let Some(p) = &self.endpoint.password {
            req = req.header("X-ClickHouse-Key", p);
        }
        let result = req.send(&body[..]);
        let answer = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let body = resp
                    .into_body()
                    .with_config()
                    .limit(u64::MAX)
                    .read_to_vec()
                    .map_err(|e| {
                        anyhow!(
                            "ClickHouse at {}: {what}: reading the answer failed: {e}",
                            self.endpoint.url
                        )
                    })?;
                if status != 200 {
                    bail!(
                        "ClickHouse at {}: {what}: {}",
                        self.endpoint.url,
                        server_error(status, &body)
                    );
                }
                body
            }
            Err(e) => bail!(
                "ClickHouse at {}: cannot connect: {}",
                self.endpoint.url,
                connect_error(&e)
            ),
        };
        self.spent.set(self.spent.get() + started.elapsed());
        self.queries.set(self.queries.get() + 1);
        Ok(answer)
    }
}

fn connect_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => io.to_string(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Timeout(_) => "timed out".into(),
        other => other.to_string(),
    }
}

/// The first line of a server error, without the exception class noise of 18.16
/// (`Code: 60, e.displayText() = DB::Exception: Table x doesn't exist, e.what() = ...`) or of
/// current releases (`Code: 60. DB::Exception: Table x does not exist. (UNKNOWN_TABLE) (version ...)`).
pub fn server_error(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut msg = line.to_string();
    for cut in [", e.what() = ", " (version "] {
        if let Some(i) = msg.find(cut) {
            msg.truncate(i);
        }
    }
    let msg = msg
        .replace("e.displayText() = ", "")
        .replace("DB::Exception: ", "");
    let msg = msg.trim();
    if msg.is_empty() {
        format!("the server answered HTTP {status}")
    } else {
        let mut m = msg.to_string();
        if m.chars().count() > 400 {
            m = m.chars().take(400).collect::<String>() + "...";
        }
        m
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:8123/", None).unwrap().url,
            "http://127.0.0.1:8123"
        );
        for bad in [
            "localhost:8123",
            "ftp://x",
            "http://",
            "http://u:p@host:8123",
            "http://host:8123/db?x=1",
            "http://host:port",
            "https://host:8443",
        ] {
            assert!(Endpoint::parse(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_errors_are_one_line() {
        let old = b"Code: 60, e.displayText() = DB::Exception: Table db.x doesn't exist., e.what() = DB::Exception\n";
        assert_eq!(
            server_error(404, old),
            "Code: 60, Table db.x doesn't exist."
        );
        let new = b"Code: 60. DB::Exception: Table db.x does not exist. (UNKNOWN_TABLE) (version 24.8.1.1)\n";
        assert_eq!(
            server_error(404, new),
            "Code: 60. Table db.x does not exist. (UNKNOWN_TABLE)"
        );
        assert_eq!(server_error(502, b""), "the server answered HTTP 502");
    }

    #[test]
    fn insert_sql_is_percent_encoded() {
        assert_eq!(
            percent_encode("INSERT INTO `a`.`b` FORMAT TSV"),
            "INSERT%20INTO%20%60a%60.%60b%60%20FORMAT%20TSV"
        );
    }
}
