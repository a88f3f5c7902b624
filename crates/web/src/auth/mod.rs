//! Who is asking: the session cookie, the [`CurrentUser`] extractor, the client's
//! address, and the services accounts need (mailer, rate limits).
//!
//! The cookie `ss_session` holds only a random secret; the database keeps its SHA-256
//! (see `shortscience_store::tokens`). Handlers take `CurrentUser` (guests are sent to
//! `/login?next=…`) or `Option<CurrentUser>`.

pub mod mail;
pub mod password;
pub mod rate_limit;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use shortscience_ids::UserId;
use shortscience_store::Account;
pub use shortscience_store::Role;

use crate::error::AppError;
use crate::{AppState, WebConfig};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ss_session";

/// A signed-in, confirmed, not suspended user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn is_moderator(&self) -> bool {
        self.role.is_moderator()
    }
    pub fn is_admin(&self) -> bool {
        self.role.is_admin()
    }
}

impl From<Account> for CurrentUser {
    fn from(a: Account) -> Self {
        CurrentUser {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            role: a.role,
        }
    }
}

/// The session lookup, done once per request and kept in the request's extensions.
#[derive(Clone)]
struct Resolved(Option<CurrentUser>);

/// The user behind the request's session cookie, if any.
async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    if let Some(Resolved(user)) = parts.extensions.get::<Resolved>() {
        return Ok(user.clone());
    }
    let user = match session_token(&parts.headers) {
        Some(token) => state
            .store
            .session_user(&token)
            .await?
            .map(CurrentUser::from),
        None => None,
    };
    parts.extensions.insert(Resolved(user.clone()));
    Ok(user)
}

/// Why a page that needs a user could not have one.
#[derive(Debug)]
pub enum AuthRejection {
    /// Not signed in: 303 to the login page, coming back to `next` afterwards.
    Login {
        next: Option<String>,
    },
    Error(AppError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login { next } => {
                Redirect::to(&login_url(next.as_deref())).into_response()
            }
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, AuthRejection> {
        match resolve(parts, state).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(AuthRejection::Login {
                next: return_path(parts, &state.config),
            }),
            Err(e) => Err(AuthRejection::Error(e)),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        resolve(parts, state).await
    }
}

/// Middleware around every route: rate-limits writes, and marks responses to signed-in
/// browsers `private` (they show the account) so no shared cache keeps them.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(wait) = rate_limit::limit_write(&state, &request) {
        return rate_limit::too_many_requests(wait);
    }
    let signed_in = session_token(request.headers()).is_some();
    let mut response = next.run(request).await;
    if signed_in {
        let h = response.headers_mut();
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("private, no-cache"));
        h.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    response
}

/// `/login`, with `?next=` when there is somewhere to come back to.
pub fn login_url(next: Option<&str>) -> String {
    match next.filter(|n| is_local_path(n) && *n != "/") {
        Some(next) => format!(
            "/login?next={}",
            utf8_percent_encode(next, NON_ALPHANUMERIC)
        ),
        None => "/login".to_owned(),
    }
}

/// Where to return after logging in: the page itself for GET, the page the form was
/// on (from our own origin's Referer) for other methods.
fn return_path(parts: &Parts, config: &WebConfig) -> Option<String> {
    if parts.method == Method::GET || parts.method == Method::HEAD {
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned())?;
        return Some(path).filter(|p| is_local_path(p));
    }
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    let origin = config.base_url.trim_end_matches('/');
    let rest = referer.strip_prefix(origin)?;
    Some(rest.to_owned()).filter(|p| is_local_path(p))
}

/// True for a path on this site: starts with one `/`, not `//` or `/\` (which browsers
/// read as another host), and has no control characters or backslashes.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2000
}

/// The session secret from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// A cookie's value from every `Cookie` header (first match wins).
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

/// True when the site is served over https, so cookies get `Secure`.
pub fn secure_cookies(config: &WebConfig) -> bool {
    config
        .base_url
        .trim()
        .to_ascii_lowercase()
        .starts_with("https://")
}

