//! Writing, voting and discussion through the router, on every test database: the
//! editor with its preview, revisions and diffs, deletion, private summaries and share
//! links, anonymity on every page, votes, threaded comments, who may do what, and
//! hostile text entered through the real forms.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{App, Browser, Who, apps, location, text};
use shortscience_ids::{PaperId, SummaryId, UserId};
use shortscience_store::Role;

impl App {
    async fn paper(&self, arxiv: &str, title: &str) -> PaperId {
        common::arxiv_paper(&self.store, arxiv, title).await
    }

    /// Saves through the form; returns the summary id from the redirect.
    async fn write(&self, who: &Who, paper: PaperId, markdown: &str, flags: &[&str]) -> SummaryId {
        let mut fields = vec![("markdown", markdown), ("action", "save")];
        for f in flags {
            fields.push((f, "1"));
        }
        let r = self
            .post(&format!("/paper/{paper}/write"), Some(who), &fields)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}] save", self.db);
        let at = location(&r);
        let prefix = format!("/paper/{paper}#summary-");
        let id = at
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("[{}] redirect {at}", self.db));
        SummaryId(id.parse().unwrap())
    }

    async fn comment(&self, who: &Who, summary: SummaryId, parent: Option<i64>, text: &str) -> i64 {
        let parent = parent.map(|p| p.to_string()).unwrap_or_default();
        let r = self
            .post(
                &format!("/summary/{summary}/comment"),
                Some(who),
                &[("markdown", text), ("parent", &parent)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}] comment", self.db);
        let at = location(&r);
        at.rsplit_once("#comment-")
            .and_then(|(_, id)| id.parse().ok())
            .unwrap_or_else(|| panic!("[{}] redirect {at}", self.db))
    }

    async fn summaries(&self) -> i64 {
        self.store.counts().await.unwrap().summaries
    }
}

#[tokio::test]
async fn write_preview_save_edit_and_history() {
    for t in apps().await {
        let db = t.db;
        let p = t
            .paper("1609.00150", "Reward Augmented Maximum Likelihood")
            .await;
        let ada = t.user("ada", Role::User).await;

        let paper = t.page(&format!("/paper/{p}"), Some(&ada)).await;
        assert!(
            paper.contains(&format!("href=\"/paper/{p}/write\">Write a summary")),
            "[{db}]"
        );
        let guest = t.page(&format!("/paper/{p}"), None).await;
        assert!(guest.contains("Log in to write a summary"), "[{db}]");

        let form_page = t.page(&format!("/paper/{p}/write"), Some(&ada)).await;
        assert!(
            form_page.contains("<textarea id=\"markdown\" name=\"markdown\""),
            "[{db}]"
        );
        assert!(form_page.contains("/about#writing"), "[{db}]");
        assert!(form_page.contains("/static/editor.js"), "[{db}]");
        for want in [
            "name=\"private\"",
            "name=\"anonymous\"",
            "value=\"preview\"",
            "value=\"save\"",
        ] {
            assert!(form_page.contains(want), "[{db}] {want}");
        }

        // Preview renders with the real renderer and saves nothing.
        let md = "We learn $p_\\theta(y \\mid x)$.\n\nSecond line <b>raw</b>.";
        let r = t
            .post(
                &format!("/paper/{p}/write"),
                Some(&ada),
                &[("markdown", md), ("action", "preview")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        let body = text(r).await;
        assert!(
            body.contains("<math"),
            "[{db}] maths rendered in the preview"
        );
        assert!(
            body.contains("&lt;b&gt;raw"),
            "[{db}] raw HTML shown as text"
        );
        assert!(body.contains("Second line"), "[{db}]");
        assert_eq!(t.summaries().await, 0, "[{db}] preview saved nothing");

        // Save: a summary and its first revision; the paper page links to its place.
        let id = t.write(&ada, p, md, &[]).await;
        let revs = t.store.revisions(id, None, None).await.unwrap().unwrap();
        assert_eq!(revs.len(), 1, "[{db}]");
        let paper = t.page(&format!("/paper/{p}"), Some(&ada)).await;
        assert!(paper.contains("Edit your summary"), "[{db}]");
        assert!(paper.contains(&format!("id=\"summary-{id}\"")), "[{db}]");
        let edit = t.page(&format!("/paper/{p}/write"), Some(&ada)).await;
        assert!(
            edit.contains("We learn $p_\\theta"),
            "[{db}] the form holds the text"
        );

        // The same user writing again edits the one summary; each change is a revision.
        let md2 = "We learn $p_\\theta(y \\mid x)$.\n\nA new & better line.";
        let again = t.write(&ada, p, md2, &[]).await;
        assert_eq!(again, id, "[{db}] one summary per user per paper");
        assert_eq!(t.summaries().await, 1, "[{db}]");
        let revs = t.store.revisions(id, None, None).await.unwrap().unwrap();
        assert_eq!(revs.len(), 2, "[{db}]");

        // The history page diffs the last two versions by default.
        let history = t.page(&format!("/summary/{id}/revisions"), None).await;
        assert!(
            history.contains("Changes from version 1 to version 2"),
            "[{db}]"
        );
        let removed = "<del class=\"diff-line diff-del\"><span class=\"diff-sign\" aria-hidden=\"true\">−</span>Second line ";
        let at = history.find(removed).expect("the removed line is marked") + removed.len();
        let line = &history[at..at + history[at..].find("</del>").unwrap()];
        assert!(
            line.contains("raw") && !line.contains('<'),
            "[{db}] escaped: {line}"
        );
        assert!(
            history.contains("<ins class=\"diff-line diff-add\"><span class=\"diff-sign\" aria-hidden=\"true\">+</span>A new &#38; better line.</ins>"),
            "[{db}] added line, escaped"
        );
        assert!(
            history.contains(">1 line added</span>, <span class=\"diff-stat-del\">1 line removed<"),
            "[{db}]"
        );
        assert!(
            history.contains(">ada</a>"),
            "[{db}] editor named on a named summary"
        );
        // Any two versions, in either order; unknown versions are 404, junk 400.
        let (a, b) = (revs[0].id, revs[1].id);
        let back = t
            .page(&format!("/summary/{id}/revisions?from={b}&to={a}"), None)
            .await;
        assert!(
            back.contains("Changes from version 2 to version 1"),
            "[{db}]"
        );
        assert!(back.contains("A new &#38; better line.</del>"), "[{db}]");
        let r = t
            .get(&format!("/summary/{id}/revisions?from=999999"), None)
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        let r = t
            .get(&format!("/summary/{id}/revisions?to=abc"), None)
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}]");
    }
}

