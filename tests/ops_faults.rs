//! Faults, with the real binary: PostgreSQL stopped and started under a read load (a
//! private instance, never the shared one), and a SQLite database on a full disk.
//! Both skip with a message when the machine cannot run them, and fail on CI.

mod ops_support;
mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ops_support::{PrivatePg, SmallDisk, wait_until};
use shortscience_ids::PaperRef;
use shortscience_store::{NewPaper, Store, StoreError, SummaryImport};
use support::{ChildGuard, bin, free_port, http_get, on_ci, wait_for_http};

fn skip(why: &str) {
    assert!(!on_ci(), "CI=true but this fault test cannot run: {why}");
    eprintln!("skipping: {why}");
}

fn serve(db: &str, dir: &std::path::Path, extra: &[&str]) -> (String, ChildGuard) {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(bin())
        .args(["serve", "--db", db, "--bind", &addr])
        .args(extra)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_CONFIG")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(child);
    if let Err(e) = wait_for_http(&addr, "/healthz", Duration::from_secs(60)) {
        panic!("server did not come up: {e}\n{}", server_log(dir));
    }
    support::assert_running(&mut guard.0, "shortscience serve");
    (addr, guard)
}

fn server_log(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("serve.log")).unwrap_or_default()
}

struct Sample {
    at: Instant,
    status: u16,
    took: Duration,
}

/// Readers hitting database-backed pages until `stop`.
fn read_load(addr: &str, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<Sample>> {
    let addr = addr.to_owned();
    std::thread::spawn(move || {
        let mut samples = Vec::new();
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            let path = if n % 2 == 0 { "/paper/1" } else { "/" };
            n += 1;
            let at = Instant::now();
            let status = http_get(&addr, path).map_or(0, |(s, _)| s);
            samples.push(Sample {
                at,
                status,
                took: at.elapsed(),
            });
            std::thread::sleep(Duration::from_millis(20));
        }
        samples
    })
}

#[test]
fn postgres_going_away_answers_503_fast_and_recovers_by_itself() {
    let pg = match PrivatePg::start() {
        Ok(pg) => pg,
        Err(why) => return skip(&why),
    };
    let dir = tempfile::tempdir().unwrap();
    let (addr, _server) = serve(&pg.url, dir.path(), &[]);
    assert_eq!(http_get(&addr, "/paper/1").unwrap().0, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let load = read_load(&addr, stop.clone());
    std::thread::sleep(Duration::from_millis(500));

    pg.stop().unwrap();
    let down_at = Instant::now();
    // While it is down: a 503 page, fast; liveness still fine, readiness not.
    for _ in 0..3 {
        let t = Instant::now();
        let (status, body) = http_get(&addr, "/paper/1").unwrap();
        let took = t.elapsed();
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("Service unavailable"), "{body}");
        assert!(
            took < Duration::from_secs(5),
            "503 took {took:?}\n{}",
            server_log(dir.path())
        );
    }
    let t = Instant::now();
    assert_eq!(http_get(&addr, "/readyz").unwrap().0, 503);
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(http_get(&addr, "/healthz").unwrap().0, 200);
    std::thread::sleep(Duration::from_secs(2));

    pg.resume().unwrap();
    let up_at = Instant::now();
    let recovery = wait_until(Duration::from_secs(60), || {
        http_get(&addr, "/paper/1").is_ok_and(|(s, _)| s == 200)
    })
    .unwrap_or_else(|| panic!("no 200 within 60 s of PostgreSQL's restart\n{}", pg.log()));
    assert_eq!(http_get(&addr, "/readyz").unwrap().0, 200);
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::SeqCst);
    let samples = load.join().unwrap();

    let during: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.at > down_at && s.at + s.took < up_at)
        .collect();
    let after: Vec<&Sample> = samples.iter().filter(|s| s.at > up_at + recovery).collect();
    assert!(!during.is_empty() && !after.is_empty());
    assert!(
        during.iter().all(|s| s.status == 503),
        "statuses while down: {:?}",
        during.iter().map(|s| s.status).collect::<Vec<_>>()
    );
    let slowest = samples.iter().map(|s| s.took).max().unwrap();
    assert!(
        slowest < Duration::from_secs(6),
        "a request took {slowest:?}"
    );
    assert!(after.iter().all(|s| s.status == 200));
    eprintln!(
        "postgres down {:.1} s: {} requests answered 503 (slowest request {:.2} s); \
         first 200 {:.2} s after PostgreSQL was back; {} requests after, all 200",
        (up_at - down_at).as_secs_f64(),
        during.len(),
        slowest.as_secs_f64(),
        recovery.as_secs_f64(),
        after.len()
    );
}

fn big_summary(i: usize) -> SummaryImport {
    SummaryImport {
        paper: NewPaper {
            refs: vec![PaperRef::parse(&format!("arXiv:2402.{:05}", i + 1)).unwrap()],
            title: format!("Disk filler {i}"),
            authors: vec!["F. Iller".into()],
            ..NewPaper::default()
        },
        author_username: "filler".into(),
        markdown: format!("{i} ") + &"words that take space ".repeat(1500),
        html: String::from("<p>filler</p>"),
        excerpt: String::from("filler"),
        paper_refs: vec![],
        renderer_version: shortscience_render::RENDERER_VERSION,
        private: false,
        anonymous: false,
        created_at: None,
        edited_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_cleanly_and_recovers_when_space_returns() {
    let disk = match SmallDisk::mount("3m") {
        Ok(d) => d,
        Err(why) => return skip(&why),
    };
    // Room to give back later.
    let ballast = disk.path().join("ballast");
    std::fs::write(&ballast, vec![0u8; 1024 * 1024]).unwrap();
    let db = format!("sqlite://{}", disk.path().join("site.db").display());
    let store = Store::connect(&db).await.unwrap();
    let logs = tempfile::tempdir().unwrap();
    let (addr, _server) = serve(&db, logs.path(), &["--no-demo"]);

    let mut acked = 0;
    let error = loop {
        match store.import_summary(&big_summary(acked)).await {
            Ok(_) => acked += 1,
            Err(e) => break e,
        }
        assert!(acked < 500, "the disk never filled");
    };
    assert!(acked > 0);
    assert!(error.is_unavailable(), "{error}");
    let message = error.to_string();
    assert!(message.contains("full"), "{message}");
    // Reads go on; the database is intact and holds every acknowledged write.
    assert_eq!(http_get(&addr, "/").unwrap().0, 200);
    assert_eq!(http_get(&addr, "/paper/1").unwrap().0, 200);
    assert!(store.integrity_check().await.unwrap().is_empty());
    assert_eq!(store.counts().await.unwrap().summaries as usize, acked);
    // Another write fails the same way, not with a corrupt file.
    let again = store.import_summary(&big_summary(acked)).await.unwrap_err();
    assert!(
        matches!(&again, StoreError::Db(_)) && again.is_unavailable(),
        "{again}"
    );

    std::fs::remove_file(&ballast).unwrap();
    store.import_summary(&big_summary(acked)).await.unwrap();
    assert_eq!(store.counts().await.unwrap().summaries as usize, acked + 1);
    assert!(store.integrity_check().await.unwrap().is_empty());
    assert_eq!(http_get(&addr, "/readyz").unwrap().0, 200);
    eprintln!(
        "full disk: {acked} writes acknowledged before \"{message}\"; recovered after freeing 1 MiB"
    );
    store.close().await;
}
