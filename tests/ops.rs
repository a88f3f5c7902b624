//! Operations against the real binary: readiness, request ids, metrics on their own
//! listener, JSON logs without secrets, and SIGTERM draining within its bound.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{ChildGuard, bin, free_port, http_get, wait_for_http};

/// The binary serving a new SQLite site (demo content) with its stderr in a file.
struct Site {
    addr: String,
    log: PathBuf,
    guard: ChildGuard,
    _dir: tempfile::TempDir,
}

impl Site {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("site.db").display());
        Self::start_on(dir, &db, args, env)
    }

    fn start_on(dir: tempfile::TempDir, db: &str, args: &[&str], env: &[(&str, &str)]) -> Site {
        let addr = format!("127.0.0.1:{}", free_port());
        let log = dir.path().join("stderr.log");
        let mut cmd = Command::new(bin());
        cmd.args(["serve", "--db", db, "--bind", &addr])
            .args(args)
            .current_dir(dir.path())
            .env_remove("SHORTSCIENCE_DB")
            .env_remove("SHORTSCIENCE_CONFIG")
            .env_remove("SHORTSCIENCE_METRICS")
            .env_remove("SHORTSCIENCE_LOG_FORMAT")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut guard = ChildGuard(cmd.spawn().expect("start shortscience serve"));
        if let Err(e) = wait_for_http(&addr, "/healthz", Duration::from_secs(60)) {
            panic!("server did not come up: {e}\n{}", read(&log));
        }
        support::assert_running(
            &mut guard.0,
            &format!("shortscience serve (its log:\n{})", read(&log)),
        );
        Site {
            addr,
            log,
            guard,
            _dir: dir,
        }
    }

    fn child(&mut self) -> &mut Child {
        &mut self.guard.0
    }

    fn log(&self) -> String {
        read(&self.log)
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Sends raw request bytes; returns the status and the whole response text.
fn raw(addr: &str, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next()?;
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -s {name} failed");
}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn readyz_answers_and_request_ids_travel() {
    let site = Site::start(&[], &[]);
    let (status, body) = http_get(&site.addr, "/readyz").unwrap();
    assert_eq!((status, body.as_str()), (200, "ready\n"));

    let (status, response) = raw(
        &site.addr,
        &format!(
            "GET /about HTTP/1.1\r\nHost: {}\r\nX-Request-Id: proxy-id.42\r\nConnection: close\r\n\r\n",
            site.addr
        ),
    );
    assert_eq!(status, 200);
    assert_eq!(header(&response, "x-request-id"), Some("proxy-id.42"));

    // An id that is too long (or has odd characters) is replaced by one of ours.
    let long = "x".repeat(65);
    let (_, response) = raw(
        &site.addr,
        &format!(
            "GET /nowhere HTTP/1.1\r\nHost: a\r\nX-Request-Id: {long}\r\nConnection: close\r\n\r\n"
        ),
    );
    let id = header(&response, "x-request-id").expect("an id on 404s too");
    assert_eq!(id.len(), 16, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");

    // No public /metrics.
    assert_eq!(http_get(&site.addr, "/metrics").unwrap().0, 404);
}

#[test]
fn metrics_are_served_only_on_their_own_listener() {
    let metrics = format!("127.0.0.1:{}", free_port());
    let site = Site::start(
        &[],
        &[
            ("SHORTSCIENCE_METRICS", "true"),
            ("SHORTSCIENCE_METRICS_BIND", &metrics),
        ],
    );
    for path in ["/", "/paper/1", "/paper/1", "/paper/999999", "/nowhere"] {
        http_get(&site.addr, path).unwrap();
    }
    assert_eq!(http_get(&site.addr, "/metrics").unwrap().0, 404);
    let (status, text) = http_get(&metrics, "/metrics").unwrap();
    assert_eq!(status, 200);
    for expected in [
        "shortscience_http_requests_total{route=\"/paper/{id}\",status=\"2xx\"} 2\n",
        "shortscience_http_requests_total{route=\"/paper/{id}\",status=\"4xx\"} 1\n",
        "shortscience_http_requests_total{route=\"unmatched\",status=\"4xx\"} ",
        "# TYPE shortscience_http_request_duration_seconds histogram\n",
        "shortscience_http_request_duration_seconds_bucket{le=\"+Inf\"} ",
        "shortscience_http_errors_total 0\n",
        "shortscience_db_pool_connections ",
        "shortscience_db_pool_idle_connections ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // Off by default: nothing listens on the metrics address without the setting.
    drop(site);
    let plain = Site::start(&[], &[("SHORTSCIENCE_METRICS_BIND", &metrics)]);
    assert!(TcpStream::connect(&metrics).is_err());
    drop(plain);
}

/// Secrets a request can carry; none may reach the log.
const SECRETS: [&str; 6] = [
    "db-password-7f3a",
    "bearer-token-91c2",
    "session-cookie-44d0",
    "query-token-5be7",
    "form-password-0c19",
    "basic-credential-8e61",
];

#[tokio::test(flavor = "multi_thread")]
async fn json_logs_carry_request_ids_and_no_secrets() {
    // PostgreSQL (trust authentication ignores the password) so the URL carries one;
    // SQLite URLs have none.
    let dbs = shortscience_store::testing::test_databases().await;
    let dir = tempfile::tempdir().unwrap();
    let db = match dbs.iter().find(|d| d.name == "postgres") {
        Some(pg) => pg.url.replacen(
            "postgres://postgres@",
            &format!("postgres://postgres:{}@", SECRETS[0]),
            1,
        ),
        None => format!("sqlite://{}", dir.path().join("site.db").display()),
    };
    let mut site = Site::start_on(
        dir,
        &db,
        &["--log-format", "json"],
        &[("RUST_LOG", "debug")],
    );
    let addr = site.addr.clone();
    let requests = [
        format!(
            "GET /about HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer {}\r\nX-Request-Id: req-auth\r\nConnection: close\r\n\r\n",
            SECRETS[1]
        ),
        format!(
            "GET / HTTP/1.1\r\nHost: h\r\nCookie: session={}\r\nConnection: close\r\n\r\n",
            SECRETS[2]
        ),
        format!(
            "GET /reset?token={} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            SECRETS[3]
        ),
        {
            let body = format!("username=ada&password={}", SECRETS[4]);
            format!(
                "POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        },
        format!(
            "GET /account HTTP/1.1\r\nHost: h\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
            SECRETS[5]
        ),
    ];
    for r in &requests {
        let (status, _) = raw(&addr, r);
        assert!(status > 0, "no answer to {r}\nserver log:\n{}", site.log());
    }
    signal(site.child(), "TERM");
    assert!(wait_exit(site.child(), Duration::from_secs(15)).is_some());
    let log = site.log();
    assert!(!log.is_empty());
    for secret in SECRETS {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
    let mut request_lines = 0;
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
        assert!(
            v["timestamp"].is_string() && v["level"].is_string(),
            "{line}"
        );
        if v["message"] == "request" {
            request_lines += 1;
            assert!(v["span"]["request_id"].is_string(), "{line}");
            assert!(v["route"].is_string() && v["status"].is_number(), "{line}");
        }
    }
    assert!(request_lines >= requests.len(), "{log}");
    assert!(log.contains("\"request_id\":\"req-auth\""), "{log}");
    drop(dbs);
}

/// Sends the head of a form POST whose body is still to come.
fn start_slow_post(addr: &str, body_len: usize) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {body_len}\r\nConnection: close\r\n\r\nusername=a"
    )
    .unwrap();
    s.flush().unwrap();
    s
}

#[test]
fn sigterm_lets_in_flight_requests_finish_and_refuses_new_ones() {
    let mut site = Site::start(&["--no-demo"], &[]);
    let rest = "&password=drain-test-password";
    let mut slow = start_slow_post(&site.addr, "username=a".len() + rest.len());
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    signal(site.child(), "TERM");
    std::thread::sleep(Duration::from_millis(700));

    // The listener is closed: new connections are refused.
    assert!(
        TcpStream::connect(&site.addr).is_err(),
        "a new connection was accepted after SIGTERM"
    );
    assert!(
        site.child().try_wait().unwrap().is_none(),
        "exited mid-request"
    );

    // The in-flight request completes with a real answer.
    slow.write_all(rest.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = slow.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    let status: u16 = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    assert!(
        (200..500).contains(&status),
        "in-flight request got {status}:\n{response}\n{}",
        site.log()
    );

    let exit = wait_exit(site.child(), Duration::from_secs(5)).expect("did not exit");
    assert!(exit.success(), "{exit:?}\n{}", site.log());
    assert!(sent.elapsed() < Duration::from_secs(10));
}

#[test]
fn sigterm_stops_waiting_for_a_stuck_request_at_the_bound() {
    let mut site = Site::start(&["--no-demo"], &[]);
    // A body that never arrives.
    let _stuck = start_slow_post(&site.addr, 1000);
    std::thread::sleep(Duration::from_millis(300));
    let sent = Instant::now();
    signal(site.child(), "TERM");
    let exit = wait_exit(site.child(), Duration::from_secs(20)).expect("did not exit");
    let took = sent.elapsed();
    assert!(exit.success(), "{exit:?}\n{}", site.log());
    // The drain limit is 10 s; allow start-up slack on a busy machine.
    assert!(took >= Duration::from_secs(9), "gave up after {took:?}");
    assert!(took < Duration::from_secs(14), "took {took:?}");
    assert!(site.log().contains("stopped before every request finished"));
}
