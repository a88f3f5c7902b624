//! Response middleware: security headers on everything, the one place that turns
//! error statuses into HTML pages, and the layer that answers a panicking handler.

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use tower_http::catch_panic::CatchPanicLayer;

use crate::AppState;
use crate::error::ErrorPage;
use crate::pages::error::ErrorTemplate;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' https: data:; \
     media-src 'self' https:; font-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers, and `Cache-Control: no-cache` where a handler chose none.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-cache"));
    response
}

/// What a panicking handler's request gets.
type PanicResponder = fn(Box<dyn Any + Send + 'static>) -> Response;

/// Turns a handler's panic into a 500, which the layer outside renders as an error
/// page or a problem document. Without it the connection closes with no answer.
pub fn catch_panics() -> CatchPanicLayer<PanicResponder> {
    CatchPanicLayer::custom(answer_panic as PanicResponder)
}

/// The panic itself is logged by the process's panic hook, inside the request's span.
fn answer_panic(_: Box<dyn Any + Send + 'static>) -> Response {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// Renders the HTML error page for responses that carry an [`ErrorPage`], and for
/// error statuses that other layers answered without HTML (404, 405, 403 CSRF,
/// 413 body limit, 503 timeout, extractor rejections…).
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let head = request.method() == Method::HEAD;
    let session = crate::auth::session_token(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    let page = match response.extensions().get::<ErrorPage>() {
        Some(page) => page.clone(),
        None if status.as_u16() >= 400 && !is_html(&response) => ErrorPage::for_status(status),
        None => return response,
    };
    let (mut parts, _) = response.into_parts();
    let body = if head {
        Body::empty()
    } else {
        // The header still shows who is signed in (not when the database is the problem).
        let viewer = match session {
            Some(token) if status != StatusCode::SERVICE_UNAVAILABLE => {
                state.store.session_user(&token).await.ok().flatten()
            }
            _ => None,
        }
        .map(crate::auth::CurrentUser::from);
        match ErrorTemplate::new(&state.config, viewer.as_ref(), status, &page).render() {
            Ok(html) => Body::from(html),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                Body::from(format!("{} {}", status.as_u16(), page.heading))
            }
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut rendered = Html(body).into_response();
    *rendered.status_mut() = status;
    // Keep what the inner layers said (Allow on 405, …) but not their content type.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    rendered
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_is_answered_500() {
        let app = Router::new()
            .route(
                "/boom",
                get(|| async {
                    if true {
                        panic!("handler bug");
                    }
                    "unreachable"
                }),
            )
            .route("/fine", get(|| async { "fine" }))
            .layer(catch_panics());
        let ask = |path: &'static str| {
            app.clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
        };
        assert_eq!(
            ask("/boom").await.unwrap().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        // The service keeps answering after a panic.
        assert_eq!(ask("/fine").await.unwrap().status(), StatusCode::OK);
    }
}
