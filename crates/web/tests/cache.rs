//! The page cache through the router, on every test database: guests' pages are kept and
//! served again, any successful write (here or on another instance sharing the
//! database) makes the next page fresh, signed-in pages are never kept, and failed
//! posts do not empty it.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use common::Who;
use shortscience_ids::{IdKind, PaperId, PaperRef};
use shortscience_store::testing::{TestDb, test_databases};
use shortscience_store::{NewPaper, Role, Store};
use shortscience_web::auth::mail::Mailer;
use shortscience_web::cache::{CACHE_HEADER, CacheSettings};
use shortscience_web::{AppState, WebConfig, router};
use tower::ServiceExt;

/// One database with two app instances on it, each with its own cache.
struct Site {
    a: Router,
    b: Router,
    store: Store,
    db: &'static str,
    _db: TestDb,
}

fn instance(store: &Store, page_cache: CacheSettings) -> Router {
    let config = WebConfig {
        page_cache,
        ..WebConfig::default()
    };
    router(AppState::with_mailer(
        store.clone(),
        config,
        Mailer::capture(),
    ))
}

async fn sites(page_cache: CacheSettings) -> Vec<Site> {
    let mut out = Vec::new();
    for db in test_databases().await {
        let store = Store::connect(&db.url).await.expect("connect");
        // The second instance has its own pool, as another process would.
        let other = Store::connect(&db.url).await.expect("connect");
        let (a, b) = (
            instance(&store, page_cache.clone()),
            instance(&other, page_cache.clone()),
        );
        if db.name == "postgres" && page_cache.enabled {
            // Both follow the generation by notification before the test starts, so the
            // tests check that path (its fallback, a read per request, is checked by
            // tests that start at once).
            following(&store, 2).await;
        }
        out.push(Site {
            a,
            b,
            store,
            db: db.name,
            _db: db,
        });
    }
    out
}

