//! What the web test files share: the site in-process on every test database (each run
//! makes its own, see `store::testing`), requests as a guest or as a signed-in browser,
//! readers for the answers, and the papers, summaries and payload lists tests start
//! from. A test file says `mod common;` and takes what it needs.

// Each test file is its own crate and uses only part of this.
#![allow(dead_code)]

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use shortscience_ids::{IdKind, PaperId, PaperRef, SummaryId, UserId};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::testing::{TestDb, test_databases};
use shortscience_store::{NewAccount, NewPaper, Role, Store, SummaryImport, SummaryWrite};
use shortscience_web::auth::mail::Mailer;
use shortscience_web::{AppState, WebConfig, publish, router};
use tower::ServiceExt;

pub const BASE: &str = "http://127.0.0.1:8080";

/// A well-formed argon2id hash no test logs in with: sessions are opened directly.
pub const UNUSED_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

/// The site on one test database, mail captured in memory.
pub struct App {
    pub app: Router,
    pub store: Store,
    pub mailer: Mailer,
    pub db: &'static str,
    /// Held so the database lives as long as the app (dropping it removes the database).
    _db: TestDb,
}

/// A signed-in user: id, name and the cookie pair that carries their session.
#[derive(Clone)]
pub struct Who {
    pub id: UserId,
    pub name: String,
    pub cookie: String,
}

pub fn config() -> WebConfig {
    WebConfig {
        base_url: BASE.into(),
        site_name: "shortscience".into(),
        ..WebConfig::default()
    }
}

pub async fn apps() -> Vec<App> {
    apps_with(config()).await
}

pub async fn apps_with(config: WebConfig) -> Vec<App> {
    apps_with_state(config, |state| state).await
}

/// One app per test database; `adjust` changes the state before the router is built.
pub async fn apps_with_state(config: WebConfig, adjust: impl Fn(AppState) -> AppState) -> Vec<App> {
    let mut out = Vec::new();
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.expect("connect");
        let mailer = Mailer::capture();
        let state = AppState::with_mailer(store.clone(), config.clone(), mailer.clone());
        out.push(App {
            app: router(adjust(state)),
            store,
            mailer,
            db: db.name,
            _db: db,
        });
    }
    out
}

/// A confirmed account with the given role.
pub fn account(name: &str, role: Role) -> NewAccount {
    NewAccount {
        username: name.into(),
        email: format!("{name}@example.org"),
        password_hash: UNUSED_HASH.into(),
        role,
        email_confirmed: true,
        pending: false,
    }
}

/// A confirmed account with an open session.
pub async fn signed_in(store: &Store, name: &str, role: Role) -> Who {
    let id = store
        .create_account(&account(name, role))
        .await
        .unwrap()
        .unwrap();
    let token = store.create_session(id).await.unwrap();
    Who {
        id,
        name: name.into(),
        cookie: format!("ss_session={token}"),
    }
}

/// A paper known by one arXiv id.
pub async fn arxiv_paper(store: &Store, arxiv: &str, title: &str) -> PaperId {
    store
        .upsert_paper(&NewPaper {
            refs: vec![PaperRef::parse_as(IdKind::Arxiv, arxiv).unwrap()],
            title: title.into(),
            ..NewPaper::default()
        })
        .await
        .unwrap()
}

/// A public, signed summary whose HTML is `text` in a paragraph, to save through the
/// store (the writing pages are tested on their own).
pub fn summary_write(paper: PaperId, author: UserId, text: &str) -> SummaryWrite {
    SummaryWrite {
        paper,
        author,
        markdown: text.into(),
        html: format!("<p>{text}</p>"),
        excerpt: text.into(),
        paper_refs: Vec::new(),
        renderer_version: 1,
        private: false,
        anonymous: false,
        created_at: None,
    }
}

/// Stores a summary through the publish path, as `import` does; the author's account is
/// made if it is new.
pub async fn import(
    store: &Store,
    paper: NewPaper,
    author: &str,
    markdown: &str,
    private: bool,
    anonymous: bool,
) -> (PaperId, SummaryId) {
    let rendered = publish::render_summary(store, markdown)
        .await
        .expect("renders");
    let (paper, summary, _) = store
        .import_summary(&SummaryImport {
            paper,
            author_username: author.into(),
            markdown: markdown.into(),
            html: rendered.html,
            excerpt: rendered.excerpt,
            paper_refs: rendered.paper_refs,
            renderer_version: RENDERER_VERSION,
            private,
            anonymous,
            created_at: None,
            edited_at: None,
        })
        .await
        .expect("import");
    (paper, summary)
}

/// The XSS payload lists (tests/fixtures/security/xss, third-party), sorted by name.
pub fn xss_lists() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/security/xss");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the XSS lists are present");
    files
}

pub fn enc(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// An `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

/// The Location header, or "" without one.
pub fn location(r: &Response<Body>) -> String {
    r.headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

impl App {
    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.app.clone().oneshot(request).await.expect("infallible")
    }

    /// A GET with the session cookie pair, if any.
    pub async fn get_as(&self, uri: &str, cookie: Option<&str>) -> Response<Body> {
        let mut r = Request::get(uri);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    /// A form POST with the session cookie pair, if any.
    pub async fn post_as(
        &self,
        uri: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
    ) -> Response<Body> {
        let mut r =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::from(form(fields))).unwrap()).await
    }
}

/// Requests as a guest. A trait, so files with requests of another shape keep the names.
pub trait Guest {
    async fn get(&self, uri: &str) -> Response<Body>;
    /// GET that must answer `status`; returns the body.
    async fn page(&self, uri: &str, status: StatusCode) -> String;
}

impl Guest for App {
    async fn get(&self, uri: &str) -> Response<Body> {
        self.get_as(uri, None).await
    }

    async fn page(&self, uri: &str, status: StatusCode) -> String {
        let response = Guest::get(self, uri).await;
        assert_eq!(response.status(), status, "[{}] GET {uri}", self.db);
        text(response).await
    }
}

/// Requests as a signed-in user (`Some`) or a guest (`None`).
pub trait Browser {
    async fn get(&self, uri: &str, who: Option<&Who>) -> Response<Body>;
    /// GET that must answer 200; returns the body.
    async fn page(&self, uri: &str, who: Option<&Who>) -> String;
    async fn post(&self, uri: &str, who: Option<&Who>, fields: &[(&str, &str)]) -> Response<Body>;
    async fn user(&self, name: &str, role: Role) -> Who;
}

impl Browser for App {
    async fn get(&self, uri: &str, who: Option<&Who>) -> Response<Body> {
        self.get_as(uri, who.map(|w| w.cookie.as_str())).await
    }

    async fn page(&self, uri: &str, who: Option<&Who>) -> String {
        let r = Browser::get(self, uri, who).await;
        assert_eq!(r.status(), StatusCode::OK, "[{}] GET {uri}", self.db);
        text(r).await
    }

    async fn post(&self, uri: &str, who: Option<&Who>, fields: &[(&str, &str)]) -> Response<Body> {
        self.post_as(uri, who.map(|w| w.cookie.as_str()), fields)
            .await
    }

    async fn user(&self, name: &str, role: Role) -> Who {
        signed_in(&self.store, name, role).await
    }
}
