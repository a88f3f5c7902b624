//! The real `shortscience` binary against temporary databases: import, export, render, serve.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use shortscience_store::Store;
use shortscience_store::testing::test_databases;
use support::{ChildGuard, bin, http_get};

// Our own small, plausible summary files. RESNET cites BATCHNORM, which is imported
// after it, so its link resolves only through the re-render pass after the import.
const RESNET: &str = r#"+++
arxiv = "1512.03385"
doi = "10.1109/CVPR.2016.90"
title = "Deep Residual Learning for Image Recognition"
authors = ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
year = 2016
venue = "CVPR 2016"
author = "resnet_fan"
created = 2017-01-05T09:15:00Z
+++

Instead of learning $H(x)$ directly, each block learns the residual

$$F(x) = H(x) - x$$

and adds the input back. Pairs well with normalisation \cite{arXiv:1502.03167}.
"#;

const BATCHNORM: &str = r#"+++
arxiv = "1502.03167"
title = "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift"
authors = ["Sergey Ioffe", "Christian Szegedy"]
year = 2015
abstract = "Normalises layer inputs per mini-batch."
+++

Each activation is normalised with mini-batch statistics, $\hat x = (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon}$,
then scaled and shifted by learned $\gamma$ and $\beta$.
"#;

const DROPOUT: &str = r#"+++
dblp = "journals/jmlr/SrivastavaHKSS14"
title = "Dropout: A Simple Way to Prevent Neural Networks from Overfitting"
authors = ["Nitish Srivastava", "Geoffrey Hinton"]
year = 2014
venue = "JMLR"
author = "ann"
private = true
anonymous = true
created = "2018-06-01"
edited = 2018-07-02T10:00:00+02:00
+++

Randomly drop units with probability $p$ during training; at test time scale weights by $1-p$.
"#;

const RESNET_SECOND_OPINION: &str = r#"+++
arxiv = "1512.03385v2"
title = "Deep Residual Learning for Image Recognition"
author = "bob"
+++

* Identity shortcuts cost nothing.
* Depth 152 trains fine.
"#;

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn fixtures(dir: &Path) {
    write_files(
        dir,
        &[
            ("a-resnet.md", RESNET),
            ("b-batchnorm.md", BATCHNORM),
            ("c-dropout.md", DROPOUT),
            ("d-resnet-bob.md", RESNET_SECOND_OPINION),
        ],
    );
}

/// The binary with a clean environment: no settings leak in from the developer's shell.
fn cli(cwd: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(cwd)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_BIND")
        .env_remove("SHORTSCIENCE_CONFIG")
        .env_remove("RUST_LOG");
    c
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    cli(cwd).args(args).output().expect("run shortscience")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

fn import(cwd: &Path, db: &str, path: &Path) -> Output {
    run(cwd, &["import", &path.display().to_string(), "--db", db])
}

#[test]
fn import_twice_changes_nothing_and_an_edit_updates() {
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("in");
    fixtures(&files);
    let db = sqlite_url(tmp.path(), "a.db");

    let first = import(tmp.path(), &db, &files);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(
        stdout(&first).trim(),
        "imported 4 files: 4 created, 0 updated, 0 unchanged, 0 failed"
    );

    let again = import(tmp.path(), &db, &files);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        stdout(&again).trim(),
        "imported 4 files: 0 created, 0 updated, 4 unchanged, 0 failed"
    );

    let edited = BATCHNORM.replace("learned $\\gamma$", "learned scale $\\gamma$");
    std::fs::write(files.join("b-batchnorm.md"), edited).unwrap();
    let third = import(tmp.path(), &db, &files);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(
        stdout(&third).trim(),
        "imported 4 files: 0 created, 1 updated, 3 unchanged, 0 failed"
    );
}

