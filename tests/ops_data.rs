//! Backups, restores and copies between backends, with the real binary doing the work:
//! `backup` under a concurrent write load, `restore` into SQLite and PostgreSQL, and
//! `copy-db` from a SQLite site with the demo content to PostgreSQL and back, compared
//! table by table.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use shortscience_ids::PaperRef;
use shortscience_store::testing::test_databases;
use shortscience_store::{NewPaper, Store, SummaryImport, TableInfo, ValueClass};
use sqlx::Row;
use support::bin;

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_CONFIG")
        .env_remove("RUST_LOG")
        .output()
        .expect("run shortscience")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The i-th write of the load: a new paper with one summary by one of three writers.
fn write(i: usize) -> SummaryImport {
    SummaryImport {
        paper: NewPaper {
            refs: vec![PaperRef::parse(&format!("arXiv:2401.{:05}", i + 1)).unwrap()],
            title: format!("Load paper {i}"),
            authors: vec!["A. Writer".into(), format!("Coauthor {i}")],
            year: Some(2024),
            venue: i.is_multiple_of(2).then(|| "Load Conf".to_string()),
            abstract_text: None,
        },
        author_username: format!("writer{}", i % 3),
        markdown: format!("Summary number {i}: the loss is $L_{i}$."),
        html: format!("<p>Summary number {i}</p>"),
        excerpt: format!("Summary number {i}"),
        paper_refs: vec![],
        renderer_version: shortscience_render::RENDERER_VERSION,
        private: i.is_multiple_of(5),
        anonymous: i.is_multiple_of(7),
        created_at: None,
        edited_at: None,
    }
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

async fn markdowns(store: &Store) -> Vec<String> {
    sqlx::query_scalar("SELECT markdown FROM summaries ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_write_load_restores_one_consistent_moment() {
    let dir = tempfile::tempdir().unwrap();
    let live_url = sqlite_url(dir.path(), "live.db");
    let store = Store::connect(&live_url).await.unwrap();
    for i in 0..20 {
        store.import_summary(&write(i)).await.unwrap();
    }

    // One writer, in order, so what any snapshot holds is a prefix of the writes.
    let acked = Arc::new(AtomicUsize::new(20));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = acked.load(Ordering::SeqCst);
            while !stop.load(Ordering::SeqCst) {
                store.import_summary(&write(i)).await.unwrap();
                i += 1;
                acked.store(i, Ordering::SeqCst);
            }
        })
    };
    while acked.load(Ordering::SeqCst) < 60 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let backup = dir.path().join("backup.db");
    let before = acked.load(Ordering::SeqCst);
    let out = {
        let args = [
            "backup".to_string(),
            backup.display().to_string(),
            "--db".into(),
            live_url.clone(),
        ];
        tokio::task::spawn_blocking(move || {
            run(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .unwrap()
    };
    let after = acked.load(Ordering::SeqCst);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("integrity ok"), "{}", text(&out));
    // Writes go on after the backup.
    while acked.load(Ordering::SeqCst) < after + 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(after > before, "no write happened during the backup");

    // Restoring over the live, non-empty database is refused.
    let refused = run(&["restore", &backup.display().to_string(), "--db", &live_url]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force"), "{}", text(&refused));

    let restored_url = sqlite_url(dir.path(), "restored.db");
    let out = run(&[
        "restore",
        &backup.display().to_string(),
        "--db",
        &restored_url,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let restored = Store::connect(&restored_url).await.unwrap();
    assert!(restored.integrity_check().await.unwrap().is_empty());

    // The backup holds exactly the first n writes, for an n the backup saw happen:
    // at least every write acknowledged before it started, at most one in flight after.
    let got = markdowns(&restored).await;
    let n = got.len();
    assert!(
        (before..=after + 1).contains(&n),
        "backup holds {n} summaries; {before} were acknowledged before it, {after} after"
    );
    let live = markdowns(&store).await;
    assert_eq!(got, live[..n], "restored rows differ from the live ones");
    let counts = restored.counts().await.unwrap();
    assert_eq!(counts.summaries as usize, n);
    assert_eq!(counts.papers as usize, n);
    assert_eq!(counts.users, 3);
    eprintln!(
        "backup under load: {before} writes acknowledged before, {after} after; backup holds {n}"
    );

    // --force replaces a database that holds data.
    let out = run(&[
        "restore",
        &backup.display().to_string(),
        "--db",
        &live_url.replace("live.db", "restored.db"),
        "--force",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    restored.close().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_refuses_postgres_and_restore_fills_an_empty_postgres() {
    let dbs = test_databases().await;
    let Some(pg) = dbs.iter().find(|d| d.name == "postgres") else {
        return; // test_databases() fails on CI without PostgreSQL.
    };
    let out = run(&["backup", "/nonexistent/b.db", "--db", &pg.url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));

    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "site.db");
    let store = Store::connect(&url).await.unwrap();
    for i in 0..30 {
        store.import_summary(&write(i)).await.unwrap();
    }
    let backup = dir.path().join("b.db");
    assert!(
        run(&["backup", &backup.display().to_string(), "--db", &url])
            .status
            .success()
    );
    let out = run(&["restore", &backup.display().to_string(), "--db", &pg.url]);
    assert!(out.status.success(), "{}", text(&out));
    let target = Store::connect(&pg.url).await.unwrap();
    assert_eq!(markdowns(&target).await, markdowns(&store).await);
    target.close().await;
    store.close().await;
}

/// Every row of every table, as text, in key order.
async fn dump(store: &Store, table: &TableInfo) -> Vec<Vec<String>> {
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.name))
        .collect();
    let keys: Vec<String> = table.key.iter().map(|k| format!("\"{k}\"")).collect();
    let sql = format!(
        "SELECT {} FROM \"{}\" ORDER BY {}",
        cols.join(", "),
        table.name,
        keys.join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| match c.class {
                    ValueClass::Int => format!("{:?}", r.try_get::<Option<i64>, _>(i).unwrap()),
                    ValueClass::Float => format!(
                        "{:?}",
                        r.try_get::<Option<f64>, _>(i)
                            .or_else(|_| r
                                .try_get::<Option<i64>, _>(i)
                                .map(|v| v.map(|n| n as f64)))
                            .unwrap()
                    ),
                    ValueClass::Text => {
                        format!("{:?}", r.try_get::<Option<String>, _>(i).unwrap())
                    }
                    ValueClass::Blob => {
                        format!("{:?}", r.try_get::<Option<Vec<u8>>, _>(i).unwrap())
                    }
                })
                .collect()
        })
        .collect()
}

async fn assert_same_rows(a: &Store, b: &Store) -> usize {
    let tables = a.data_tables().await.unwrap();
    let names = |ts: &[TableInfo]| ts.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let other = b.data_tables().await.unwrap();
    let mut sorted_a = names(&tables);
    let mut sorted_b = names(&other);
    sorted_a.sort();
    sorted_b.sort();
    assert_eq!(sorted_a, sorted_b);
    let mut rows = 0;
    for t in &tables {
        let (x, y) = (dump(a, t).await, dump(b, t).await);
        assert_eq!(x, y, "table {} differs", t.name);
        rows += x.len();
    }
    rows
}

/// Table names the SQLite migrations create (virtual FTS tables aside).
fn migration_tables() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/store/migrations/sqlite");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let sql = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in sql.lines() {
            let line = line.trim();
            if let Some(rest) = line
                .strip_prefix("CREATE TABLE IF NOT EXISTS ")
                .or_else(|| line.strip_prefix("CREATE TABLE "))
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// A site as a user would have it: the demo content loaded by `serve`, then more rows.
async fn demo_site(dir: &Path) -> (String, Store) {
    let url = sqlite_url(dir, "demo.db");
    let addr = format!("127.0.0.1:{}", support::free_port());
    let child = Command::new(bin())
        .args(["serve", "--db", &url, "--bind", &addr])
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = support::ChildGuard(child);
    support::wait_for_http(&addr, "/healthz", Duration::from_secs(60)).unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &guard.0.id().to_string()])
        .status();
    let _ = guard.0.wait();
    let store = Store::connect(&url).await.unwrap();
    assert!(
        store.counts().await.unwrap().summaries >= 10,
        "demo not loaded"
    );
    for i in 0..15 {
        let (_, summary, _) = store.import_summary(&write(i)).await.unwrap();
        if write(i).private {
            continue; // nobody can vote on a private summary
        }
        let voter = store.ensure_user(&format!("voter{}", i % 4)).await.unwrap();
        store
            .set_vote(voter, summary, if i % 3 == 0 { -1 } else { 1 })
            .await
            .unwrap();
    }
    (url, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_db_moves_a_sqlite_site_to_postgres_and_back_row_for_row() {
    let dbs = test_databases().await;
    let Some(pg) = dbs.iter().find(|d| d.name == "postgres") else {
        return; // test_databases() fails on CI without PostgreSQL.
    };
    let dir = tempfile::tempdir().unwrap();
    let (sqlite, source) = demo_site(dir.path()).await;

    // Every table the migrations create is copied (schema_migrations, the migrator's own
    // bookkeeping, is created by code and not copied).
    let copied: Vec<String> = {
        let mut v: Vec<String> = source
            .data_tables()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        v.sort();
        v
    };
    assert_eq!(copied, migration_tables());

    let out = run(&[
        "copy-db", "--from", &sqlite, "--to", &pg.url, "--batch", "7",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("row counts verified"), "{}", text(&out));
    let target = Store::connect(&pg.url).await.unwrap();
    let rows = assert_same_rows(&source, &target).await;
    eprintln!("copy-db SQLite -> PostgreSQL: {rows} rows compared");

    // Sequences moved past the copied ids: new rows get fresh ids on PostgreSQL.
    let (paper, summary, _) = target.import_summary(&write(1000)).await.unwrap();
    let max_paper: i64 = sqlx::query_scalar("SELECT MAX(id) FROM papers WHERE id < $1")
        .bind(paper.0)
        .fetch_one(target.pool())
        .await
        .unwrap();
    assert!(paper.0 > max_paper);
    assert!(summary.0 > 0);

    // A target with data is refused and left alone.
    let again = run(&["copy-db", "--from", &sqlite, "--to", &pg.url]);
    assert!(!again.status.success());
    assert!(text(&again).contains("not empty"), "{}", text(&again));

    // And back: PostgreSQL into a new SQLite file.
    let back = sqlite_url(dir.path(), "back.db");
    let out = run(&["copy-db", "--from", &pg.url, "--to", &back]);
    assert!(out.status.success(), "{}", text(&out));
    let back_store = Store::connect(&back).await.unwrap();
    assert_same_rows(&target, &back_store).await;
    assert!(back_store.integrity_check().await.unwrap().is_empty());
    // The SQLite full-text index was rebuilt by its triggers.
    let indexed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH 'load'")
            .fetch_one(back_store.pool())
            .await
            .unwrap();
    let titled: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM papers WHERE title LIKE 'Load paper%'")
            .fetch_one(back_store.pool())
            .await
            .unwrap();
    assert_eq!((indexed, titled), (16, 16));
    back_store.close().await;
    target.close().await;
    source.close().await;
}
