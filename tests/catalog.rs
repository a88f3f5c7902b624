//! `import-catalog` through the real binary: BibTeX export → re-import round trip via the
//! running site, DBLP dumps (plain and gzip, broken), arXiv snapshots, idempotence on
//! every test database backend, and the synthetic-dump generator.

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use shortscience_store::testing::test_databases;
use support::{Server, bin, http_get};

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run shortscience")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn import(format: &str, file: &Path, db: &str) -> Output {
    run(&[
        "import-catalog",
        format,
        &file.display().to_string(),
        "--db",
        db,
    ])
}

/// Runs an import that must succeed; returns its summary line.
fn import_ok(format: &str, file: &Path, db: &str) -> String {
    let out = import(format, file, db);
    assert!(
        out.status.success(),
        "import-catalog {format} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

const BIB: &str = r#"
@inproceedings{DBLP:conf/nips/VaswaniSPUJGKP17,
  author    = {Ashish Vaswani and Noam Shazeer and {\L}ukasz Kaiser},
  title     = {Attention is All you Need},
  booktitle = {NeurIPS},
  year      = {2017},
  eprint    = {1706.03762},
  archivePrefix = {arXiv},
}

@article{Muller2020Sparse,
  author  = {M{\"u}ller, J{\"o}rg and Smith, Jr., John},
  title   = {Sparse \& {Robust}: 50\% of $x_1$ -- a {\'e}tude \{in braces\} ~ \textbackslash{} ``quoted''},
  journal = {J. Mach. Learn. Res.},
  year    = {2020},
  doi     = {10.1000/jmlr.2020.42_a},
}
"#;

/// The site's export of papers 1..=n, as one .bib text.
fn export(server: &Server, n: usize) -> String {
    let mut all = String::new();
    for id in 1..=n {
        let (status, body) = http_get(&server.addr, &format!("/paper/{id}/cite.bib")).expect("GET");
        assert_eq!(status, 200, "/paper/{id}/cite.bib: {body}");
        all.push_str(&body);
        all.push('\n');
    }
    all
}

#[test]
fn bibtex_exports_reimport_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("one");
    let second = dir.path().join("two");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::create_dir_all(&second).unwrap();
    let input = dir.path().join("input.bib");
    std::fs::write(&input, BIB).unwrap();
    let db1 = format!("sqlite://{}", first.join("site.db").display());
    let db2 = format!("sqlite://{}", second.join("site.db").display());

    let line = import_ok("bibtex", &input, &db1);
    assert!(
        line.contains("added 2, merged 0 (0 updated), rejected 0"),
        "{line}"
    );

    // Export both papers from the running site.
    let exported = {
        let server = Server::start(&first, &["--no-demo"]);
        export(&server, 2)
    };
    assert!(exported.contains("Łukasz Kaiser"), "{exported}");
    assert!(
        exported.contains(r"Sparse \& Robust: 50\% of \$x\_1\$"),
        "{exported}"
    );
    let out_file = dir.path().join("exported.bib");
    std::fs::write(&out_file, &exported).unwrap();

    // Into the same database: nothing new, nothing changed.
    let line = import_ok("bibtex", &out_file, &db1);
    assert!(
        line.contains("added 0, merged 2 (0 updated), rejected 0"),
        "{line}"
    );

    // Into an empty one: the same papers, exported identically.
    let line = import_ok("bibtex", &out_file, &db2);
    assert!(
        line.contains("added 2, merged 0 (0 updated), rejected 0"),
        "{line}"
    );
    let again = {
        let server = Server::start(&second, &["--no-demo"]);
        export(&server, 2)
    };
    assert_eq!(again, exported);
}

#[test]
fn unreadable_and_broken_files_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("c.db").display());
    let out = import("dblp", &dir.path().join("missing.xml"), &db);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
    // Nothing was created for a file that could not be opened.
    assert!(!dir.path().join("c.db").exists());

    // Broken XML after two good records: those two are kept, the run fails.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<dblp>\n\
         <article key=\"journals/x/A1\"><author>J&uuml;rgen A</author><title>One.</title><year>2001</year><journal>X</journal></article>\n\
         <article key=\"journals/x/B2\"><title>Two.</title><year>2002</year><journal>X</journal></article>\n\
         <article key=\"journals/x/C3\"><title>Three</tit></article>\n",
    )
    .unwrap();
    let out = import("dblp", &broken, &db);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("added 2"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("could not be read to the end"),
        "{}",
        stderr(&out)
    );

    // A record without a title is rejected with its reason; the run succeeds.
    let partial = dir.path().join("partial.xml");
    std::fs::write(
        &partial,
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<dblp>\n\
         <article key=\"journals/x/D4\"><year>2003</year></article>\n\
         <article key=\"journals/x/E5\"><title>Five.</title></article>\n</dblp>\n",
    )
    .unwrap();
    let out = import("dblp", &partial, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("added 1, merged 0 (0 updated), rejected 1"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("record 1: DBLP record journals/x/D4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn arxiv_snapshots_and_gzip_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let jsonl = dir.path().join("snapshot.jsonl");
    std::fs::write(
        &jsonl,
        concat!(
            r#"{"id":"1706.03762","title":"Attention Is All\n  You Need","authors":"Ashish Vaswani, Noam Shazeer","abstract":"  The dominant models.\n","doi":null,"journal-ref":null,"update_date":"2023-08-02","versions":[{"created":"Mon, 12 Jun 2017 17:57:34 GMT"}]}"#,
            "\n",
            "not json\n",
            r#"{"id":"1512.03385","title":"Deep Residual Learning","authors":"Kaiming He","abstract":"Deeper.","doi":"10.1109/CVPR.2016.90","journal-ref":null,"update_date":"2016-01-01","versions":[{"created":"Thu, 10 Dec 2015 19:51:55 GMT"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = import("arxiv", &jsonl, &db);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("added 2, merged 0 (0 updated), rejected 1"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("record 2: arXiv snapshot line 2"),
        "{}",
        stderr(&out)
    );

    // The generator's dump, gzip-compressed, merges into the same database.
    let xml = dir.path().join("gen.xml");
    let out = run(&["gen-dblp", "300", &xml.display().to_string()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let gz = dir.path().join("gen.xml.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&std::fs::read(&xml).unwrap()).unwrap();
    enc.finish().unwrap();
    let first = import_ok("dblp", &gz, &db);
    let plain = import_ok("dblp", &xml, &db);
    assert!(first.contains("300 records"), "{first}");
    assert!(
        plain.contains("added 0, merged 300 (0 updated), rejected 0"),
        "{plain}"
    );
}

#[test]
fn dblp_imports_are_idempotent_on_every_backend() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("gen.xml");
    let out = run(&[
        "gen-dblp",
        "2500",
        &xml.display().to_string(),
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dbs = runtime.block_on(test_databases());
    for db in &dbs {
        // Small batches, so batches merge into papers of earlier ones.
        let out = run(&[
            "import-catalog",
            "dblp",
            &xml.display().to_string(),
            "--db",
            &db.url,
            "--batch",
            "300",
        ]);
        assert!(out.status.success(), "[{}] {}", db.name, stderr(&out));
        let line = stdout(&out);
        let added: u64 = line
            .split("added ")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("[{}] no count in {line}", db.name));
        assert!(added > 2_000 && added < 2_500, "[{}] {line}", db.name);
        assert!(line.contains("rejected 0"), "[{}] {line}", db.name);

        let again = import_ok("dblp", &xml, &db.url);
        assert!(
            again.contains("added 0, merged 2500 (0 updated), rejected 0"),
            "[{}] {again}",
            db.name
        );
    }
    drop(dbs);
}
