//! The JSON API, feeds and discovery files, driven in-process on every test backend.

mod common;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use common::{App, BASE, apps};
use serde_json::{Value, json};
use shortscience_ids::{PaperRef, SummaryId, UserId};
use shortscience_store::{NewPaper, Role, TokenScope};

impl App {
    async fn add(
        &self,
        paper: &str,
        author: &str,
        md: &str,
        private: bool,
        anonymous: bool,
    ) -> SummaryId {
        let paper = NewPaper {
            refs: vec![PaperRef::parse(paper).unwrap()],
            title: format!("Paper {paper} </script><b>"),
            authors: vec!["A. Author".into()],
            year: Some(2017),
            venue: Some("NeurIPS 2017".into()),
            abstract_text: None,
        };
        common::import(&self.store, paper, author, md, private, anonymous)
            .await
            .1
    }

    async fn account(&self, name: &str) -> UserId {
        self.store
            .create_account(&common::account(name, Role::User))
            .await
            .unwrap()
            .unwrap()
    }

    async fn token(&self, user: UserId, scope: TokenScope) -> String {
        self.store
            .create_api_token(user, "test", scope)
            .await
            .unwrap()
            .1
    }

    async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut r = Request::get(uri);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let response = self.send(r.body(Body::empty()).unwrap()).await;
        json_of(response).await
    }

    async fn write(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        let mut r = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        json_of(
            self.send(r.body(Body::from(body.to_owned())).unwrap())
                .await,
        )
        .await
    }

    async fn text(&self, uri: &str) -> (StatusCode, String, String) {
        let response = self
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        let status = response.status();
        let ct = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, ct, String::from_utf8(bytes.to_vec()).unwrap())
    }

    async fn summaries(&self) -> i64 {
        self.store.counts().await.unwrap().summaries
    }
}

async fn json_of(response: Response<Body>) -> (StatusCode, Value) {
    let status = response.status();
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/problem+json"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    if bytes.is_empty() {
        return (status, Value::Null);
    }
    let value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    if status.as_u16() >= 400 {
        assert!(problem, "{status} without problem+json: {value}");
        assert_eq!(value["status"], status.as_u16(), "{value}");
        assert!(
            value["type"].as_str().unwrap().starts_with("/problems/"),
            "{value}"
        );
        assert!(!value["detail"].as_str().unwrap().is_empty());
    }
    (status, value)
}

const MATHS: &str = "The loss is $\\sum_i x_i^2$ and that is all.";

