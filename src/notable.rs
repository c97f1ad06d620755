//! Notable system events: the lines in syslog, journald and error logs that a postmortem's
//! timeline needs — what broke (OOM kills, segfaults, full disks, I/O errors, failed units),
//! what changed (restarts, reloads, reboots, package upgrades, deploys) and what operators did
//! (sudo commands, SSH logins).
//!
//! Input: an event's emitting program and message. Output: the first rule of [`RULES`] that
//! matches, or nothing. All rules are in the one table below, in priority order; a rule
//! matches when the program matches (if the rule names one) and the message contains any of
//! its needles. Matching runs only in the narrow evidence pass, never on every line.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

/// What kind of notable event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OomKill,
    Crash,
    DiskFull,
    IoError,
    ServiceFailed,
    ServiceStopped,
    ServiceStarted,
    Reload,
    Reboot,
    Package,
    Deploy,
    Sudo,
    Login,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::OomKill => "oom-kill",
            Kind::Crash => "crash",
            Kind::DiskFull => "disk-full",
            Kind::IoError => "io-error",
            Kind::ServiceFailed => "service-failed",
            Kind::ServiceStopped => "service-stopped",
            Kind::ServiceStarted => "service-started",
            Kind::Reload => "reload",
            Kind::Reboot => "reboot",
            Kind::Package => "package",
            Kind::Deploy => "deploy",
            Kind::Sudo => "sudo",
            Kind::Login => "login",
        }
    }

    /// Whether the event is a change made to the system (as opposed to a failure).
    pub fn is_change(self) -> bool {
        matches!(
            self,
            Kind::ServiceStopped
                | Kind::ServiceStarted
                | Kind::Reload
                | Kind::Reboot
                | Kind::Package
                | Kind::Deploy
                | Kind::Sudo
                | Kind::Login
        )
    }
}

/// One rule: a kind, the programs it applies to (empty: any), the needles (any one), and the
/// words that introduce the event in the timeline.
pub struct Rule {
    pub kind: Kind,
    pub apps: &'static [&'static str],
    pub needles: &'static [&'static str],
    pub label: &'static str,
}

/// The rules, in priority order.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { kind: Kind::OomKill, apps: &[], needles: &["Out of memory: Kill", "oom-kill:", "invoked oom-killer", "Memory cgroup out of memory", "OOM killer", "oom_reaper: reaped", "OOMKilled", "java.lang.OutOfMemoryError", "Allowed memory size of", "MemoryError", "out of memory"], label: "Out of memory" },
    Rule { kind: Kind::Crash, apps: &[], needles: &["segfault at ", "general protection fault", "SIGSEGV", "Segmentation fault", "core dumped", "Kernel panic", "kernel BUG at", "exited on signal ", "exit signal ", "terminated by signal", "panic: "], label: "Crash" },
    Rule { kind: Kind::DiskFull, apps: &[], needles: &["No space left on device", "ENOSPC", "disk full", "Disk full"], label: "Disk full" },
    Rule { kind: Kind::IoError, apps: &[], needles: &["I/O error", "EXT4-fs error", "XFS: ", "Buffer I/O error", "Remounting filesystem read-only", "blocked for more than"], label: "Disk or I/O error" },
    Rule { kind: Kind::ServiceFailed, apps: &[], needles: &["Failed to start ", "entered failed state", "Failed with result", "Main process exited, code=killed", "Main process exited, code=dumped", "Start request repeated too quickly"], label: "Service failed" },
    Rule { kind: Kind::Reload, apps: &["systemd"], needles: &["Reloading ", "Reloaded "], label: "Service reloaded" },
    Rule { kind: Kind::ServiceStopped, apps: &["systemd"], needles: &["Stopping ", "Stopped ", "Scheduled restart job"], label: "Service stopped" },
    Rule { kind: Kind::ServiceStarted, apps: &["systemd"], needles: &["Starting ", "Started "], label: "Service started" },
    Rule { kind: Kind::Reload, apps: &["nginx"], needles: &["signal process started", "reconfiguring", "gracefully shutting down", "start worker process", "exiting", "signal 1 (SIGHUP) received"], label: "nginx signal" },
    Rule { kind: Kind::Reload, apps: &["apache", "httpd", "core", "mpm_prefork", "mpm_event", "mpm_worker"], needles: &["resuming normal operations", "caught SIGTERM", "SIGHUP received", "Graceful restart requested"], label: "Apache restart" },
    Rule { kind: Kind::Reboot, apps: &[], needles: &["Linux version ", "Booting Linux", "-- Reboot --", "System is rebooting", "systemd-shutdown", "Journal started", "Shutting down.", "reboot: Restarting system", "Power key pressed"], label: "Boot or shutdown" },
    Rule { kind: Kind::Package, apps: &[], needles: &[" status installed ", "Commandline: apt", "Upgrade: ", "Installed: ", "Updated: ", "Unpacking ", "upgraded "], label: "Package change" },
    Rule { kind: Kind::Sudo, apps: &["sudo"], needles: &["COMMAND="], label: "Operator command" },
    Rule { kind: Kind::Login, apps: &["sshd"], needles: &["Accepted publickey for ", "Accepted password for ", "Accepted keyboard-interactive"], label: "SSH login" },
    // Last: words of deploy tools and release scripts, not the bare word (a user may be
    // called `deploy`).
    Rule { kind: Kind::Deploy, apps: &[], needles: &["Deploying ", "Deployed ", "deployed ", "Deployment ", "deployment ", "deploy of ", "Rolling back", "rolled back", "Rollback ", "rollback to "], label: "Deploy" },
];

