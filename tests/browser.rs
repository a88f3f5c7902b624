//! End-to-end checks in a real browser: Debian's chromium driven through chromedriver.
//!
//! The release-like binary serves a fresh SQLite database with the demo content plus one
//! fixture of ours; chromium loads the pages and we ask it how it laid the maths out.
//! Screenshots land in `target/artifacts/` for people (and CI) to look at.
//!
//! Without chromium/chromedriver the test skips locally and FAILS on CI (`CI=true`).

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use support::{ChildGuard, Server, free_port, wait_for_http};

fn find_tool(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Browser tools, or `None` when this machine has none (which CI does not accept).
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_tool("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
    let driver = find_tool("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        _ if support::on_ci() => panic!(
            "CI=true but chromium/chromedriver are missing: install Debian's chromium and chromium-driver"
        ),
        _ => {
            eprintln!("skipping browser test: chromium or chromedriver not installed");
            None
        }
    }
}

async fn start_browser(chromium: &Path, driver: &Path, profile: &Path) -> (ChildGuard, Client) {
    let port = free_port();
    let child = std::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let guard = ChildGuard(child);
    wait_for_http(&format!("127.0.0.1:{port}"), "/status", Duration::from_secs(20))
        .expect("chromedriver did not come up");
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,1000",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("open a chromium session");
    (guard, client)
}

fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts");
    std::fs::create_dir_all(&dir).expect("create target/artifacts");
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "chromium returned no PNG");
    std::fs::write(artifacts_dir().join(name), png).expect("write screenshot");
}

/// `[width, height]` of every element matching `selector`, as chromium laid it out.
async fn boxes(client: &Client, selector: &str) -> Vec<(f64, f64)> {
    let script = "return Array.from(document.querySelectorAll(arguments[0])).map(e => { \
                  const r = e.getBoundingClientRect(); return [r.width, r.height]; });";
    let v = client.execute(script, vec![json!(selector)]).await.expect("run script");
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn maths_is_laid_out_by_the_browser() {
    let Some((chromium, driver)) = browser_tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let server = Server::start_with_demo(work.path());
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/browser/adam.md");
    server.import(&fixture);

    let (_driver, client) = start_browser(&chromium, &driver, &work.path().join("profile")).await;
    let outcome = tokio::spawn(check_pages(client.clone(), server.base.clone())).await;
    client.close().await.ok();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

/// Every check the browser makes; runs in its own task so a failure still closes the session.
async fn check_pages(client: Client, base: String) {
    let client = &client;
    let base = base.as_str();
    // The paper page of our fixture: display and inline maths.
    client.goto(&url(base, "/abs/1412.6980")).await.expect("open paper page");
    let landed = client.current_url().await.unwrap();
    assert!(landed.path().starts_with("/paper/"), "/abs/ should land on the paper page, got {landed}");
    let display = boxes(&client, "article math[display=block]").await;
    assert_eq!(display.len(), 2, "two display formulas in the fixture");
    for (w, h) in &display {
        assert!(*w > 100.0 && *h > 15.0, "display maths laid out too small: {w}x{h}");
    }
    let inline = boxes(&client, "article math:not([display=block])").await;
    assert!(inline.len() >= 5, "inline formulas rendered: {}", inline.len());
    assert!(inline.iter().all(|(w, h)| *w > 0.0 && *h > 0.0), "every inline formula has a size");
    // Chromium treats it as MathML (MathML Core), not as unknown inline elements.
    let mathml = client
        .execute(
            "const m = document.querySelector('article math'); \
             return m.namespaceURI + ' ' + getComputedStyle(m).display;",
            vec![],
        )
        .await
        .unwrap();
    let mathml = mathml.as_str().unwrap().to_owned();
    let (namespace, display) = mathml.split_once(' ').unwrap();
    assert_eq!(namespace, "http://www.w3.org/1998/Math/MathML");
    assert!(display.ends_with("math"), "computed display should be a math display: {display}");
    // A fraction lays out with the numerator above the denominator.
    let frac = client
        .execute(
            "const f = document.querySelector('article mfrac'); \
             const a = f.children[0].getBoundingClientRect(), b = f.children[1].getBoundingClientRect(); \
             return a.bottom <= b.top + 1;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(frac, json!(true), "numerator sits above denominator");
    screenshot(&client, "paper-maths.png").await;

    // The home page: the first impression, on desktop and on a phone.
    client.goto(&url(base, "/")).await.unwrap();
    let cards = boxes(&client, "main article").await;
    assert!(!cards.is_empty(), "home lists summaries");
    screenshot(&client, "home-desktop.png").await;
    client.set_window_size(390, 844).await.unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(overflow.as_f64().unwrap() <= 1.0, "home overflows horizontally on a phone: {overflow}");
    screenshot(&client, "home-mobile.png").await;
}