/// Waits until `n` instances hold live follower leases.
async fn following(store: &Store, n: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM generation_followers
             WHERE lease_until > (extract(epoch from clock_timestamp()) * 1000)::bigint",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if live == n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{live} of {n} instances follow"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn send(app: &Router, request: Request<Body>) -> Response<Body> {
    app.clone().oneshot(request).await.expect("infallible")
}

/// A guest's GET: (x-cache, status, body).
async fn get(app: &Router, uri: &str, cookie: Option<&str>) -> (String, StatusCode, String) {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let response = send(app, r.body(Body::empty()).unwrap()).await;
    let how = response
        .headers()
        .get(CACHE_HEADER)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (how, status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn post(app: &Router, uri: &str, who: &Who, body: &str) -> StatusCode {
    let r = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &who.cookie)
        .body(Body::from(body.to_owned()))
        .unwrap();
    send(app, r).await.status()
}

impl Site {
    /// A guest GET that must be rendered afresh after a write made elsewhere: at once on
    /// PostgreSQL, where a write returns only once every instance has applied it (or
    /// each request reads the shared generation); on SQLite, where
    /// other processes' writes are polled, within a few poll intervals.
    async fn fresh(&self, app: &Router, uri: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let (how, status, body) = get(app, uri, None).await;
            assert_eq!(status, StatusCode::OK, "[{}] {uri}", self.db);
            if how == "miss" {
                return body;
            }
            assert_eq!(
                self.db, "sqlite",
                "a stale {uri} after another instance's write"
            );
            assert!(
                started.elapsed() < 10 * shortscience_web::cache::POLL_INTERVAL,
                "[sqlite] {uri} stayed stale"
            );
            tokio::time::sleep(shortscience_web::cache::POLL_INTERVAL / 4).await;
        }
    }

    async fn user(&self, name: &str) -> Who {
        common::signed_in(&self.store, name, Role::User).await
    }

    /// A paper with one summary by `author`, written through the form on instance a.
    async fn paper_with_summary(&self, author: &Who) -> (PaperId, String) {
        let paper =
            common::arxiv_paper(&self.store, "1706.03762", "Attention is all you need").await;
        let r = Request::post(format!("/paper/{paper}/write"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &author.cookie)
            .body(Body::from(
                "markdown=Self-attention+%24QK%5ET%24+replaces+recurrence.&action=save",
            ))
            .unwrap();
        let response = send(&self.a, r).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "[{}] save",
            self.db
        );
        let at = response.headers()[header::LOCATION].to_str().unwrap();
        let summary = at.rsplit_once("#summary-").unwrap().1.to_owned();
        (paper, summary)
    }
}

#[tokio::test]
async fn a_guest_page_is_kept_until_a_write_on_any_instance() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let ada = site.user("ada").await;
        let bob = site.user("bob").await;
        let (paper, summary) = site.paper_with_summary(&ada).await;
        let url = format!("/paper/{paper}");

        let (how, status, first) = get(&site.b, &url, None).await;
        assert_eq!((how.as_str(), status), ("miss", StatusCode::OK), "[{db}]");
        let (how, _, again) = get(&site.b, &url, None).await;
        assert_eq!(how, "hit", "[{db}]");
        assert_eq!(first, again, "[{db}] a hit replays the page");

        // Bob comments on instance a; instance b's next guest page shows it.
        let status = post(
            &site.a,
            &format!("/summary/{summary}/comment"),
            &bob,
            "markdown=Which+datasets%3F&parent=",
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{db}] comment");
        let after = site.fresh(&site.b, &format!("/summary/{summary}")).await;
        assert!(after.contains("Which datasets?"), "[{db}] comment shown");
        let page = site.fresh(&site.b, &url).await;
        assert_ne!(page, first, "[{db}] the paper page changed");

        // A vote on instance b, and a's cached home page is stale too.
        let (_, _, home) = get(&site.a, "/?list=recent", None).await;
        assert_eq!(get(&site.a, "/?list=recent", None).await.0, "hit", "[{db}]");
        get(&site.b, "/?list=recent", None).await;
        assert_eq!(get(&site.b, "/?list=recent", None).await.0, "hit", "[{db}]");
        let status = post(
            &site.b,
            &format!("/summary/{summary}/vote"),
            &bob,
            "value=up",
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{db}] vote");
        // On the instance that took the vote, the very next page is fresh on any backend.
        let (how, _, home_b) = get(&site.b, "/?list=recent", None).await;
        assert_eq!(how, "miss", "[{db}] vote made the home page fresh");
        assert_ne!(home, home_b, "[{db}] the score changed");
        let home_a = site.fresh(&site.a, "/?list=recent").await;
        assert_eq!(home_a, home_b, "[{db}] both instances agree");
        assert_ne!(ada.id, bob.id);
    }
}

#[tokio::test]
async fn signed_in_pages_are_never_kept() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let ada = site.user("ada").await;
        let (paper, _) = site.paper_with_summary(&ada).await;
        let url = format!("/paper/{paper}");
        // A guest fills the cache; the signed-in reader still gets their own page.
        get(&site.a, &url, None).await;
        let (how, status, page) = get(&site.a, &url, Some(&ada.cookie)).await;
        assert_eq!(status, StatusCode::OK, "[{db}]");
        assert_eq!(how, "", "[{db}] signed-in requests pass by the cache");
        assert!(page.contains("ada"), "[{db}] the header names the reader");
        let (how, _, guest) = get(&site.a, &url, None).await;
        assert_eq!(how, "hit", "[{db}]");
        assert!(
            guest.contains("Log in"),
            "[{db}] the guest page stays a guest page"
        );
    }
}

