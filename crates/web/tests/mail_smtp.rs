//! The confirmation mail over real SMTP: a local aiosmtpd (Debian's `python3-aiosmtpd`)
//! stores what arrives in a Maildir; the test reads the message, follows its link and
//! logs in. Without aiosmtpd the test is skipped, unless `CI=true`, where it fails.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shortscience_store::Store;
use shortscience_store::testing::test_databases;
use shortscience_web::{AppState, WebConfig, router};
use tower::ServiceExt;

/// A Python that can import aiosmtpd (the Debian package installs it for /usr/bin/python3).
fn python_with_aiosmtpd() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// The SMTP server process; killed when dropped.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_smtp(python: &str) -> Smtp {
    let dir = tempfile::tempdir().expect("temp dir");
    let maildir = dir.path().join("maildir");
    // A free port: bind to 0, note it, release it for the server.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start aiosmtpd");
    let smtp = Smtp {
        child,
        port,
        maildir,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(15);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    smtp
}

/// Waits for the `n`-th message (1-based) to arrive in the Maildir; returns its text.
async fn wait_for_message(maildir: &Path, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut files: Vec<PathBuf> = std::fs::read_dir(maildir.join("new"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        if files.len() >= n {
            return std::fs::read_to_string(&files[n - 1]).expect("message is text");
        }
        assert!(
            Instant::now() < deadline,
            "no mail arrived in {}",
            maildir.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The body with quoted-printable soft breaks and `=3D` undone (enough for links).
fn unfold(message: &str) -> String {
    if message
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable")
    {
        message
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=")
    } else {
        message.to_owned()
    }
}

#[tokio::test]
async fn confirmation_mail_arrives_over_smtp_and_its_link_works() {
    let Some(python) = python_with_aiosmtpd() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but aiosmtpd is missing: apt-get install python3-aiosmtpd");
        }
        eprintln!("skipping: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        return;
    };
    let smtp = start_smtp(python);
    let mut received = 0;
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.expect("connect");
        let config = WebConfig {
            base_url: "http://127.0.0.1:8080".into(),
            smtp_url: Some(format!("smtp://127.0.0.1:{}", smtp.port)),
            mail_from: "ShortScience <noreply@example.org>".into(),
            ..WebConfig::default()
        };
        let app = router(AppState::new(store, config).expect("mail settings"));
        let send = |r: Request<Body>| app.clone().oneshot(r);
        let post = |uri: &str, body: String| {
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        let user = format!("smtp{}", db.name);
        let r = send(post(
            "/signup",
            format!("username={user}&email={user}%40example.org&password=a+long+passphrase"),
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}]", db.name);

        received += 1;
        let message = unfold(&wait_for_message(&smtp.maildir, received).await);
        assert!(
            message.contains(&format!("{user}@example.org")),
            "{message}"
        );
        assert!(
            message.contains("From: ShortScience <noreply@example.org>"),
            "{message}"
        );
        let link_at = message
            .find("http://127.0.0.1:8080/confirm?token=")
            .expect("the confirmation link");
        let link: String = message[link_at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        let path = link.trim_start_matches("http://127.0.0.1:8080");

        let r = send(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}] {path}", db.name);
        assert_eq!(r.headers()[header::LOCATION], "/login?confirmed=1");

        let r = send(post(
            "/login",
            format!("login={user}&password=a+long+passphrase"),
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}] login", db.name);
        assert!(
            r.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("ss_session=")
        );
    }
}
