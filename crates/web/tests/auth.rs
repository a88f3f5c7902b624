//! Accounts through the router, on every test database: sign-up, confirmation, login,
//! logout, resets, settings, registration modes, rate limits, CSRF and redirects.
//! Mail is captured in memory here; `mail_smtp.rs` does the round trip over real SMTP.

use std::net::SocketAddr;

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode, header};
use common::{App, enc, form, location, text};
use shortscience_store::{NewAccount, Role, TokenPurpose};
use shortscience_web::WebConfig;
use shortscience_web::auth::mail::Mailer;
use shortscience_web::auth::{Registration, password};

const PW: &str = "correct horse battery";

async fn apps_with(registration: Registration, base_url: &str) -> Vec<App> {
    common::apps_with(WebConfig {
        base_url: base_url.into(),
        registration,
        ..common::config()
    })
    .await
}

async fn apps() -> Vec<App> {
    apps_with(Registration::Open, common::BASE).await
}

/// The `ss_session=…` pair from a response's Set-Cookie, if it sets a non-empty one.
fn session_from(r: &Response<Body>) -> Option<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("ss_session=") && !c.starts_with("ss_session=;"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// The token in the last captured mail's link.
fn last_token(mailer: &Mailer) -> String {
    let mail = mailer.captured().pop().expect("a mail was sent");
    let at = mail.body.find("token=").expect("a link with a token") + "token=".len();
    mail.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

impl App {
    async fn login(&self, login: &str, password: &str) -> Response<Body> {
        self.post_as("/login", None, &[("login", login), ("password", password)])
            .await
    }

    /// Logs in and returns the cookie pair; panics on failure.
    async fn session(&self, login: &str, password: &str) -> String {
        let r = self.login(login, password).await;
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "[{}] login as {login}",
            self.db
        );
        session_from(&r).expect("session cookie")
    }

    /// A confirmed account made directly in the store.
    async fn account(&self, name: &str, role: Role) -> shortscience_ids::UserId {
        let new = NewAccount {
            password_hash: password::hash_blocking(PW).unwrap(),
            ..common::account(name, role)
        };
        self.store.create_account(&new).await.unwrap().unwrap()
    }

    /// Whether a cookie currently opens a session (the header shows the account).
    async fn signed_in_as(&self, cookie: &str) -> Option<String> {
        let body = text(self.get_as("/about", Some(cookie)).await).await;
        let start = body.find("<nav class=\"account-nav\"")?;
        let nav = &body[start..start + body[start..].find("</nav>")?];
        if nav.contains("action=\"/logout\"") {
            let at = nav.find("href=\"/user/")? + "href=\"/user/".len();
            Some(nav[at..].split('"').next()?.to_owned())
        } else {
            None
        }
    }
}

#[tokio::test]
async fn signup_confirm_login_logout() {
    for app in apps().await {
        let db = app.db;
        let r = app.get_as("/signup", None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(text(r).await.contains("name=\"username\""));

        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "newton"),
                    ("email", "isaac@example.org"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), "/signup/sent");
        assert!(session_from(&r).is_none(), "sign-up alone does not log in");
        let mail = app.mailer.captured().pop().unwrap();
        assert_eq!(mail.to, "isaac@example.org");
        assert!(
            mail.body.contains("http://127.0.0.1:8080/confirm?token="),
            "{}",
            mail.body
        );

        // Not yet confirmed: the right password still does not open a session.
        let r = app.login("newton", PW).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(session_from(&r).is_none());
        assert!(text(r).await.contains("confirm your e-mail"));

        let token = last_token(&app.mailer);
        let r = app.get_as(&format!("/confirm?token={token}"), None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), "/login?confirmed=1");
        assert!(session_from(&r).is_none(), "confirming does not log in");
        // The link works once.
        let r = app.get_as(&format!("/confirm?token={token}"), None).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);

        let r = app
            .post_as(
                "/login",
                None,
                &[
                    ("login", "Isaac@Example.org"),
                    ("password", PW),
                    ("next", "/about"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{db}]");
        assert_eq!(location(&r), "/about");
        let set = r
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(set.contains(flag), "{set}");
        }
        assert!(!set.contains("Secure"), "plain http site: {set}");
        let cookie = session_from(&r).unwrap();
        assert_eq!(app.signed_in_as(&cookie).await.as_deref(), Some("newton"));
        // Error pages keep the header of who is signed in.
        let r = app.get_as("/no/such/page", Some(&cookie)).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(text(r).await.contains("action=\"/logout\""));
        // Pages that show the account are not for shared caches.
        let r = app.get_as("/about", Some(&cookie)).await;
        assert_eq!(r.headers()[header::CACHE_CONTROL], "private, no-cache");
        assert!(
            r.headers()
                .get_all(header::VARY)
                .iter()
                .any(|v| v == "Cookie")
        );

        let r = app.post_as("/logout", Some(&cookie), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let cleared = r
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cleared.starts_with("ss_session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
        assert_eq!(
            app.signed_in_as(&cookie).await,
            None,
            "[{db}] the old cookie is dead"
        );
    }
}

#[tokio::test]
async fn https_sites_set_secure_cookies() {
    for app in apps_with(Registration::Open, "https://papers.example").await {
        app.account("ada", Role::User).await;
        let r = app.login("ada", PW).await;
        let set = r
            .headers()
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(set.contains("; Secure"), "[{}] {set}", app.db);
    }
}

#[tokio::test]
async fn signup_errors_name_each_field_and_keep_the_input() {
    for app in apps().await {
        app.account("taken", Role::User).await;
        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "bad name"),
                    ("email", "nope"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.db);
        let body = text(r).await;
        assert!(body.contains("id=\"username-error\""), "{body}");
        assert!(body.contains("id=\"email-error\""));
        assert!(body.contains("id=\"password-error\""));
        assert!(body.contains("value=\"bad name\"") && body.contains("value=\"nope\""));
        assert!(
            !body.contains("value=\"short\""),
            "the password is never sent back"
        );

        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "TAKEN"),
                    ("email", "new@example.org"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(r).await.contains("That username is taken"));

        // A used address gets the same answer as a new one; its owner is told by mail.
        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "other"),
                    ("email", "taken@example.org"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let mail = app.mailer.captured().pop().unwrap();
        assert_eq!(mail.to, "taken@example.org");
        assert!(!mail.body.contains("token="));
        assert!(app.store.account_by_name("other").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn wrong_password_unknown_user_and_suspended() {
    for app in apps().await {
        let ada = app.account("ada", Role::User).await;
        let wrong = app.login("ada", "not the password").await;
        let unknown = app.login("nobody", PW).await;
        let empty = app.login("", "").await;
        for r in [wrong, unknown, empty] {
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "[{}]", app.db);
            assert!(session_from(&r).is_none());
            assert!(
                text(r)
                    .await
                    .contains("Wrong username, e-mail or password.")
            );
        }

        let cookie = app.session("ada", PW).await;
        app.store.set_suspended(ada, true).await.unwrap();
        assert_eq!(
            app.signed_in_as(&cookie).await,
            None,
            "suspension ends sessions"
        );
        let r = app.login("ada", PW).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(session_from(&r).is_none());
        assert!(text(r).await.contains("suspended"));
    }
}

#[tokio::test]
async fn a_new_session_at_every_login() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let first = app.session("ada", PW).await;
        let r = app
            .send(
                Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::COOKIE, &first)
                    .body(Body::from(form(&[("login", "ada"), ("password", PW)])))
                    .unwrap(),
            )
            .await;
        let second = session_from(&r).unwrap();
        assert_ne!(first, second);
        assert_eq!(
            app.signed_in_as(&first).await,
            None,
            "[{}] the old id is dropped",
            app.db
        );
        assert_eq!(app.signed_in_as(&second).await.as_deref(), Some("ada"));
    }
}

