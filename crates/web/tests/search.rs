//! Search, typeahead, venue/author pages, random summary and citation downloads,
//! driven in-process on every test database backend.

mod common;

use axum::body::Body;
use axum::http::{Response, StatusCode, header};
use common::{App, Guest, apps, enc, text};
use shortscience_ids::{PaperId, PaperRef, SummaryId};
use shortscience_store::NewPaper;

const HOSTILE_TITLE: &str =
    r#"<script>alert(1)</script> "quoted" & {braces} 50% $x_1^2$ \emph{y} -- ~ # Ünïcödé"#;

impl App {
    async fn paper(&self, id: &str, title: &str, authors: &[&str], venue: Option<&str>) -> PaperId {
        self.store
            .upsert_paper(&NewPaper {
                refs: vec![PaperRef::parse(id).expect("test id")],
                title: title.into(),
                authors: authors.iter().map(|a| a.to_string()).collect(),
                year: Some(2017),
                venue: venue.map(str::to_owned),
                abstract_text: Some("We study attention.\n\nA second paragraph.".into()),
            })
            .await
            .expect("paper")
    }

    async fn summary(
        &self,
        id: &str,
        author: &str,
        markdown: &str,
        private: bool,
        anonymous: bool,
    ) -> SummaryId {
        let existing = self
            .store
            .paper(
                self.store
                    .find_paper(&PaperRef::parse(id).unwrap())
                    .await
                    .unwrap()
                    .unwrap(),
            )
            .await
            .unwrap()
            .unwrap();
        let paper = NewPaper {
            refs: existing.aliases.clone(),
            title: existing.title.clone(),
            ..NewPaper::default()
        };
        common::import(&self.store, paper, author, markdown, private, anonymous)
            .await
            .1
    }
}

fn header_of(response: &Response<Body>, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn search_page_finds_filters_and_keeps_secrets() {
    for app in apps().await {
        let attention = app
            .paper(
                "1706.03762",
                "Attention Is All You Need",
                &["Ashish Vaswani"],
                Some("NeurIPS"),
            )
            .await;
        app.paper(
            "1512.03385",
            "Deep Residual Learning",
            &["Kaiming He"],
            Some("CVPR"),
        )
        .await;
        app.summary(
            "1706.03762",
            "ada",
            "Transformers replace *recurrence*.",
            false,
            false,
        )
        .await;
        app.summary("1512.03385", "bob", "A secret pangolin.", true, false)
            .await;
        app.summary("1706.03762", "carol", "An anonymous okapi.", false, true)
            .await;

        let body = app.page("/search?q=attention+need", StatusCode::OK).await;
        assert!(body.contains("Attention Is All You Need"), "[{}]", app.db);
        assert!(body.contains(&format!("href=\"/paper/{attention}\"")));
        assert!(body.contains("href=\"/author/Ashish%20Vaswani\""));
        assert!(body.contains("href=\"/venue/NeurIPS\""));
        assert!(body.contains("2 summaries"), "[{}] {body}", app.db);
        assert!(!body.contains("Deep Residual"));

        // Summary words: public and anonymous ones find the paper, private ones nothing;
        // no author name of an anonymous summary appears.
        let body = app.page("/search?q=okapi", StatusCode::OK).await;
        assert!(body.contains("Attention Is All You Need"));
        assert!(!body.contains("carol"));
        let body = app.page("/search?q=pangolin", StatusCode::OK).await;
        assert!(body.contains("No papers found"), "[{}]", app.db);
        assert!(!body.contains("Deep Residual"), "[{}] {body}", app.db);

        // Filters, including the empty fields a plain form submits.
        let body = app
            .page(
                "/search?q=learning+vaswani&year_from=&year_to=&venue=&page=",
                StatusCode::OK,
            )
            .await;
        assert!(body.contains("No papers found"));
        let body = app
            .page("/search?q=&venue=CVPR&has_summaries=", StatusCode::OK)
            .await;
        assert!(body.contains("Deep Residual") && !body.contains("Attention Is"));
        let body = app
            .page("/search?q=deep&has_summaries=1", StatusCode::OK)
            .await;
        assert!(
            !body.contains("Deep Residual"),
            "[{}] private summaries do not count",
            app.db
        );
        let body = app
            .page("/search?q=attention&year_from=2018", StatusCode::OK)
            .await;
        assert!(body.contains("No papers found"));
        app.page("/search?q=x&year_from=soon", StatusCode::BAD_REQUEST)
            .await;
        app.page("/search?q=x&page=0", StatusCode::BAD_REQUEST)
            .await;
        // The bare page shows the form.
        let body = app.page("/search", StatusCode::OK).await;
        assert!(body.contains("name=\"q\""));
    }
}

#[tokio::test]
async fn identifiers_open_their_paper() {
    for app in apps().await {
        let id = app
            .paper(
                "1609.00150",
                "Attention Is All You Need",
                &["A. Author"],
                None,
            )
            .await;
        for q in [
            "https://arxiv.org/abs/1609.00150v2",
            "arXiv:1609.00150",
            "1609.00150",
        ] {
            let response = app.get(&format!("/search?q={}", enc(q))).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{}] {q}", app.db);
            assert_eq!(
                header_of(&response, header::LOCATION),
                format!("/paper/{id}")
            );
        }
        // Unknown identifiers go to the lookup, which knows what to say about them.
        let response = app
            .get(&format!("/search?q={}", enc("10.1145/3448016.3452841")))
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            header_of(&response, header::LOCATION),
            "/paper?id=10%2E1145%2F3448016%2E3452841"
        );
    }
}

