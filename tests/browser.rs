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
use support::{ChildGuard, Server, Smtp, free_port, wait_for_http};

fn find_tool(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Browser tools, or `None` when this machine has none (which CI does not accept).
fn browser_tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = find_tool(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
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
    wait_for_http(
        &format!("127.0.0.1:{port}"),
        "/status",
        Duration::from_secs(20),
    )
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
    let Value::Object(caps) = caps else {
        unreachable!()
    };
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
    let v = client
        .execute(script, vec![json!(selector)])
        .await
        .expect("run script");
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn maths_is_laid_out_by_the_browser() {
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
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
    client
        .goto(&url(base, "/abs/1412.6980"))
        .await
        .expect("open paper page");
    let landed = client.current_url().await.unwrap();
    assert!(
        landed.path().starts_with("/paper/"),
        "/abs/ should land on the paper page, got {landed}"
    );
    let display = boxes(client, "article math[display=block]").await;
    assert_eq!(display.len(), 2, "two display formulas in the fixture");
    for (w, h) in &display {
        assert!(
            *w > 100.0 && *h > 15.0,
            "display maths laid out too small: {w}x{h}"
        );
    }
    let inline = boxes(client, "article math:not([display=block])").await;
    assert!(
        inline.len() >= 5,
        "inline formulas rendered: {}",
        inline.len()
    );
    assert!(
        inline.iter().all(|(w, h)| *w > 0.0 && *h > 0.0),
        "every inline formula has a size"
    );
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
    assert!(
        display.ends_with("math"),
        "computed display should be a math display: {display}"
    );
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
    screenshot(client, "paper-maths.png").await;

    // The home page: the first impression, on desktop and on a phone.
    client.goto(&url(base, "/")).await.unwrap();
    let cards = boxes(client, "main article").await;
    assert!(!cards.is_empty(), "home lists summaries");
    screenshot(client, "home-desktop.png").await;
    client.set_window_size(390, 844).await.unwrap();
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_f64().unwrap() <= 1.0,
        "home overflows horizontally on a phone: {overflow}"
    );
    screenshot(client, "home-mobile.png").await;
}

/// What a page must never contain once hostile text went through it: script we did not
/// write, event-handler attributes, `javascript:` links, frames, or requests to hosts
/// other than ours. Returns a description of each finding.
const INERT_CHECK: &str = r#"
const found = [];
for (const s of document.querySelectorAll('script')) {
  const src = s.getAttribute('src') || '';
  const dataBlock = s.type === 'application/ld+json';
  if (!dataBlock && !src.startsWith('/static/')) found.push('script: ' + s.outerHTML.slice(0, 120));
}
for (const e of document.querySelectorAll('*')) {
  for (const a of e.attributes) {
    if (a.name.toLowerCase().startsWith('on')) found.push('handler ' + a.name + ' on <' + e.localName + '>');
  }
}
for (const a of document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\:href]')) {
  for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
    const v = (a.getAttribute(name) || '').trim().toLowerCase();
    if (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html')) {
      found.push(name + '=' + v.slice(0, 80));
    }
  }
}
for (const e of document.querySelectorAll('iframe, frame, object, embed, base, meta[http-equiv], form:not([action^="/"])')) {
  found.push('element <' + e.localName + '>');
}
for (const r of performance.getEntriesByType('resource')) {
  if (!r.name.startsWith(location.origin)) found.push('request to ' + r.name);
}
return found;
"#;

/// Loads `path` and fails if a dialog opened or the page holds anything executable.
async fn assert_inert(client: &Client, base: &str, path: &str) {
    let loaded = client.goto(&url(base, path)).await;
    if let Ok(text) = client.get_alert_text().await {
        panic!("{path}: a dialog opened ({text:?}): hostile input ran as script");
    }
    loaded.unwrap_or_else(|e| panic!("{path}: could not load: {e}"));
    let found = client
        .execute(INERT_CHECK, vec![])
        .await
        .expect("run inert check");
    let found: Vec<String> = serde_json::from_value(found).expect("list of findings");
    assert!(
        found.is_empty(),
        "{path}: hostile input left executable traces: {found:#?}"
    );
}

