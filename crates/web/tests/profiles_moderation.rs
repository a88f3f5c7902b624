//! Profiles and moderation through the router, on every test database: profile edits
//! (hostile names and bios stay inert), avatars, scores, owner-only vote lists, the
//! directory, and report → queue → hide → restore, suspension, the audit log, and who
//! may do what.

mod common;

use axum::http::{StatusCode, header};
use common::{App, Browser, Who, apps, location, text};
use shortscience_ids::SummaryId;
use shortscience_store::{ProfileUpdate, Role, SummaryWrite};

impl App {
    /// A summary saved through the store (the writing pages are tested elsewhere).
    async fn summary(&self, who: &Who, arxiv: &str, text: &str, anonymous: bool) -> SummaryId {
        let paper = common::arxiv_paper(&self.store, arxiv, &format!("Paper {arxiv}")).await;
        let w = SummaryWrite {
            anonymous,
            ..common::summary_write(paper, who.id, text)
        };
        self.store.save_summary(&w).await.unwrap().0
    }
}

/// No script runs from this HTML: no script element but ours, no event-handler
/// attribute, no script URL, no element that loads other documents.
fn assert_inert(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find('<') {
        let tag_and_more = &rest[at + 1..];
        let end = tag_and_more.find('>').unwrap_or(tag_and_more.len());
        let tag = &tag_and_more[..end];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match name.as_str() {
            "script" => assert!(tag.contains("src=\"/static/"), "{what}: <{tag}>"),
            "iframe" | "object" | "embed" | "base" | "style" | "frame" | "svg" | "math"
                if !tag.contains("xmlns=\"http://www.w3.org/1998/math/mathml\"") =>
            {
                panic!("{what}: <{tag}>")
            }
            _ => {}
        }
        if !name.is_empty() {
            for (attr, value) in attributes(&tag[name.len()..]) {
                assert!(!attr.starts_with("on"), "{what}: {attr} in <{tag}>");
                let url_attr = matches!(
                    attr.as_str(),
                    "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster"
                );
                let v = if url_attr { value.trim_start() } else { "" };
                for scheme in ["javascript:", "vbscript:", "data:text/html"] {
                    assert!(!v.starts_with(scheme), "{what}: {scheme} in <{tag}>");
                }
            }
        }
        rest = &tag_and_more[end..];
    }
}

