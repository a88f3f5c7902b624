//! `/paper?id=` with live lookup: unknown ids are fetched from their source (a local
//! server serving recorded arXiv answers from crates/sources/tests/fixtures) and the
//! paper is created; a source that is off or failing gives a 503 or 502 page.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response, StatusCode, Uri};
use axum::response::IntoResponse;
use common::{enc, location, text};
use shortscience_ids::PaperRef;
use shortscience_sources::{Resolver, SourcesConfig};
use shortscience_store::Store;
use shortscience_store::testing::test_databases;
use shortscience_web::auth::mail::Mailer;
use shortscience_web::{AppState, WebConfig, router};
use tower::ServiceExt;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sources/tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[derive(Default)]
struct Source {
    hits: AtomicUsize,
    down: AtomicBool,
    /// Answer 429 with `Retry-After: 600`.
    throttled: AtomicBool,
}

/// A stand-in for arXiv's API that knows one paper.
async fn arxiv(State(s): State<Arc<Source>>, uri: Uri) -> axum::response::Response {
    s.hits.fetch_add(1, Ordering::SeqCst);
    if s.throttled.load(Ordering::SeqCst) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "600")],
            "slow down",
        )
            .into_response();
    }
    if s.down.load(Ordering::SeqCst) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
    }
    let name = if uri
        .query()
        .is_some_and(|q| q.contains("id_list=1707.08567&"))
    {
        "arxiv/api-2026-id_list-1707.08567.xml"
    } else {
        "arxiv/api-2026-empty-id_list-0000.0000.xml"
    };
    (StatusCode::OK, fixture(name)).into_response()
}

async fn source() -> (String, Arc<Source>) {
    let s = Arc::new(Source::default());
    let app = Router::new().fallback(arxiv).with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, s)
}

fn site(store: &Store, sources: SourcesConfig) -> Router {
    let state = AppState::with_mailer(store.clone(), WebConfig::default(), Mailer::capture())
        .with_sources(Resolver::new(sources).unwrap());
    router(state)
}

fn config(base: &str) -> SourcesConfig {
    SourcesConfig {
        arxiv_interval: Duration::ZERO,
        max_retries: 0,
        ..SourcesConfig::with_base(base)
    }
}

async fn get(app: &Router, uri: &str) -> Response<Body> {
    app.clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn unknown_ids_are_fetched_created_and_opened() {
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.unwrap();
        let (base, src) = source().await;
        let app = site(&store, config(&base));

        // Pasted into the search box: search sends unknown ids to the lookup.
        let r = get(
            &app,
            &format!("/search?q={}", enc("https://arxiv.org/abs/1707.08567v1")),
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}]", db.name);
        let r = get(&app, &location(&r)).await;
        assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY, "[{}]", db.name);
        let paper_url = location(&r);
        assert!(paper_url.starts_with("/paper/"), "{paper_url}");
        let page = get(&app, &paper_url).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(text(page).await.contains("Proceedings of Workshop AEW10"));
        assert_eq!(src.hits.load(Ordering::SeqCst), 1);

        // Stored now: other forms of the id answer from the store.
        for uri in ["/paper?id=arXiv:1707.08567", "/abs/1707.08567v2"] {
            let r = get(&app, uri).await;
            assert_eq!(location(&r), paper_url, "{uri}");
        }
        assert_eq!(src.hits.load(Ordering::SeqCst), 1);
        let stored = store
            .find_paper(&PaperRef::parse("arXiv:1707.08567").unwrap())
            .await
            .unwrap();
        assert!(stored.is_some());

        // The source does not know it: 404 that says so.
        let r = get(&app, "/paper?id=arXiv:2301.99999").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(text(r).await.contains("its source does not know it either"));
    }
}

#[tokio::test]
async fn a_failing_source_is_a_502_and_stores_nothing() {
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.unwrap();
        let (base, src) = source().await;
        src.down.store(true, Ordering::SeqCst);
        let app = site(&store, config(&base));
        let r = get(&app, "/paper?id=arXiv:1707.08567").await;
        assert_eq!(r.status(), StatusCode::BAD_GATEWAY, "[{}]", db.name);
        let html = text(r).await;
        assert!(
            html.contains("arXiv answered with an error (HTTP 500)"),
            "{html}"
        );
        let stored = store
            .find_paper(&PaperRef::parse("arXiv:1707.08567").unwrap())
            .await
            .unwrap();
        assert_eq!(stored, None);
    }
}

#[tokio::test]
async fn a_source_asking_for_quiet_is_a_503_with_its_retry_after() {
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.unwrap();
        let (base, src) = source().await;
        src.throttled.store(true, Ordering::SeqCst);
        let app = site(&store, config(&base));
        for _ in 0..2 {
            let r = get(&app, "/paper?id=arXiv:1707.08567").await;
            assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "[{}]", db.name);
            let wait: u64 = r.headers()[axum::http::header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((590..=600).contains(&wait), "{wait}");
            assert!(text(r).await.contains("asked us to wait"));
        }
        // The second lookup did not call the source again.
        assert_eq!(src.hits.load(Ordering::SeqCst), 1);
    }
}

#[tokio::test]
async fn offline_mode_is_a_503() {
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.unwrap();
        let (base, src) = source().await;
        let app = site(
            &store,
            SourcesConfig {
                offline: true,
                ..config(&base)
            },
        );
        let r = get(&app, "/paper?id=10.1145/3448016.3452841").await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "[{}]", db.name);
        assert!(text(r).await.contains("offline mode"));
        assert_eq!(src.hits.load(Ordering::SeqCst), 0);
    }
}
