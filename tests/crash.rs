//! Crash safety: writers sign in and write summaries, votes and comments over HTTP while
//! the server is killed with SIGKILL at random moments and restarted; afterwards every
//! write the server acknowledged (answered with its 303) must be in the database, intact,
//! and SQLite must pass `PRAGMA integrity_check`. On both backends.
//!
//! `SHORTSCIENCE_CRASH_KILLS` sets the number of kills per backend (default 5, the short
//! version); the long version in the README uses a release build and 100.
//!
//! Writes go through the site's own forms: `/login`, `/paper/{id}/write`,
//! `/summary/{id}/vote`, `/summary/{id}/comment`, each answering 303 once stored. For each
//! (writer, paper) summary and (writer, summary) vote the final state is checked against
//! the last acknowledged value (or a later one whose answer the kill swallowed); every
//! acknowledged comment must be there.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shortscience_store::Store;
use shortscience_store::testing::test_databases;
use sqlx::Row;
use support::{ChildGuard, bin, free_port, wait_for_http};

const WRITERS: usize = 3;
const PASSWORD: &str = "crash-test-password-1";

fn kills() -> usize {
    std::env::var("SHORTSCIENCE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

/// xorshift: the kill moments need to be irregular, not cryptographic.
struct Rng(u64);
impl Rng {
    fn new() -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        eprintln!("crash test seed {seed}");
        Rng(seed)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

struct Reply {
    status: u16,
    head: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn post(addr: &str, path: &str, cookie: Option<&str>, body: &str) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let cookie = cookie.map_or(String::new(), |c| format!("Cookie: {c}\r\n"));
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out);
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status line"))?;
    Ok(Reply { status, head })
}

/// Values sent, in order, and the last one acknowledged.
type Sent<T> = (Vec<T>, Option<T>);

/// What the writers were told, and what they tried after that.
#[derive(Default)]
struct Ledger {
    /// (writer, paper) → markers sent, in order, and how many of them were acknowledged
    /// (the last acknowledged is the newest the database may be behind).
    summaries: HashMap<(usize, i64), Sent<u64>>,
    /// (writer, summary) → values sent and the last acknowledged.
    votes: HashMap<(usize, i64), Sent<&'static str>>,
    /// Comment markers acknowledged.
    comments: HashSet<u64>,
    /// Summary ids learnt from redirects.
    summary_ids: Vec<i64>,
    acked: u64,
    failed: u64,
}

struct Site {
    db: String,
    addr: String,
    dir: tempfile::TempDir,
    child: Option<ChildGuard>,
    starts: usize,
}

impl Site {
    fn start(&mut self) {
        self.starts += 1;
        let log = std::fs::File::create(self.dir.path().join(format!("serve-{}.log", self.starts)))
            .unwrap();
        let child = Command::new(bin())
            .args(["serve", "--db", &self.db, "--bind", &self.addr])
            .env_remove("SHORTSCIENCE_DB")
            .env_remove("SHORTSCIENCE_CONFIG")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(ChildGuard(child));
        if let Err(e) = wait_for_http(&self.addr, "/healthz", Duration::from_secs(60)) {
            panic!("restart {} failed: {e}", self.starts);
        }
    }

    fn kill(&mut self) {
        if let Some(mut guard) = self.child.take() {
            let _ = guard.0.kill(); // SIGKILL
            let _ = guard.0.wait();
        }
    }
}

fn run_cli(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn login(addr: &str, writer: usize) -> Option<String> {
    let body = format!("login=crash{writer}&password={PASSWORD}");
    let reply = post(addr, "/login", None, &body).ok()?;
    let cookie = reply.header("set-cookie")?.split(';').next()?.to_owned();
    (reply.status == 303).then_some(cookie)
}

/// The summary id in a redirect to `/paper/{p}#summary-{id}`.
fn summary_id(reply: &Reply) -> Option<i64> {
    reply
        .header("location")?
        .rsplit_once("#summary-")?
        .1
        .parse()
        .ok()
}

fn writer_loop(
    writer: usize,
    addr: String,
    papers: Vec<i64>,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
    markers: Arc<AtomicU64>,
) {
    let mut cookie: Option<String> = None;
    let mut step = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let Some(c) = cookie.clone().or_else(|| login(&addr, writer)) else {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        cookie = Some(c.clone());
        step += 1;
        let marker = markers.fetch_add(1, Ordering::SeqCst);
        let outcome = match step % 3 {
            0 => {
                let paper = papers[(writer + step) % papers.len()];
                ledger
                    .lock()
                    .unwrap()
                    .summaries
                    .entry((writer, paper))
                    .or_default()
                    .0
                    .push(marker);
                let body = format!("markdown=crash-marker-{marker}&action=save");
                post(&addr, &format!("/paper/{paper}/write"), Some(&c), &body).map(|r| {
                    if r.status == 303 {
                        let mut l = ledger.lock().unwrap();
                        l.summaries.get_mut(&(writer, paper)).unwrap().1 = Some(marker);
                        if let Some(id) = summary_id(&r) {
                            l.summary_ids.push(id);
                        }
                    }
                    r.status
                })
            }
            1 => {
                let target = {
                    let l = ledger.lock().unwrap();
                    (!l.summary_ids.is_empty())
                        .then(|| l.summary_ids[marker as usize % l.summary_ids.len()])
                };
                let Some(summary) = target else { continue };
                let value = ["up", "down", "none"][marker as usize % 3];
                ledger
                    .lock()
                    .unwrap()
                    .votes
                    .entry((writer, summary))
                    .or_default()
                    .0
                    .push(value);
                let body = format!("value={value}&back=/");
                post(&addr, &format!("/summary/{summary}/vote"), Some(&c), &body).map(|r| {
                    if r.status == 303 {
                        let mut l = ledger.lock().unwrap();
                        l.votes.get_mut(&(writer, summary)).unwrap().1 = Some(value);
                    }
                    r.status
                })
            }
            _ => {
                let target = {
                    let l = ledger.lock().unwrap();
                    (!l.summary_ids.is_empty())
                        .then(|| l.summary_ids[marker as usize % l.summary_ids.len()])
                };
                let Some(summary) = target else { continue };
                let body = format!("markdown=crash-comment-{marker}&parent=");
                post(
                    &addr,
                    &format!("/summary/{summary}/comment"),
                    Some(&c),
                    &body,
                )
                .map(|r| {
                    if r.status == 303 {
                        ledger.lock().unwrap().comments.insert(marker);
                    }
                    r.status
                })
            }
        };
        let mut l = ledger.lock().unwrap();
        match outcome {
            Ok(303) => l.acked += 1,
            // Signed out (or refused): sign in again next time.
            Ok(401 | 403) => {
                l.failed += 1;
                cookie = None;
            }
            _ => {
                l.failed += 1;
                drop(l);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Checks every acknowledged write; returns (writes checked, writes lost) and prints
/// the first few losses.
async fn verify(store: &Store, ledger: &Ledger) -> (usize, usize) {
    let mut lost = Vec::new();
    let mut checked = 0;
    let marker_of = |text: &str, prefix: &str| -> Option<u64> {
        text.trim().strip_prefix(prefix)?.trim().parse().ok()
    };
    for ((writer, paper), (sent, acked)) in &ledger.summaries {
        let Some(acked) = acked else { continue };
        checked += 1;
        let stored: Option<String> = sqlx::query_scalar(
            "SELECT s.markdown FROM summaries s JOIN users u ON u.id = s.author_id
             WHERE u.username = $1 AND s.paper_id = $2",
        )
        .bind(format!("crash{writer}"))
        .bind(*paper)
        .fetch_optional(store.pool())
        .await
        .unwrap();
        // The newest acknowledged text, or one sent after it whose answer was lost.
        let allowed: Vec<u64> = sent.iter().copied().skip_while(|m| m != acked).collect();
        let got = stored
            .as_deref()
            .and_then(|t| marker_of(t, "crash-marker-"));
        if !got.is_some_and(|m| allowed.contains(&m)) {
            lost.push(format!(
                "summary of crash{writer} on paper {paper}: acknowledged {acked}, stored {stored:?}"
            ));
        }
    }
    for ((writer, summary), (sent, acked)) in &ledger.votes {
        let Some(acked) = acked else { continue };
        checked += 1;
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(v.value AS BIGINT) FROM votes v JOIN users u ON u.id = v.user_id
             WHERE u.username = $1 AND v.summary_id = $2",
        )
        .bind(format!("crash{writer}"))
        .bind(*summary)
        .fetch_optional(store.pool())
        .await
        .unwrap();
        let as_value = match stored {
            Some(1) => "up",
            Some(-1) => "down",
            _ => "none",
        };
        let pos = sent.iter().rposition(|v| v == acked).unwrap_or(0);
        if !sent[pos..].contains(&as_value) {
            lost.push(format!(
                "vote of crash{writer} on summary {summary}: acknowledged {acked}, stored {as_value}"
            ));
        }
    }
    let rows = sqlx::query("SELECT markdown FROM comments")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let stored: HashSet<u64> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("markdown").ok())
        .filter_map(|t| marker_of(&t, "crash-comment-"))
        .collect();
    for marker in &ledger.comments {
        checked += 1;
        if !stored.contains(marker) {
            lost.push(format!("comment {marker} acknowledged but missing"));
        }
    }
    for l in lost.iter().take(10) {
        eprintln!("LOST: {l}");
    }
    (checked, lost.len())
}

async fn crash_run(backend: &str, db: String) {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Site {
        db: db.clone(),
        addr: format!("127.0.0.1:{}", free_port()),
        dir,
        child: None,
        starts: 0,
    };
    site.start(); // loads the demo papers
    for w in 0..WRITERS {
        let out = run_cli(
            &[
                "user",
                "add",
                &format!("crash{w}"),
                "--email",
                &format!("crash{w}@example.org"),
                "--password-stdin",
                "--db",
                &db,
            ],
            &format!("{PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "user add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let papers: Vec<i64> = {
        let store = Store::connect(&db).await.unwrap();
        let ids = sqlx::query_scalar("SELECT id FROM papers ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap();
        store.close().await;
        ids
    };
    assert!(!papers.is_empty());
    let probe = login(&site.addr, 0);
    assert!(
        probe.is_some(),
        "cannot sign in over HTTP: the crash harness needs /login and the write routes"
    );

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let markers = Arc::new(AtomicU64::new(1));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (addr, papers, ledger, stop, markers) = (
                site.addr.clone(),
                papers.clone(),
                ledger.clone(),
                stop.clone(),
                markers.clone(),
            );
            std::thread::spawn(move || writer_loop(w, addr, papers, ledger, stop, markers))
        })
        .collect();

    let mut rng = Rng::new();
    let started = Instant::now();
    let n = kills();
    for _ in 0..n {
        std::thread::sleep(Duration::from_millis(300 + rng.below(1200)));
        site.kill();
        site.start();
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    site.kill();

    let store = Store::connect(&db).await.unwrap();
    // Taken out of the lock: the writers are done, and `verify` awaits.
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let (checked, lost) = verify(&store, &ledger).await;
    let integrity = store.integrity_check().await.unwrap();
    store.close().await;
    eprintln!(
        "crash test ({backend}): {n} SIGKILLs survived in {:.0} s; {} writes acknowledged, \
         {} unanswered or refused; {checked} acknowledged writes checked, {lost} lost; \
         integrity check: {}",
        started.elapsed().as_secs_f64(),
        ledger.acked,
        ledger.failed,
        if integrity.is_empty() {
            "ok".to_string()
        } else {
            integrity.join("; ")
        }
    );
    assert!(ledger.acked > 0, "no write was acknowledged");
    assert_eq!(lost, 0, "acknowledged writes were lost");
    assert!(integrity.is_empty(), "{integrity:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    crash_run("sqlite", db).await;
    assert!(Path::new(&dir.path().join("crash.db")).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_sigkills() {
    let dbs = test_databases().await;
    let Some(pg) = dbs.iter().find(|d| d.name == "postgres") else {
        return; // test_databases() fails on CI without PostgreSQL.
    };
    crash_run("postgres", pg.url.clone()).await;
}
