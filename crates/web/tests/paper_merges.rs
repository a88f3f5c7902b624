//! Merging papers through the router, on every test database: the moderator's form on
//! the paper page, the confirmation, the merge, the 301s from every address of the
//! merged-away paper (page, citations, feed, API) and their answers again after undo,
//! its absence from search, sitemap and API, the list of merges with Undo, and who may
//! do what (guest, user, moderator).

mod common;

use axum::http::{StatusCode, header};
use common::{App, Browser, Who, apps, enc, location, text};
use shortscience_ids::{IdKind, PaperId, PaperRef};
use shortscience_store::{NewPaper, Role};

impl App {
    /// A paper with one public summary by `who`.
    async fn paper(&self, r: PaperRef, title: &str, who: &Who, text: &str) -> PaperId {
        let paper = self
            .store
            .upsert_paper(&NewPaper {
                refs: vec![r],
                title: title.into(),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        self.store
            .save_summary(&common::summary_write(paper, who.id, text))
            .await
            .unwrap();
        paper
    }
}

fn arxiv(id: &str) -> PaperRef {
    PaperRef::parse_as(IdKind::Arxiv, id).unwrap()
}

fn doi(id: &str) -> PaperRef {
    PaperRef::parse_as(IdKind::Doi, id).unwrap()
}

/// What follows `/paper/{id}` in the addresses a merged-away paper redirects (the page itself,
/// the citation downloads, its feed).
const PAPER_ADDRESSES: [&str; 6] = [
    "",
    "?sort=new",
    "/cite.bib",
    "/cite.ris",
    "/cite.json",
    "/feed.atom",
];
/// The same under `/api/v1/papers/{id}`; the query is kept.
const API_ADDRESSES: [&str; 3] = ["", "/summaries", "/summaries?sort=new&limit=5"];

/// The `id` that `/api/v1/papers/lookup?id=` answers for `id` (a 200 with a body).
async fn lookup_id(t: &App, id: &str) -> i64 {
    let uri = format!("/api/v1/papers/lookup?id={}", enc(id));
    let body: serde_json::Value = serde_json::from_str(&t.page(&uri, None).await).unwrap();
    body["id"].as_i64().expect("a paper number")
}

fn links_to(html: &str, paper: PaperId) -> usize {
    html.matches(&format!("/paper/{paper}\"")).count()
}

#[tokio::test]
async fn merge_confirm_redirect_and_undo() {
    for t in apps().await {
        let db = t.db;
        let mods = t.user("mod", Role::Moderator).await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let from = t
            .paper(
                arxiv("1706.03762"),
                "Quokka transformers",
                &ada,
                "A xylophone of heads.",
            )
            .await;
        let into = t
            .paper(
                doi("10.5555/3295222.3295349"),
                "Attention is all you need",
                &bob,
                "Multi-head attention.",
            )
            .await;
        let (f, i) = (from.to_string(), into.to_string());

        // The form is on the paper page for moderators only.
        let page = t.page(&format!("/paper/{from}"), Some(&mods)).await;
        assert!(page.contains("action=\"/moderation/merge\""), "[{db}]");
        assert!(
            page.contains(&format!("name=\"from\" value=\"{from}\"")),
            "[{db}]"
        );
        let page = t.page(&format!("/paper/{from}"), Some(&ada)).await;
        assert!(!page.contains("/moderation/merge"), "[{db}]");

        // The confirmation names both papers; the target may be given by identifier.
        let confirm = t
            .page(
                &format!("/moderation/merge?from={from}&into=10.5555%2F3295222.3295349"),
                Some(&mods),
            )
            .await;
        assert!(confirm.contains("Quokka transformers"), "[{db}]");
        assert!(confirm.contains("Attention is all you need"), "[{db}]");
        assert!(
            confirm.contains(&format!("name=\"into\" value=\"{into}\"")),
            "[{db}]"
        );
        assert!(
            confirm.contains("method=\"post\" action=\"/moderation/merge\""),
            "[{db}]"
        );
        assert!(
            t.store.paper(from).await.unwrap().is_some(),
            "[{db}] only shown"
        );

        // Refused merges are 400/404 pages, nothing changes.
        let r = t
            .post(
                "/moderation/merge",
                Some(&mods),
                &[("from", &f), ("into", &f)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}] into itself");
        let r = t
            .post(
                "/moderation/merge",
                Some(&mods),
                &[("from", &f), ("into", "99999")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        assert_eq!(t.store.merged_into(from).await.unwrap(), None, "[{db}]");

        let r = t
            .post(
                "/moderation/merge",
                Some(&mods),
                &[("from", &f), ("into", &i), ("reason", "duplicate")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), "/moderation/merges", "[{db}]");

        // Old addresses lead to `into`.
        let r = t.get(&format!("/paper/{from}"), None).await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{db}]");
        assert_eq!(location(&r), format!("/paper/{into}"), "[{db}]");
        let r = t.get("/paper?id=arXiv:1706.03762", None).await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{db}]");
        assert_eq!(location(&r), format!("/paper/{into}"), "[{db}]");
        let r = t.get("/abs/1706.03762", None).await;
        assert_eq!(location(&r), format!("/paper/{into}"), "[{db}]");
        let page = t.page(&format!("/paper/{into}"), None).await;
        assert!(page.contains("A xylophone of heads."), "[{db}]");
        assert!(page.contains("Multi-head attention."), "[{db}]");

        // Gone from search, the sitemap and the API; found under `into` instead.
        let search = t.page("/search?q=xylophone", None).await;
        assert_eq!(links_to(&search, from), 0, "[{db}]");
        assert!(links_to(&search, into) >= 1, "[{db}]");
        assert_eq!(links_to(&t.page("/search?q=quokka", None).await, from), 0);
        let sitemap = t.page("/sitemap.xml", None).await;
        assert!(!sitemap.contains(&format!("/paper/{from}<")), "[{db}]");
        assert!(sitemap.contains(&format!("/paper/{into}<")), "[{db}]");
        // Every address under the old number answers 301 to the same one under `into`.
        for rest in PAPER_ADDRESSES {
            let r = t.get(&format!("/paper/{from}{rest}"), None).await;
            assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{db}] {rest}");
            assert_eq!(location(&r), format!("/paper/{into}{rest}"), "[{db}]");
        }
        for rest in API_ADDRESSES {
            let r = t.get(&format!("/api/v1/papers/{from}{rest}"), None).await;
            assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{db}] {rest}");
            assert_eq!(
                location(&r),
                format!("/api/v1/papers/{into}{rest}"),
                "[{db}]"
            );
        }
        // Where it leads answers.
        for rest in PAPER_ADDRESSES {
            t.page(&format!("/paper/{into}{rest}"), None).await;
        }
        let api = t
            .page(&format!("/api/v1/papers/{into}/summaries"), None)
            .await;
        assert!(api.contains("A xylophone of heads."), "[{db}]");
        // A number no paper ever had stays a 404, a problem document in the API.
        let r = t.get("/paper/99999/cite.bib", None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        let r = t.get("/paper/99999/feed.atom", None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        for rest in ["", "/summaries"] {
            let r = t.get(&format!("/api/v1/papers/99999{rest}"), None).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}] {rest}");
            assert_eq!(
                r.headers()[header::CONTENT_TYPE],
                "application/problem+json",
                "[{db}]"
            );
        }
        // The OpenAPI document lists the 301 on the two paper operations.
        let doc = t.page("/api/v1/openapi.json", None).await;
        let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
        for path in ["/api/v1/papers/{id}", "/api/v1/papers/{id}/summaries"] {
            let responses = &doc["paths"][path]["get"]["responses"];
            assert!(
                responses["301"]["headers"]["Location"].is_object(),
                "{path}"
            );
            assert!(responses["404"].is_object(), "{path}");
        }
        let r = t.get("/api/v1/papers/arXiv:1706.03762", None).await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        assert!(
            text(r).await.contains("Attention is all you need"),
            "[{db}]"
        );
        // The lookup answers the kept paper for the old number as for the old identifier,
        // with no redirect; a number no paper ever had is still a 404.
        for id in [f.as_str(), "arXiv:1706.03762"] {
            let found = lookup_id(&t, id).await;
            assert_eq!(found, into.0, "[{db}] lookup {id}");
        }
        let r = t.get("/api/v1/papers/lookup?id=99999", None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");

        // Listed, with Undo; logged.
        let merge = t.store.paper_merges(10).await.unwrap()[0].id;
        let list = t.page("/moderation/merges", Some(&mods)).await;
        assert!(list.contains("Quokka transformers"), "[{db}]");
        assert!(list.contains("duplicate"), "[{db}]");
        let undo = format!("/moderation/merges/{merge}/undo");
        assert!(list.contains(&format!("action=\"{undo}\"")), "[{db}]");
        let log = t.page("/moderation/log", Some(&mods)).await;
        assert!(log.contains("<td>merge</td>"), "[{db}]");
        assert!(log.contains(&format!("paper {from}")), "[{db}]");
        let queue = t.page("/moderation", Some(&mods)).await;
        assert!(queue.contains("href=\"/moderation/merges\""), "[{db}]");

        // A merged-away paper cannot be merged again or merged into.
        let r = t
            .post(
                "/moderation/merge",
                Some(&mods),
                &[("from", &f), ("into", &i)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}]");

        let r = t.post(&undo, Some(&mods), &[("reason", "not one")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        let page = t.page(&format!("/paper/{from}"), None).await;
        assert!(page.contains("Quokka transformers"), "[{db}]");
        assert!(page.contains("A xylophone of heads."), "[{db}]");
        assert!(
            !t.page(&format!("/paper/{into}"), None)
                .await
                .contains("xylophone")
        );
        let r = t.get("/paper?id=arXiv:1706.03762", None).await;
        assert_eq!(location(&r), format!("/paper/{from}"), "[{db}]");
        // The old addresses answer for the restored paper again.
        for rest in PAPER_ADDRESSES {
            let body = t.page(&format!("/paper/{from}{rest}"), None).await;
            assert!(body.contains("Quokka transformers"), "[{db}] {rest}");
        }
        for rest in API_ADDRESSES {
            let body = t.page(&format!("/api/v1/papers/{from}{rest}"), None).await;
            assert!(!body.contains("Multi-head attention."), "[{db}] {rest}");
        }
        let api = t.page(&format!("/api/v1/papers/{from}"), None).await;
        assert!(api.contains("Quokka transformers"), "[{db}]");
        assert_eq!(lookup_id(&t, &f).await, from.0, "[{db}] lookup after undo");
        let api = t
            .page(&format!("/api/v1/papers/{from}/summaries"), None)
            .await;
        assert!(api.contains("A xylophone of heads."), "[{db}]");
        let list = t.page("/moderation/merges", Some(&mods)).await;
        assert!(list.contains("undone by mod"), "[{db}]");
        assert!(!list.contains(&format!("action=\"{undo}\"")), "[{db}]");
        let r = t.post(&undo, Some(&mods), &[]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}] already undone");
        let r = t
            .post("/moderation/merges/999/undo", Some(&mods), &[])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
    }
}

/// Every merge route as guest (sent to log in), user (403) and moderator.
#[tokio::test]
async fn merge_authorization_matrix() {
    for t in apps().await {
        let db = t.db;
        let user = t.user("user", Role::User).await;
        let mods = t.user("mod", Role::Moderator).await;
        let from = t.paper(arxiv("1706.03762"), "One", &user, "one").await;
        // Another author: one person's summaries of both papers could not be merged.
        let into = t.paper(arxiv("1512.03385"), "Two", &mods, "two").await;
        let (f, i) = (from.to_string(), into.to_string());
        let fields = [("from", f.as_str()), ("into", i.as_str())];
        let confirm = format!("/moderation/merge?from={f}&into={i}");
        for uri in ["/moderation/merges", confirm.as_str()] {
            let r = t.get(uri, None).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}] guest {uri}");
            assert!(location(&r).starts_with("/login"), "[{db}] {uri}");
            let r = t.get(uri, Some(&user)).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}] user {uri}");
            let r = t.get(uri, Some(&mods)).await;
            assert_eq!(r.status(), StatusCode::OK, "[{db}] moderator {uri}");
        }

        let r = t.post("/moderation/merge", None, &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");
        let r = t.post("/moderation/merge", Some(&user), &fields).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        assert_eq!(t.store.merged_into(from).await.unwrap(), None, "[{db}]");
        let r = t.post("/moderation/merge", Some(&mods), &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(t.store.merged_into(from).await.unwrap(), Some(into));

        let merge = t.store.paper_merges(1).await.unwrap()[0].id;
        let undo = format!("/moderation/merges/{merge}/undo");
        let r = t.post(&undo, None, &[]).await;
        assert!(location(&r).starts_with("/login"), "[{db}]");
        let r = t.post(&undo, Some(&user), &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        assert_eq!(t.store.merged_into(from).await.unwrap(), Some(into));
        let r = t.post(&undo, Some(&mods), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(t.store.merged_into(from).await.unwrap(), None, "[{db}]");
    }
}
