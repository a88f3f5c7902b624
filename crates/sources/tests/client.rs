//! The real `Resolver` against a local HTTP server that serves the recorded answers in
//! tests/fixtures by path, with switches for 5xx answers, slowness and garbage.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use shortscience_sources::{MetadataSource, PaperRef, Resolver, SourceError, SourcesConfig};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[derive(Default)]
struct Switches {
    /// Answer this many requests with `fail_status` before behaving.
    fail_first: AtomicUsize,
    fail_status: Mutex<Option<StatusCode>>,
    /// `Retry-After` sent with those failures.
    retry_after: Mutex<Option<String>>,
    /// Wait this long before answering.
    delay: Mutex<Duration>,
    /// Answer every request with an HTML page and status 200.
    garbage: Mutex<bool>,
    /// Answer with a body larger than the client accepts.
    huge: Mutex<bool>,
    /// (path and query, User-Agent, arrival) of every request.
    hits: Mutex<Vec<(String, String, Instant)>>,
}

struct Server {
    base: String,
    s: Arc<Switches>,
}

impl Server {
    async fn start() -> Server {
        let s = Arc::new(Switches::default());
        let app = Router::new().fallback(answer).with_state(s.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { base, s }
    }

    fn config(&self) -> SourcesConfig {
        SourcesConfig {
            max_retries: 2,
            retry_backoff: Duration::from_millis(10),
            arxiv_interval: Duration::ZERO,
            timeout: Duration::from_secs(5),
            mailto: Some("admin@example.org".into()),
            ..SourcesConfig::with_base(&self.base)
        }
    }

    fn resolver(&self) -> Resolver {
        Resolver::new(self.config()).unwrap()
    }

    fn paths(&self) -> Vec<String> {
        self.s
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|h| h.0.clone())
            .collect()
    }

    fn fail(&self, n: usize, status: StatusCode) {
        self.s.fail_first.store(n, Ordering::SeqCst);
        *self.s.fail_status.lock().unwrap() = Some(status);
    }
}

async fn answer(State(s): State<Arc<Switches>>, uri: Uri, headers: HeaderMap) -> Response {
    let pq = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    s.hits.lock().unwrap().push((pq, ua, Instant::now()));
    let delay = *s.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let failing = s
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        let status = s
            .fail_status
            .lock()
            .unwrap()
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, "upstream trouble").into_response();
        if let Some(v) = s.retry_after.lock().unwrap().clone() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, v.parse().unwrap());
        }
        return response;
    }
    if *s.garbage.lock().unwrap() {
        return (StatusCode::OK, fixture("garbage/html-503.html")).into_response();
    }
    if *s.huge.lock().unwrap() {
        return (StatusCode::OK, vec![b' '; 9 << 20]).into_response();
    }
    route(&uri)
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.replace("%2F", "/"))
    })
}

fn ok(ct: &'static str, name: &str) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, ct)], fixture(name)).into_response()
}