#[tokio::test]
async fn refused_texts_come_back_with_the_reason() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let deep = format!(
            "fine\n\nstill fine\n\n${}x{}$",
            "{".repeat(300),
            "}".repeat(300)
        );
        for action in ["save", "preview"] {
            let r = t
                .post(
                    &format!("/paper/{p}/write"),
                    Some(&ada),
                    &[("markdown", &deep), ("action", action)],
                )
                .await;
            assert_eq!(
                r.status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "[{db}] {action}"
            );
            let body = text(r).await;
            assert!(body.contains("Line 5:"), "[{db}] names the line: {body}");
            assert!(body.contains("Nothing was saved."), "[{db}]");
            assert!(
                body.contains("still fine"),
                "[{db}] the text is kept in the form"
            );
        }
        let r = t
            .post(
                &format!("/paper/{p}/write"),
                Some(&ada),
                &[("markdown", "  \n"), ("action", "save")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{db}]");
        let too_long = "x".repeat(shortscience_render::MAX_SOURCE_BYTES + 1);
        let r = t
            .post(
                &format!("/paper/{p}/write"),
                Some(&ada),
                &[("markdown", &too_long), ("action", "save")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{db}]");
        let r = t
            .post(
                &format!("/paper/{p}/write"),
                Some(&ada),
                &[("markdown", "x"), ("action", "publish-now")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}]");
        assert_eq!(t.summaries().await, 0, "[{db}] nothing saved");
        let r = t.get("/paper/999999/write", Some(&ada)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
    }
}

#[tokio::test]
async fn live_preview_returns_the_fragment() {
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let r = t
            .post(
                "/preview",
                Some(&ada),
                &[("markdown", "Hi $x^2$ and $\\frac{1}{$")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        let body = text(r).await;
        assert!(
            body.starts_with("<div class=\"prose preview-body\">"),
            "[{db}] {body:?}"
        );
        assert!(body.contains("<math"), "[{db}]");
        assert!(
            body.contains("preview-warnings"),
            "[{db}] warnings beside the preview"
        );
        assert!(!body.contains("<html"), "[{db}] a fragment, not a page");

        let r = t.post("/preview", None, &[("markdown", "x")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let deep = format!("${}x{}$", "{".repeat(300), "}".repeat(300));
        let r = t.post("/preview", Some(&ada), &[("markdown", &deep)]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{db}]");
        assert!(text(r).await.contains("Line 1:"), "[{db}]");
        // Previews have their own allowance: many in a row do not use up the writes.
        for _ in 0..40 {
            let r = t
                .post("/preview", Some(&ada), &[("markdown", "typing")])
                .await;
            assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        }
        let p = t.paper("1609.00150", "A paper").await;
        t.write(&ada, p, "saved after typing", &[]).await;
    }
}

#[tokio::test]
async fn deleting_takes_everything_and_writing_again_starts_clean() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let id = t.write(&ada, p, "first", &[]).await;
        t.write(&ada, p, "second", &[]).await;
        let r = t
            .post(
                &format!("/summary/{id}/vote"),
                Some(&bob),
                &[("value", "up")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        t.comment(&bob, id, None, "a comment that must not come back")
            .await;

        // Only the author sees the confirmation or can delete.
        let confirm = t.page(&format!("/summary/{id}/delete"), Some(&ada)).await;
        assert!(confirm.contains("its 1 vote"), "[{db}] {confirm}");
        assert!(confirm.contains("1 comment"), "[{db}]");
        assert!(confirm.contains("2 saved versions"), "[{db}]");
        let r = t.get(&format!("/summary/{id}/delete"), Some(&bob)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let r = t
            .post(&format!("/summary/{id}/delete"), Some(&bob), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let r = t.post(&format!("/summary/{id}/delete"), None, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");
        assert_eq!(t.summaries().await, 1, "[{db}] refusals deleted nothing");

        let r = t
            .post(&format!("/summary/{id}/delete"), Some(&ada), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), format!("/paper/{p}"));
        assert_eq!(
            t.get(&format!("/summary/{id}"), Some(&ada)).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            t.get(&format!("/summary/{id}/revisions"), Some(&ada))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // Written again: nothing of the old one reappears.
        let again = t.write(&ada, p, "third", &[]).await;
        assert_ne!(again, id, "[{db}]");
        let page = t.page(&format!("/summary/{again}"), Some(&bob)).await;
        assert!(!page.contains("must not come back"), "[{db}]");
        assert!(page.contains("No comments yet."), "[{db}]");
        assert!(
            page.contains("aria-pressed=\"false\""),
            "[{db}] bob's old vote is gone"
        );
        let v = t.store.summary(again, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down), (0, 0), "[{db}]");
        let history = t.page(&format!("/summary/{again}/revisions"), None).await;
        assert!(history.contains("1 version"), "[{db}]");
        assert!(
            !history.contains("first") && !history.contains("second"),
            "[{db}]"
        );
    }
}

/// The secret from the share page: `…/summary/ID?share=SECRET`.
fn share_secret(page: &str) -> String {
    let at = page.find("?share=").expect("a share link") + "?share=".len();
    page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn private_summaries_and_share_links() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let id = t.write(&ada, p, "my private notes", &["private"]).await;
        let url = format!("/summary/{id}");

        let own = t.page(&url, Some(&ada)).await;
        assert!(
            own.contains("my private notes") && own.contains("Make a share link"),
            "[{db}]"
        );
        assert!(
            own.contains("name=\"robots\" content=\"noindex\""),
            "[{db}] never indexed"
        );
        for who in [None, Some(&bob)] {
            assert_eq!(
                t.get(&url, who).await.status(),
                StatusCode::NOT_FOUND,
                "[{db}]"
            );
            let paper = t.page(&format!("/paper/{p}"), who).await;
            assert!(!paper.contains("my private notes"), "[{db}]");
            let r = t.get(&format!("{url}/revisions"), who).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        }
        // Only the author can make a link; bob cannot even tell the summary exists.
        let r = t.post(&format!("{url}/share"), Some(&bob), &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");

        let r = t.post(&format!("{url}/share"), Some(&ada), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        assert_eq!(
            r.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "[{db}]"
        );
        let secret = share_secret(&text(r).await);
        assert_eq!(secret.len(), 43, "[{db}] 32 random bytes");
        let shared = format!("{url}?share={secret}");
        for who in [None, Some(&bob)] {
            let page = t.page(&shared, who).await;
            assert!(page.contains("my private notes"), "[{db}]");
            assert!(
                !page.contains(&format!("{url}/share\"")),
                "[{db}] no share controls"
            );
            t.page(&format!("{url}/revisions?share={secret}"), who)
                .await;
        }
        // A share holder who is signed in may comment; the thread keeps the secret.
        let r = t
            .post(
                &format!("{url}/comment"),
                Some(&bob),
                &[("markdown", "thanks for sharing"), ("share", &secret)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(
            location(&r).starts_with(&format!("{shared}#comment-")),
            "[{db}]"
        );
        let r = t
            .post(
                &format!("{url}/comment"),
                Some(&bob),
                &[("markdown", "no secret")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        // A wrong secret opens nothing.
        let wrong = format!("{url}?share={}", "A".repeat(43));
        assert_eq!(
            t.get(&wrong, None).await.status(),
            StatusCode::NOT_FOUND,
            "[{db}]"
        );

        // Revoked: closed again, comments included.
        let page = t.page(&url, Some(&ada)).await;
        assert!(page.contains("Stop sharing"), "[{db}]");
        let r = t
            .post(&format!("{url}/share/revoke"), Some(&ada), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(
            t.get(&shared, None).await.status(),
            StatusCode::NOT_FOUND,
            "[{db}]"
        );
        assert_eq!(
            t.get(&shared, Some(&bob)).await.status(),
            StatusCode::NOT_FOUND
        );
        assert!(
            t.page(&url, Some(&ada))
                .await
                .contains("thanks for sharing"),
            "[{db}]"
        );

        // Public summaries need no share link; private ones take no votes.
        let r = t
            .post(&format!("{url}/vote"), Some(&bob), &[("value", "up")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
    }
}

/// Pages, as `who` sees them, where an anonymous author could leak.
async fn pages_to_check(
    t: &App,
    p: PaperId,
    id: SummaryId,
    who: Option<&Who>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for uri in [
        "/".to_owned(),
        "/?list=recent".to_owned(),
        "/?list=top".to_owned(),
        format!("/paper/{p}"),
        format!("/paper/{p}?sort=new"),
        format!("/paper/{p}?sort=top"),
        format!("/summary/{id}"),
        format!("/summary/{id}/revisions"),
        "/search?q=anonymity".to_owned(),
        "/about".to_owned(),
    ] {
        let body = t.page(&uri, who).await;
        out.push((uri, body));
    }
    out
}

#[tokio::test]
async fn anonymous_authors_appear_nowhere() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper on anonymity").await;
        let zq = t.user("zqwriter", Role::User).await;
        // A distinctive id and display name to search every page for.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(zq.id.0)
            .execute(t.store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE users SET id = 987654, display_name = 'Zelda Quill' WHERE id = $1")
            .bind(zq.id.0)
            .execute(t.store.pool())
            .await
            .unwrap();
        let zq = Who {
            id: UserId(987_654),
            name: zq.name,
            cookie: format!(
                "ss_session={}",
                t.store.create_session(UserId(987_654)).await.unwrap()
            ),
        };
        let bob = t.user("bob", Role::User).await;
        let id = t
            .write(&zq, p, "An anonymous take on anonymity.", &["anonymous"])
            .await;
        t.write(
            &zq,
            p,
            "An anonymous take on anonymity, revised.",
            &["anonymous"],
        )
        .await;
        let q = t.comment(&bob, id, None, "Who wrote this?").await;
        t.comment(&zq, id, Some(q), "The author, replying.").await;
        for who in [None, Some(&bob)] {
            for (uri, body) in pages_to_check(&t, p, id, who).await {
                for secret in ["zqwriter", "Zelda Quill", "987654"] {
                    assert!(
                        !body.contains(secret),
                        "[{db}] {secret} on {uri} (viewer {:?})",
                        who.map(|w| w.id)
                    );
                }
            }
            let comments = t.page(&format!("/summary/{id}"), who).await;
            assert!(comments.contains("The summary"), "[{db}]");
            assert!(
                comments.contains("s author</span>"),
                "[{db}] the reply is marked, unnamed"
            );
            assert!(comments.contains("Who wrote this?"), "[{db}]");
            let profile = t.page("/user/zqwriter", who).await;
            assert!(profile.contains("No public summaries yet."), "[{db}]");
            assert!(!profile.contains("anonymous take"), "[{db}]");
        }
        // A named summary elsewhere: the profile shows it, and still not the anonymous one.
        let other = t.paper("1706.03762", "Another paper").await;
        t.write(&zq, other, "Signed work.", &[]).await;
        for who in [None, Some(&bob)] {
            // The profile names the user (it is theirs) but never leads to the summary.
            let profile = t.page("/user/zqwriter", who).await;
            assert!(profile.contains("Signed work."), "[{db}]");
            assert!(!profile.contains(&format!("/summary/{id}\"")), "[{db}]");
            assert!(!profile.contains("anonymous take"), "[{db}]");
            assert!(profile.contains("1 summary"), "[{db}] counts leave it out");
        }
        // Old-style links that name the user do not point at the anonymous summary.
        let r = t
            .get("/paper?bibtexKey=journals/corr/1609.00150&a=zqwriter", None)
            .await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{db}]");
        assert_eq!(location(&r), format!("/paper/{p}"), "[{db}]");
        // Its author still sees their own name on it.
        let own = t.page(&format!("/summary/{id}"), Some(&zq)).await;
        assert!(own.contains("Zelda Quill"), "[{db}]");
    }
}

#[tokio::test]
async fn votes_show_state_counts_and_refuse_the_author() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let carol = t.user("carol", Role::User).await;
        let id = t.write(&ada, p, "worth a vote", &[]).await;
        let vote = format!("/summary/{id}/vote");

        let guest = t.page(&format!("/paper/{p}"), None).await;
        assert!(guest.contains("Log in to vote"), "[{db}]");
        assert!(
            !guest.contains(&format!("action=\"{vote}\"")),
            "[{db}] no buttons for guests"
        );
        let r = t.post(&vote, None, &[("value", "up")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");

        let r = t
            .post(
                &vote,
                Some(&bob),
                &[("value", "up"), ("back", &format!("/paper/{p}?sort=new"))],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(
            location(&r),
            format!("/paper/{p}?sort=new#summary-{id}"),
            "[{db}]"
        );
        let page = t.page(&format!("/paper/{p}"), Some(&bob)).await;
        assert!(
            page.contains(
                "name=\"value\" value=\"none\" class=\"vote-button vote-up\" aria-pressed=\"true\""
            ),
            "[{db}] pressed up button withdraws: {page}"
        );
        assert!(
            page.contains("value=\"down\" class=\"vote-button vote-down\" aria-pressed=\"false\"")
        );
        assert!(
            page.contains(">+1<span class=\"visually-hidden\"> net votes"),
            "[{db}]"
        );

        t.post(&vote, Some(&carol), &[("value", "down")]).await;
        t.post(&vote, Some(&bob), &[("value", "down")]).await;
        let v = t.store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down), (0, 2), "[{db}]");
        t.post(&vote, Some(&bob), &[("value", "none")]).await;
        let v = t.store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.down), (0, 1), "[{db}]");
        let page = t.page(&format!("/summary/{id}"), Some(&carol)).await;
        assert!(
            page.contains("value=\"none\" class=\"vote-button vote-down\" aria-pressed=\"true\"")
        );
        assert!(page.contains(">−1<span"), "[{db}]");

        // The author gets a clear refusal and no buttons.
        let r = t.post(&vote, Some(&ada), &[("value", "up")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        assert!(text(r).await.contains("your own summary"), "[{db}]");
        let own = t.page(&format!("/paper/{p}"), Some(&ada)).await;
        assert!(!own.contains(&format!("action=\"{vote}\"")), "[{db}]");
        assert!(
            own.contains(&format!("href=\"/summary/{id}/delete\"")),
            "[{db}]"
        );

        // Bad values and foreign `back` addresses.
        let r = t.post(&vote, Some(&bob), &[("value", "sideways")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}]");
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
        ] {
            let r = t
                .post(&vote, Some(&bob), &[("value", "up"), ("back", evil)])
                .await;
            assert_eq!(
                location(&r),
                format!("/summary/{id}#summary-{id}"),
                "[{db}] {evil}"
            );
        }
        let r = t
            .post("/summary/999999/vote", Some(&bob), &[("value", "up")])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");

        // With JavaScript the count can update in place.
        let r = t
            .send(
                Request::post(&vote)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json")
                    .header(header::COOKIE, &carol.cookie)
                    .body(Body::from("value=up"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{db}]");
        let json: serde_json::Value = serde_json::from_str(&text(r).await).unwrap();
        assert_eq!(json["up"], 2, "[{db}] {json}");
        assert_eq!(json["label"], "+2", "[{db}]");

        // Home lists use the same scores.
        let top = t.page("/?list=top", None).await;
        assert!(top.contains(&format!("/summary/{id}")), "[{db}]");
    }
}

#[tokio::test]
async fn comments_thread_edit_and_leave_stubs() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let carol = t.user("carol", Role::User).await;
        let id = t.write(&ada, p, "discuss me", &[]).await;

        let guest = t.page(&format!("/summary/{id}"), None).await;
        assert!(guest.contains("Log in to comment"), "[{db}]");
        let r = t
            .post(
                &format!("/summary/{id}/comment"),
                None,
                &[("markdown", "drive-by")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert!(location(&r).starts_with("/login"), "[{db}]");

        let c1 = t.comment(&bob, id, None, "Is $x^2$ right?").await;
        let c2 = t.comment(&ada, id, Some(c1), "Yes.").await;
        let mut parent = c2;
        let mut deep = Vec::new();
        for i in 0..7 {
            parent = t
                .comment(&carol, id, Some(parent), &format!("deeper {i}"))
                .await;
            deep.push(parent);
        }
        let page = t.page(&format!("/summary/{id}"), None).await;
        assert!(page.contains("<math"), "[{db}] maths in comments");
        assert!(
            page.contains(&format!("class=\"comment depth-0\" id=\"comment-{c1}\"")),
            "[{db}]"
        );
        assert!(
            page.contains(&format!("class=\"comment depth-1\" id=\"comment-{c2}\"")),
            "[{db}]"
        );
        assert!(
            page.contains("author of the summary"),
            "[{db}] ada's reply is marked"
        );
        // Depth is capped at 6; deeper replies name the comment they answer.
        let last = *deep.last().unwrap();
        assert!(page.contains(&format!("class=\"comment depth-6\" id=\"comment-{last}\"")));
        assert!(page.contains(&format!(
            "<a href=\"#comment-{}\">in reply</a>",
            deep[deep.len() - 2]
        )));
        assert!(!page.contains("depth-7"), "[{db}]");
        let paper = t.page(&format!("/paper/{p}"), None).await;
        assert!(
            paper.contains(&format!("href=\"/summary/{id}#comments\">9 comments</a>")),
            "[{db}]"
        );

        // Only the author edits or deletes a comment.
        let r = t
            .post(
                &format!("/comment/{c1}/edit"),
                Some(&ada),
                &[("markdown", "hijacked")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let r = t
            .post(&format!("/comment/{c1}/delete"), Some(&ada), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let r = t.get(&format!("/comment/{c1}/edit"), Some(&ada)).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}]");
        let r = t.post(&format!("/comment/{c1}/delete"), None, &[]).await;
        assert!(location(&r).starts_with("/login"), "[{db}]");

        let edit = t.page(&format!("/comment/{c1}/edit"), Some(&bob)).await;
        assert!(edit.contains("Is $x^2$ right?"), "[{db}]");
        let r = t
            .post(
                &format!("/comment/{c1}/edit"),
                Some(&bob),
                &[("markdown", "Is $y^2$ right?")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), format!("/summary/{id}#comment-{c1}"));
        let r = t
            .post(
                &format!("/comment/{c1}/edit"),
                Some(&bob),
                &[("markdown", " ")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{db}]");

        let r = t
            .post(&format!("/comment/{c1}/delete"), Some(&bob), &[])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        let page = t.page(&format!("/summary/{id}"), Some(&carol)).await;
        assert!(page.contains("Comment deleted"), "[{db}]");
        assert!(!page.contains("y^2"), "[{db}] the text is gone");
        assert!(page.contains(&format!(
            "class=\"comment depth-0 comment-stub\" id=\"comment-{c1}\""
        )));
        assert!(
            page.contains(&format!("class=\"comment depth-1\" id=\"comment-{c2}\"")),
            "[{db}] replies keep their place"
        );
        assert!(page.contains("8 comments"), "[{db}]");
        // No replies to a deleted comment, and it cannot be edited back.
        let r = t
            .post(
                &format!("/summary/{id}/comment"),
                Some(&carol),
                &[("markdown", "late"), ("parent", &c1.to_string())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{db}]");
        let r = t
            .post(
                &format!("/comment/{c1}/edit"),
                Some(&bob),
                &[("markdown", "back")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "[{db}]");
        let r = t
            .post(
                &format!("/summary/{id}/comment"),
                Some(&carol),
                &[("markdown", "x"), ("parent", "abc")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "[{db}]");
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        let id = t.write(&ada, p, "target", &[]).await;
        for (uri, body) in [
            (format!("/summary/{id}/vote"), "value=up".to_owned()),
            (format!("/summary/{id}/comment"), "markdown=spam".to_owned()),
            (
                format!("/paper/{p}/write"),
                "markdown=overwritten&action=save".to_owned(),
            ),
            (format!("/summary/{id}/delete"), String::new()),
        ] {
            for who in [&ada, &bob] {
                let r = t
                    .send(
                        Request::post(&uri)
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .header("sec-fetch-site", "cross-site")
                            .header(header::COOKIE, &who.cookie)
                            .body(Body::from(body.clone()))
                            .unwrap(),
                    )
                    .await;
                assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{db}] {uri}");
            }
        }
        let v = t.store.summary(id, None).await.unwrap().unwrap();
        assert_eq!((v.up, v.html.contains("target")), (0, true), "[{db}]");
        assert_eq!(t.store.comment_counts(&[id]).await.unwrap().len(), 0);
    }
}

/// Tags and attributes that run script or change where the page loads from.
fn assert_no_executable_markup(html: &str, what: &str) {
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while let Some(rel) = lower[i..].find('<') {
        let start = i + rel;
        if lower[start..].starts_with("<!--") {
            i = lower[start..]
                .find("-->")
                .map_or(lower.len(), |e| start + e + 3);
            continue;
        }
        let mut j = start + 1;
        if bytes.get(j) == Some(&b'/') {
            // Closing tags carry nothing that runs.
            i = j;
            continue;
        }
        let name_start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let tag = &lower[name_start..j];
        let end = lower[j..].find('>').map_or(lower.len(), |e| j + e);
        let inside = &lower[j..end];
        match tag {
            "script" => {
                // Only our own deferred scripts from /static/, and JSON-LD data blocks
                // (never executed; their JSON escapes `<`, so this scan sees no tag in them).
                assert!(
                    inside.trim_start().starts_with("src=\"/static/")
                        || inside.trim() == "type=\"application/ld+json\"",
                    "{what}: script tag <{tag}{inside}>"
                );
            }
            "form" => {
                assert!(
                    inside.contains("action=\"/") && !inside.contains("action=\"//"),
                    "{what}: form posting elsewhere <{tag}{inside}>"
                );
            }
            "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "base" | "style" => {
                panic!("{what}: <{tag}{inside}>")
            }
            "meta" => assert!(!inside.contains("http-equiv"), "{what}: <meta{inside}>"),
            _ => {}
        }
        // Attributes: names never start with "on", URLs never use script schemes.
        let mut k = 0;
        let attrs = inside.as_bytes();
        while k < attrs.len() {
            while k < attrs.len() && (attrs[k] as char).is_ascii_whitespace() {
                k += 1;
            }
            let a_start = k;
            while k < attrs.len() && !matches!(attrs[k], b'=' | b' ' | b'\n' | b'\t' | b'/') {
                k += 1;
            }
            let name = &inside[a_start..k];
            assert!(
                !name.starts_with("on") && name != "srcdoc" && name != "formaction",
                "{what}: attribute {name} in <{tag}{inside}>"
            );
            if attrs.get(k) == Some(&b'=') {
                k += 1;
                let value = match attrs.get(k) {
                    Some(b'"') => {
                        let v_end = inside[k + 1..]
                            .find('"')
                            .map_or(inside.len(), |e| k + 1 + e);
                        let v = &inside[k + 1..v_end];
                        k = v_end + 1;
                        v
                    }
                    _ => panic!("{what}: unquoted attribute {name} in <{tag}{inside}>"),
                };
                if matches!(
                    name,
                    "href" | "src" | "action" | "data" | "poster" | "xlink:href"
                ) {
                    let squashed: String = value
                        .chars()
                        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                        .collect();
                    for scheme in ["javascript:", "vbscript:", "data:text", "data:application"] {
                        assert!(!squashed.starts_with(scheme), "{what}: {name}={value}");
                    }
                }
            } else {
                k += 1;
            }
        }
        i = end;
    }
}

fn xss_files() -> Vec<(String, String)> {
    common::xss_lists()
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).unwrap();
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

#[tokio::test]
async fn xss_payloads_through_the_forms_stay_inert() {
    let files = xss_files();
    for t in apps().await {
        let db = t.db;
        let ada = t.user("ada", Role::User).await;
        let bob = t.user("bob", Role::User).await;
        for (n, (name, payloads)) in files.iter().enumerate() {
            let p = t
                .paper(&format!("1609.{:05}", 100 + n), &format!("XSS list {name}"))
                .await;
            let what = format!("[{db}] {name}");
            // Preview first: the page that echoes the text back as typed.
            let r = t
                .post(
                    &format!("/paper/{p}/write"),
                    Some(&ada),
                    &[("markdown", payloads), ("action", "preview")],
                )
                .await;
            let status = r.status();
            assert!(
                status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY,
                "{what}: preview {status}"
            );
            assert_no_executable_markup(&text(r).await, &format!("{what} preview"));
            let r = t
                .post(
                    &format!("/paper/{p}/write"),
                    Some(&ada),
                    &[("markdown", payloads), ("action", "save")],
                )
                .await;
            if r.status() != StatusCode::SEE_OTHER {
                assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
                assert_no_executable_markup(&text(r).await, &format!("{what} refused"));
                continue;
            }
            let at = location(&r);
            let id: i64 = at.rsplit_once("#summary-").unwrap().1.parse().unwrap();
            // The comment form takes at most 20 kB: send each list in pieces.
            let mut chunk = String::new();
            let mut chunks = Vec::new();
            for line in payloads.lines() {
                if chunk.len() + line.len() + 1 > 15_000 {
                    chunks.push(std::mem::take(&mut chunk));
                }
                chunk.push_str(line);
                chunk.push('\n');
            }
            chunks.push(chunk);
            for c in &chunks {
                let r = t
                    .post(
                        &format!("/summary/{id}/comment"),
                        Some(&bob),
                        &[("markdown", c)],
                    )
                    .await;
                if r.status() != StatusCode::SEE_OTHER {
                    assert_eq!(
                        r.status(),
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{what} comment"
                    );
                    assert_no_executable_markup(&text(r).await, &format!("{what} comment refused"));
                }
            }
            for (uri, who) in [
                (format!("/summary/{id}"), None),
                (format!("/summary/{id}"), Some(&bob)),
                (format!("/summary/{id}"), Some(&ada)),
                (format!("/paper/{p}"), None),
                (format!("/paper/{p}/write"), Some(&ada)),
                (format!("/summary/{id}/revisions"), None),
            ] {
                let body = t.page(&uri, who).await;
                assert_no_executable_markup(&body, &format!("{what} {uri}"));
            }
        }
        let home = t.page("/?list=recent", None).await;
        assert_no_executable_markup(&home, &format!("[{db}] home"));
    }
}

#[test]
fn the_markup_check_catches_what_it_should() {
    for bad in [
        "<script>alert(1)</script>",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\" java\tscript:alert(1)\">x</a>",
        "<iframe src=\"/x\"></iframe>",
        "<img src=x>",
        "<form action=\"https://evil.example/\">",
        "<meta http-equiv=\"refresh\" content=\"0\">",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_executable_markup(bad, "test"));
        assert!(caught.is_err(), "missed {bad}");
    }
    assert_no_executable_markup(
        "<p class=\"x\">&lt;script&gt;alert(1)&lt;/script&gt; <a href=\"/paper/1\">ok</a></p>\
         <script src=\"/static/editor.js?v=1\" defer></script><form method=\"post\" action=\"/x\">",
        "test",
    );
}

#[tokio::test]
async fn guests_are_sent_to_log_in_and_change_nothing() {
    for t in apps().await {
        let db = t.db;
        let p = t.paper("1609.00150", "A paper").await;
        let ada = t.user("ada", Role::User).await;
        let id = t.write(&ada, p, "ada's", &["private"]).await;
        let c = t.comment(&ada, id, None, "note").await;
        let r = t.get(&format!("/paper/{p}/write"), None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(
            location(&r),
            format!("/login?next=%2Fpaper%2F{p}%2Fwrite"),
            "[{db}]"
        );
        for (uri, fields) in [
            (
                format!("/paper/{p}/write"),
                vec![("markdown", "guest"), ("action", "save")],
            ),
            (format!("/summary/{id}/vote"), vec![("value", "up")]),
            (
                format!("/summary/{id}/comment"),
                vec![("markdown", "guest")],
            ),
            (format!("/summary/{id}/delete"), vec![]),
            (format!("/summary/{id}/share"), vec![]),
            (format!("/summary/{id}/share/revoke"), vec![]),
            (format!("/comment/{c}/edit"), vec![("markdown", "guest")]),
            (format!("/comment/{c}/delete"), vec![]),
        ] {
            let r = t.post(&uri, None, &fields).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}] {uri}");
            assert!(location(&r).starts_with("/login"), "[{db}] {uri}");
        }
        assert_eq!(t.summaries().await, 1, "[{db}]");
        let comments = t
            .store
            .summary_comments(id, Some(ada.id), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(comments.len(), 1, "[{db}]");
        assert_eq!(comments[0].markdown.as_deref(), Some("note"), "[{db}]");
        assert_eq!(
            t.store.share_created_at(id, ada.id).await.unwrap(),
            None,
            "[{db}]"
        );
    }
}