/// One summary file per hostile-input list: every payload its own paragraph (and, for
/// the short list, inside inline maths too), under a title that is hostile as well.
fn write_hostile_summaries(dir: &Path) -> Vec<String> {
    let lists = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/security/xss");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&lists)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    let mut ids = Vec::new();
    for (i, list) in names.iter().enumerate() {
        let text = String::from_utf8_lossy(&std::fs::read(list).unwrap()).into_owned();
        let mut body = String::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            body.push_str(line);
            body.push_str("\n\n");
            if list.ends_with("xss_payloads_quick.txt") {
                body.push_str(&format!("Maths: ${}$\n\n", line.replace('$', "")));
            }
        }
        // Valid arXiv-shaped ids that no demo paper uses.
        let id = format!("2001.{:05}", 90001 + i);
        let file = format!(
            "+++\narxiv = \"{id}\"\ntitle = \"<script>alert('title')</script><img src=x onerror=alert(2)> list {i}\"\n\
             authors = [\"<svg onload=alert(3)>\"]\nvenue = \"<iframe src=javascript:alert(4)>\"\nauthor = \"hostile\"\n+++\n\n{body}"
        );
        std::fs::write(dir.join(format!("hostile-{i}.md")), file).unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_input_stays_inert_in_the_browser() {
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = Server::start(work.path(), &["--no-demo"]);
    let files = work.path().join("hostile");
    std::fs::create_dir_all(&files).unwrap();
    let ids = write_hostile_summaries(&files);
    server.import(&files);
    server.add_user("hostile_user", "a hostile user's passphrase");

    let (_driver, client) = start_browser(&chromium, &driver, &work.path().join("profile")).await;
    let base = server.base.clone();
    let outcome = tokio::spawn({
        let client = client.clone();
        async move {
            let mut paths = vec![
                "/".to_owned(),
                "/?list=recent".to_owned(),
                "/user/hostile".to_owned(),
            ];
            paths.extend(ids.iter().map(|id| format!("/abs/{id}")));
            // Hostile search text, echoed back in the search page and its form.
            let lists = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/security/xss");
            let quick = std::fs::read_to_string(lists.join("xss_payloads_quick.txt")).unwrap();
            for payload in quick.lines().filter(|l| !l.trim().is_empty()) {
                let q: String = url_encode(payload);
                paths.push(format!("/search?q={q}"));
                paths.push(format!("/paper?id={q}"));
            }
            for path in &paths {
                assert_inert(&client, &base, path).await;
                if path.starts_with("/abs/") {
                    let shown = boxes(&client, "article.summary").await;
                    assert_eq!(shown.len(), 1, "{path}: the hostile summary is shown");
                }
            }
            // The summary pages themselves, reached from the paper pages.
            client
                .goto(&url(&base, &format!("/abs/{}", ids[0])))
                .await
                .unwrap();
            let link = client
                .find(fantoccini::Locator::Css("article a[href^='/summary/']"))
                .await
                .expect("a permalink on the paper page");
            let href = link.attr("href").await.unwrap().expect("permalink href");
            assert_inert(&client, &base, &href).await;
            screenshot(&client, "hostile-summary.png").await;

            // A signed-in user types hostile text where people write about themselves
            // and comment: display name, bio, and comments under the hostile summary.
            log_in(
                &client,
                &base,
                "hostile_user",
                "a hostile user's passphrase",
            )
            .await;
            let quick: Vec<&str> = quick.lines().filter(|l| !l.trim().is_empty()).collect();
            let polyglots = std::fs::read_to_string(lists.join("XSS_Polyglots.txt")).unwrap();
            client.goto(&url(&base, "/settings/profile")).await.unwrap();
            fill(
                &client,
                "#display_name",
                "<img src=x onerror=alert('name')>",
            )
            .await;
            fill(&client, "#bio", &quick.join("\n\n")).await;
            click(
                &client,
                "form[action='/settings/profile'] button[type=submit]",
            )
            .await;
            wait_for_element(&client, "main").await;
            for chunk in [quick.join("\n\n"), polyglots.clone()] {
                client.goto(&url(&base, &href)).await.unwrap();
                fill(&client, "#comment-new", &chunk).await;
                click(&client, "form.comment-new button[type=submit]").await;
                wait_for_element(&client, ".comment").await;
            }
            for path in [
                href.clone(),
                "/user/hostile_user".to_owned(),
                "/users".to_owned(),
            ] {
                assert_inert(&client, &base, &path).await;
            }
            client
                .goto(&url(&base, "/user/hostile_user"))
                .await
                .unwrap();
            let profile = page_text(&client).await;
            assert!(
                profile.contains("<img src=x onerror=alert('name')>"),
                "the hostile display name shows as text: {profile}"
            );
            client.goto(&url(&base, &href)).await.unwrap();
            assert!(
                boxes(&client, ".comment").await.len() >= 2,
                "both hostile comments are shown"
            );
            screenshot(&client, "hostile-comments.png").await;
        }
    })
    .await;
    client.close().await.ok();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no field {css}: {e}"));
    field.clear().await.ok();
    field
        .send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
}

/// Clicks through the DOM, as a person's click would: the live preview can move a
/// button between WebDriver's scroll and its click, which WebDriver calls "intercepted".
async fn click(client: &Client, css: &str) {
    let clicked = client
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true;",
            vec![json!(css)],
        )
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
    if clicked != json!(true) {
        screenshot(client, "failed-click.png").await;
        panic!("nothing to click at {css}");
    }
}