#[tokio::test]
async fn failed_posts_and_errors_keep_the_cache() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let ada = site.user("ada").await;
        let (_, summary) = site.paper_with_summary(&ada).await;
        get(&site.a, "/", None).await;
        assert_eq!(get(&site.a, "/", None).await.0, "hit", "[{db}]");
        // A vote on one's own summary is refused, and changes nothing.
        let status = post(
            &site.a,
            &format!("/summary/{summary}/vote"),
            &ada,
            "value=up",
        )
        .await;
        assert!(status.is_client_error(), "[{db}] self-vote: {status}");
        assert_eq!(get(&site.a, "/", None).await.0, "hit", "[{db}]");
        // Error pages are not kept.
        let (how, status, _) = get(&site.a, "/paper/999999", None).await;
        assert_eq!(
            (how.as_str(), status),
            ("miss", StatusCode::NOT_FOUND),
            "[{db}]"
        );
        assert_eq!(
            get(&site.a, "/paper/999999", None).await.0,
            "miss",
            "[{db}]"
        );
    }
}

#[tokio::test]
async fn a_command_line_write_is_seen_by_running_instances() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let paper = |title: &str| NewPaper {
            refs: vec![PaperRef::parse_as(IdKind::Arxiv, "1512.03385").unwrap()],
            title: title.into(),
            ..NewPaper::default()
        };
        let id = site
            .store
            .upsert_paper(&paper("Deep residual learning"))
            .await
            .unwrap();
        let url = format!("/paper/{id}");
        get(&site.a, &url, None).await;
        assert_eq!(get(&site.a, &url, None).await.0, "hit", "[{db}]");
        // What `shortscience import-catalog` does: write, move the generation on, and
        // wait for the servers following it to apply that.
        site.store
            .upsert_paper(&paper("Residual networks, retitled"))
            .await
            .unwrap();
        site.store.announce_content_change().await.unwrap();
        let page = site.fresh(&site.a, &url).await;
        assert!(page.contains("Residual networks, retitled"), "[{db}]");
    }
}

#[tokio::test]
async fn entries_expire_and_the_setting_turns_the_cache_off() {
    let short = CacheSettings {
        ttl: std::time::Duration::from_millis(300),
        ..CacheSettings::default()
    };
    for site in sites(short).await {
        let db = site.db;
        get(&site.a, "/about", None).await;
        assert_eq!(get(&site.a, "/about", None).await.0, "hit", "[{db}]");
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert_eq!(
            get(&site.a, "/about", None).await.0,
            "miss",
            "[{db}] expired"
        );
    }
    let off = CacheSettings {
        enabled: false,
        ..CacheSettings::default()
    };
    for site in sites(off).await {
        let (how, status, _) = get(&site.a, "/about", None).await;
        assert_eq!(
            (how.as_str(), status),
            ("", StatusCode::OK),
            "[{}]",
            site.db
        );
        assert_eq!(get(&site.a, "/about", None).await.0, "", "[{}]", site.db);
    }
}

#[tokio::test]
async fn head_answers_from_a_kept_page_with_its_length() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let (_, _, body) = get(&site.a, "/about", None).await;
        let r = send(
            &site.a,
            Request::head("/about").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(r.headers()[CACHE_HEADER], "hit", "[{db}]");
        assert_eq!(
            r.headers()[header::CONTENT_LENGTH].to_str().unwrap(),
            body.len().to_string(),
            "[{db}]"
        );
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(bytes.is_empty(), "[{db}]");
    }
}

#[tokio::test]
async fn concurrent_guests_share_one_render() {
    for site in sites(CacheSettings::default()).await {
        let db = site.db;
        let ada = site.user("ada").await;
        let (paper, _) = site.paper_with_summary(&ada).await;
        let url = format!("/paper/{paper}");
        let requests: Vec<_> = (0..20)
            .map(|_| {
                let app = site.b.clone();
                let url = url.clone();
                tokio::spawn(async move { get(&app, &url, None).await })
            })
            .collect();
        let mut misses = 0;
        let mut bodies = std::collections::HashSet::new();
        for r in requests {
            let (how, status, body) = r.await.unwrap();
            assert_eq!(status, StatusCode::OK, "[{db}]");
            misses += usize::from(how == "miss");
            bodies.insert(body);
        }
        assert_eq!(
            misses, 1,
            "[{db}] one request rendered, the others waited for it"
        );
        assert_eq!(bodies.len(), 1, "[{db}] and all got the same page");
    }
}