#[tokio::test]
async fn hostile_queries_are_answered() {
    let mut queries: Vec<String> = [
        "\"",
        "*",
        ":",
        "-",
        "NEAR",
        "NEAR(a b)",
        "^",
        "(",
        ")",
        "title:x",
        "a OR b",
        "a AND",
        "'",
        "&",
        "|",
        "!",
        "<->",
        "\\",
        "%00",
        "\u{0}",
        "😀",
        "注意力",
        "שלום",
        "\u{202e}",
        "%F0%9F%98%80",
        "%FF",
        "a%22b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    queries.push("x\"*:-^()".repeat(1_500)); // ≈ 12 KB
    for app in apps().await {
        app.paper("1706.03762", HOSTILE_TITLE, &["A. Author"], Some("V"))
            .await;
        for q in &queries {
            // Already-encoded entries are sent as they are; the rest get encoded.
            let q = if q.contains('%') { q.clone() } else { enc(q) };
            for uri in [
                format!("/search?q={q}"),
                format!("/search?q=a&venue={q}"),
                format!("/search/typeahead?q={q}"),
                format!(
                    "/author/{}",
                    if q.is_empty() { "x".into() } else { q.clone() }
                ),
                format!(
                    "/venue/{}",
                    if q.is_empty() { "x".into() } else { q.clone() }
                ),
            ] {
                let status = app.get(&uri).await.status();
                assert!(
                    status.is_success() || status.is_redirection() || status.is_client_error(),
                    "[{}] {uri} gave {status}",
                    app.db
                );
                assert!(
                    uri.starts_with("/author/")
                        || uri.starts_with("/venue/")
                        || status == StatusCode::OK
                        || status == StatusCode::SEE_OTHER,
                    "[{}] {uri} gave {status}",
                    app.db
                );
            }
        }
        // The hostile title is escaped on the results page.
        let body = app.page("/search?q=quoted+braces", StatusCode::OK).await;
        assert!(!body.contains("<script>alert(1)"), "[{}]", app.db);
        assert!(body.contains("&#60;script&#62;"), "[{}] {body}", app.db);
    }
}

#[tokio::test]
async fn typeahead_answers_json() {
    for app in apps().await {
        let id = app
            .paper(
                "1706.03762",
                "Attention Is All You Need",
                &["A. Author"],
                None,
            )
            .await;
        let response = app.get("/search/typeahead?q=attent").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/json"
        );
        let json: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(json[0]["id"], id.0, "[{}]", app.db);
        assert_eq!(json[0]["title"], "Attention Is All You Need");
        assert_eq!(json[0]["url"], format!("/paper/{id}"));
        let empty = app.page("/search/typeahead?q=", StatusCode::OK).await;
        assert_eq!(empty, "[]");
        let none = app.page("/search/typeahead", StatusCode::OK).await;
        assert_eq!(none, "[]");
        // The search page loads the script that uses it, which the CSP lets fetch.
        let response = app.get("/search").await;
        assert!(
            header_of(&response, header::CONTENT_SECURITY_POLICY).contains("connect-src 'self'")
        );
        let body = text(response).await;
        let src = body
            .split("<script src=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("script tag");
        assert!(src.starts_with("/static/search.js?v="), "{src}");
        let script = app.get(src).await;
        assert_eq!(script.status(), StatusCode::OK);
        assert!(header_of(&script, header::CONTENT_TYPE).starts_with("text/javascript"));
        assert!(text(script).await.contains("/search/typeahead?q="));
    }
}