/// Polls until the element at `css` contains `needle` (pages load after a click, so the
/// first look may find the old page); returns its text.
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let text = match client.find(fantoccini::Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{css} never showed {needle:?}; last text: {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_element(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

async fn page_text(client: &Client) -> String {
    client
        .find(fantoccini::Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn log_in(client: &Client, base: &str, login: &str, password: &str) {
    client.goto(&url(base, "/login")).await.unwrap();
    fill(client, "#login", login).await;
    fill(client, "#password", password).await;
    click(client, "form[action='/login'] button[type=submit]").await;
    wait_for_text(client, "header", login).await;
}

async fn log_out(client: &Client) {
    click(client, "form[action='/logout'] button").await;
    wait_for_text(client, "header", "Log in").await;
}

/// The whole path a newcomer takes: sign up, confirm through the e-mail that arrived
/// over SMTP, log in, write a summary with maths, preview, save, find it on the home
/// page; a second user votes and comments; the first logs out.
#[tokio::test(flavor = "multi_thread")]
async fn a_newcomer_signs_up_writes_and_gets_a_vote_and_a_comment() {
    let Some((chromium, driver)) = browser_tools() else {
        return;
    };
    let Some(smtp) = Smtp::start() else { return };
    let work = tempfile::tempdir().unwrap();
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = Server::start_with_env(work.path(), &[], &[("SHORTSCIENCE_SMTP_URL", &smtp_url)]);
    // The second user is made by an operator on the command line.
    server.add_user("second_reader", "another long passphrase");

    let (_driver, client) = start_browser(&chromium, &driver, &work.path().join("profile")).await;
    let base = server.base.clone();
    let outcome = tokio::spawn({
        let client = client.clone();
        async move {
            let c = &client;
            let base = base.as_str();
            // Sign up.
            c.goto(&url(base, "/signup")).await.unwrap();
            fill(c, "#username", "newcomer").await;
            fill(c, "#email", "newcomer@example.org").await;
            fill(c, "#password", "a long enough password").await;
            click(c, "form[action='/signup'] button[type=submit]").await;
            // Confirm with the link that arrived by mail.
            let mail = tokio::task::spawn_blocking(move || smtp.wait_for_message(Duration::from_secs(30)))
                .await
                .unwrap();
            let start = mail.find(&format!("{base}/confirm?token=")).expect("confirmation link in the mail");
            let link: String = mail[start..].chars().take_while(|ch| !ch.is_whitespace()).collect();
            c.goto(&link).await.unwrap();
            log_in(c, base, "newcomer", "a long enough password").await;

            // Write a summary with maths on the LIGO demo paper, preview, save.
            c.goto(&url(base, "/abs/1602.03837")).await.unwrap();
            click(c, ".write-link a").await;
            fill(
                c,
                "#markdown",
                "## Two black holes\n\nThe chirp mass $\\mathcal{M}$ fixes the early signal:\n\n$$\\mathcal{M} = \\frac{(m_1 m_2)^{3/5}}{(m_1 + m_2)^{1/5}}$$\n",
            )
            .await;
            click(c, "button[name=action][value=preview]").await;
            wait_for_element(c, ".preview-body math[display=block]").await;
            let preview = boxes(c, ".preview-body math[display=block]").await;
            assert_eq!(preview.len(), 1, "the preview shows the display formula");
            assert!(preview[0].0 > 50.0 && preview[0].1 > 15.0, "preview maths laid out: {preview:?}");
            screenshot(c, "newcomer-preview.png").await;
            click(c, "button[name=action][value=save]").await;
            let mine = "article.summary:has(a[href='/user/newcomer'])";
            wait_for_element(c, &format!("{mine} math[display=block]")).await;
            let saved = boxes(c, &format!("{mine} math[display=block]")).await;
            assert_eq!(saved.len(), 1, "the saved summary shows its maths on the paper page");

            // It is the newest summary on the home page.
            c.goto(&url(base, "/?list=recent")).await.unwrap();
            let first = c.find(fantoccini::Locator::Css("main article")).await.unwrap().text().await.unwrap();
            assert!(first.contains("newcomer") && first.contains("Gravitational"), "first recent card: {first}");
            screenshot(c, "newcomer-home.png").await;
            log_out(c).await;

            // A second reader votes it up and comments.
            log_in(c, base, "second_reader", "another long passphrase").await;
            c.goto(&url(base, "/abs/1602.03837")).await.unwrap();
            click(c, &format!("{mine} button.vote-up")).await;
            wait_for_element(c, &format!("{mine} button.vote-up[aria-pressed=true]")).await;
            let votes = wait_for_text(c, &format!("{mine} .votes"), "1").await;
            assert!(votes.starts_with("+1") || votes.starts_with('1'), "one up-vote shows: {votes:?}");
            let permalink = c
                .find(fantoccini::Locator::Css(&format!("{mine} a.permalink")))
                .await
                .unwrap()
                .attr("href")
                .await
                .unwrap()
                .unwrap();
            c.goto(&url(base, &permalink)).await.unwrap();
            fill(c, "#comment-new", "Nice: and $h \\propto \\mathcal{M}^{5/3}$ too.").await;
            click(c, "form.comment-new button[type=submit]").await;
            wait_for_text(c, "main", "Nice: and").await;
            assert_eq!(boxes(c, ".comment math").await.len(), 1, "the comment's maths renders");
            log_out(c).await;

            // The first user comes back, sees the vote, and logs out.
            log_in(c, base, "newcomer", "a long enough password").await;
            c.goto(&url(base, &permalink)).await.unwrap();
            assert!(page_text(c).await.contains("second_reader"), "the comment's author shows");
            log_out(c).await;
        }
    })
    .await;
    client.close().await.ok();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