#[tokio::test]
async fn next_never_leaves_the_site() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
        ] {
            let r = app
                .post_as(
                    "/login",
                    None,
                    &[("login", "ada"), ("password", PW), ("next", evil)],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            assert_eq!(location(&r), "/", "[{}] next={evil}", app.db);
            let page = text(
                app.get_as(&format!("/login?next={}", enc(evil)), None)
                    .await,
            )
            .await;
            assert!(
                !page.contains("evil.example"),
                "{evil} echoed into the form"
            );
        }
        // A page that needs a login sends guests there and back.
        let r = app.get_as("/account", None).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/login?next=%2Faccount");
    }
}

#[tokio::test]
async fn logout_is_post_only_and_cross_site_posts_are_refused() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let cookie = app.session("ada", PW).await;
        let r = app.get_as("/logout", Some(&cookie)).await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "[{}]", app.db);
        assert_eq!(app.signed_in_as(&cookie).await.as_deref(), Some("ada"));

        let cross = Request::post("/logout")
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(cross).await.status(), StatusCode::FORBIDDEN);
        let cross_login = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(form(&[("login", "ada"), ("password", PW)])))
            .unwrap();
        let r = app.send(cross_login).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(session_from(&r).is_none());
        assert_eq!(app.signed_in_as(&cookie).await.as_deref(), Some("ada"));

        let same = Request::post("/logout")
            .header(header::COOKIE, &cookie)
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(same).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.signed_in_as(&cookie).await, None);
    }
}

