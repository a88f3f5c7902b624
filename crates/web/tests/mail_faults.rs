//! A broken mail server never holds a request or takes the site down: SMTP servers that
//! accept and never answer, or answer garbage, are tried a bounded number of times
//! within bounded time, and a flood of mail beyond the queue bound is dropped (counted
//! and logged), not buffered. Mail does not touch the database differently per backend,
//! so these run on the first test database only.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shortscience_store::Store;
use shortscience_store::testing::{TestDb, test_databases};
use shortscience_web::auth::mail::{Mail, MailSettings, MailStats, Mailer};
use shortscience_web::{AppState, WebConfig, router};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A request that takes longer than this counts as held by the mail server (the
/// router's own request timeout is 15 s).
const PROMPT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy)]
enum Behaviour {
    /// Accepts and keeps the connection open without a word.
    Silent,
    /// Sends a line that is not SMTP, then closes.
    Garbage,
}

/// A fake mail server on a free port; returns the port and a count of connections.
async fn fake_smtp(behaviour: Behaviour) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            match behaviour {
                Behaviour::Silent => held.push(stream),
                Behaviour::Garbage => {
                    let _ = stream.write_all(b"HTTP/1.1 400 Nonsense\r\n\r\n").await;
                    let _ = stream.shutdown().await;
                }
            }
        }
    });
    (port, connections)
}

fn mailer(port: u16, settings: MailSettings) -> Mailer {
    Mailer::from_config_with(
        Some(&format!("smtp://127.0.0.1:{port}")),
        "ShortScience <noreply@example.org>",
        settings,
    )
    .expect("mail settings")
}

async fn app(mailer: Mailer) -> (Router, Store, TestDb) {
    let db = test_databases().await.remove(0);
    let store = Store::connect(&db.url).await.expect("connect");
    let config = WebConfig {
        base_url: "http://127.0.0.1:8080".into(),
        ..WebConfig::default()
    };
    let app = router(AppState::with_mailer(store.clone(), config, mailer));
    (app, store, db)
}

/// Sends a request and returns its status and how long the answer took.
async fn timed(app: &Router, request: Request<Body>) -> (StatusCode, Duration) {
    let started = Instant::now();
    let r = app.clone().oneshot(request).await.expect("infallible");
    (r.status(), started.elapsed())
}

fn post(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// Waits until `done` holds for the mailer's stats, failing after `within`.
async fn wait_for(m: &Mailer, within: Duration, done: impl Fn(&MailStats) -> bool) -> MailStats {
    let deadline = Instant::now() + within;
    loop {
        let stats = m.stats();
        if done(&stats) {
            return stats;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {stats:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_silent_mail_server_holds_no_request_and_is_given_up_on() {
    let (port, connections) = fake_smtp(Behaviour::Silent).await;
    let settings = MailSettings {
        queue: 16,
        smtp_timeout: Duration::from_millis(400),
        retry_after: vec![Duration::from_millis(50), Duration::from_millis(50)],
    };
    let m = mailer(port, settings);
    let (app, _store, _db) = app(m.clone()).await;

    let started = Instant::now();
    let (status, took) = timed(
        &app,
        post(
            "/signup",
            "username=silent&email=silent%40example.org&password=a+long+passphrase",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(took < PROMPT, "signup took {took:?}");
    // While the worker waits on the server, the site serves.
    for uri in ["/", "/about", "/login", "/signup"] {
        let (status, took) = timed(&app, get(uri)).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(took < PROMPT, "{uri} took {took:?}");
    }
    let (status, took) = timed(&app, post("/reset", "login=silent%40example.org")).await;
    assert!(status.is_redirection() || status.is_success(), "{status}");
    assert!(took < PROMPT, "reset took {took:?}");

    // Each message: three attempts, each cut off at the timeout, then given up.
    let stats = wait_for(&m, Duration::from_secs(10), |s| s.failed == 2).await;
    let elapsed = started.elapsed();
    assert_eq!(
        stats,
        MailStats {
            sent: 0,
            attempts: 6,
            failed: 2,
            dropped: 0
        }
    );
    assert_eq!(connections.load(Ordering::SeqCst), 6);
    // Two messages × three attempts × 400 ms: it did wait for the server each time.
    assert!(elapsed >= Duration::from_millis(2_400), "{elapsed:?}");
}

#[tokio::test]
async fn a_garbage_answer_fails_fast_and_is_retried() {
    let (port, connections) = fake_smtp(Behaviour::Garbage).await;
    let settings = MailSettings {
        queue: 16,
        // Long: a failure here comes from the garbage, not from the clock.
        smtp_timeout: Duration::from_secs(30),
        retry_after: vec![Duration::from_millis(50), Duration::from_millis(50)],
    };
    let m = mailer(port, settings);
    let (app, _store, _db) = app(m.clone()).await;
    let started = Instant::now();
    let (status, took) = timed(
        &app,
        post(
            "/signup",
            "username=garbage&email=garbage%40example.org&password=a+long+passphrase",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(took < PROMPT, "signup took {took:?}");
    let stats = wait_for(&m, Duration::from_secs(10), |s| s.failed == 1).await;
    assert!(started.elapsed() < Duration::from_secs(5), "{stats:?}");
    assert_eq!((stats.attempts, stats.sent, stats.dropped), (3, 0, 0));
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    let (status, _) = timed(&app, get("/")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_flood_beyond_the_queue_is_dropped_not_buffered() {
    let (port, _connections) = fake_smtp(Behaviour::Silent).await;
    let settings = MailSettings {
        queue: 8,
        // The worker stays stuck on its first message for the whole test.
        smtp_timeout: Duration::from_secs(60),
        retry_after: Vec::new(),
    };
    let m = mailer(port, settings);
    let flood = 5_000;
    let started = Instant::now();
    for i in 0..flood {
        m.send(Mail {
            to: format!("u{i}@example.org"),
            subject: "Flood".into(),
            body: "x".repeat(1_000),
        });
    }
    assert!(
        started.elapsed() < PROMPT,
        "queueing took {:?}",
        started.elapsed()
    );
    // Once the worker holds one message (stuck on the server), fill the freed slot.
    wait_for(&m, Duration::from_secs(5), |s| s.attempts == 1).await;
    for i in 0..10 {
        m.send(Mail {
            to: format!("late{i}@example.org"),
            subject: "Flood".into(),
            body: "x".into(),
        });
    }
    // Kept: the queue's 8 and the worker's 1; every other message was refused.
    let stats = m.stats();
    assert_eq!(stats.dropped, flood + 10 - 9, "{stats:?}");
    assert_eq!((stats.sent, stats.failed, stats.attempts), (0, 0, 1));

    // And the site still answers while the queue is full.
    let (app, _store, _db) = app(m.clone()).await;
    let (status, took) = timed(
        &app,
        post(
            "/signup",
            "username=flood&email=flood%40example.org&password=a+long+passphrase",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(took < PROMPT, "signup took {took:?}");
    assert_eq!(
        m.stats().dropped,
        stats.dropped + 1,
        "the signup's mail was refused too"
    );
}
