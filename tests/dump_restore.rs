//! `shortscience dump DIR` then `shortscience restore DIR` into a fresh database: every
//! public page of the restored site reads exactly as the original's, and a merged-away
//! paper's old addresses still redirect. Both sites are
//! driven in-process through two routers; the commands run as the real binary.

mod support;

use std::path::Path;
use std::process::Command;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use shortscience_ids::{CommentId, PaperRef, SummaryId};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{CommentWrite, MergeError, NewPaper, Store, SummaryImport};
use shortscience_web::{AppState, WebConfig, publish, router};
use support::bin;
use tower::ServiceExt;

fn run(args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .env_remove("SHORTSCIENCE_DB")
        .env_remove("SHORTSCIENCE_CONFIG")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn app(store: &Store) -> Router {
    router(AppState::with_mailer(
        store.clone(),
        WebConfig {
            base_url: "http://127.0.0.1:8080".into(),
            site_name: "shortscience".into(),
            ..WebConfig::default()
        },
        shortscience_web::auth::mail::Mailer::capture(),
    ))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    let r = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = r.status();
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn add(
    store: &Store,
    paper: &str,
    author: &str,
    md: &str,
    private: bool,
    anonymous: bool,
) -> SummaryId {
    let r = publish::render_summary(store, md).await.unwrap();
    store
        .import_summary(&SummaryImport {
            paper: NewPaper {
                refs: vec![PaperRef::parse(paper).unwrap()],
                title: format!("Paper {paper}"),
                ..NewPaper::default()
            },
            author_username: author.into(),
            markdown: md.into(),
            html: r.html,
            excerpt: r.excerpt,
            paper_refs: r.paper_refs,
            renderer_version: RENDERER_VERSION,
            private,
            anonymous,
            created_at: Some(1_600_000_000),
            edited_at: Some(1_600_000_000),
        })
        .await
        .unwrap()
        .1
}

async fn comment(
    store: &Store,
    summary: SummaryId,
    author: &str,
    parent: Option<CommentId>,
    md: &str,
) -> CommentId {
    let author = store.user_by_name(author).await.unwrap().unwrap().id;
    store
        .add_comment(
            &CommentWrite {
                summary,
                parent,
                author,
                markdown: md.into(),
                html: publish::render_summary(store, md).await.unwrap().html,
                renderer_version: RENDERER_VERSION,
            },
            None,
        )
        .await
        .unwrap()
}

fn sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

#[tokio::test]
async fn a_restored_dump_serves_the_same_public_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let a_url = sqlite(tmp.path(), "a.db");
    let b_url = sqlite(tmp.path(), "b.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/summaries");
    run(&["import", demo.to_str().unwrap(), "--db", &a_url]);

    // What the demo lacks: anonymous summaries (two on one paper), a private one,
    // votes, threaded comments (one deleted, one by an anonymous summary's author).
    let a = Store::connect(&a_url).await.unwrap();
    let anon1 = add(
        &a,
        "arXiv:1706.03762",
        "ghost",
        "An anonymous take: $e^{i\\pi}+1=0$.",
        false,
        true,
    )
    .await;
    add(
        &a,
        "arXiv:1706.03762",
        "ghost2",
        "A second anonymous take.",
        false,
        true,
    )
    .await;
    add(
        &a,
        "arXiv:1706.03762",
        "keeper",
        "Private notes.",
        true,
        false,
    )
    .await;
    let voter = a.user_by_name("ada_l").await.unwrap().unwrap().id;
    a.set_vote(voter, anon1, 1).await.unwrap();
    let first = comment(&a, anon1, "kcho", None, "Why $x$?").await;
    comment(&a, anon1, "ghost", Some(first), "Because.").await;
    let gone = comment(&a, anon1, "kcho", None, "Oops.").await;
    let kcho = a.user_by_name("kcho").await.unwrap().unwrap().id;
    a.delete_comment(gone, kcho).await.unwrap();

    // Permalinks survive a paper gaining an identifier (ids are surrogate keys).
    let paper = a.summary(anon1, None).await.unwrap().unwrap().paper_id;
    a.upsert_paper(&NewPaper {
        refs: vec![
            PaperRef::parse("arXiv:1706.03762").unwrap(),
            PaperRef::parse("10.48550/arXiv.1706.03762").unwrap(),
        ],
        ..NewPaper::default()
    })
    .await
    .unwrap();
    assert_eq!(
        a.summary(anon1, None).await.unwrap().unwrap().paper_id,
        paper
    );
    // A standing merge (the newest paper, so new papers must number past it) and an
    // undone one, which a dump leaves out. Before any page is served: the page cache
    // does not see writes made straight through the store.
    let dup = add(
        &a,
        "arXiv:1901.00002",
        "merger",
        "Same paper.",
        false,
        false,
    )
    .await;
    let from = a.summary(dup, None).await.unwrap().unwrap().paper_id;
    let undone = add(&a, "arXiv:1901.00001", "merger2", "Other.", false, false).await;
    let undone = a.summary(undone, None).await.unwrap().unwrap().paper_id;
    a.merge_papers(voter, undone, paper, "not really one")
        .await
        .unwrap();
    let undo = a.paper_merges(1).await.unwrap()[0].id;
    a.undo_merge(voter, undo, "").await.unwrap();
    a.merge_papers(voter, from, paper, "secret reason")
        .await
        .unwrap();
    let app_a = app(&a);
    assert_eq!(
        get(&app_a, &format!("/summary/{anon1}")).await.0,
        StatusCode::OK
    );

    let moved = |app: Router, uri: String| async move {
        let r = app
            .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let to = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        (r.status(), to.unwrap_or_default())
    };

    let dump_dir = tmp.path().join("dump");
    let out = run(&["dump", dump_dir.to_str().unwrap(), "--db", &a_url]);
    assert!(out.starts_with("dumped "), "{out}");
    // Accounts are public (their pages are), but nothing links them to anonymous work.
    let text = std::fs::read_to_string(dump_dir.join("summaries.jsonl")).unwrap()
        + &std::fs::read_to_string(dump_dir.join("comments.jsonl")).unwrap();
    for secret in ["Private notes", "ghost", "Oops"] {
        assert!(!text.contains(secret), "the dump leaks {secret:?}");
    }
    let users = std::fs::read_to_string(dump_dir.join("users.jsonl")).unwrap();
    assert!(!users.contains('@') && !users.contains("argon2"), "{users}");
    assert!(dump_dir.join(format!("summaries/{anon1}.md")).is_file());
    // Merges: the two ids and when, never who or why; undone ones not at all.
    let merges = std::fs::read_to_string(dump_dir.join("merges.jsonl")).unwrap();
    assert_eq!(merges.lines().count(), 1, "{merges}");
    let merge: serde_json::Value = serde_json::from_str(merges.trim()).unwrap();
    assert_eq!(merge["from"], from.0, "{merges}");
    assert_eq!(merge["into"], paper.0, "{merges}");
    assert!(merge["created_at"].as_i64().unwrap() > 1_600_000_000);
    assert_eq!(merge.as_object().unwrap().len(), 3, "{merges}");
    let manifest = std::fs::read_to_string(dump_dir.join("dump.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["version"], 2);
    assert_eq!(manifest["merges"], 1);

    let out = run(&["restore", dump_dir.to_str().unwrap(), "--db", &b_url]);
    assert!(out.starts_with("restored "), "{out}");
    // A second restore is refused: the database is no longer empty.
    let again = Command::new(bin())
        .args(["restore", dump_dir.to_str().unwrap(), "--db", &b_url])
        .output()
        .unwrap();
    assert!(!again.status.success());

    let b = Store::connect(&b_url).await.unwrap();
    let app_b = app(&b);
    let (_, sitemap) = get(&app_a, "/sitemap.xml").await;
    let mut uris: Vec<String> = sitemap
        .split("<loc>http://127.0.0.1:8080")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .map(|s| s.replace("&amp;", "&"))
        .collect();
    assert!(uris.len() > 20, "{uris:?}");
    let papers: Vec<String> = uris
        .iter()
        .filter(|u| u.starts_with("/paper/"))
        .cloned()
        .collect();
    let users: Vec<String> = uris
        .iter()
        .filter(|u| u.starts_with("/user/"))
        .cloned()
        .collect();
    for p in &papers {
        uris.push(format!("{p}/feed.atom"));
        uris.push(format!("{p}?sort=new"));
        uris.push(format!(
            "/api/v1{}/summaries",
            p.replace("/paper/", "/papers/")
        ));
    }
    for u in &users {
        uris.push(format!("{u}/feed.atom"));
        uris.push(format!(
            "/api/v1{}/summaries",
            u.replace("/user/", "/users/")
        ));
    }
    for extra in [
        "/sitemap.xml",
        "/?list=recent",
        "/?list=top",
        "/feeds/latest.atom",
        "/feeds/latest.rss",
        "/api/v1/home/recent",
        "/api/v1/home/top",
        "/api/v1/venues",
        "/search?q=attention",
    ] {
        uris.push(extra.to_owned());
    }
    uris.push(format!("/api/v1/summaries/{anon1}"));
    uris.push(format!("/api/v1/summaries/{anon1}/comments"));
    for uri in &uris {
        let (sa, ba) = get(&app_a, uri).await;
        let (sb, bb) = get(&app_b, uri).await;
        assert_eq!(sa, StatusCode::OK, "{uri} on the original");
        assert_eq!(sb, sa, "{uri}");
        if ba != bb {
            let at = ba
                .char_indices()
                .zip(bb.chars())
                .find(|((_, x), y)| x != y)
                .map_or(0, |((i, _), _)| i);
            let from = ba[..at].char_indices().rev().nth(120).map_or(0, |(i, _)| i);
            panic!(
                "{uri} differs after restore:\n  original: …{}\n  restored: …{}",
                &ba[from..(at + 120).min(ba.len())],
                bb.get(from..(at + 120).min(bb.len())).unwrap_or("")
            );
        }
    }
    // The merged-away paper's addresses still lead to the kept one, as on the original.
    for rest in ["", "/cite.bib", "/feed.atom"] {
        let uri = format!("/paper/{from}{rest}");
        let want = (
            StatusCode::MOVED_PERMANENTLY,
            format!("/paper/{paper}{rest}"),
        );
        assert_eq!(moved(app_a.clone(), uri.clone()).await, want, "{uri}");
        assert_eq!(moved(app_b.clone(), uri.clone()).await, want, "{uri}");
    }
    let uri = format!("/api/v1/papers/{from}");
    let want = (
        StatusCode::MOVED_PERMANENTLY,
        format!("/api/v1/papers/{paper}"),
    );
    assert_eq!(moved(app_b.clone(), uri).await, want);
    // The undone merge's paper is an ordinary page on both.
    for app in [&app_a, &app_b] {
        let (status, body) = get(app, &format!("/paper/{undone}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Paper arXiv:1901.00001"), "{body}");
    }
    // The restored merge keeps nothing an undo needs, so undo refuses it.
    let restored = b.paper_merges(10).await.unwrap();
    assert_eq!(restored.len(), 1);
    assert_eq!((restored[0].from, restored[0].into), (from, paper));
    assert_eq!(restored[0].actor, None);
    let admin = b.user_by_name("ada_l").await.unwrap().unwrap().id;
    let refused = b.undo_merge(admin, restored[0].id, "").await;
    assert!(
        matches!(refused, Err(MergeError::Conflict(..))),
        "{refused:?}"
    );
    assert_eq!(b.merged_into(from).await.unwrap(), Some(paper));

    // The restored site keeps numbering after the restored ids, merged-away ones included.
    let next = add(&b, "arXiv:2001.00001", "newcomer", "New.", false, false).await;
    assert!(next.0 > anon1.0);
    let new_paper = b.summary(next, None).await.unwrap().unwrap().paper_id;
    assert!(new_paper.0 > from.0, "{new_paper} reuses a merged-away id");
}