/// Like the real services: known ids answer with their recording, others with each
/// service's "not found".
fn route(uri: &Uri) -> Response {
    const ATOM: &str = "application/atom+xml";
    const JSON: &str = "application/json";
    const XML: &str = "application/xml";
    let path = uri.path();
    if path == "/api/query" {
        return match query_param(uri, "id_list").as_deref() {
            Some("1707.08567") => ok(ATOM, "arxiv/api-2026-id_list-1707.08567.xml"),
            Some("1111.2011") => ok(ATOM, "arxiv/api-2016-id_list-1111.2011v2.xml"),
            Some("astro-ph/0601001") => ok(ATOM, "arxiv/api-2026-id_list-astro-ph_0601001.xml"),
            // An id arXiv calls malformed: its 400 error feed.
            Some("2912.99999") => (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, ATOM)],
                fixture("arxiv/api-2026-error-400-id_list-abc.xml"),
            )
                .into_response(),
            _ => ok(ATOM, "arxiv/api-2026-empty-id_list-0000.0000.xml"),
        };
    }
    if let Some(doi) = path.strip_prefix("/works/") {
        return match doi {
            "10.1109/iccv.2007.4408927" => {
                ok(JSON, "crossref/works-10.1109_iccv.2007.4408927.json")
            }
            "10.5555/example.2024.0042" => {
                ok(JSON, "crossref/own-works-10.5555_preprint-relations.json")
            }
            _ => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain")],
                fixture("crossref/works-404-10.1371_notarealdoi.txt"),
            )
                .into_response(),
        };
    }
    if let Some(doi) = path.strip_prefix("/dois/") {
        return match doi {
            "10.48550/arxiv.2311.16162" => ok(JSON, "datacite/dois-10.48550_arxiv.2311.16162.json"),
            "10.6084/m9.figshare.1449060" => {
                ok(JSON, "datacite/dois-10.6084_m9.figshare.1449060.json")
            }
            _ => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "application/vnd.api+json")],
                r#"{"errors":[{"status":"404","title":"The resource you are looking for doesn't exist."}]}"#,
            )
                .into_response(),
        };
    }
    if let Some(key) = path.strip_prefix("/rec/") {
        return match key {
            "journals/jair/JabsBNJ24.xml" => {
                ok(XML, "dblp/rec-api-xml-journals-jair-JabsBNJ24.xml")
            }
            "journals/corr/abs-2508-04024.xml" => {
                ok(XML, "dblp/dblp-record-journals-corr-abs-2508-04024.xml")
            }
            _ => (StatusCode::NOT_FOUND, "Error 404: Not Found").into_response(),
        };
    }
    if path == "/notes" {
        return match query_param(uri, "id").as_deref() {
            Some("xQ7pL2mNaB") => ok(JSON, "openreview/notes-v2-xQ7pL2mNaB.json"),
            Some("Private123") => (StatusCode::FORBIDDEN, "{}").into_response(),
            _ => (
                StatusCode::NOT_FOUND,
                r#"{"name":"NotFoundError","message":"The Note was not found","status":404}"#,
            )
                .into_response(),
        };
    }
    (StatusCode::NOT_FOUND, "no route").into_response()
}

fn id(s: &str) -> PaperRef {
    PaperRef::parse(s).unwrap()
}

#[tokio::test]
async fn arxiv_found_unknown_and_refused() {
    let srv = Server::start().await;
    let r = srv.resolver();
    let rec = r
        .resolve(&id("https://arxiv.org/abs/1707.08567v1"))
        .await
        .unwrap()
        .unwrap();
    assert!(rec.title.starts_with("Proceedings of Workshop AEW10"));
    // The version is not sent: the latest metadata is wanted.
    assert_eq!(
        srv.paths()[0],
        "/api/query?id_list=1707.08567&max_results=1"
    );

    let rec = r.resolve(&id("arXiv:1111.2011v2")).await.unwrap().unwrap();
    assert!(rec.ids.contains(&id("doi:10.1103/PhysRevB.85.115117")));
    let rec = r.resolve(&id("hep-th/9901001")).await.unwrap();
    assert_eq!(rec, None, "an empty feed is 'not found'");
    let rec = r.resolve(&id("astro-ph/0601001")).await.unwrap().unwrap();
    assert_eq!(rec.ids[0], id("arXiv:astro-ph/0601001"));

    let e = r.resolve(&id("arXiv:2912.99999")).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "arXiv refused the request: incorrect id format for abc"
    );
}

