//! `shortscience user …` on the real binary, then a login against the real server.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::{ChildGuard, bin};

fn cli(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_BIND")
        .env_remove("SHORTSCIENCE_CONFIG")
        .env_remove("RUST_LOG");
    c
}

fn run_with_stdin(cwd: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = cli(cwd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shortscience");
    // A usage error exits before reading: the pipe may be closed by then.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A form POST over a raw connection; returns the response head (lower-cased).
fn post_form(addr: &str, path: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase()
}

fn wait_for_listen_line(child: &mut std::process::Child) -> String {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("server logged its address")
}

#[test]
fn user_add_then_login_works() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", tmp.path().join("users.db").display());
    let pw = "operator passphrase 1\n";

    let out = run_with_stdin(
        tmp.path(),
        &[
            "user",
            "add",
            "root",
            "--email",
            "root@example.org",
            "--password-stdin",
            "--role",
            "admin",
            "--db",
            &db,
        ],
        pw,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("created root (admin"),
        "{}",
        text(&out.stdout)
    );

    // A taken name, a short password and an unknown role are clear errors.
    let again = run_with_stdin(
        tmp.path(),
        &[
            "user",
            "add",
            "ROOT",
            "--email",
            "x@example.org",
            "--password-stdin",
            "--db",
            &db,
        ],
        pw,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("taken"),
        "{}",
        text(&again.stderr)
    );
    let short = run_with_stdin(
        tmp.path(),
        &[
            "user",
            "add",
            "ann",
            "--email",
            "ann@example.org",
            "--password-stdin",
            "--db",
            &db,
        ],
        "short\n",
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(
        text(&short.stderr).contains("at least 10"),
        "{}",
        text(&short.stderr)
    );
    let role = run_with_stdin(
        tmp.path(),
        &[
            "user",
            "add",
            "ann",
            "--email",
            "ann@example.org",
            "--password-stdin",
            "--role",
            "root",
            "--db",
            &db,
        ],
        pw,
    );
    assert_eq!(role.status.code(), Some(2), "usage error");

    let ok = run_with_stdin(
        tmp.path(),
        &[
            "user",
            "add",
            "ann",
            "--email",
            "ann@example.org",
            "--password-stdin",
            "--db",
            &db,
        ],
        pw,
    );
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let promote = cli(tmp.path())
        .args(["user", "promote", "ann", "--role", "moderator", "--db", &db])
        .output()
        .unwrap();
    assert!(promote.status.success(), "{}", text(&promote.stderr));
    let list = cli(tmp.path())
        .args(["user", "list", "--db", &db])
        .output()
        .unwrap();
    let listing = text(&list.stdout);
    assert!(
        listing
            .lines()
            .any(|l| l.contains("root") && l.contains("admin") && l.contains("active")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.contains("ann") && l.contains("moderator")),
        "{listing}"
    );

    let child = cli(tmp.path())
        .args(["serve", "--db", &db, "--bind", "127.0.0.1:0", "--no-demo"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(child);
    let addr = wait_for_listen_line(&mut guard.0);
    let head = post_form(&addr, "/login", "login=root&password=operator+passphrase+1");
    assert!(head.starts_with("http/1.1 303"), "{head}");
    assert!(head.contains("set-cookie: ss_session="), "{head}");
    let wrong = post_form(&addr, "/login", "login=root&password=not+the+passphrase");
    assert!(wrong.starts_with("http/1.1 401"), "{wrong}");

    // Suspended: the right password no longer opens a session.
    let suspend = cli(tmp.path())
        .args(["user", "suspend", "root", "--db", &db])
        .output()
        .unwrap();
    assert!(suspend.status.success(), "{}", text(&suspend.stderr));
    let head = post_form(&addr, "/login", "login=root&password=operator+passphrase+1");
    assert!(head.starts_with("http/1.1 403"), "{head}");
    assert!(!head.contains("set-cookie: ss_session="), "{head}");
    drop(guard);
}
