//! The site driven in-process through `router()`, on every test database backend.

mod common;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use common::{App, Guest, apps, location, text};
use shortscience_ids::{PaperId, PaperRef, SummaryId};
use shortscience_store::NewPaper;
use shortscience_web::publish;

/// What a test summary looks like.
struct S<'a> {
    paper: &'a str,
    title: &'a str,
    author: &'a str,
    markdown: &'a str,
    private: bool,
    anonymous: bool,
}

impl<'a> S<'a> {
    fn new(paper: &'a str, title: &'a str, author: &'a str, markdown: &'a str) -> Self {
        S {
            paper,
            title,
            author,
            markdown,
            private: false,
            anonymous: false,
        }
    }
}

impl App {
    /// Stores a summary through the publish path, as `import` does.
    async fn add(&self, s: S<'_>) -> (PaperId, SummaryId) {
        let paper = NewPaper {
            refs: vec![PaperRef::parse(s.paper).expect("test id parses")],
            title: s.title.into(),
            authors: vec!["A. Author".into(), "B. Author".into()],
            year: Some(2016),
            venue: Some("NeurIPS 2016".into()),
            abstract_text: Some("We study things.".into()),
        };
        common::import(
            &self.store,
            paper,
            s.author,
            s.markdown,
            s.private,
            s.anonymous,
        )
        .await
    }
}