#[tokio::test]
async fn venue_author_and_random_pages() {
    for app in apps().await {
        let attention = app
            .paper(
                "1706.03762",
                "Attention Is All You Need",
                &["Ashish Vaswani", "Noam Shazeer"],
                Some("Neural Information Processing Systems"),
            )
            .await;
        app.store
            .upsert_paper(&NewPaper {
                refs: vec![PaperRef::parse("1406.2661").unwrap()],
                title: "Generative Adversarial Networks".into(),
                authors: vec!["Ian Goodfellow".into(), "Noam Shazeer".into()],
                year: Some(2014),
                venue: Some("Neural Information Processing Systems".into()),
                abstract_text: None,
            })
            .await
            .unwrap();
        let sid = app
            .summary(
                "1706.03762",
                "ada",
                "Self-attention, explained.",
                false,
                false,
            )
            .await;

        let venue = "/venue/Neural%20Information%20Processing%20Systems";
        let body = app.page(venue, StatusCode::OK).await;
        // Newest year first and selected; its paper with its best summary.
        assert!(body.contains("2 papers over 2 years"), "[{}]", app.db);
        assert!(body.contains("aria-current=\"page\">2017</a>"));
        assert!(body.contains("Attention Is All You Need"));
        assert!(body.contains("Self-attention, explained."));
        assert!(body.contains(&format!("/summary/{sid}")));
        assert!(!body.contains("Generative Adversarial"));
        let body = app
            .page(&format!("{venue}?year=2014"), StatusCode::OK)
            .await;
        assert!(body.contains("Generative Adversarial"));
        app.page(&format!("{venue}?year=1999"), StatusCode::NOT_FOUND)
            .await;
        app.page(&format!("{venue}?year=soon"), StatusCode::BAD_REQUEST)
            .await;
        app.page("/venue/Nowhere", StatusCode::NOT_FOUND).await;

        let body = app.page("/author/Noam%20Shazeer", StatusCode::OK).await;
        assert!(
            body.contains("Attention Is All You Need") && body.contains("Generative Adversarial")
        );
        // Newest first.
        assert!(
            body.find("Attention Is All").unwrap() < body.find("Generative Adversarial").unwrap()
        );
        let body = app.page("/author/Ian%20Goodfellow", StatusCode::OK).await;
        assert!(!body.contains("Attention Is All You Need") && body.contains("Generative"));
        let body = app.page("/author/Noam", StatusCode::OK).await;
        assert!(body.contains("No paper here lists this exact name"));

        let response = app.get("/random").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "[{}]", app.db);
        assert_eq!(
            header_of(&response, header::LOCATION),
            format!("/summary/{sid}")
        );
        let _ = attention;
    }
}

#[tokio::test]
async fn random_without_public_summaries_is_404() {
    for app in apps().await {
        app.paper("1706.03762", "A", &[], None).await;
        app.summary("1706.03762", "ada", "Mine only.", true, false)
            .await;
        app.page("/random", StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn citation_downloads() {
    for app in apps().await {
        let id = app
            .paper(
                "1706.03762",
                "Attention Is All You Need",
                &["Ashish Vaswani", "Noam Shazeer"],
                Some("NeurIPS"),
            )
            .await;
        app.store
            .upsert_paper(&NewPaper {
                refs: vec![
                    PaperRef::parse("1706.03762").unwrap(),
                    PaperRef::parse("10.5555/3295222.3295349").unwrap(),
                ],
                ..NewPaper::default()
            })
            .await
            .unwrap();

        let response = app.get(&format!("/paper/{id}/cite.bib")).await;
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.db);
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/x-bibtex; charset=utf-8"
        );
        assert_eq!(
            header_of(&response, header::CONTENT_DISPOSITION),
            "attachment; filename=\"Vaswani2017Attention.bib\""
        );
        let bib = text(response).await;
        assert!(bib.starts_with("@article{Vaswani2017Attention,\n"), "{bib}");
        assert!(bib.contains("doi = {10.5555/3295222.3295349}"));

        let response = app.get(&format!("/paper/{id}/cite.ris")).await;
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/x-research-info-systems; charset=utf-8"
        );
        assert!(
            header_of(&response, header::CONTENT_DISPOSITION).contains("Vaswani2017Attention.ris")
        );
        let ris = text(response).await;
        assert!(ris.contains("TI  - Attention Is All You Need\r\n"));
        assert!(ris.contains("AB  - We study attention. A second paragraph.\r\n"));
        assert!(ris.contains(&format!("UR  - http://127.0.0.1:8080/paper/{id}\r\n")));

        let response = app.get(&format!("/paper/{id}/cite.json")).await;
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/vnd.citationstyles.csl+json; charset=utf-8"
        );
        let csl: serde_json::Value = serde_json::from_str(&text(response).await).expect("JSON");
        assert_eq!(csl[0]["title"], "Attention Is All You Need");
        assert_eq!(csl[0]["DOI"], "10.5555/3295222.3295349");
        assert_eq!(csl[0]["author"][1]["family"], "Shazeer");
        assert_eq!(
            csl[0]["abstract"],
            "We study attention.\n\nA second paragraph."
        );

        app.page("/paper/999999/cite.bib", StatusCode::NOT_FOUND)
            .await;
        app.page("/paper/abc/cite.ris", StatusCode::BAD_REQUEST)
            .await;

        // The paper page links the downloads and carries the tags reference managers read.
        let body = app.page(&format!("/paper/{id}"), StatusCode::OK).await;
        assert!(body.contains(&format!("href=\"/paper/{id}/cite.bib\"")));
        assert!(body.contains(&format!("href=\"/paper/{id}/cite.ris\"")));
        assert!(body.contains(&format!("href=\"/paper/{id}/cite.json\"")));
        assert!(
            body.contains("<meta name=\"citation_title\" content=\"Attention Is All You Need\">")
        );
        assert!(body.contains("<meta name=\"citation_author\" content=\"Ashish Vaswani\">"));
        assert!(body.contains("<meta name=\"citation_author\" content=\"Noam Shazeer\">"));
        assert!(body.contains("<meta name=\"citation_publication_date\" content=\"2017\">"));
        assert!(body.contains("<meta name=\"citation_doi\" content=\"10.5555/3295222.3295349\">"));
        assert!(body.contains("<meta name=\"citation_arxiv_id\" content=\"1706.03762\">"));
        assert!(body.contains(
            "<meta name=\"citation_pdf_url\" content=\"https://arxiv.org/pdf/1706.03762\">"
        ));
        assert!(
            body.contains("<span class=\"Z3988\" title=\"ctx_ver=Z39.88-2004&#38;rft_val_fmt=")
        );
        assert!(body.contains("rft.atitle=Attention%20Is%20All%20You%20Need"));
    }
}