#[tokio::test]
async fn reads_show_what_pages_show() {
    for a in apps().await {
        let db = a.db;
        let public = a.add("arXiv:1706.03762", "ada", MATHS, false, false).await;
        let anon = a
            .add("arXiv:1706.03762", "bob", "Anonymous words.", false, true)
            .await;
        let private = a
            .add("arXiv:1512.03385", "ada", "Secret words.", true, false)
            .await;

        let (s, paper) = a
            .get("/api/v1/papers/lookup?id=arXiv:1706.03762", None)
            .await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let pid = paper["id"].as_i64().unwrap();
        assert_eq!(paper["identifiers"][0]["kind"], "arxiv");
        let (_, by_number) = a.get(&format!("/api/v1/papers/{pid}"), None).await;
        assert_eq!(by_number, paper);
        let (_, by_id) = a.get("/api/v1/papers/arXiv:1706.03762", None).await;
        assert_eq!(by_id, paper);

        let (_, list) = a
            .get(&format!("/api/v1/papers/{pid}/summaries?sort=new"), None)
            .await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2, "{db}");
        assert_eq!(list["next_cursor"], Value::Null);

        let (s, one) = a.get(&format!("/api/v1/summaries/{public}"), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            one["html"].as_str().unwrap().contains("<math"),
            "{db}: MathML"
        );
        assert_eq!(one["markdown"], MATHS);
        assert_eq!(one["licence"]["id"], "CC-BY-4.0");
        assert_eq!(one["author"]["username"], "ada");
        assert_eq!(one["permalink"], format!("{BASE}/summary/{public}"));

        let (_, hidden) = a.get(&format!("/api/v1/summaries/{anon}"), None).await;
        assert_eq!(hidden["author"], Value::Null, "{db}: anonymous stays so");
        assert!(!hidden.to_string().contains("bob"));

        let (s, _) = a.get(&format!("/api/v1/summaries/{private}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}: private is invisible");
        let ada = a.store.user_by_name("ada").await.unwrap().unwrap().id;
        let reader = a.token(ada, TokenScope::Read).await;
        let (s, mine) = a
            .get(&format!("/api/v1/summaries/{private}"), Some(&reader))
            .await;
        assert_eq!((s, mine["private"].clone()), (StatusCode::OK, json!(true)));

        let (_, user) = a.get("/api/v1/users/ADA", None).await;
        assert_eq!(user["username"], "ada");
        let (_, theirs) = a.get("/api/v1/users/bob/summaries", None).await;
        assert_eq!(
            theirs["items"],
            json!([]),
            "{db}: anonymous not listed under bob"
        );

        let (_, hits) = a.get("/api/v1/search?q=1706.03762", None).await;
        assert_eq!(hits["items"][0]["exact"], true);
        for list in ["popular", "recent", "top"] {
            let (s, l) = a.get(&format!("/api/v1/home/{list}?limit=1"), None).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(l["items"].as_array().unwrap().len(), 1);
            let next = l["next_cursor"].as_str().expect("a second page");
            let (_, l2) = a
                .get(&format!("/api/v1/home/{list}?limit=1&cursor={next}"), None)
                .await;
            assert_ne!(l2["items"][0]["id"], l["items"][0]["id"], "{db} {list}");
        }
        let (_, venues) = a.get("/api/v1/venues", None).await;
        assert_eq!(venues["items"][0]["name"], "NeurIPS 2017");
        let (s, venue) = a.get("/api/v1/venues/NeurIPS%202017", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(venue["year"], 2017);
        let (s, revs) = a
            .get(&format!("/api/v1/summaries/{public}/revisions"), None)
            .await;
        assert_eq!(
            (s, revs["items"].as_array().unwrap().len()),
            (StatusCode::OK, 1)
        );
        let (s, _) = a
            .get(&format!("/api/v1/summaries/{public}/comments"), None)
            .await;
        assert_eq!(s, StatusCode::OK);

        // CORS on reads.
        let r = a
            .send(Request::get("/api/v1/venues").body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
}

#[tokio::test]
async fn bad_requests_are_problem_documents() {
    for a in apps().await {
        let id = a.add("arXiv:1706.03762", "ada", MATHS, false, false).await;
        for (uri, status) in [
            ("/api/v1/nope", 404),
            ("/api/v1/summaries/0", 400),
            ("/api/v1/summaries/abc", 400),
            ("/api/v1/summaries/999999", 404),
            ("/api/v1/papers/not%20an%20id", 400),
            ("/api/v1/papers/lookup", 400),
            ("/api/v1/papers/lookup?id=arXiv:2101.00001", 404),
            ("/api/v1/home/sideways", 404),
            ("/api/v1/home/recent?limit=0", 400),
            ("/api/v1/home/recent?limit=101", 400),
            ("/api/v1/home/recent?cursor=nope", 400),
            ("/api/v1/users/nobody", 404),
            ("/api/v1/search?year_from=20", 400),
        ] {
            let (s, _) = a.get(uri, None).await;
            assert_eq!(s.as_u16(), status, "[{}] {uri}", a.db);
        }
        let (s, _) = a
            .get(
                &format!("/api/v1/summaries/{id}"),
                Some("ss_not-a-real-token"),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = a
            .write("PATCH", &format!("/api/v1/summaries/{id}"), None, "{}")
            .await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
        let (s, _) = a.get("/api/v1/me", None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn writes_need_a_write_token_and_change_nothing_when_refused() {
    for a in apps().await {
        let db = a.db;
        a.add("arXiv:1706.03762", "bob", "Bob's view.", false, false)
            .await;
        let ada = a.account("ada").await;
        let writer = a.token(ada, TokenScope::Write).await;
        let reader = a.token(ada, TokenScope::Read).await;
        let before = a.summaries().await;
        let body = r#"{"paper": "arXiv:1706.03762", "markdown": "Attention: $a^2$."}"#;
        let too_big = format!(
            r#"{{"paper": "1706.03762", "markdown": "{}"}}"#,
            "x".repeat(300 * 1024)
        );
        for (token, body, status, kind) in [
            (None, body, 401, "unauthorized"),
            (Some("ss_bogus"), body, 401, "unauthorized"),
            (Some(reader.as_str()), body, 403, "forbidden"),
            (Some(writer.as_str()), "{\"paper\": ", 400, "malformed-json"),
            (
                Some(writer.as_str()),
                r#"{"paper": 1, "markdown": "x"}"#,
                422,
                "invalid-body",
            ),
            (
                Some(writer.as_str()),
                r#"{"markdown": "x"}"#,
                422,
                "invalid-body",
            ),
            (
                Some(writer.as_str()),
                r#"{"paper": "1706.03762", "markdown": "x", "extra": 1}"#,
                422,
                "invalid-body",
            ),
            (
                Some(writer.as_str()),
                r#"{"paper": "1706.03762", "markdown": "  "}"#,
                422,
                "invalid-body",
            ),
            (
                Some(writer.as_str()),
                r#"{"paper": "arXiv:2101.00001", "markdown": "x"}"#,
                404,
                "not-found",
            ),
            (Some(writer.as_str()), too_big.as_str(), 413, "too-large"),
            (
                Some(writer.as_str()),
                r#"{"paper": "1706.03762", "markdown": "x", "private": "yes"}"#,
                422,
                "invalid-body",
            ),
        ] {
            let (s, p) = a.write("POST", "/api/v1/summaries", token, body).await;
            assert_eq!(s.as_u16(), status, "[{db}] {body:.60}: {p}");
            assert_eq!(p["type"], format!("/problems/{kind}"));
        }
        assert_eq!(a.summaries().await, before, "{db}: no partial write");

        let (s, created) = a
            .write("POST", "/api/v1/summaries", Some(&writer), body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {created}");
        let id = created["id"].as_i64().unwrap();
        assert!(created["html"].as_str().unwrap().contains("<math"));
        let (s, _) = a
            .write("POST", "/api/v1/summaries", Some(&writer), body)
            .await;
        assert_eq!(s, StatusCode::CONFLICT);

        // A new paper comes with its title.
        let (s, other) = a
            .write(
                "POST",
                "/api/v1/summaries",
                Some(&writer),
                r#"{"paper": "arXiv:2101.00001", "title": "New paper", "markdown": "New."}"#,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{other}");
        assert_eq!(other["paper"]["title"], "New paper");

        let (s, edited) = a
            .write(
                "PUT",
                &format!("/api/v1/summaries/{id}"),
                Some(&writer),
                r#"{"markdown": "Edited.", "anonymous": true}"#,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(edited["anonymous"], true);

        // In the Atom feed at once, with its maths... well, its new text.
        let (_, ct, atom) = a.text("/feeds/latest.atom").await;
        assert!(ct.starts_with("application/atom+xml"));
        assert!(atom.contains("Edited."), "{db}");
        feed_rs::parser::parse(atom.as_bytes()).expect("the latest feed parses");

        let bob_summary = a.store.user_by_name("bob").await.unwrap().unwrap().id;
        let bob_sid = a.store.user_summaries(bob_summary, None).await.unwrap()[0].id;
        let (s, vote) = a
            .write(
                "PUT",
                &format!("/api/v1/summaries/{bob_sid}/vote"),
                Some(&writer),
                r#"{"value": 1}"#,
            )
            .await;
        assert_eq!((s, vote["votes"]["up"].clone()), (StatusCode::OK, json!(1)));
        let (s, _) = a
            .write(
                "PUT",
                &format!("/api/v1/summaries/{bob_sid}/vote"),
                Some(&writer),
                r#"{"value": 2}"#,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, comment) = a
            .write(
                "POST",
                &format!("/api/v1/summaries/{bob_sid}/comments"),
                Some(&writer),
                r#"{"markdown": "Nice $x$."}"#,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{comment}");
        assert_eq!(comment["author"]["username"], "ada");

        // Reports reach the moderators.
        for (body, status) in [
            (
                format!(r#"{{"kind": "summary", "id": {bob_sid}, "reason": "Copied text."}}"#),
                201,
            ),
            (
                r#"{"kind": "user", "username": "bob", "reason": "Spam."}"#.to_owned(),
                201,
            ),
            (
                r#"{"kind": "summary", "username": "bob", "reason": "x"}"#.to_owned(),
                422,
            ),
            (
                r#"{"kind": "summary", "id": 999999, "reason": "x"}"#.to_owned(),
                404,
            ),
        ] {
            let (s, _) = a
                .write("POST", "/api/v1/reports", Some(&writer), &body)
                .await;
            assert_eq!(s.as_u16(), status, "[{db}] {body}");
        }

        // Others' summaries cannot be edited or deleted.
        let (s, _) = a
            .write(
                "PUT",
                &format!("/api/v1/summaries/{bob_sid}"),
                Some(&writer),
                r#"{"markdown": "Mine now."}"#,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = a
            .write(
                "DELETE",
                &format!("/api/v1/summaries/{bob_sid}"),
                Some(&writer),
                "",
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = a
            .write(
                "DELETE",
                &format!("/api/v1/summaries/{id}"),
                Some(&writer),
                "",
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = a.get(&format!("/api/v1/summaries/{id}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, me) = a.get("/api/v1/me", Some(&writer)).await;
        assert_eq!((s, me["scope"].clone()), (StatusCode::OK, json!("write")));

        // Revoked tokens stop at once.
        let token_id = a
            .store
            .api_tokens(ada)
            .await
            .unwrap()
            .iter()
            .find(|t| t.scope == TokenScope::Write)
            .unwrap()
            .id;
        a.store.revoke_api_token(ada, token_id).await.unwrap();
        let (s, _) = a.get("/api/v1/me", Some(&writer)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn the_openapi_document_and_reference_come_from_one_table() {
    let a = apps().await.remove(0);
    let (s, doc) = a.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let ops: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(ops, shortscience_web::api::spec::OPERATIONS.len());
    let (s, ct, page) = a.text("/api").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ct.starts_with("text/html"));
    for op in shortscience_web::api::spec::OPERATIONS {
        assert!(
            page.contains(&format!("id=\"{}\"", op.id)),
            "{} documented",
            op.id
        );
    }
    let r = a
        .send(
            Request::get("/problems/not-found")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.headers()[header::LOCATION], "/api#problem-not-found");
}

#[tokio::test]
async fn every_feed_parses_and_links_from_its_page() {
    for a in apps().await {
        let db = a.db;
        let public = a.add("arXiv:1706.03762", "ada", MATHS, false, false).await;
        a.add(
            "arXiv:1706.03762",
            "bob",
            "Anonymous words by bob.",
            false,
            true,
        )
        .await;
        a.add("arXiv:1512.03385", "ada", "Private words.", true, false)
            .await;
        let paper = a
            .store
            .summary(public, None)
            .await
            .unwrap()
            .unwrap()
            .paper_id;
        for (feed, page) in [
            ("/feeds/latest.atom".to_owned(), "/".to_owned()),
            (
                format!("/paper/{paper}/feed.atom"),
                format!("/paper/{paper}"),
            ),
            ("/user/ada/feed.atom".into(), "/user/ada".into()),
            (
                "/venue/NeurIPS%202017/feed.atom".into(),
                "/venue/NeurIPS%202017".into(),
            ),
            ("/search/feed.atom?q=loss".into(), "/search?q=loss".into()),
        ] {
            let (s, ct, body) = a.text(&feed).await;
            assert_eq!(s, StatusCode::OK, "[{db}] {feed}");
            assert!(ct.starts_with("application/atom+xml"), "{feed}");
            let parsed =
                feed_rs::parser::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{feed}: {e}"));
            assert!(
                !body.contains("Private words"),
                "[{db}] {feed} leaks a private summary"
            );
            assert!(
                !body.contains(">bob<"),
                "[{db}] {feed} names an anonymous author"
            );
            for entry in &parsed.entries {
                let content = entry
                    .content
                    .as_ref()
                    .and_then(|c| c.body.as_deref())
                    .unwrap_or_default();
                if content.contains("loss") {
                    assert!(content.contains("<math"), "[{db}] {feed}: MathML survives");
                }
            }
            if feed != "/feeds/latest.atom" {
                assert!(!parsed.entries.is_empty(), "[{db}] {feed} is empty");
            }
            let (_, _, html) = a.text(&page).await;
            let escaped = feed.replace('&', "&amp;");
            assert!(
                html.contains("type=\"application/atom+xml\" title=")
                    && html.contains(&format!("href=\"{escaped}\"")),
                "[{db}] {page} links {feed}"
            );
        }
        let (s, ct, rss) = a.text("/feeds/latest.rss").await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("application/rss+xml"));
        let parsed = feed_rs::parser::parse(rss.as_bytes()).expect("RSS parses");
        assert_eq!(parsed.entries.len(), 2, "[{db}] public summaries only");
    }
}

#[tokio::test]
async fn discovery_files_and_structured_data() {
    for a in apps().await {
        let db = a.db;
        let public = a.add("arXiv:1706.03762", "ada", MATHS, false, false).await;
        let private = a
            .add("arXiv:1512.03385", "ada", "Private words.", true, false)
            .await;
        let (s, ct, sitemap) = a.text("/sitemap.xml").await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("application/xml"));
        assert!(
            sitemap.contains(&format!("<loc>{BASE}/summary/{public}</loc>")),
            "{db}"
        );
        assert!(
            !sitemap.contains(&format!("/summary/{private}<")),
            "{db}: private left out"
        );
        let (_, _, robots) = a.text("/robots.txt").await;
        assert!(robots.contains(&format!("Sitemap: {BASE}/sitemap.xml")));

        let (_, _, page) = a.text(&format!("/summary/{public}")).await;
        let ld = page
            .split("<script type=\"application/ld+json\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .expect("JSON-LD on the permalink");
        let v: Value = serde_json::from_str(ld).unwrap();
        assert_eq!(v["@type"], "Review");
        assert_eq!(v["itemReviewed"]["@type"], "ScholarlyArticle");
        // The paper title holds "</script><b>": escaped, it cannot end the element.
        assert!(
            v["itemReviewed"]["name"]
                .as_str()
                .unwrap()
                .contains("</script>")
        );
        assert!(
            page.contains("rel=\"license\" href=\"https://creativecommons.org/licenses/by/4.0/\"")
        );
        let paper = a
            .store
            .summary(public, None)
            .await
            .unwrap()
            .unwrap()
            .paper_id;
        let (_, _, page) = a.text(&format!("/paper/{paper}")).await;
        assert!(page.contains("\"@type\":\"ScholarlyArticle\""), "{db}");
    }
}

#[tokio::test]
async fn settings_pages_make_and_revoke_tokens_and_set_the_licence() {
    let a = apps().await.remove(0);
    let ada = a.account("ada").await;
    let session = a.store.create_session(ada).await.unwrap();
    let cookie = format!("ss_session={session}");
    let post = |uri: &str, body: &str| {
        Request::post(uri)
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    // Guests are sent to log in.
    let r = a
        .send(
            Request::get("/settings/tokens")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = a
        .send(post("/settings/tokens", "name=laptop&scope=write"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    let page = String::from_utf8(
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let secret = page
        .split("<code class=\"token-secret\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the secret is shown once")
        .to_owned();
    let (s, me) = a.get("/api/v1/me", Some(&secret)).await;
    assert_eq!((s, me["username"].clone()), (StatusCode::OK, json!("ada")));
    // The list shows it without the secret.
    let r = a
        .send(
            Request::get("/settings/tokens")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let page = String::from_utf8(
        axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(page.contains("laptop") && !page.contains(&secret));

    let id = a.store.api_tokens(ada).await.unwrap()[0].id;
    let r = a
        .send(post(&format!("/settings/tokens/{id}/revoke"), ""))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        a.get("/api/v1/me", Some(&secret)).await.0,
        StatusCode::UNAUTHORIZED
    );

    let r = a
        .send(post("/settings/licence", "licence=CC-BY-SA-4.0"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        a.store.licence_of(ada).await.unwrap(),
        shortscience_store::Licence::CcBySa4
    );
    let r = a.send(post("/settings/licence", "licence=CC0")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = a
        .send(
            Request::get("/settings/takeout.zip")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/zip");
    let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip file");
}