// Matched rules are kept as bits of a u64.
const _: () = assert!(RULES.len() <= 64);

/// All rules' needles in one automaton, each pattern mapped to its rule.
struct Needles {
    automaton: AhoCorasick,
    rule_of: Vec<usize>,
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut rule_of = Vec::new();
        for (k, r) in RULES.iter().enumerate() {
            for n in r.needles {
                patterns.push(*n);
                rule_of.push(k);
            }
        }
        Needles {
            automaton: AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(patterns)
                .expect("the needles are valid"),
            rule_of,
        }
    })
}

/// The first rule that matches an event, if any. One pass over the message finds every
/// needle; then the rules are tried in order.
pub fn classify(app: &[u8], message: &[u8]) -> Option<&'static Rule> {
    let n = needles();
    let mut hit = 0u64;
    for m in n.automaton.find_overlapping_iter(message) {
        hit |= 1 << n.rule_of[m.pattern().as_usize()];
    }
    if hit == 0 {
        return None;
    }
    RULES.iter().enumerate().find_map(|(k, r)| {
        (hit & (1 << k) != 0
            && (r.apps.is_empty() || r.apps.iter().any(|a| app_matches(app, a.as_bytes()))))
        .then_some(r)
    })
}

/// `systemd` matches `systemd` and `systemd[1]`; `nginx` matches `nginx` and `nginx.service`,
/// but `systemd-logind` is not `systemd`.
fn app_matches(app: &[u8], want: &[u8]) -> bool {
    app.len() >= want.len()
        && app[..want.len()].eq_ignore_ascii_case(want)
        && matches!(app.get(want.len()), None | Some(b'[') | Some(b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let rows: &[(&str, &str, Option<Kind>)] = &[
            ("kernel", "Out of memory: Killed process 1234 (java) total-vm:123kB", Some(Kind::OomKill)),
            ("kernel", "java invoked oom-killer: gfp_mask=0x100cca", Some(Kind::OomKill)),
            ("kernel", "app[99]: segfault at 0 ip 00007f sp 00007ffc error 4 in libc.so", Some(Kind::Crash)),
            ("nginx", "open() \"/var/cache/x\" failed (28: No space left on device)", Some(Kind::DiskFull)),
            ("kernel", "blk_update_request: I/O error, dev sda, sector 123", Some(Kind::IoError)),
            ("systemd", "Failed to start The nginx HTTP and reverse proxy server.", Some(Kind::ServiceFailed)),
            ("systemd", "nginx.service: Main process exited, code=killed, status=9/KILL", Some(Kind::ServiceFailed)),
            ("systemd", "Stopped A high performance web server.", Some(Kind::ServiceStopped)),
            ("systemd", "Started A high performance web server.", Some(Kind::ServiceStarted)),
            ("systemd", "Reloading A high performance web server.", Some(Kind::Reload)),
            ("myapp", "Started processing request 12", None),
            ("nginx", "signal process started", Some(Kind::Reload)),
            ("sudo", "  alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", Some(Kind::Sudo)),
            ("sshd", "Accepted publickey for alice from 192.0.2.4 port 50522 ssh2", Some(Kind::Login)),
            ("sshd", "Failed password for root from 192.0.2.4 port 22 ssh2", None),
            ("dpkg", "2026-11-28 10:00:00 status installed nginx:amd64 1.22.1-9", Some(Kind::Package)),
            ("deployer", "deploy of api v2.3.1 finished", Some(Kind::Deploy)),
            ("sshd", "Accepted publickey for deploy from 198.51.100.23 port 50122 ssh2", Some(Kind::Login)),
            ("systemd-logind", "New session 812 of user deploy.", None),
            ("argocd", "Deployment api rolled back to revision 41", Some(Kind::Deploy)),
            ("kernel", "Linux version 6.1.0-13-amd64", Some(Kind::Reboot)),
            ("apache", "child pid 4242 exit signal Segmentation fault (11)", Some(Kind::Crash)),
            ("nginx", "worker process 1234 exited on signal 9", Some(Kind::Crash)),
            ("api", "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", Some(Kind::OomKill)),
            ("php-fpm", "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted", Some(Kind::OomKill)),
            ("dockerd", "container web exited: OOMKilled=true exitCode=137", Some(Kind::OomKill)),
            ("cron", "(root) CMD (run-parts /etc/cron.hourly)", None),
        ];
        for (app, msg, want) in rows {
            assert_eq!(
                classify(app.as_bytes(), msg.as_bytes()).map(|r| r.kind),
                *want,
                "{app}: {msg}"
            );
        }
    }

    #[test]
    fn app_names() {
        assert!(app_matches(b"systemd", b"systemd"));
        assert!(app_matches(b"nginx.service", b"nginx"));
        assert!(app_matches(b"systemd[1]", b"systemd"));
        assert!(!app_matches(b"systemd-logind", b"systemd"));
        assert!(!app_matches(b"nginxy", b"nginx"));
    }

    #[test]
    fn one_pass_matching_agrees_with_trying_each_needle() {
        let reference = |app: &[u8], message: &[u8]| {
            RULES.iter().find(|r| {
                (r.apps.is_empty() || r.apps.iter().any(|a| app_matches(app, a.as_bytes())))
                    && r.needles
                        .iter()
                        .any(|n| memchr::memmem::find(message, n.as_bytes()).is_some())
            })
        };
        // Every needle alone, after another rule's needle, and cut short, under several apps.
        let all: Vec<&str> = RULES
            .iter()
            .flat_map(|r| r.needles.iter().copied())
            .collect();
        for (k, a) in all.iter().enumerate() {
            let b = all[(k * 7 + 3) % all.len()];
            for msg in [
                a.to_string(),
                format!("x {b} then {a}"),
                format!("{a}{b}"),
                a[..a.len() / 2].to_string(),
            ] {
                for app in ["kernel", "systemd", "nginx", "sudo", "sshd", "httpd", ""] {
                    assert_eq!(
                        classify(app.as_bytes(), msg.as_bytes()).map(|r| r.label),
                        reference(app.as_bytes(), msg.as_bytes()).map(|r| r.label),
                        "{app}: {msg}"
                    );
                }
            }
        }
    }
}