#[tokio::test]
async fn hostile_titles_are_escaped_in_tags() {
    for app in apps().await {
        let id = app
            .paper("1706.03762", HOSTILE_TITLE, &["O'Brien <b>"], None)
            .await;
        let body = app.page(&format!("/paper/{id}"), StatusCode::OK).await;
        let tag = body
            .lines()
            .find(|l| l.contains("name=\"citation_title\""))
            .expect("title tag");
        assert!(!tag.contains("<script>"), "[{}] {tag}", app.db);
        assert!(
            tag.contains("&#60;script&#62;") && tag.contains("&#34;quoted&#34;"),
            "{tag}"
        );
        // One attribute, closed where it should be: nothing after the content value.
        assert!(tag.trim_end().ends_with("\">"), "{tag}");
        assert_eq!(tag.matches("content=").count(), 1);
        let author = body
            .lines()
            .find(|l| l.contains("name=\"citation_author\""))
            .expect("author tag");
        assert!(author.contains("O&#39;Brien &#60;b&#62;"), "{author}");
        // The COinS title is percent-encoded: no raw quote or angle bracket inside.
        let coins = body.split("class=\"Z3988\" title=\"").nth(1).unwrap();
        let coins = &coins[..coins.find('"').unwrap()];
        assert!(!coins.contains('<') && !coins.contains('>'), "{coins}");
        // And the BibTeX escapes TeX specials.
        let bib = app
            .page(&format!("/paper/{id}/cite.bib"), StatusCode::OK)
            .await;
        assert!(bib.contains(r"\{braces\} 50\% \$x\_1\^{}2\$ \textbackslash{}emph\{y\} -{}- \textasciitilde{} \# Ünïcödé"), "{bib}");
    }
}

#[tokio::test]
async fn user_bibliography_lists_public_named_summaries_only() {
    for app in apps().await {
        app.paper(
            "1706.03762",
            "Attention Is All You Need",
            &["Ashish Vaswani"],
            None,
        )
        .await;
        app.paper(
            "1512.03385",
            "Deep Residual Learning",
            &["Kaiming He"],
            None,
        )
        .await;
        app.paper(
            "1406.2661",
            "Generative Adversarial Networks",
            &["Ian Goodfellow"],
            None,
        )
        .await;
        app.summary("1706.03762", "ada", "Public.", false, false)
            .await;
        app.summary("1512.03385", "ada", "Private.", true, false)
            .await;
        app.summary("1406.2661", "ada", "Anonymous.", false, true)
            .await;

        let response = app.get("/user/ada/papers.bib").await;
        assert_eq!(response.status(), StatusCode::OK, "[{}]", app.db);
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "application/x-bibtex; charset=utf-8"
        );
        assert!(header_of(&response, header::CONTENT_DISPOSITION).contains("ada-papers.bib"));
        let bib = text(response).await;
        assert!(bib.contains("Attention Is All You Need"));
        assert!(
            !bib.contains("Deep Residual"),
            "[{}] private leaked",
            app.db
        );
        assert!(!bib.contains("Generative"), "[{}] anonymous leaked", app.db);
        app.page("/user/nobody/papers.bib", StatusCode::NOT_FOUND)
            .await;
    }
}