/// Attribute names and values of a tag's inside, quoted values skipped as a whole.
fn attributes(inside: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = inside.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '=' | '/') {
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        let mut value = String::new();
        if chars.get(i) == Some(&'=') {
            i += 1;
            match chars.get(i) {
                Some(&q @ ('"' | '\'')) => {
                    i += 1;
                    while i < chars.len() && chars[i] != q {
                        value.push(chars[i]);
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < chars.len() && !chars[i].is_whitespace() {
                        value.push(chars[i]);
                        i += 1;
                    }
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn xss_payloads() -> Vec<String> {
    common::xss_lists()
        .iter()
        .flat_map(|p| {
            String::from_utf8_lossy(&std::fs::read(p).unwrap())
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[tokio::test]
async fn profile_edit_shows_on_the_user_page_and_refuses_bad_input() {
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let form = t.page("/settings/profile", Some(&ada)).await;
        assert!(form.contains("name=\"display_name\""), "[{db}]");
        let r = t
            .post(
                "/settings/profile",
                Some(&ada),
                &[
                    ("display_name", "  Ada Lovelace "),
                    ("bio", "Counts **Bernoulli** numbers, $x^2$."),
                    ("orcid", "https://orcid.org/0000-0002-1825-0097"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), "/settings/profile?saved=1");
        let page = t.page("/user/ada", None).await;
        assert!(page.contains("<h1>Ada Lovelace</h1>"), "[{db}]");
        assert!(
            page.contains("<strong>Bernoulli</strong>"),
            "[{db}] bio rendered"
        );
        assert!(page.contains("<math"), "[{db}] maths rendered");
        assert!(
            page.contains("href=\"https://orcid.org/0000-0002-1825-0097\""),
            "[{db}] ORCID link"
        );
        assert!(page.contains("/user/ada/avatar.svg"), "[{db}] avatar");
        // Owner tabs only for the owner.
        assert!(!page.contains("/user/ada/liked"), "[{db}]");
        assert!(
            t.page("/user/ada", Some(&ada))
                .await
                .contains("/user/ada/liked")
        );

        for (field, value) in [
            ("display_name", ""),
            ("display_name", "bell\u{7}"),
            ("orcid", "0000-0002-1825-0098"),
            ("bio", &"x".repeat(5_001)),
        ] {
            let mut fields = vec![("display_name", "Ada"), ("bio", ""), ("orcid", "")];
            fields.retain(|(k, _)| *k != field);
            fields.push((field, value));
            let r = t.post("/settings/profile", Some(&ada), &fields).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}] {field}");
        }
        let page = t.page("/user/ada", None).await;
        assert!(
            page.contains("<h1>Ada Lovelace</h1>"),
            "[{db}] refused edits change nothing"
        );

        // Guests go to the login page.
        let r = t.get("/settings/profile", None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");
        let r = t
            .post("/settings/profile", None, &[("display_name", "x")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");
    }
}

#[tokio::test]
async fn hostile_display_names_and_bios_render_inert() {
    let payloads = xss_payloads();
    for t in apps().await {
        let db = t.db;
        let eve = t.user("eve", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        t.summary(&eve, "1609.00150", "text", false).await;
        // A handful through the form (each POST counts against the write limit) ...
        for p in payloads.iter().take(5) {
            let name: String = p.chars().filter(|c| !c.is_control()).take(80).collect();
            let r = t
                .post(
                    "/settings/profile",
                    Some(&eve),
                    &[("display_name", &name), ("bio", p), ("orcid", "")],
                )
                .await;
            let status = r.status();
            assert!(
                status == StatusCode::SEE_OTHER || status == StatusCode::BAD_REQUEST,
                "[{db}] {status}"
            );
            assert_inert(&text(r).await, &format!("[{db}] form answer {p}"));
            let page = t.page("/user/eve", Some(&bob)).await;
            assert_inert(&page, &format!("[{db}] user page {p}"));
        }
        // ... and every payload as display name and bio, rendered as the form does.
        for p in &payloads {
            let name: String = p.chars().filter(|c| !c.is_control()).take(80).collect();
            if name.trim().is_empty() {
                continue;
            }
            let bio_html = shortscience_render::render(p, &shortscience_render::NoPapers)
                .map(|r| r.html)
                .unwrap_or_default();
            t.store
                .update_profile(
                    eve.id,
                    &ProfileUpdate {
                        display_name: name,
                        bio_markdown: p.clone(),
                        bio_html,
                        orcid: None,
                    },
                )
                .await
                .unwrap();
            for uri in ["/user/eve", "/users"] {
                let page = t.page(uri, None).await;
                assert_inert(&page, &format!("[{db}] {uri} {p}"));
            }
        }
    }
}

#[tokio::test]
async fn avatars_are_local_deterministic_svgs() {
    for t in apps().await {
        let db = t.db;
        t.user("ada", Role::User).await;
        let r = t.get("/user/ada/avatar.svg", None).await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert!(
            r.headers()[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age"),
            "[{db}]"
        );
        let csp = r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'none'"), "[{db}] {csp}");
        let svg = text(r).await;
        assert!(svg.starts_with("<svg"), "[{db}]");
        assert!(!svg.contains("script") && !svg.contains("href"), "[{db}]");
        assert_eq!(svg, text(t.get("/user/ADA/avatar.svg", None).await).await);
        assert_eq!(
            t.get("/user/nobody/avatar.svg", None).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn anonymous_summaries_show_no_avatar_and_do_not_count() {
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let public = t.summary(&ada, "1609.00150", "public one", false).await;
        let anon = t.summary(&ada, "1609.00151", "anonymous one", true).await;
        t.store.set_vote(bob.id, anon, 1).await.unwrap();
        let _ = public;
        let page = t.page(&format!("/summary/{anon}"), Some(&bob)).await;
        assert!(
            !page.contains("/user/ada"),
            "[{db}] anonymous summary names nobody"
        );
        let user = t.page("/user/ada", None).await;
        assert!(
            user.contains("score 0"),
            "[{db}] the anonymous up-vote does not count"
        );
        assert!(!user.contains("anonymous one"), "[{db}]");
        let dir = t.page("/users", None).await;
        assert!(dir.contains("/user/ada\">ada</a>") || dir.contains("href=\"/user/ada\""));
    }
}

#[tokio::test]
async fn liked_and_disliked_are_for_their_owner_only() {
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let mods = t.user("mod", Role::Moderator).await;
        let admin = t.user("root", Role::Admin).await;
        let s1 = t.summary(&ada, "1609.00150", "liked text", false).await;
        let s2 = t.summary(&ada, "1609.00151", "disliked text", false).await;
        t.store.set_vote(bob.id, s1, 1).await.unwrap();
        t.store.set_vote(bob.id, s2, -1).await.unwrap();
        let liked = t.page("/user/bob/liked", Some(&bob)).await;
        assert!(
            liked.contains("liked text") && !liked.contains("disliked text"),
            "[{db}]"
        );
        let disliked = t.page("/user/bob/disliked", Some(&bob)).await;
        assert!(disliked.contains("disliked text"), "[{db}]");
        for who in [None, Some(&ada), Some(&mods), Some(&admin)] {
            for list in ["liked", "disliked"] {
                let r = t.get(&format!("/user/bob/{list}"), who).await;
                assert_eq!(
                    r.status(),
                    StatusCode::NOT_FOUND,
                    "[{db}] {list} as {:?}",
                    who.map(|w| &w.name)
                );
            }
        }
    }
}

#[tokio::test]
async fn report_queue_hide_restore_suspend_and_log() {
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let mods = t.user("mod", Role::Moderator).await;
        let s = t
            .summary(&ada, "1609.00150", "buy cheap pills", false)
            .await;
        let sid = s.0.to_string();

        let seen = t.page(&format!("/summary/{s}"), Some(&bob)).await;
        assert!(
            seen.contains("action=\"/report\""),
            "[{db}] report form for readers"
        );
        let own = t.page(&format!("/summary/{s}"), Some(&ada)).await;
        assert!(
            !own.contains("name=\"kind\" value=\"summary\""),
            "[{db}] not on your own"
        );
        // Bob reports; the moderator sees it in the queue with the content.
        let r = t
            .post(
                "/report",
                Some(&bob),
                &[
                    ("kind", "summary"),
                    ("id", &sid),
                    ("reason", "spam <b>!</b>"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        assert!(
            t.page("/about", Some(&mods))
                .await
                .contains("href=\"/moderation\"")
        );
        assert!(
            !t.page("/about", Some(&bob))
                .await
                .contains("href=\"/moderation\"")
        );
        let queue = t.page("/moderation", Some(&mods)).await;
        assert!(
            queue.contains("buy cheap pills"),
            "[{db}] content in the queue"
        );
        assert!(
            queue.contains("spam &lt;b&gt;!&lt;/b&gt;") || queue.contains("spam &#60;b&#62;"),
            "[{db}] reason escaped"
        );

        // Hide: gone for guests and other users, kept for the author.
        let r = t
            .post(
                "/moderation/act",
                Some(&mods),
                &[
                    ("action", "hide"),
                    ("kind", "summary"),
                    ("id", &sid),
                    ("reason", "spam"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(
            t.get(&format!("/summary/{s}"), None).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&format!("/summary/{s}"), Some(&bob)).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&format!("/summary/{s}"), Some(&ada)).await.status(),
            StatusCode::OK
        );
        assert!(
            !t.page("/?list=recent", None)
                .await
                .contains("buy cheap pills"),
            "[{db}]"
        );
        assert!(
            !t.page("/user/ada", None).await.contains("buy cheap pills"),
            "[{db}]"
        );
        assert!(
            t.page("/user/ada", Some(&ada))
                .await
                .contains("buy cheap pills"),
            "[{db}]"
        );
        let own = t.page(&format!("/summary/{s}"), Some(&ada)).await;
        assert!(
            own.contains("hidden by a moderator"),
            "[{db}] the author is told"
        );
        // The report was answered by the action.
        assert!(
            !t.page("/moderation", Some(&mods))
                .await
                .contains("buy cheap pills")
        );

        // Restore.
        let r = t
            .post(
                "/moderation/act",
                Some(&mods),
                &[
                    ("action", "restore"),
                    ("kind", "summary"),
                    ("id", &sid),
                    ("reason", "ok"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(
            t.get(&format!("/summary/{s}"), None).await.status(),
            StatusCode::OK
        );

        // Suspend: the session ends and logging in is refused.
        let uid = bob.id.0.to_string();
        t.post(
            "/report",
            Some(&ada),
            &[("kind", "user"), ("id", &uid), ("reason", "troll")],
        )
        .await;
        let r = t
            .post(
                "/moderation/act",
                Some(&mods),
                &[
                    ("action", "suspend"),
                    ("kind", "user"),
                    ("id", &uid),
                    ("reason", "troll"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        let acct = t.store.account(bob.id).await.unwrap().unwrap();
        assert!(!acct.can_log_in(), "[{db}] suspended");
        assert_eq!(
            t.get("/settings/profile", Some(&bob)).await.status(),
            StatusCode::SEE_OTHER
        );
        t.post(
            "/moderation/act",
            Some(&mods),
            &[("action", "unsuspend"), ("kind", "user"), ("id", &uid)],
        )
        .await;
        assert!(
            t.store.account(bob.id).await.unwrap().unwrap().can_log_in(),
            "[{db}]"
        );

        // A report dismissed.
        t.post(
            "/report",
            Some(&ada),
            &[("kind", "user"), ("id", &uid), ("reason", "again")],
        )
        .await;
        let rid = t.store.open_reports(10).await.unwrap()[0].id.to_string();
        let r = t
            .post(
                "/moderation/act",
                Some(&mods),
                &[("action", "dismiss"), ("id", &rid)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(t.store.open_reports(10).await.unwrap().is_empty(), "[{db}]");

        // Every action is in the log, newest first.
        let log = t.page("/moderation/log", Some(&mods)).await;
        let order: Vec<usize> = ["dismiss", "unsuspend", "suspend", "restore", "hide"]
            .iter()
            .map(|a| {
                log.find(&format!("<td>{a}</td>"))
                    .unwrap_or_else(|| panic!("[{db}] {a} logged"))
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "[{db}] newest first");

        // Comments: reported, hidden (a stub for everyone), restored.
        let c = t
            .store
            .add_comment(
                &shortscience_store::CommentWrite {
                    summary: s,
                    parent: None,
                    author: bob.id,
                    markdown: "rude words".into(),
                    html: "<p>rude words</p>".into(),
                    renderer_version: 1,
                },
                None,
            )
            .await
            .unwrap();
        let cid = c.0.to_string();
        let r = t
            .post(
                "/report",
                Some(&ada),
                &[("kind", "comment"), ("id", &cid), ("reason", "rude")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        assert!(
            t.page("/moderation", Some(&mods))
                .await
                .contains("rude words"),
            "[{db}]"
        );
        let hide_c = [
            ("action", "hide"),
            ("kind", "comment"),
            ("id", cid.as_str()),
        ];
        assert_eq!(
            t.post("/moderation/act", Some(&mods), &hide_c)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let page = t.page(&format!("/summary/{s}"), None).await;
        assert!(!page.contains("rude words"), "[{db}] hidden comment gone");
        assert!(page.contains("hidden by a moderator"), "[{db}] stub");
        let restore_c = [
            ("action", "restore"),
            ("kind", "comment"),
            ("id", cid.as_str()),
        ];
        t.post("/moderation/act", Some(&mods), &restore_c).await;
        assert!(
            t.page(&format!("/summary/{s}"), None)
                .await
                .contains("rude words")
        );
        let log = t.page("/moderation/log", Some(&mods)).await;
        assert_eq!(
            log.matches(&format!("<td>comment {cid}</td>")).count(),
            2,
            "[{db}]"
        );

        // Bad reports: unknown kind, missing target, reason too long.
        for fields in [
            vec![("kind", "paper"), ("id", "1"), ("reason", "x")],
            vec![("kind", "summary"), ("id", "x"), ("reason", "x")],
            vec![
                ("kind", "summary"),
                ("id", &sid),
                ("reason", &"x".repeat(1_001)),
            ],
        ] {
            assert_eq!(
                t.post("/report", Some(&ada), &fields).await.status(),
                StatusCode::BAD_REQUEST,
                "[{db}] {fields:?}"
            );
        }
        let r = t
            .post(
                "/report",
                Some(&ada),
                &[("kind", "summary"), ("id", "99999"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
    }
}

/// Method, URI, form fields (for POST), and the status expected for guest, other user,
/// owner, moderator and admin.
type Case<'a> = (
    &'a str,
    &'a str,
    Option<&'a Vec<(&'a str, &'a str)>>,
    [u16; 5],
);

/// Every route of this feature that changes state or shows moderation, tried as guest,
/// another user, the owner, a moderator and an admin.
#[tokio::test]
async fn authorization_matrix() {
    for t in apps().await {
        let db = t.db;
        let owner = t.user("owner", Role::User).await;
        let other = t.user("other", Role::User).await;
        let mods = t.user("mod", Role::Moderator).await;
        let admin = t.user("root", Role::Admin).await;
        let s = t.summary(&owner, "1609.00150", "text", false).await;
        let sid = s.0.to_string();
        let whos: [(&str, Option<&Who>); 5] = [
            ("guest", None),
            ("other", Some(&other)),
            ("owner", Some(&owner)),
            ("moderator", Some(&mods)),
            ("admin", Some(&admin)),
        ];
        const LOGIN: u16 = 303;
        // (method, uri, fields, expected per guest/other/owner/moderator/admin)
        let hide: Vec<(&str, &str)> = vec![("action", "hide"), ("kind", "summary"), ("id", &sid)];
        let restore: Vec<(&str, &str)> =
            vec![("action", "restore"), ("kind", "summary"), ("id", &sid)];
        let report: Vec<(&str, &str)> =
            vec![("kind", "summary"), ("id", &sid), ("reason", "check")];
        let profile: Vec<(&str, &str)> = vec![("display_name", "Name"), ("bio", ""), ("orcid", "")];
        let cases: Vec<Case> = vec![
            ("GET", "/moderation", None, [LOGIN, 403, 403, 200, 200]),
            ("GET", "/moderation/log", None, [LOGIN, 403, 403, 200, 200]),
            (
                "POST",
                "/moderation/act",
                Some(&hide),
                [LOGIN, 403, 403, 303, 303],
            ),
            (
                "POST",
                "/moderation/act",
                Some(&restore),
                [LOGIN, 403, 403, 303, 303],
            ),
            (
                "POST",
                "/report",
                Some(&report),
                [LOGIN, 200, 200, 200, 200],
            ),
            (
                "GET",
                "/settings/profile",
                None,
                [LOGIN, 200, 200, 200, 200],
            ),
            (
                "POST",
                "/settings/profile",
                Some(&profile),
                [LOGIN, 303, 303, 303, 303],
            ),
            ("GET", "/user/owner/liked", None, [404, 404, 200, 404, 404]),
            (
                "GET",
                "/user/owner/disliked",
                None,
                [404, 404, 200, 404, 404],
            ),
            ("GET", "/user/owner", None, [200, 200, 200, 200, 200]),
            ("GET", "/users", None, [200, 200, 200, 200, 200]),
            (
                "GET",
                "/user/owner/avatar.svg",
                None,
                [200, 200, 200, 200, 200],
            ),
        ];
        for (method, uri, fields, expected) in &cases {
            for ((who_name, who), want) in whos.iter().zip(expected) {
                let r = match fields {
                    Some(f) if *method == "POST" => t.post(uri, *who, f).await,
                    _ => t.get(uri, *who).await,
                };
                assert_eq!(
                    r.status().as_u16(),
                    *want,
                    "[{db}] {method} {uri} as {who_name}"
                );
                if *want == LOGIN && who.is_none() {
                    assert!(location(&r).starts_with("/login"), "[{db}] {uri}");
                }
            }
        }
        // Suspending: a moderator may not suspend an admin or moderator; an admin may.
        let mid = mods.id.0.to_string();
        let suspend: Vec<(&str, &str)> =
            vec![("action", "suspend"), ("kind", "user"), ("id", &mid)];
        assert_eq!(
            t.post("/moderation/act", Some(&mods), &suspend)
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "[{db}] not themselves"
        );
        let aid = admin.id.0.to_string();
        let suspend_admin: Vec<(&str, &str)> =
            vec![("action", "suspend"), ("kind", "user"), ("id", &aid)];
        assert_eq!(
            t.post("/moderation/act", Some(&mods), &suspend_admin)
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "[{db}]"
        );
        let oid = other.id.0.to_string();
        let suspend_other: Vec<(&str, &str)> =
            vec![("action", "suspend"), ("kind", "user"), ("id", &oid)];
        assert_eq!(
            t.post("/moderation/act", Some(&other), &suspend_other)
                .await
                .status(),
            StatusCode::FORBIDDEN,
            "[{db}]"
        );
        assert_eq!(
            t.post("/moderation/act", Some(&admin), &suspend)
                .await
                .status(),
            StatusCode::SEE_OTHER,
            "[{db}] admin suspends a moderator"
        );
        assert_eq!(
            t.post("/moderation/act", Some(&mods), &suspend_other)
                .await
                .status()
                .as_u16(),
            LOGIN,
            "[{db}] the suspended moderator is logged out"
        );
    }
}