#[test]
fn broken_files_are_reported_with_line_and_the_rest_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("in");
    fixtures(&files);
    let bad_id = "+++\ntitle = \"A paper\"\narxiv = \"not-an-arxiv-id\"\n+++\n\nText.\n";
    let typo = "+++\narxiv = \"1409.0473\"\ntitle = \"Neural Machine Translation\"\nyaer = 2015\n+++\n\nText.\n";
    let deep = format!(
        "+++\narxiv = \"1409.3215\"\ntitle = \"Seq2seq\"\n+++\n\nFine line.\n\n${}x{}$\n",
        "{".repeat(300),
        "}".repeat(300)
    );
    write_files(
        &files,
        &[
            ("x-bad-id.md", bad_id),
            ("y-typo.md", typo),
            ("z-deep.md", &deep),
        ],
    );
    let db = sqlite_url(tmp.path(), "b.db");

    let out = import(tmp.path(), &db, &files);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("x-bad-id.md:3: `arxiv`"), "{err}");
    assert!(
        err.contains("y-typo.md:4: unknown front matter key `yaer`"),
        "{err}"
    );
    assert!(err.contains("z-deep.md:8: maths nested"), "{err}");
    assert_eq!(
        stdout(&out).trim(),
        "imported 7 files: 4 created, 0 updated, 0 unchanged, 3 failed"
    );
}

