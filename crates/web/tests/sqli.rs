//! SQL-injection payloads (tests/fixtures/security/sqli, third-party lists) in every form
//! field and query a user can fill: no request answers 500, no payload logs anyone in, and
//! nothing changes beyond what the form itself is for. Runs on every test database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use common::{enc, form};
use shortscience_ids::UserId;
use shortscience_store::{Role, Store, SummaryWrite};
use shortscience_web::auth::rate_limit::{Limits, RateLimiter};
use tower::ServiceExt;

fn payloads(file: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/security/sqli")
        .join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Limits high enough that every payload reaches its handler (429s would hide them).
fn generous_limits() -> Limits {
    let lots = || RateLimiter::new(1_000_000, Duration::from_secs(60));
    Limits {
        login_ip: lots(),
        login_account: lots(),
        signup_ip: lots(),
        reset_ip: lots(),
        reset_account: lots(),
        write_ip: lots(),
        write_session: lots(),
    }
}

async fn send(app: &Router, r: Request<Body>) -> Response<Body> {
    app.clone().oneshot(r).await.expect("infallible")
}

async fn get(app: &Router, uri: &str, cookie: Option<&str>) -> StatusCode {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    send(app, r.body(Body::empty()).unwrap()).await.status()
}

async fn post(
    app: &Router,
    uri: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Response<Body> {
    let mut r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    send(app, r.body(Body::from(form(fields))).unwrap()).await
}

fn assert_not_500(status: StatusCode, what: &str, payload: &str, db: &str) {
    assert!(
        !status.is_server_error(),
        "[{db}] {what} with payload {payload:?} answered {status}"
    );
}

/// Everything a payload must not be able to change or reveal.
#[derive(Debug, PartialEq)]
struct Snapshot {
    papers: i64,
    canary_email: Option<String>,
    canary_hash: Option<String>,
    canary_role: Role,
}

async fn snapshot(store: &Store, canary: UserId) -> Snapshot {
    let account = store
        .account(canary)
        .await
        .unwrap()
        .expect("canary account");
    Snapshot {
        papers: store.counts().await.unwrap().papers,
        canary_email: account.email.clone(),
        canary_hash: store.password_hash(canary).await.unwrap(),
        canary_role: account.role,
    }
}

#[tokio::test]
async fn sql_injection_payloads_change_nothing_and_never_500() {
    let auth_bypass = payloads("Auth_Bypass.txt");
    let mut all = auth_bypass.clone();
    all.extend(payloads("Generic_ErrorBased.txt"));
    all.extend(payloads("FUZZDB_Postgres_Enumeration.txt"));
    assert!(all.len() > 200, "payload lists present: {}", all.len());

    let apps = common::apps_with_state(common::config(), |mut state| {
        state.auth.limits = Arc::new(generous_limits());
        state
    });
    for t in apps.await {
        let (app, store, db) = (t.app.clone(), t.store.clone(), t.db);
        let writer = store
            .create_account(&common::account("writer", Role::User))
            .await
            .unwrap()
            .unwrap();
        let canary = store
            .create_account(&common::account("canary", Role::Admin))
            .await
            .unwrap()
            .unwrap();
        let cookie = format!("ss_session={}", store.create_session(writer).await.unwrap());
        let cookie = Some(cookie.as_str());
        let paper = common::arxiv_paper(&store, "1706.03762", "A paper").await;
        let (summary, _) = store
            .save_summary(&SummaryWrite {
                paper,
                author: writer,
                markdown: "Start.".into(),
                html: "<p>Start.</p>".into(),
                excerpt: "Start.".into(),
                paper_refs: vec![],
                renderer_version: shortscience_render::RENDERER_VERSION,
                private: false,
                anonymous: false,
                created_at: None,
            })
            .await
            .unwrap();
        let before = snapshot(&store, canary).await;

        // Logging in and signing up hash passwords (slow by design): the list made for
        // authentication bypasses goes through those two forms.
        for p in &auth_bypass {
            let r = post(&app, "/login", None, &[("login", p), ("password", p)]).await;
            assert_not_500(r.status(), "POST /login", p, db);
            let session_set = r.headers().get_all(header::SET_COOKIE).iter().any(|v| {
                v.to_str().unwrap_or("").starts_with("ss_session=")
                    && !v.to_str().unwrap_or("").starts_with("ss_session=;")
            });
            assert!(!session_set, "[{}] login with {p:?} opened a session", db);
            let r = post(
                &app,
                "/login",
                None,
                &[("login", "canary"), ("password", p)],
            )
            .await;
            assert_not_500(r.status(), "POST /login as canary", p, db);
            assert!(
                r.headers()
                    .get(header::SET_COOKIE)
                    .is_none_or(|v| !v.to_str().unwrap_or("").contains("ss_session=s")),
                "[{}] the canary's account opened with password {p:?}",
                db
            );
            let r = post(
                &app,
                "/signup",
                None,
                &[("username", p), ("email", p), ("password", p)],
            )
            .await;
            assert_not_500(r.status(), "POST /signup", p, db);
            let r = post(&app, "/reset", None, &[("email", p)]).await;
            assert_not_500(r.status(), "POST /reset", p, db);
        }

        for p in &all {
            let e = enc(p);
            for uri in [
                format!("/search?q={e}"),
                format!("/search?q=x&venue={e}"),
                format!("/paper?id={e}"),
                format!("/paper?bibtexKey={e}&a={e}"),
                format!("/abs/{e}"),
                format!("/user/{e}"),
                format!("/venue/{e}"),
                format!("/author/{e}"),
                format!("/?list={e}"),
                format!("/search/typeahead?q={e}"),
            ] {
                assert_not_500(get(&app, &uri, None).await, &uri, p, db);
            }
            let write = format!("/paper/{paper}/write");
            for action in ["preview", "save"] {
                let r = post(&app, &write, cookie, &[("markdown", p), ("action", action)]).await;
                assert_not_500(r.status(), &format!("POST {write} ({action})"), p, db);
            }
            let comment = format!("/summary/{summary}/comment");
            let r = post(&app, &comment, cookie, &[("markdown", p), ("parent", p)]).await;
            assert_not_500(r.status(), "POST comment (bad parent)", p, db);
            let r = post(&app, &comment, cookie, &[("markdown", p)]).await;
            assert_not_500(r.status(), "POST comment", p, db);
            let r = post(
                &app,
                &format!("/summary/{summary}/vote"),
                cookie,
                &[("value", p), ("back", p)],
            )
            .await;
            assert_not_500(r.status(), "POST vote", p, db);
            let r = post(
                &app,
                "/settings/profile",
                cookie,
                &[("display_name", p), ("bio", p), ("orcid", p)],
            )
            .await;
            assert_not_500(r.status(), "POST /settings/profile", p, db);
            let r = post(
                &app,
                "/report",
                cookie,
                &[("kind", p), ("id", p), ("reason", p)],
            )
            .await;
            assert_not_500(r.status(), "POST /report", p, db);
            let r = post(
                &app,
                "/report",
                cookie,
                &[
                    ("kind", "summary"),
                    ("id", &summary.to_string()),
                    ("reason", p),
                ],
            )
            .await;
            assert_not_500(r.status(), "POST /report (reason)", p, db);
        }

        // No payload reached another account, the papers, or the schema.
        assert_eq!(
            snapshot(&store, canary).await,
            before,
            "[{}] state a payload must not touch",
            db
        );
        // The writer's own summary holds whatever was saved last, verbatim: text, not SQL.
        let own = store
            .own_summary(paper, writer)
            .await
            .unwrap()
            .expect("the writer's summary");
        assert!(
            all.iter().any(|p| p.trim() == own.markdown.trim()),
            "[{}] saved text is one of the payloads",
            db
        );
    }
}