#[tokio::test]
async fn dois_go_to_crossref_then_datacite() {
    let srv = Server::start().await;
    let r = srv.resolver();
    let rec = r
        .resolve(&id("https://doi.org/10.1109/ICCV.2007.4408927"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.authors, ["Ali Kemal Sinop", "Leo Grady"]);
    assert_eq!(srv.paths(), ["/works/10.1109/iccv.2007.4408927"]);

    // Not at Crossref: DataCite is asked next.
    let rec = r
        .resolve(&id("10.6084/m9.figshare.1449060"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.venue.as_deref(), Some("figshare"));
    assert_eq!(
        &srv.paths()[1..],
        [
            "/works/10.6084/m9.figshare.1449060",
            "/dois/10.6084/m9.figshare.1449060"
        ]
    );

    // Known to neither.
    assert_eq!(r.resolve(&id("10.1371/notarealdoi")).await.unwrap(), None);
    assert_eq!(srv.paths().len(), 5);

    // Crossref's preprint relation makes the arXiv id an alias.
    let rec = r
        .resolve(&id("10.5555/example.2024.0042"))
        .await
        .unwrap()
        .unwrap();
    assert!(rec.ids.contains(&id("arXiv:2301.01234")));
}

#[tokio::test]
async fn arxiv_dois_go_straight_to_datacite() {
    let srv = Server::start().await;
    let r = srv.resolver();
    let rec = r
        .resolve(&id("10.48550/arXiv.2311.16162"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.ids[0], id("10.48550/arxiv.2311.16162"));
    assert!(rec.ids.contains(&id("arXiv:2311.16162")));
    assert_eq!(srv.paths(), ["/dois/10.48550/arxiv.2311.16162"]);
}

#[tokio::test]
async fn dblp_and_openreview() {
    let srv = Server::start().await;
    let r = srv.resolver();
    let rec = r
        .resolve(&id("https://dblp.org/rec/journals/jair/JabsBNJ24.html"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.authors[3], "Matti Järvisalo");
    let rec = r
        .resolve(&id("DBLP:journals/corr/abs-2508-04024"))
        .await
        .unwrap()
        .unwrap();
    assert!(rec.ids.contains(&id("arXiv:2508.04024")));
    assert_eq!(r.resolve(&id("conf/nips/Nobody17")).await.unwrap(), None);

    let rec = r
        .resolve(&id("https://openreview.net/forum?id=xQ7pL2mNaB"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.title, "Sparse Gates for Tiny Mixtures of Experts");
    assert_eq!(r.resolve(&id("openreview:Unknown99")).await.unwrap(), None);
    let e = r.resolve(&id("openreview:Private123")).await.unwrap_err();
    assert!(e.to_string().contains("not public"), "{e}");
    assert_eq!(
        srv.paths(),
        [
            "/rec/journals/jair/JabsBNJ24.xml",
            "/rec/journals/corr/abs-2508-04024.xml",
            "/rec/conf/nips/Nobody17.xml",
            "/notes?id=xQ7pL2mNaB",
            "/notes?id=Unknown99",
            "/notes?id=Private123"
        ]
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let srv = Server::start().await;
    srv.fail(2, StatusCode::SERVICE_UNAVAILABLE);
    let rec = srv
        .resolver()
        .resolve(&id("DBLP:journals/jair/JabsBNJ24"))
        .await
        .unwrap();
    assert!(rec.is_some());
    assert_eq!(srv.paths().len(), 3, "two failures and a success");

    // 429 (too many requests) is retried too.
    let srv = Server::start().await;
    srv.fail(1, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        srv.resolver()
            .resolve(&id("10.1109/iccv.2007.4408927"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(srv.paths().len(), 2);
}

#[tokio::test]
async fn retry_after_is_waited_out_when_short() {
    let srv = Server::start().await;
    srv.fail(1, StatusCode::TOO_MANY_REQUESTS);
    *srv.s.retry_after.lock().unwrap() = Some("1".into());
    let rec = srv
        .resolver()
        .resolve(&id("10.1109/iccv.2007.4408927"))
        .await
        .unwrap();
    assert!(rec.is_some());
    let hits = srv.s.hits.lock().unwrap();
    assert_eq!(hits.len(), 2);
    // The retry came after the second asked for, not after the 10 ms backoff.
    assert!(
        hits[1].2 - hits[0].2 >= Duration::from_secs(1),
        "retried after {:?}",
        hits[1].2 - hits[0].2
    );
}

#[tokio::test]
async fn a_long_retry_after_leaves_the_service_alone() {
    let srv = Server::start().await;
    srv.fail(1, StatusCode::SERVICE_UNAVAILABLE);
    *srv.s.retry_after.lock().unwrap() = Some("120".into());
    let r = srv.resolver();
    let doi = id("10.1109/iccv.2007.4408927");
    let busy = SourceError::Busy {
        service: "Crossref",
        seconds: 120,
    };
    assert_eq!(r.resolve(&doi).await.unwrap_err(), busy);
    assert_eq!(srv.paths().len(), 1, "no retry inside the asked-for time");
    // The next lookup to the same service fails at once, without a request…
    let e = r.resolve(&doi).await.unwrap_err();
    assert!(
        matches!(e, SourceError::Busy { service: "Crossref", seconds } if seconds <= 120),
        "{e:?}"
    );
    assert_eq!(srv.paths().len(), 1);
    assert!(e.to_string().contains("asked us to wait"), "{e}");
    // …while other services are still asked.
    assert!(
        r.resolve(&id("DBLP:journals/jair/JabsBNJ24"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(srv.paths().len(), 2);
}

#[tokio::test]
async fn a_service_that_stays_down_is_an_error_and_not_cached() {
    let srv = Server::start().await;
    srv.fail(3, StatusCode::BAD_GATEWAY);
    let r = srv.resolver();
    let e = r
        .resolve(&id("DBLP:journals/jair/JabsBNJ24"))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SourceError::Status {
            service: "DBLP",
            status: 502
        }
    );
    assert_eq!(srv.paths().len(), 3, "one try and two retries");
    // The failure is not remembered: the next lookup asks again and succeeds.
    assert!(
        r.resolve(&id("DBLP:journals/jair/JabsBNJ24"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(srv.paths().len(), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let srv = Server::start().await;
    srv.fail(1, StatusCode::UNAUTHORIZED);
    let e = srv
        .resolver()
        .resolve(&id("10.1109/iccv.2007.4408927"))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SourceError::Status {
            service: "Crossref",
            status: 401
        }
    );
    assert_eq!(srv.paths().len(), 1);
}

#[tokio::test]
async fn slow_answers_time_out() {
    let srv = Server::start().await;
    *srv.s.delay.lock().unwrap() = Duration::from_secs(3);
    let r = Resolver::new(SourcesConfig {
        timeout: Duration::from_millis(200),
        max_retries: 1,
        ..srv.config()
    })
    .unwrap();
    let started = Instant::now();
    let e = r.resolve(&id("openreview:xQ7pL2mNaB")).await.unwrap_err();
    assert!(
        matches!(
            e,
            SourceError::Timeout {
                service: "OpenReview",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "OpenReview did not answer in time (waited 1 s); try again later"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "gave up before the server answered"
    );
    assert_eq!(srv.paths().len(), 2, "a timeout is retried");
}

#[tokio::test]
async fn garbage_is_an_error_not_a_paper() {
    let srv = Server::start().await;
    *srv.s.garbage.lock().unwrap() = true;
    let r = srv.resolver();
    for (input, service) in [
        ("arXiv:1707.08567", "arXiv"),
        ("10.1109/iccv.2007.4408927", "Crossref"),
        ("10.48550/arXiv.2311.16162", "DataCite"),
        ("DBLP:journals/jair/JabsBNJ24", "DBLP"),
        ("openreview:xQ7pL2mNaB", "OpenReview"),
    ] {
        match r.resolve(&id(input)).await {
            Err(SourceError::Malformed {
                service: s,
                message,
            }) => {
                assert_eq!(s, service);
                assert!(!message.is_empty());
            }
            other => panic!("{input}: {other:?}"),
        }
    }
    // Nothing was cached: with the server healthy again, the lookup succeeds.
    *srv.s.garbage.lock().unwrap() = false;
    assert!(r.resolve(&id("arXiv:1707.08567")).await.unwrap().is_some());
}

#[tokio::test]
async fn oversized_answers_are_refused() {
    let srv = Server::start().await;
    *srv.s.huge.lock().unwrap() = true;
    let e = srv
        .resolver()
        .resolve(&id("10.1109/iccv.2007.4408927"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("larger than 8 MB"), "{e}");
}

#[tokio::test]
async fn offline_mode_sends_nothing() {
    let srv = Server::start().await;
    let r = Resolver::new(SourcesConfig {
        offline: true,
        ..srv.config()
    })
    .unwrap();
    for input in [
        "arXiv:1707.08567",
        "10.1109/iccv.2007.4408927",
        "DBLP:journals/jair/JabsBNJ24",
    ] {
        let e = r.resolve(&id(input)).await.unwrap_err();
        assert!(e.is_offline());
        assert!(e.to_string().contains("switched off"), "{e}");
    }
    assert!(srv.paths().is_empty());
}

#[tokio::test]
async fn unreachable_service() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = Resolver::new(SourcesConfig {
        max_retries: 0,
        ..SourcesConfig::with_base(&format!("http://127.0.0.1:{port}"))
    })
    .unwrap();
    let e = r
        .resolve(&id("10.1109/iccv.2007.4408927"))
        .await
        .unwrap_err();
    match &e {
        SourceError::Unreachable { service, message } => {
            assert_eq!(*service, "Crossref");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().starts_with("Crossref could not be reached: "),
        "{e}"
    );
}

#[tokio::test]
async fn answers_are_cached_found_or_not() {
    let srv = Server::start().await;
    let r = srv.resolver();
    let clone = r.clone();
    let a = r.resolve(&id("arXiv:1707.08567")).await.unwrap();
    let b = clone.resolve(&id("arXiv:1707.08567v1")).await.unwrap();
    assert_eq!(a, b);
    assert!(a.is_some());
    assert_eq!(r.resolve(&id("conf/nips/Nobody17")).await.unwrap(), None);
    assert_eq!(r.resolve(&id("conf/nips/Nobody17")).await.unwrap(), None);
    assert_eq!(
        srv.paths().len(),
        2,
        "clones share one cache; misses are cached too"
    );
    // The trait goes through the same cache.
    assert!(
        MetadataSource::fetch(&r, &id("arXiv:1707.08567"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(srv.paths().len(), 2);
}

#[tokio::test]
async fn user_agent_carries_the_contact_address() {
    let srv = Server::start().await;
    srv.resolver()
        .resolve(&id("arXiv:1707.08567"))
        .await
        .unwrap();
    let ua = srv.s.hits.lock().unwrap()[0].1.clone();
    assert!(ua.starts_with("shortscience/"), "{ua}");
    assert!(ua.contains("mailto:admin@example.org"), "{ua}");
}

/// The gate's exact timing is checked with tokio's paused clock in the unit tests
/// (client.rs); here, that the resolver really puts arXiv requests through it and
/// leaves other services alone.
#[tokio::test]
async fn arxiv_requests_are_spaced_through_the_resolver() {
    let srv = Server::start().await;
    let gap = Duration::from_millis(300);
    let r = Resolver::new(SourcesConfig {
        arxiv_interval: gap,
        ..srv.config()
    })
    .unwrap();
    // Spawned: the lookup future must be Send for web handlers anyway.
    let tasks: Vec<_> = ["arXiv:1707.08567", "arXiv:1111.2011", "astro-ph/0601001"]
        .into_iter()
        .map(|i| {
            let r = r.clone();
            tokio::spawn(async move { r.resolve(&id(i)).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap().is_some());
    }
    let times: Vec<Instant> = srv.s.hits.lock().unwrap().iter().map(|h| h.2).collect();
    assert_eq!(times.len(), 3);
    let mut sorted = times.clone();
    sorted.sort();
    for w in sorted.windows(2) {
        // The client sends a slot apart; allow a little network jitter on arrival.
        assert!(
            w[1] - w[0] >= gap - Duration::from_millis(30),
            "{:?}",
            w[1] - w[0]
        );
    }
}

#[cfg(feature = "store")]
mod store {
    use super::*;
    use shortscience_sources::LookupError;
    use shortscience_store::testing::test_databases;
    use shortscience_store::{NewPaper, Store};

    #[tokio::test]
    async fn find_or_fetch_creates_papers_once_with_their_aliases() {
        for db in test_databases().await {
            let srv = Server::start().await;
            let r = srv.resolver();
            let store = Store::connect(&db.url).await.unwrap();
            let name = db.name;

            let p = r
                .find_or_fetch(&store, &id("arXiv:1111.2011v2"))
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{name}: not created"));
            let paper = store.paper(p).await.unwrap().unwrap();
            assert!(paper.title.starts_with("Quantum Criticality"), "{name}");
            assert_eq!(paper.authors.len(), 3);
            assert_eq!(paper.year, Some(2011));
            assert!(
                paper
                    .aliases
                    .contains(&id("doi:10.1103/PhysRevB.85.115117")),
                "{name}"
            );

            // Known now under both ids: no further request.
            let asked = srv.paths().len();
            for again in [
                "arXiv:1111.2011",
                "https://doi.org/10.1103/PhysRevB.85.115117",
            ] {
                assert_eq!(r.find_or_fetch(&store, &id(again)).await.unwrap(), Some(p));
            }
            assert_eq!(srv.paths().len(), asked, "{name}");

            // Unknown to its source: nothing stored.
            assert_eq!(
                r.find_or_fetch(&store, &id("conf/nips/Nobody17"))
                    .await
                    .unwrap(),
                None
            );
            assert_eq!(
                store.find_paper(&id("conf/nips/Nobody17")).await.unwrap(),
                None
            );
        }
    }

    #[tokio::test]
    async fn a_published_version_joins_its_stored_preprint() {
        for db in test_databases().await {
            let srv = Server::start().await;
            let store = Store::connect(&db.url).await.unwrap();
            let preprint = store
                .upsert_paper(&NewPaper {
                    refs: vec![id("arXiv:2301.01234")],
                    title: "Counting small graphs (preprint)".into(),
                    ..NewPaper::default()
                })
                .await
                .unwrap();
            // Crossref names the arXiv preprint under relation.has-preprint.
            let p = srv
                .resolver()
                .find_or_fetch(&store, &id("10.5555/example.2024.0042"))
                .await
                .unwrap();
            assert_eq!(p, Some(preprint), "{}", db.name);
            let paper = store.paper(preprint).await.unwrap().unwrap();
            assert!(paper.aliases.contains(&id("10.5555/example.2024.0042")));
            assert_eq!(
                paper.venue.as_deref(),
                Some("Journal of Example Combinatorics")
            );
        }
    }

    #[tokio::test]
    async fn failures_store_nothing() {
        for db in test_databases().await {
            let srv = Server::start().await;
            let store = Store::connect(&db.url).await.unwrap();
            *srv.s.garbage.lock().unwrap() = true;
            let e = srv
                .resolver()
                .find_or_fetch(&store, &id("arXiv:1707.08567"))
                .await
                .unwrap_err();
            assert!(
                matches!(e, LookupError::Source(SourceError::Malformed { .. })),
                "{e}"
            );
            let offline = Resolver::new(SourcesConfig {
                offline: true,
                ..srv.config()
            })
            .unwrap();
            let e = offline
                .find_or_fetch(&store, &id("arXiv:1707.08567"))
                .await
                .unwrap_err();
            assert!(e.to_string().contains("offline mode"), "{e}");
            assert_eq!(
                store.find_paper(&id("arXiv:1707.08567")).await.unwrap(),
                None
            );
        }
    }
}