#[test]
fn import_of_a_missing_path_fails_but_imports_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), &[("one.md", BATCHNORM)]);
    let db = sqlite_url(tmp.path(), "c.db");
    let out = run(
        tmp.path(),
        &[
            "import",
            "one.md",
            "missing.md",
            "--db",
            &db,
            "--as",
            "carol",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("missing.md: no such file or folder"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("1 created"), "{}", stdout(&out));
}

#[test]
fn render_prints_html_and_rejects_too_deep_maths_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), &[("ok.md", RESNET)]);
    let ok = run(tmp.path(), &["render", "ok.md"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let html = stdout(&ok);
    assert!(html.contains("<math"), "{html}");
    assert!(
        !html.contains("+++") && !html.contains("resnet_fan"),
        "front matter is not rendered: {html}"
    );

    let deep = format!(
        "Intro.\n\nMore.\n${}x{}$\n",
        "{".repeat(300),
        "}".repeat(300)
    );
    write_files(tmp.path(), &[("deep.md", &deep)]);
    let out = run(tmp.path(), &["render", "deep.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("deep.md:4: maths nested"),
        "{}",
        stderr(&out)
    );

    let fm = "+++\narxiv = \"1512.03385\"\ntitle = \"T\"\ncolour = \"red\"\n+++\nText\n";
    write_files(tmp.path(), &[("fm.md", fm)]);
    let out = run(tmp.path(), &["render", "fm.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("fm.md:4: unknown front matter key `colour`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn render_reads_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = cli(tmp.path())
        .args(["render", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Hello *world*.\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("<em>world</em>"), "{}", stdout(&out));
}

/// Everything a reader could tell apart, keyed by (first alias, author).
type Snapshot = BTreeMap<(String, String), String>;

async fn snapshot(url: &str) -> Snapshot {
    let store = Store::connect(url).await.expect("connect");
    let mut out = BTreeMap::new();
    for r in store.all_summaries().await.unwrap() {
        let author = store
            .user_by_name(&r.author_username)
            .await
            .unwrap()
            .expect("author exists");
        let view = store
            .summary(r.id, Some(author.id))
            .await
            .unwrap()
            .expect("visible to its author");
        let aliases: Vec<String> = r.paper.aliases.iter().map(|a| a.label()).collect();
        let desc = format!(
            "{aliases:?}|{}|{:?}|{:?}|{:?}|{:?}|{}|{}|{}|{}|{}\n{}\n{}",
            r.paper.title,
            r.paper.authors,
            r.paper.year,
            r.paper.venue,
            r.paper.abstract_text,
            r.private,
            r.anonymous,
            r.created_at,
            r.edited_at,
            r.markdown,
            view.html,
            view.excerpt
        );
        out.insert((aliases[0].clone(), r.author_username.clone()), desc);
    }
    out
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// import → export → import into a new database → export: same files, same pages.
async fn round_trip(first_db: &str, second_db: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let files = tmp.path().join("in");
    fixtures(&files);
    let out = import(tmp.path(), first_db, &files);
    assert!(out.status.success(), "{}", stderr(&out));

    let one = tmp.path().join("export-1");
    let out = run(
        tmp.path(),
        &["export", &one.display().to_string(), "--db", first_db],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("exported 4 summaries to {}", one.display())
    );

    let out = import(tmp.path(), second_db, &one);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("4 created"), "{}", stdout(&out));
    let two = tmp.path().join("export-2");
    let out = run(
        tmp.path(),
        &["export", &two.display().to_string(), "--db", second_db],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let (a, b) = (read_dir_sorted(&one), read_dir_sorted(&two));
    assert_eq!(a, b);
    assert!(
        a.iter()
            .any(|(name, _)| name == "1-deep-residual-learning-for-image-recognition.md"),
        "{a:?}"
    );
    let dropout = &a.iter().find(|(n, _)| n.contains("dropout")).unwrap().1;
    for line in [
        "private = true",
        "anonymous = true",
        "author = \"ann\"",
        "created = 2018-06-01T00:00:00Z",
        "edited = 2018-07-02T08:00:00Z",
    ] {
        assert!(dropout.contains(line), "{line} in {dropout}");
    }

    let (sa, sb) = (snapshot(first_db).await, snapshot(second_db).await);
    assert_eq!(sa.len(), 4);
    assert_eq!(sa, sb);
    // The citation of a paper imported later was resolved by the re-render pass.
    let resnet = &sa[&("arXiv:1512.03385".to_string(), "resnet_fan".to_string())];
    assert!(resnet.contains("href=\"/paper/"), "{resnet}");

    // Importing the export into the database it came from changes nothing.
    let out = import(tmp.path(), first_db, &one);
    assert!(
        stdout(&out).contains("0 created, 0 updated, 4 unchanged"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_reproduces_papers_summaries_and_pages() {
    let firsts = test_databases().await;
    let seconds = test_databases().await;
    for (a, b) in firsts.iter().zip(&seconds) {
        eprintln!("round trip on {}", a.name);
        round_trip(&a.url, &b.url).await;
    }
}

/// Reads the server's log until it says where it listens.
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

fn terminate_and_wait(guard: &mut ChildGuard) -> std::process::ExitStatus {
    let pid = guard.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let start = Instant::now();
    loop {
        if let Some(status) = guard.0.try_wait().unwrap() {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
#[test]
fn serve_answers_healthz_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sqlite_url(tmp.path(), "serve.db");
    let child = cli(tmp.path())
        .args(["serve", "--db", &db, "--bind", "127.0.0.1:0", "--no-demo"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(child);
    let addr = wait_for_listen_line(&mut guard.0);
    let (status, _) = http_get(&addr, "/healthz").expect("GET /healthz");
    assert_eq!(status, 200);
    let exit = terminate_and_wait(&mut guard);
    assert!(exit.success(), "{exit:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn no_arguments_serve_with_settings_file_and_demo_content() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sqlite_url(tmp.path(), "demo.db");
    std::fs::write(
        tmp.path().join("shortscience.toml"),
        format!("db = {db:?}\nbind = \"127.0.0.1:0\"\n"),
    )
    .unwrap();
    let child = cli(tmp.path())
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(child);
    let addr = wait_for_listen_line(&mut guard.0);
    assert_eq!(http_get(&addr, "/healthz").unwrap().0, 200);
    assert!(terminate_and_wait(&mut guard).success());

    let store = Store::connect(&db).await.unwrap();
    let counts = store.counts().await.unwrap();
    assert_eq!(
        counts.summaries as usize,
        shortscience::demo::DEMO_FILES.len()
    );
    let top = store
        .home(shortscience_store::HomeList::Top, 1, 50)
        .await
        .unwrap();
    assert!(top.items.iter().any(|s| s.up > 0), "demo votes were cast");
}