/// `Set-Cookie` for a new session. The token is URL-safe base64, valid in a cookie.
pub fn session_cookie(token: &str, config: &WebConfig) -> HeaderValue {
    let max_age = shortscience_store::tokens::SESSION_IDLE_SECS;
    let secure = if secure_cookies(config) {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| clear_session_cookie(config))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_session_cookie(config: &WebConfig) -> HeaderValue {
    if secure_cookies(config) {
        HeaderValue::from_static("ss_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure")
    } else {
        HeaderValue::from_static("ss_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// The client's address: the connection's peer, or with `trusted_proxy` the last
/// address the proxy appended to `X-Forwarded-For`. None in tests without either.
pub fn client_ip(
    parts_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    config: &WebConfig,
) -> Option<IpAddr> {
    if config.trusted_proxy {
        let forwarded = parts_headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The client's address as an extractor (never fails; None when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            &parts.headers,
            &parts.extensions,
            &state.config,
        )))
    }
}

impl ClientIp {
    /// Rate-limit key; all unknown clients share one.
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

/// Services the account pages use. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    pub mailer: mail::Mailer,
    pub limits: Arc<rate_limit::Limits>,
}

impl Auth {
    pub fn new(mailer: mail::Mailer) -> Auth {
        Auth {
            mailer,
            limits: Arc::new(rate_limit::Limits::default()),
        }
    }
}

/// How people get accounts on this site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Registration {
    /// Anyone can sign up.
    #[default]
    Open,
    /// Anyone can sign up; an admin approves the account before it can log in.
    Approval,
    /// Signing up needs an invitation code from an admin.
    Invite,
    /// Only operators create accounts (`shortscience user add`).
    Closed,
}

impl Registration {
    pub fn parse(s: &str) -> Result<Registration, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Registration::Open),
            "approval" => Ok(Registration::Approval),
            "invite" | "invitation" => Ok(Registration::Invite),
            "closed" => Ok(Registration::Closed),
            other => Err(format!(
                "registration must be \"open\", \"approval\", \"invite\" or \"closed\", not {other:?}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_only() {
        for ok in ["/", "/paper/1", "/user/ada?x=1#top", "/a//b"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil",
            "javascript:alert(1)",
            "/x\r\nLocation: https://evil",
            "evil",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn login_urls_encode_next() {
        assert_eq!(login_url(None), "/login");
        assert_eq!(login_url(Some("/")), "/login");
        assert_eq!(login_url(Some("https://evil")), "/login");
        assert_eq!(
            login_url(Some("/paper/1?sort=new")),
            "/login?next=%2Fpaper%2F1%3Fsort%3Dnew"
        );
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; ss_session=abc ; b=2"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("x=1"));
        h.append(header::COOKIE, HeaderValue::from_static("ss_session=def"));
        assert_eq!(session_token(&h).as_deref(), Some("def"));
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("ss_session=; other_ss_session=x"),
        );
        assert_eq!(session_token(&h), None);
    }

    fn config(base: &str) -> WebConfig {
        WebConfig {
            base_url: base.into(),
            ..WebConfig::default()
        }
    }

    #[test]
    fn cookie_flags() {
        let c = session_cookie("tok", &config("http://127.0.0.1:8080"));
        let c = c.to_str().unwrap();
        assert!(c.starts_with("ss_session=tok;"));
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!c.contains("Secure"));
        let c = session_cookie("tok", &config("https://papers.example"));
        assert!(c.to_str().unwrap().ends_with("; Secure"));
        assert!(
            clear_session_cookie(&config("https://x.example"))
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn forwarded_for_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 10.0.0.9"),
        );
        let mut ext = axum::http::Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        let direct = config("http://x");
        assert_eq!(
            client_ip(&headers, &ext, &direct),
            Some(IpAddr::from([127, 0, 0, 1]))
        );
        let proxied = WebConfig {
            trusted_proxy: true,
            ..direct
        };
        assert_eq!(
            client_ip(&headers, &ext, &proxied),
            Some(IpAddr::from([10, 0, 0, 9]))
        );
    }

    #[test]
    fn registration_modes_parse() {
        assert_eq!(Registration::parse("open").unwrap(), Registration::Open);
        assert_eq!(
            Registration::parse(" Approval").unwrap(),
            Registration::Approval
        );
        assert_eq!(Registration::parse("invite").unwrap(), Registration::Invite);
        assert_eq!(Registration::parse("closed").unwrap(), Registration::Closed);
        assert!(Registration::parse("maybe").unwrap_err().contains("maybe"));
    }
}
