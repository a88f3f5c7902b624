//! Shared helpers for the integration tests: free ports, waiting for HTTP, and the real
//! `shortscience` binary run as a server.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A port for a child server to listen on, free when returned and never returned twice
/// in one test binary. It lies below Linux's ephemeral range (32768–60999), so the
/// kernel cannot hand it to an outgoing connection, or to another `bind(0)`, between
/// this call and the child's own bind.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    // Test binaries run one after another; a per-process start keeps a child left
    // behind by one binary off the next binary's ports.
    let start = std::process::id().wrapping_mul(7919) % SPAN;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(n < SPAN, "no free port left in {LOW}..{}", LOW + SPAN);
        let port = (LOW + (start + n) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Minimal blocking GET: returns (status, body). Reads by Content-Length, since some
/// servers (chromedriver) keep the connection open whatever the request says.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_len, content_length) = loop {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::other(
                "connection closed before the headers ended",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            break (end + 4, len);
        }
    };
    match content_length {
        Some(len) => {
            while buf.len() < head_len + len {
                let n = s.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        None => {
            s.read_to_end(&mut buf)?;
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    Ok((status, text[head_len.min(text.len())..].to_owned()))
}

pub fn wait_for_http(addr: &str, path: &str, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match http_get(addr, path) {
            Ok((200, _)) => return Ok(()),
            other if start.elapsed() > limit => return Err(format!("{addr}{path}: {other:?}")),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Panics when `child` has exited: whatever answered on its port was another process.
pub fn assert_running(child: &mut Child, what: &str) {
    if let Ok(Some(status)) = child.try_wait() {
        panic!("{what} exited ({status}) though its port answered");
    }
}

/// Kills the child when dropped, so a failing test leaves no process behind.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_shortscience")
}

/// The real binary serving a SQLite database under `dir`.
pub struct Server {
    pub base: String,
    pub db: String,
    pub addr: String,
    _child: ChildGuard,
}

impl Server {
    /// A new database: the server loads the demo content into it.
    pub fn start_with_demo(dir: &Path) -> Server {
        Self::start(dir, &[])
    }

    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        Self::start_with_env(dir, extra, &[])
    }

    /// As [`Server::start`], with extra environment variables (SHORTSCIENCE_* settings).
    pub fn start_with_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let db = format!("sqlite://{}", dir.join("site.db").display());
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(bin())
            .args(["serve", "--db", &db, "--bind", &addr])
            .args(extra)
            .envs(env.iter().copied())
            // Tests never reach the internet.
            .env("SHORTSCIENCE_OFFLINE", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start shortscience serve");
        let mut guard = ChildGuard(child);
        wait_for_http(&addr, "/healthz", Duration::from_secs(30)).expect("server did not come up");
        assert_running(&mut guard.0, "shortscience serve");
        Server {
            base: format!("http://{addr}"),
            db,
            addr,
            _child: guard,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a confirmed account with the operator's command.
    pub fn add_user(&self, name: &str, password: &str) {
        let mut add = Command::new(bin())
            .args([
                "user",
                "add",
                name,
                "--email",
                &format!("{name}@example.org"),
                "--password-stdin",
            ])
            .args(["--db", &self.db])
            .stdin(Stdio::piped())
            .spawn()
            .expect("run shortscience user add");
        add.stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        assert!(add.wait().unwrap().success(), "user add {name}");
    }

    /// Imports summary files into the served database with the CLI, asserting success.
    pub fn import(&self, path: &Path) {
        let out = Command::new(bin())
            .args(["import", &path.display().to_string(), "--db", &self.db])
            .output()
            .expect("run shortscience import");
        assert!(
            out.status.success(),
            "import failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A real SMTP server (Debian's `python3-aiosmtpd`) storing what arrives in a Maildir.
pub struct Smtp {
    pub port: u16,
    maildir: std::path::PathBuf,
    _child: ChildGuard,
    _dir: tempfile::TempDir,
}

impl Smtp {
    /// None when aiosmtpd is missing, which CI does not accept.
    pub fn start() -> Option<Smtp> {
        // Debian's package installs for /usr/bin/python3, which may not be first on PATH.
        let python = ["python3", "/usr/bin/python3"].into_iter().find(|py| {
            Command::new(py)
                .args(["-c", "import aiosmtpd"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
        let Some(python) = python else {
            assert!(
                !on_ci(),
                "CI=true but aiosmtpd is missing: apt-get install python3-aiosmtpd"
            );
            eprintln!("skipping: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let guard = ChildGuard(child);
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Smtp {
            port,
            maildir,
            _child: guard,
            _dir: dir,
        })
    }

    /// The newest message that arrived within `limit`, with quoted-printable soft
    /// breaks undone (enough to read links).
    pub fn wait_for_message(&self, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let newest = std::fs::read_dir(self.maildir.join("new"))
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
            if let Some(entry) = newest {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                return text
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
            }
            assert!(start.elapsed() < limit, "no mail arrived");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
