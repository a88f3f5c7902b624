//! Writing a summary: `GET /paper/{id}/write` (the form, filled with the user's summary
//! when they have one), `POST /paper/{id}/write` (`action=preview` answers the form with
//! the rendered preview above it; `action=save` stores it and a revision), and
//! `POST /preview` (the HTML fragment the editor script shows as you type).
//!
//! Preview and save go through the same renderer (`publish::render_summary`), so what
//! the preview shows is what the summary page will show. A summary the renderer refuses
//! (too long, nested too deeply) comes back in the form with a 422 and nothing saved.

use std::sync::LazyLock;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shortscience_ids::PaperId;
use shortscience_render::{MAX_SOURCE_BYTES, RENDERER_VERSION, RenderError, Rendered};
use shortscience_store::{StoreError, SummaryWrite};

use super::auth::{private_layout, see_other, with_status};
use super::html;
use crate::AppState;
use crate::assets;
use crate::auth::rate_limit::{RateLimiter, too_many_requests};
use crate::auth::{CurrentUser, session_token};
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::publish::render_summary;
use crate::view::{Layout, PaperHead};

/// Writing, voting, comment and history routes, merged into the one route table.
pub fn routes() -> Router<AppState> {
    use super::{comment, revisions, vote, write_share};
    Router::new()
        .route("/paper/{id}/write", get(get_write).post(post_write))
        .route("/preview", post(post_preview))
        .route(
            "/summary/{id}/delete",
            get(write_share::get_delete).post(write_share::post_delete),
        )
        .route("/summary/{id}/share", post(write_share::post_share))
        .route(
            "/summary/{id}/share/revoke",
            post(write_share::post_share_revoke),
        )
        .route("/summary/{id}/revisions", get(revisions::get_revisions))
        .route("/summary/{id}/vote", post(vote::post_vote))
        .route("/summary/{id}/comment", post(comment::post_comment))
        .route(
            "/comment/{id}/edit",
            get(comment::get_comment_edit).post(comment::post_comment_edit),
        )
        .route("/comment/{id}/delete", post(comment::post_comment_delete))
}

/// The paper page's invitation to write (or edit) a summary.
pub struct WriteLink {
    pub href: String,
    pub label: &'static str,
}

impl WriteLink {
    /// `paper_url` is the paper page's path.
    pub fn new(paper_url: &str, signed_in: bool, has_own: bool) -> WriteLink {
        let href = format!("{paper_url}/write");
        match (signed_in, has_own) {
            (false, _) => WriteLink {
                href: crate::auth::login_url(Some(&href)),
                label: "Log in to write a summary",
            },
            (true, true) => WriteLink {
                href,
                label: "Edit your summary",
            },
            (true, false) => WriteLink {
                href,
                label: "Write a summary",
            },
        }
    }
}

/// The rendered preview and the renderer's warnings ("Line 3: …").
pub struct PreviewView {
    pub html: String,
    pub warnings: Vec<String>,
}

impl PreviewView {
    pub fn from_rendered(r: Rendered) -> PreviewView {
        PreviewView {
            warnings: r
                .warnings
                .iter()
                .map(|w| format!("Line {}: {}", w.line, w.message))
                .collect(),
            html: r.html,
        }
    }
}

#[derive(Template)]
#[template(path = "write.html")]
struct WritePage {
    l: Layout,
    p: PaperHead,
    link_title: bool,
    heading: &'static str,
    action: String,
    markdown: String,
    private: bool,
    anonymous: bool,
    /// The summary being edited, for the history and delete links.
    existing: Option<i64>,
    preview: Option<PreviewView>,
    error: Option<String>,
    editor_js: String,
    max_bytes: usize,
}