fn header_of<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn home_lists_summaries_in_three_tabs() {
    for t in apps().await {
        t.add(S::new(
            "1609.00150",
            "Reward Augmented Maximum Likelihood",
            "ada",
            "We learn $p_\\theta(y \\mid x)$.",
        ))
        .await;
        for (uri, current) in [
            ("/", "Popular"),
            ("/?list=recent", "Most recent"),
            ("/?list=top", "Highest rated"),
        ] {
            let response = t.get(uri).await;
            assert_eq!(response.status(), StatusCode::OK, "[{}] {uri}", t.db);
            assert_eq!(
                header_of(&response, "content-type"),
                "text/html; charset=utf-8"
            );
            assert_eq!(header_of(&response, "cache-control"), "no-cache");
            let html = text(response).await;
            assert!(
                html.contains("Reward Augmented Maximum Likelihood"),
                "[{}] {uri}",
                t.db
            );
            assert!(html.contains("2016") && html.contains("NeurIPS 2016"));
            assert!(
                html.contains(r#"<a href="/user/ada">ada</a>"#),
                "byline links the author"
            );
            assert!(
                html.contains("<math"),
                "maths is in the card on the first screen"
            );
            assert!(html.contains("Read the whole summary"));
            assert!(
                html.contains(&format!(r#"aria-current="page">{current}</a>"#)),
                "[{}] {uri}: {current} tab is current",
                t.db
            );
            assert!(html.contains(r#"<html lang="en">"#) && html.contains(r##"href="#main""##));
        }
    }
}

#[tokio::test]
async fn home_refuses_bad_parameters() {
    for t in apps().await {
        let html = t.page("/?list=hottest", StatusCode::BAD_REQUEST).await;
        assert!(
            html.contains("“hottest”") && html.contains("list=recent"),
            "says why: {html}"
        );
        let html = t.page("/?page=zero", StatusCode::BAD_REQUEST).await;
        assert!(html.contains("“zero”"));
        t.page("/?page=0", StatusCode::BAD_REQUEST).await;
        t.page("/?page=-2", StatusCode::BAD_REQUEST).await;
    }
}

#[tokio::test]
async fn home_pages_ten_at_a_time() {
    for t in apps().await {
        for i in 0..12 {
            let id = format!("2101.{:05}", 100 + i);
            let title = format!("Paper number {i}");
            t.add(S::new(&id, &title, "ada", "Some words.")).await;
        }
        let first = t.page("/?list=recent", StatusCode::OK).await;
        assert_eq!(first.matches("<article").count(), 10, "[{}]", t.db);
        assert!(
            first.contains(r#"rel="next" href="/?list=recent&#38;page=2""#),
            "[{}] next link",
            t.db
        );
        assert!(!first.contains(r#"rel="prev""#));
        let second = t.page("/?list=recent&page=2", StatusCode::OK).await;
        assert_eq!(second.matches("<article").count(), 2);
        assert!(second.contains(r#"rel="prev" href="/?list=recent""#));
        assert!(!second.contains(r#"rel="next""#));
        t.page("/?list=recent&page=3", StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn empty_home_says_so() {
    for t in apps().await {
        let html = t.page("/", StatusCode::OK).await;
        assert!(html.contains("No summaries here yet"));
    }
}

#[tokio::test]
async fn paper_page_shows_metadata_links_and_summaries() {
    for t in apps().await {
        let (paper, s1) = t
            .add(S::new(
                "1609.00150",
                "Reward Augmented ML",
                "ada",
                "First **summary**.",
            ))
            .await;
        let (_, s2) = t
            .add(S::new(
                "1609.00150",
                "Reward Augmented ML",
                "bob",
                "Second summary.",
            ))
            .await;
        let html = t.page(&format!("/paper/{paper}"), StatusCode::OK).await;
        assert!(
            html.contains(r#"<h1 class="paper-title">Reward Augmented ML</h1>"#),
            "[{}]",
            t.db
        );
        assert!(html.contains("A. Author and B. Author"));
        assert!(html.contains("We study things."), "abstract");
        assert!(
            html.contains(r#"href="https://arxiv.org/abs/1609.00150""#),
            "arXiv link"
        );
        assert!(
            html.contains(r#"href="https://arxiv.org/pdf/1609.00150""#),
            "PDF link"
        );
        assert!(
            html.contains(&format!(r#"id="summary-{s1}""#))
                && html.contains(&format!(r#"id="summary-{s2}""#))
        );
        assert!(html.contains("<strong>summary</strong>"));
        assert!(
            html.contains(&format!(r#"href="/summary/{s1}""#)),
            "permalink"
        );
        assert!(html.contains(&format!(
            r#"<link rel="canonical" href="http://127.0.0.1:8080/paper/{paper}">"#
        )));
        assert!(html.contains("2 summaries"));

        t.page(&format!("/paper/{paper}?sort=new"), StatusCode::OK)
            .await;
        t.page(&format!("/paper/{paper}?sort=top"), StatusCode::OK)
            .await;
        let bad = t
            .page(
                &format!("/paper/{paper}?sort=worst"),
                StatusCode::BAD_REQUEST,
            )
            .await;
        assert!(bad.contains("“worst”"));
    }
}

#[tokio::test]
async fn paper_page_without_summaries_has_an_empty_state() {
    for t in apps().await {
        let paper = t
            .store
            .upsert_paper(&NewPaper {
                refs: vec![PaperRef::parse("10.1145/3292500.3330701").unwrap()],
                title: "Lonely paper".into(),
                ..NewPaper::default()
            })
            .await
            .unwrap();
        let html = t.page(&format!("/paper/{paper}"), StatusCode::OK).await;
        assert!(
            html.contains("Nobody has summarised this paper yet"),
            "[{}]",
            t.db
        );
        assert!(
            html.contains(r#"href="https://doi.org/10.1145/3292500.3330701""#),
            "[{}] DOI link",
            t.db
        );
    }
}

#[tokio::test]
async fn paper_ids_are_checked_before_the_database() {
    for t in apps().await {
        let html = t.page("/paper/attention", StatusCode::BAD_REQUEST).await;
        assert!(html.contains("“attention”"), "{html}");
        t.page("/paper/-1", StatusCode::BAD_REQUEST).await;
        let html = t.page("/paper/987654", StatusCode::NOT_FOUND).await;
        assert!(html.contains("987654"), "404 names the id");
        t.page("/summary/x1", StatusCode::BAD_REQUEST).await;
        t.page("/summary/987654", StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn legacy_links_redirect_permanently() {
    for t in apps().await {
        let (paper, sid) = t
            .add(S::new(
                "1904.06387",
                "T-REX",
                "muntermulehitch",
                "Trajectory ranking.",
            ))
            .await;
        let (_, anon) = t
            .add(S {
                anonymous: true,
                ..S::new("1904.06387", "T-REX", "shy", "Hidden author.")
            })
            .await;
        let (_, private) = t
            .add(S {
                private: true,
                ..S::new("1904.06387", "T-REX", "quiet", "Private notes.")
            })
            .await;
        assert_ne!(anon, private);

        let r = t.get("/paper?bibtexKey=journals/corr/1904.06387").await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{}]", t.db);
        assert_eq!(location(&r), format!("/paper/{paper}"));

        let r = t
            .get("/paper?bibtexKey=journals/corr/1904.06387&a=muntermulehitch")
            .await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
        assert_eq!(location(&r), format!("/paper/{paper}#summary-{sid}"));

        // Anonymous and private authorship is never revealed by `a=`.
        for who in ["shy", "quiet", "nobody"] {
            let r = t
                .get(&format!(
                    "/paper?bibtexKey=journals/corr/1904.06387&a={who}"
                ))
                .await;
            assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
            assert_eq!(location(&r), format!("/paper/{paper}"), "a={who}");
        }

        let r = t.get("/paper?id=arXiv:1904.06387v2").await;
        assert_eq!(location(&r), format!("/paper/{paper}"));
        let r = t
            .get("/paper?id=https%3A%2F%2Farxiv.org%2Fabs%2F1904.06387")
            .await;
        assert_eq!(location(&r), format!("/paper/{paper}"));

        let html = t
            .page("/paper?id=10.1000/unknown.paper", StatusCode::NOT_FOUND)
            .await;
        assert!(
            html.contains("10.1000/unknown.paper"),
            "404 names the id: {html}"
        );
        let html = t
            .page("/paper?id=not%20an%20id", StatusCode::BAD_REQUEST)
            .await;
        assert!(
            html.contains("not an id"),
            "400 quotes the parser's reason: {html}"
        );
        t.page("/paper", StatusCode::BAD_REQUEST).await;
    }
}

#[tokio::test]
async fn abs_paths_work_like_arxiv() {
    for t in apps().await {
        let (new_style, _) = t
            .add(S::new("1609.00150", "RAML", "ada", "New style."))
            .await;
        let (old_style, _) = t
            .add(S::new(
                "hep-th/9901001",
                "Old style",
                "ada",
                "Old style id.",
            ))
            .await;
        let r = t.get("/abs/1609.00150").await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{}]", t.db);
        assert_eq!(location(&r), format!("/paper/{new_style}"));
        let r = t.get("/abs/1609.00150v3").await;
        assert_eq!(location(&r), format!("/paper/{new_style}"));
        let r = t.get("/abs/hep-th/9901001").await;
        assert_eq!(
            r.status(),
            StatusCode::MOVED_PERMANENTLY,
            "[{}] old-style id",
            t.db
        );
        assert_eq!(location(&r), format!("/paper/{old_style}"));

        let html = t.page("/abs/2301.99999", StatusCode::NOT_FOUND).await;
        assert!(html.contains("2301.99999"), "404 names the id");
        t.page("/abs/not-an-arxiv-id", StatusCode::BAD_REQUEST)
            .await;
    }
}

#[tokio::test]
async fn summary_permalink_shows_paper_and_summary() {
    for t in apps().await {
        let (paper, sid) = t
            .add(S::new("1609.00150", "RAML", "ada", "The **gist**."))
            .await;
        let html = t.page(&format!("/summary/{sid}"), StatusCode::OK).await;
        assert!(
            html.contains(&format!(r#"<a href="/paper/{paper}">RAML</a>"#)),
            "[{}]",
            t.db
        );
        assert!(html.contains(&format!(r#"id="summary-{sid}""#)));
        assert!(html.contains("<strong>gist</strong>"));
        assert!(
            html.contains(r#"<meta name="description" content="The gist."#),
            "excerpt as description"
        );
    }
}

#[tokio::test]
async fn user_page_lists_only_public_signed_summaries() {
    for t in apps().await {
        t.add(S::new("1609.00150", "Signed paper", "ada", "Signed words."))
            .await;
        t.add(S {
            anonymous: true,
            ..S::new("1904.06387", "Anonymous paper", "ada", "Unsigned words.")
        })
        .await;
        t.add(S {
            private: true,
            ..S::new("2104.11178", "Private paper", "ada", "Private words.")
        })
        .await;
        let html = t.page("/user/ada", StatusCode::OK).await;
        assert!(html.contains("Signed words."), "[{}]", t.db);
        assert!(
            !html.contains("Unsigned words.") && !html.contains("Anonymous paper"),
            "[{}]",
            t.db
        );
        assert!(
            !html.contains("Private words.") && !html.contains("Private paper"),
            "[{}]",
            t.db
        );
        assert!(html.contains("1 summary"));
        let html = t.page("/user/nobody_here", StatusCode::NOT_FOUND).await;
        assert!(html.contains("nobody_here"));
    }
}

#[tokio::test]
async fn anonymous_authors_never_appear() {
    for t in apps().await {
        let (paper, sid) = t
            .add(S {
                anonymous: true,
                ..S::new("1609.00150", "RAML", "secretauthor", "Anonymous insight.")
            })
            .await;
        let uris = [
            "/".to_owned(),
            "/?list=recent".to_owned(),
            "/?list=top".to_owned(),
            format!("/paper/{paper}"),
            format!("/summary/{sid}"),
        ];
        for uri in &uris {
            let html = t.page(uri, StatusCode::OK).await;
            assert!(
                html.contains("Anonymous insight."),
                "[{}] {uri} shows the summary",
                t.db
            );
            assert!(html.contains("Anonymous"), "[{}] {uri}", t.db);
            assert!(
                !html.to_lowercase().contains("secretauthor"),
                "[{}] {uri} leaks the author",
                t.db
            );
        }
        let html = t.page("/user/secretauthor", StatusCode::OK).await;
        assert!(
            !html.contains("Anonymous insight."),
            "[{}] user page lists the anonymous summary",
            t.db
        );
    }
}

#[tokio::test]
async fn private_summaries_stay_hidden() {
    for t in apps().await {
        let (paper, sid) = t
            .add(S {
                private: true,
                ..S::new("1609.00150", "RAML", "ada", "Private thoughts.")
            })
            .await;
        for uri in [
            "/",
            "/?list=recent",
            "/?list=top",
            &format!("/paper/{paper}"),
        ] {
            let html = t.page(uri, StatusCode::OK).await;
            assert!(
                !html.contains("Private thoughts."),
                "[{}] {uri} shows a private summary",
                t.db
            );
        }
        t.page(&format!("/summary/{sid}"), StatusCode::NOT_FOUND)
            .await;
    }
}

#[tokio::test]
async fn hostile_metadata_is_escaped() {
    for t in apps().await {
        let evil = "<script>alert(1)</script>";
        let (paper, sid) = t.add(S::new("1609.00150", evil, "ada", "Fine text.")).await;
        for uri in [
            "/".to_owned(),
            format!("/paper/{paper}"),
            format!("/summary/{sid}"),
            "/user/ada".to_owned(),
        ] {
            let html = t.page(&uri, StatusCode::OK).await;
            // Only the site's own scripts, loaded from /static/.
            assert_eq!(
                html.matches("<script").count(),
                html.matches("<script src=\"/static/").count()
                    + html
                        .matches("<script type=\"application/ld+json\">")
                        .count(),
                "[{}] {uri} carries a script tag",
                t.db
            );
            assert!(
                html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
                "[{}] {uri} shows it as text",
                t.db
            );
        }
        let html = t
            .page("/paper?id=%3Cscript%3E", StatusCode::BAD_REQUEST)
            .await;
        assert!(
            !html.contains("<script"),
            "error pages escape the echoed id"
        );
    }
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    for t in apps().await {
        for uri in [
            "/",
            "/about",
            "/no/such/page",
            "/paper/x",
            "/static/style.css",
            "/healthz",
        ] {
            let r = t.get(uri).await;
            let csp = header_of(&r, "content-security-policy");
            assert!(
                csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
                "{uri}"
            );
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(header_of(&r, "x-content-type-options"), "nosniff", "{uri}");
            assert_eq!(
                header_of(&r, "referrer-policy"),
                "strict-origin-when-cross-origin"
            );
            assert!(r.headers().contains_key("permissions-policy"));
        }
    }
}

#[tokio::test]
async fn responses_are_compressed() {
    for t in apps().await {
        for encoding in ["br", "gzip"] {
            let r = t
                .send(
                    Request::get("/about")
                        .header(header::ACCEPT_ENCODING, encoding)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(header_of(&r, "content-encoding"), encoding);
        }
        let r = t.get("/about").await;
        assert!(
            !r.headers().contains_key("content-encoding"),
            "identity without Accept-Encoding"
        );
    }
}

#[tokio::test]
async fn static_files_are_cached_by_hash() {
    for t in apps().await {
        let home = t.page("/", StatusCode::OK).await;
        let start = home.find("/static/style.css?v=").expect("stylesheet link");
        let href = &home[start..home[start..].find('"').unwrap() + start];

        let r = t.get(href).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header_of(&r, "content-type"), "text/css; charset=utf-8");
        assert_eq!(
            header_of(&r, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let etag = header_of(&r, "etag").to_owned();

        let r = t.get("/static/style.css").await;
        assert_eq!(
            header_of(&r, "cache-control"),
            "no-cache",
            "unversioned URL revalidates"
        );
        let r = t.get("/static/style.css?v=stale").await;
        assert_eq!(
            header_of(&r, "cache-control"),
            "no-cache",
            "wrong hash revalidates"
        );

        let r = t
            .send(
                Request::get("/static/style.css")
                    .header(header::IF_NONE_MATCH, &etag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert!(text(r).await.is_empty());

        let r = t.get("/static/favicon.svg").await;
        assert_eq!(header_of(&r, "content-type"), "image/svg+xml");
        t.page("/static/missing.css", StatusCode::NOT_FOUND).await;
        t.page("/static/../Cargo.toml", StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn unknown_addresses_and_methods() {
    for t in apps().await {
        let r = t.get("/no/such/page").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(header_of(&r, "content-type"), "text/html; charset=utf-8");
        let html = text(r).await;
        assert!(
            html.contains(r#"<a class="button" href="/">"#),
            "friendly 404 links home"
        );
        assert!(html.contains(r#"<header class="site-header">"#));

        let post = |site: &'static str| {
            Request::post("/about")
                .header("sec-fetch-site", site)
                .body(Body::from("x=1"))
                .unwrap()
        };
        let r = t.send(post("same-origin")).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header_of(&r, "content-type"), "text/html; charset=utf-8");
        assert!(header_of(&r, "allow").contains("GET"));
        let r = t.send(post("cross-site")).await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "cross-site POST is refused"
        );

        let big = Request::post("/about")
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_LENGTH, 1024 * 1024)
            .body(Body::from(vec![b'x'; 1024 * 1024]))
            .unwrap();
        let r = t.send(big).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            header_of(&r, "content-type"),
            "text/html; charset=utf-8",
            "413 is a page too"
        );
    }
}

#[tokio::test]
async fn health_and_about() {
    for t in apps().await {
        assert_eq!(t.page("/healthz", StatusCode::OK).await, "ok");
        let html = t.page("/about", StatusCode::OK).await;
        assert!(html.contains("Wilson"), "explains the ranking");
        assert!(html.contains("<math"), "formulas go through the renderer");
        assert!(html.contains(r#"id="privacy""#));
    }
}

#[tokio::test]
async fn publish_links_citations_to_known_papers() {
    for t in apps().await {
        let (known, _) = t
            .add(S::new("1706.03762", "Attention", "ada", "Attention."))
            .await;
        let rendered = publish::render_summary(
            &t.store,
            r"See \cite{arXiv:1706.03762} and \cite{arXiv:2001.00001}.",
        )
        .await
        .expect("renders");
        assert!(
            rendered.html.contains(&format!(r#"href="/paper/{known}""#)),
            "[{}] {}",
            t.db,
            rendered.html
        );
        assert!(
            rendered.html.contains("bibtexKey="),
            "unknown keys keep the lookup link: {}",
            rendered.html
        );
    }
}