#[tokio::test]
async fn login_attempts_are_rate_limited_honestly() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(app.login("ada", "wrong password!").await.status());
        }
        assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5], "[{}]", app.db);
        let r = app.login("ada", PW).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=15 * 60).contains(&retry), "{retry}");
        assert!(session_from(&r).is_none(), "even the right password waits");
        let body = text(r).await;
        assert!(
            body.contains("Too many requests") && body.contains("<html"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn every_post_is_rate_limited_per_address() {
    for app in apps().await {
        let from = |ip: [u8; 4]| {
            let mut r = Request::post("/logout").body(Body::empty()).unwrap();
            r.extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
            r
        };
        let mut last = StatusCode::OK;
        for _ in 0..61 {
            last = app.send(from([192, 0, 2, 1])).await.status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "[{}]", app.db);
        // Another address is not affected.
        assert_eq!(
            app.send(from([192, 0, 2, 2])).await.status(),
            StatusCode::SEE_OTHER
        );
        // Reading is never limited.
        assert_eq!(app.get_as("/about", None).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn password_reset_works_once() {
    for app in apps().await {
        let ada = app.account("ada", Role::User).await;
        let old_session = app.session("ada", PW).await;
        let r = app
            .post_as("/reset", None, &[("login", "ada@example.org")])
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/reset/sent");
        // Unknown accounts get the same answer and no mail.
        let before = app.mailer.captured().len();
        let r = app
            .post_as("/reset", None, &[("login", "nobody@example.org")])
            .await;
        assert_eq!(location(&r), "/reset/sent");
        assert_eq!(app.mailer.captured().len(), before);

        let token = last_token(&app.mailer);
        let r = app
            .get_as(&format!("/reset/password?token={token}"), None)
            .await;
        assert_eq!(r.status(), StatusCode::OK, "[{}]", app.db);
        assert!(text(r).await.contains("name=\"token\""));

        let r = app
            .post_as(
                "/reset/password",
                None,
                &[("token", &token), ("password", "too short")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a bad password keeps the link"
        );

        let new_pw = "a brand new passphrase";
        let r = app
            .post_as(
                "/reset/password",
                None,
                &[("token", &token), ("password", new_pw)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/login?reset=1");
        assert_eq!(
            app.signed_in_as(&old_session).await,
            None,
            "reset ends sessions"
        );
        assert_eq!(
            app.login("ada", PW).await.status(),
            StatusCode::UNAUTHORIZED
        );
        app.session("ada", new_pw).await;

        // Reuse fails and changes nothing.
        let r = app
            .post_as(
                "/reset/password",
                None,
                &[("token", &token), ("password", "attacker's choice!")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            app.login("ada", "attacker's choice!").await.status(),
            StatusCode::UNAUTHORIZED
        );

        // Empty, missing and forged tokens never work (the original site accepted md5('')).
        let before = app.store.password_hash(ada).await.unwrap();
        for forged in [
            "",
            "d41d8cd98f00b204e9800998ecf8427e",
            "null",
            &token.to_uppercase(),
        ] {
            let r = app
                .post_as(
                    "/reset/password",
                    None,
                    &[("token", forged), ("password", "attacker's choice!")],
                )
                .await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{forged:?}");
            assert!(session_from(&r).is_none());
            let r = app
                .get_as(&format!("/reset/password?token={forged}"), None)
                .await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST);
            let r = app.get_as(&format!("/confirm?token={forged}"), None).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        }
        let r = app
            .post_as(
                "/reset/password",
                None,
                &[("password", "attacker's choice!")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "missing token");
        assert_eq!(app.store.password_hash(ada).await.unwrap(), before);
    }
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let here = app.session("ada", PW).await;
        let elsewhere = app.session("ada", PW).await;
        let new_pw = "another long passphrase";

        let r = app
            .post_as(
                "/account/password",
                Some(&here),
                &[("current", "not it at all"), ("password", new_pw)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{}]", app.db);
        assert_eq!(app.signed_in_as(&elsewhere).await.as_deref(), Some("ada"));

        let r = app
            .post_as(
                "/account/password",
                Some(&here),
                &[("current", PW), ("password", new_pw)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/account?done=password");
        assert_eq!(
            app.signed_in_as(&here).await.as_deref(),
            Some("ada"),
            "this browser stays in"
        );
        assert_eq!(
            app.signed_in_as(&elsewhere).await,
            None,
            "others are logged out"
        );
        assert_eq!(
            app.login("ada", PW).await.status(),
            StatusCode::UNAUTHORIZED
        );
        app.session("ada", new_pw).await;

        // Guests are sent to log in; nothing changes.
        let r = app
            .post_as(
                "/account/password",
                None,
                &[("current", new_pw), ("password", PW)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(location(&r).starts_with("/login"));
    }
}

#[tokio::test]
async fn logging_out_everywhere() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let a = app.session("ada", PW).await;
        let b = app.session("ada", PW).await;
        let r = app.post_as("/account/logout-all", Some(&a), &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.signed_in_as(&a).await, None, "[{}]", app.db);
        assert_eq!(app.signed_in_as(&b).await, None);
    }
}

#[tokio::test]
async fn changing_the_email_is_confirmed_by_the_new_address() {
    for app in apps().await {
        let ada = app.account("ada", Role::User).await;
        app.account("bob", Role::User).await;
        let cookie = app.session("ada", PW).await;
        let r = app
            .post_as(
                "/account/email",
                Some(&cookie),
                &[("email", "ada@new.example"), ("current", PW)],
            )
            .await;
        assert_eq!(location(&r), "/account?done=email-sent", "[{}]", app.db);
        let mail = app.mailer.captured().pop().unwrap();
        assert_eq!(mail.to, "ada@new.example");
        let account = app.store.account(ada).await.unwrap().unwrap();
        assert_eq!(
            account.email.as_deref(),
            Some("ada@example.org"),
            "not before the link"
        );

        let token = last_token(&app.mailer);
        let r = app
            .get_as(
                &format!("/account/email/confirm?token={token}"),
                Some(&cookie),
            )
            .await;
        assert_eq!(location(&r), "/account?done=email");
        let account = app.store.account(ada).await.unwrap().unwrap();
        assert_eq!(account.email.as_deref(), Some("ada@new.example"));

        // Another account's address: no link, and the answer does not tell.
        let r = app
            .post_as(
                "/account/email",
                Some(&cookie),
                &[("email", "bob@example.org"), ("current", PW)],
            )
            .await;
        assert_eq!(location(&r), "/account?done=email-sent");
        assert!(!app.mailer.captured().pop().unwrap().body.contains("token="));
    }
}

#[tokio::test]
async fn deleting_the_account() {
    for app in apps().await {
        app.account("ada", Role::User).await;
        let cookie = app.session("ada", PW).await;
        let r = app
            .post_as(
                "/account/delete",
                Some(&cookie),
                &[("summaries", "keep"), ("current", "wrong one!")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "[{}]", app.db);
        let r = app
            .post_as(
                "/account/delete",
                Some(&cookie),
                &[("summaries", "keep"), ("current", PW)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/account/deleted?summaries=kept");
        assert_eq!(app.signed_in_as(&cookie).await, None);
        assert_eq!(
            app.login("ada", PW).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            app.get_as("/user/ada", None).await.status(),
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn closed_registration() {
    for app in apps_with(Registration::Closed, "http://127.0.0.1:8080").await {
        let page = text(app.get_as("/signup", None).await).await;
        assert!(page.contains("not taking new sign-ups"), "[{}]", app.db);
        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "eve"),
                    ("email", "eve@example.org"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(app.store.account_by_name("eve").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn invitation_registration() {
    for app in apps_with(Registration::Invite, "http://127.0.0.1:8080").await {
        app.account("root", Role::Admin).await;
        let fields = [
            ("username", "eve"),
            ("email", "eve@example.org"),
            ("password", PW),
        ];
        let r = app.post_as("/signup", None, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.db);
        assert!(text(r).await.contains("id=\"invite-error\""));

        let admin = app.session("root", PW).await;
        let page = text(app.post_as("/admin/invites", Some(&admin), &[]).await).await;
        let at = page.find("class=\"invite-code\">").unwrap() + "class=\"invite-code\">".len();
        let code = page[at..].split('<').next().unwrap().to_owned();
        // Only admins make codes.
        app.account("user", Role::User).await;
        let user = app.session("user", PW).await;
        assert_eq!(
            app.post_as("/admin/invites", Some(&user), &[])
                .await
                .status(),
            StatusCode::FORBIDDEN
        );

        let mut with_code = fields.to_vec();
        with_code.push(("invite", &code));
        assert_eq!(
            app.post_as("/signup", None, &with_code).await.status(),
            StatusCode::SEE_OTHER
        );
        assert!(app.store.account_by_name("eve").await.unwrap().is_some());
        // Used up.
        let again = [
            ("username", "mallory"),
            ("email", "m@example.org"),
            ("password", PW),
            ("invite", &code),
        ];
        assert_eq!(
            app.post_as("/signup", None, &again).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}

#[tokio::test]
async fn approval_registration() {
    for app in apps_with(Registration::Approval, "http://127.0.0.1:8080").await {
        app.account("root", Role::Admin).await;
        let r = app
            .post_as(
                "/signup",
                None,
                &[
                    ("username", "eve"),
                    ("email", "eve@example.org"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "[{}]", app.db);
        let token = last_token(&app.mailer);
        app.get_as(&format!("/confirm?token={token}"), None).await;
        let r = app.login("eve", PW).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(text(r).await.contains("approval"));

        let admin = app.session("root", PW).await;
        let page = text(app.get_as("/admin/accounts", Some(&admin)).await).await;
        assert!(page.contains("eve@example.org"));
        let eve = app.store.account_by_name("eve").await.unwrap().unwrap();
        let approve = format!("/admin/accounts/{}/approve", eve.id.0);
        // Guests and plain users cannot approve.
        assert!(location(&app.post_as(&approve, None, &[]).await).starts_with("/login"));
        app.account("user", Role::User).await;
        let user = app.session("user", PW).await;
        assert_eq!(
            app.post_as(&approve, Some(&user), &[]).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get_as("/admin/accounts", Some(&user)).await.status(),
            StatusCode::FORBIDDEN
        );

        assert_eq!(
            app.post_as(&approve, Some(&admin), &[]).await.status(),
            StatusCode::SEE_OTHER
        );
        app.session("eve", PW).await;
    }
}

#[tokio::test]
async fn confirmation_links_can_be_sent_again() {
    for app in apps().await {
        app.post_as(
            "/signup",
            None,
            &[
                ("username", "ann"),
                ("email", "ann@example.org"),
                ("password", PW),
            ],
        )
        .await;
        let first = last_token(&app.mailer);
        let r = app
            .post_as("/confirm/resend", None, &[("login", "ann")])
            .await;
        assert_eq!(location(&r), "/signup/sent", "[{}]", app.db);
        let second = last_token(&app.mailer);
        assert_ne!(first, second);
        assert_eq!(
            app.get_as(&format!("/confirm?token={first}"), None)
                .await
                .status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            app.get_as(&format!("/confirm?token={second}"), None)
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        // Tokens of one purpose do not work for another.
        let ann = app.store.account_by_name("ann").await.unwrap().unwrap();
        let reset = app
            .store
            .create_token(ann.id, TokenPurpose::Reset, None)
            .await
            .unwrap();
        assert_eq!(
            app.get_as(&format!("/confirm?token={reset}"), None)
                .await
                .status(),
            StatusCode::BAD_REQUEST
        );
    }
}

/// Who may use each account route that changes something: guests are sent to log in,
/// plain users are refused the admin routes, admins may use them.
#[tokio::test]
async fn account_routes_authorization_matrix() {
    for app in apps_with(Registration::Approval, "http://127.0.0.1:8080").await {
        app.account("root", Role::Admin).await;
        app.account("mod", Role::Moderator).await;
        app.account("user", Role::User).await;
        let pending = app
            .store
            .create_account(&NewAccount {
                username: "waiting".into(),
                email: "waiting@example.org".into(),
                password_hash: password::hash_blocking(PW).unwrap(),
                role: Role::User,
                email_confirmed: true,
                pending: true,
            })
            .await
            .unwrap()
            .unwrap();
        let approve = format!("/admin/accounts/{}/approve", pending.0);
        let admin = app.session("root", PW).await;
        let moderator = app.session("mod", PW).await;
        let user = app.session("user", PW).await;

        // Routes for any signed-in account: guests go to the login page.
        for route in [
            "/account/password",
            "/account/email",
            "/account/logout-all",
            "/account/delete",
        ] {
            let r = app.post_as(route, None, &[]).await;
            assert_eq!(
                r.status(),
                StatusCode::SEE_OTHER,
                "[{}] guest {route}",
                app.db
            );
            assert!(location(&r).starts_with("/login"), "guest {route}");
        }
        // Admin routes: guest → login, user and moderator → 403, admin → done.
        for route in [approve.as_str(), "/admin/invites"] {
            assert!(location(&app.post_as(route, None, &[]).await).starts_with("/login"));
            for (who, cookie) in [("user", &user), ("moderator", &moderator)] {
                let r = app.post_as(route, Some(cookie), &[]).await;
                assert_eq!(
                    r.status(),
                    StatusCode::FORBIDDEN,
                    "[{}] {who} {route}",
                    app.db
                );
            }
        }
        assert!(app.store.account(pending).await.unwrap().unwrap().pending);
        assert_eq!(
            app.post_as(&approve, Some(&admin), &[]).await.status(),
            StatusCode::SEE_OTHER
        );
        assert!(!app.store.account(pending).await.unwrap().unwrap().pending);
        assert_eq!(
            app.post_as("/admin/invites", Some(&admin), &[])
                .await
                .status(),
            StatusCode::OK
        );
        // Approving an account that does not exist is a 404, not a crash.
        let r = app
            .post_as("/admin/accounts/999999/approve", Some(&admin), &[])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .post_as("/admin/accounts/x/approve", Some(&admin), &[])
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}