#[derive(Template)]
#[template(path = "_preview.html")]
struct PreviewFragment {
    preview: Option<PreviewView>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct WriteForm {
    #[serde(default)]
    markdown: String,
    /// Checkboxes: present (any value) when ticked.
    #[serde(default)]
    private: Option<String>,
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    action: String,
}

#[derive(Deserialize, Default)]
pub struct PreviewForm {
    #[serde(default)]
    markdown: String,
}

/// The message shown when the renderer refuses a text; names the line when it has one.
pub fn render_error_message(e: &RenderError) -> String {
    let reason = match e {
        RenderError::TooLong { len, max } => format!(
            "The text is {len} bytes long; a summary may have at most {max}. Shorten it a little."
        ),
        RenderError::TooDeep { line, depth, max } => format!(
            "Line {line}: the maths there is nested {depth} levels deep; at most {max} levels are allowed."
        ),
        RenderError::TooNested { line, depth, max } => format!(
            "Line {line}: quotes, lists or emphasis are nested {depth} levels deep; at most {max} levels are allowed."
        ),
    };
    format!("{reason} Nothing was saved.")
}

/// Markdown as typed, with Windows line ends made plain so revisions diff cleanly.
fn normalise(markdown: &str) -> String {
    markdown.replace("\r\n", "\n")
}

async fn paper_head(state: &AppState, id: PaperId) -> AppResult<PaperHead> {
    let paper = state
        .store
        .paper(id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no paper number {id} here.")))?;
    Ok(PaperHead::from_paper(paper))
}

struct Draft {
    markdown: String,
    private: bool,
    anonymous: bool,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    paper: PaperId,
    draft: Draft,
    preview: Option<PreviewView>,
    error: Option<String>,
) -> AppResult<WritePage> {
    let head = paper_head(state, paper).await?;
    let existing = state.store.own_summary(paper, user.id).await?;
    let heading = if existing.is_some() {
        "Edit your summary"
    } else {
        "Write a summary"
    };
    let action = format!("{}/write", head.url);
    Ok(WritePage {
        l: private_layout(&state.config, Some(user), heading, &action),
        p: head,
        link_title: true,
        heading,
        action,
        markdown: draft.markdown,
        private: draft.private,
        anonymous: draft.anonymous,
        existing: existing.map(|e| e.id.0),
        preview,
        error,
        editor_js: assets::url("editor.js"),
        max_bytes: MAX_SOURCE_BYTES,
    })
}

/// Pages with a draft in them are never cached or indexed.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn get_write(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(paper): IdPath<PaperId>,
) -> AppResult<Response> {
    let draft = match state.store.own_summary(paper, user.id).await? {
        Some(own) => Draft {
            markdown: own.markdown,
            private: own.private,
            anonymous: own.anonymous,
        },
        None => Draft {
            markdown: String::new(),
            private: false,
            anonymous: false,
        },
    };
    let page = page(&state, &user, paper, draft, None, None).await?;
    Ok(no_store(html(&page)?))
}

pub async fn post_write(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(paper): IdPath<PaperId>,
    Form(form): Form<WriteForm>,
) -> AppResult<Response> {
    let draft = Draft {
        markdown: normalise(&form.markdown),
        private: form.private.is_some(),
        anonymous: form.anonymous.is_some(),
    };
    let save = match form.action.as_str() {
        "save" | "" => true,
        "preview" => false,
        other => {
            return Err(AppError::bad_request(format!(
                "Unknown action “{}”: the form saves or previews.",
                crate::extract::clip(other, 40)
            )));
        }
    };
    // 422 with the form and the reason; nothing stored.
    let refuse = |page: WritePage| -> AppResult<Response> {
        Ok(no_store(with_status(
            html(&page)?,
            StatusCode::UNPROCESSABLE_ENTITY,
        )?))
    };
    if draft.markdown.trim().is_empty() {
        let error = "Write something first: the summary is empty. Nothing was saved.".to_owned();
        let page = page(&state, &user, paper, draft, None, Some(error)).await?;
        return refuse(page);
    }
    let rendered = match render_summary(&state.store, &draft.markdown).await {
        Ok(r) => r,
        Err(e) => {
            let error = render_error_message(&e);
            let page = page(&state, &user, paper, draft, None, Some(error)).await?;
            return refuse(page);
        }
    };
    if !save {
        let preview = PreviewView::from_rendered(rendered);
        let page = page(&state, &user, paper, draft, Some(preview), None).await?;
        return Ok(no_store(html(&page)?));
    }
    let write = SummaryWrite {
        paper,
        author: user.id,
        markdown: draft.markdown.clone(),
        html: rendered.html.clone(),
        excerpt: rendered.excerpt.clone(),
        paper_refs: rendered.paper_refs.clone(),
        renderer_version: RENDERER_VERSION,
        private: draft.private,
        anonymous: draft.anonymous,
        created_at: None,
    };
    match state.store.save_summary(&write).await {
        Ok((id, _)) => Ok(see_other(&format!("/paper/{paper}#summary-{id}"))),
        Err(StoreError::NotFound) => Err(AppError::not_found(format!(
            "There is no paper number {paper} here."
        ))),
        Err(StoreError::Invalid(reason)) => {
            let error = format!("{reason}. Nothing was saved.");
            let preview = Some(PreviewView::from_rendered(rendered));
            let page = page(&state, &user, paper, draft, preview, Some(error)).await?;
            refuse(page)
        }
        Err(e) => Err(e.into()),
    }
}

/// Live previews are frequent while typing, so they have their own allowance instead of
/// spending the one for writes.
static PREVIEW_LIMIT: LazyLock<RateLimiter> =
    LazyLock::new(|| RateLimiter::new(120, Duration::from_secs(60)));

/// `POST /preview`: the rendered fragment for the editor script. Signed-in users only.
pub async fn post_preview(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Form(form): Form<PreviewForm>,
) -> AppResult<Response> {
    let fragment = |status: StatusCode, preview, error| -> AppResult<Response> {
        let mut response = Html(PreviewFragment { preview, error }.render()?).into_response();
        *response.status_mut() = status;
        Ok(no_store(response))
    };
    let Some(user) = user else {
        return fragment(
            StatusCode::FORBIDDEN,
            None,
            Some("Log in to preview summaries.".to_owned()),
        );
    };
    // Per session, keyed by the secret's hash as the write limit is.
    let key = session_token(&headers).map_or_else(
        || format!("user:{}", user.id.0),
        |t| shortscience_store::tokens::token_hash(&t),
    );
    if let Err(wait) = PREVIEW_LIMIT.check(&key) {
        return Ok(too_many_requests(wait));
    }
    let markdown = normalise(&form.markdown);
    match render_summary(&state.store, &markdown).await {
        Ok(r) => fragment(StatusCode::OK, Some(PreviewView::from_rendered(r)), None),
        Err(e) => fragment(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(render_error_message(&e)),
        ),
    }
}

/// True for the live preview path, which the write limit leaves to [`post_preview`].
pub fn is_preview_path(path: &str) -> bool {
    path == "/preview"
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortscience_render::{NoPapers, render};

    #[test]
    fn render_errors_name_the_line() {
        let e = RenderError::TooNested {
            line: 12,
            depth: 60,
            max: 50,
        };
        let msg = render_error_message(&e);
        assert!(msg.starts_with("Line 12:"), "{msg}");
        assert!(msg.ends_with("Nothing was saved."), "{msg}");
        let long = render_error_message(&RenderError::TooLong { len: 9, max: 8 });
        assert!(long.contains("at most 8"), "{long}");
    }

    #[test]
    fn a_real_refusal_reads_well() {
        let deep = format!("intro\n\n${}x{}$", "{".repeat(400), "}".repeat(400));
        let err = render(&deep, &NoPapers).unwrap_err();
        let msg = render_error_message(&err);
        assert!(msg.starts_with("Line 3:"), "{msg}");
    }

    #[test]
    fn warnings_carry_their_line() {
        let r = render("fine\n\n$\\frac{1}{$", &NoPapers).unwrap();
        let p = PreviewView::from_rendered(r);
        assert!(
            p.warnings.iter().any(|w| w.starts_with("Line 3:")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn line_ends_are_normalised() {
        assert_eq!(normalise("a\r\nb\r\n"), "a\nb\n");
    }
}
