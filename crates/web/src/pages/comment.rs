//! Comments under a summary: `POST /summary/{id}/comment` (new comment or reply),
//! `GET`/`POST /comment/{id}/edit`, `POST /comment/{id}/delete`; and [`thread_items`],
//! which prepares a summary's thread for its page.
//!
//! Comments use the summaries' renderer (Markdown and maths, sanitised), rendered once
//! when saved. Threads are indented up to [`MAX_DISPLAY_DEPTH`]; deeper replies are shown
//! at that depth with a link to the comment they answer. On a private summary the share
//! secret travels in a hidden field, so whoever may read the summary may also comment.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use shortscience_ids::{CommentId, SummaryId};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{CommentMeta, CommentView, CommentWrite, MAX_COMMENT_BYTES, StoreError};

use super::auth::{private_layout, see_other, with_status};
use super::html;
use super::write::render_error_message;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::{IdPath, parse_row_id};
use crate::publish::render_summary;
use crate::view::{AuthorLink, Date, Layout, user_url};

/// Replies deeper than this are shown at this depth.
pub const MAX_DISPLAY_DEPTH: u32 = 6;

/// Who a comment shows as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentBy {
    Named(AuthorLink),
    /// The author of an anonymous summary, shown without a name.
    AnonymousAuthor,
    /// The account was deleted.
    Gone,
    /// Deleted or hidden comments name nobody.
    Nobody,
}

/// One comment, ready for the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentItem {
    pub id: i64,
    /// Indentation, 0 to [`MAX_DISPLAY_DEPTH`].
    pub depth: u32,
    /// Shown past the indentation limit: the comment this one answers.
    pub reply_to: Option<i64>,
    pub by: CommentBy,
    /// Marks comments by the summary's author (only ever with a name when the summary
    /// is not anonymous, or to the author themself).
    pub by_summary_author: bool,
    pub html: String,
    pub created: Date,
    pub edited: Option<Date>,
    pub deleted: bool,
    pub hidden: bool,
    pub is_own: bool,
    /// The source, for the author's edit form.
    pub markdown: String,
    pub can_reply: bool,
}

/// A summary's comments in thread order, prepared for display.
pub fn thread_items(views: Vec<CommentView>, signed_in: bool) -> Vec<CommentItem> {
    views
        .into_iter()
        .map(|c| {
            let stub = c.deleted || c.hidden;
            let by = match (&c.author, stub, c.by_summary_author) {
                (_, true, _) => CommentBy::Nobody,
                (Some(b), false, _) => CommentBy::Named(AuthorLink {
                    name: b.display_name.clone(),
                    url: user_url(&b.username),
                }),
                (None, false, true) => CommentBy::AnonymousAuthor,
                (None, false, false) => CommentBy::Gone,
            };
            let created = Date::from_unix(c.created_at);
            CommentItem {
                id: c.id.0,
                depth: c.depth.min(MAX_DISPLAY_DEPTH),
                reply_to: c
                    .parent_id
                    .filter(|_| c.depth > MAX_DISPLAY_DEPTH)
                    .map(|p| p.0),
                by,
                by_summary_author: c.by_summary_author,
                html: c.html,
                edited: c.edited_at.map(Date::from_unix),
                created,
                deleted: c.deleted,
                hidden: c.hidden,
                is_own: c.is_own,
                markdown: c.markdown.unwrap_or_default(),
                can_reply: signed_in && !stub,
            }
        })
        .collect()
}

/// Everything but the URL-safe base64 alphabet of share secrets is escaped.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');

/// `?share=…` for links that must keep a share secret, or "".
pub fn share_query(share: Option<&str>) -> String {
    match share.filter(|s| !s.is_empty()) {
        Some(s) => format!("?share={}", utf8_percent_encode(s, QUERY_VALUE)),
        None => String::new(),
    }
}

#[derive(Template)]
#[template(path = "comment_form.html")]
struct CommentFormPage {
    l: Layout,
    heading: &'static str,
    action: String,
    markdown: String,
    parent: Option<i64>,
    share: String,
    back: String,
    error: Option<String>,
    max_bytes: usize,
}

#[derive(Deserialize, Default)]
pub struct CommentForm {
    #[serde(default)]
    markdown: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    share: String,
}

fn share_of(form: &CommentForm) -> Option<&str> {
    Some(form.share.as_str()).filter(|s| !s.is_empty())
}

/// Checks and renders a comment's text; Err is the message for the form.
async fn render_comment(state: &AppState, markdown: &str) -> Result<(String, String), String> {
    let markdown = markdown.replace("\r\n", "\n");
    if markdown.trim().is_empty() {
        return Err("The comment is empty. Nothing was saved.".to_owned());
    }
    if markdown.len() > MAX_COMMENT_BYTES {
        return Err(format!(
            "A comment may have at most {MAX_COMMENT_BYTES} bytes; this one has {}. Nothing was saved.",
            markdown.len()
        ));
    }
    match render_summary(&state.store, &markdown).await {
        Ok(r) => Ok((markdown, r.html)),
        Err(e) => Err(render_error_message(&e)),
    }
}

struct FormSpec<'a> {
    heading: &'static str,
    action: String,
    parent: Option<i64>,
    back: String,
    form: &'a CommentForm,
}

/// The comment form again with `error` (422): nothing was stored.
fn refuse(
    state: &AppState,
    user: &CurrentUser,
    spec: FormSpec<'_>,
    error: String,
) -> AppResult<Response> {
    let page = CommentFormPage {
        l: private_layout(&state.config, Some(user), spec.heading, &spec.action),
        heading: spec.heading,
        action: spec.action,
        markdown: spec.form.markdown.clone(),
        parent: spec.parent,
        share: spec.form.share.clone(),
        back: spec.back,
        error: Some(error),
        max_bytes: MAX_COMMENT_BYTES,
    };
    with_status(html(&page)?, StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn post_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(summary): IdPath<SummaryId>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let share = share_of(&form);
    let missing = || AppError::not_found(format!("There is no summary number {summary} here."));
    // Only those who may read the summary may comment on it (and learn it exists).
    state
        .store
        .summary_for(summary, Some(user.id), share)
        .await?
        .ok_or_else(missing)?;
    let parent = match form.parent.trim() {
        "" => None,
        raw => Some(parse_row_id::<CommentId>(raw)?),
    };
    let back = format!("/summary/{summary}{}", share_query(share));
    let spec = || FormSpec {
        heading: if parent.is_some() {
            "Reply"
        } else {
            "Add a comment"
        },
        action: format!("/summary/{summary}/comment"),
        parent: parent.map(|p| p.0),
        back: back.clone(),
        form: &form,
    };
    let (markdown, html) = match render_comment(&state, &form.markdown).await {
        Ok(ok) => ok,
        Err(message) => return refuse(&state, &user, spec(), message),
    };
    let write = CommentWrite {
        summary,
        parent,
        author: user.id,
        markdown,
        html,
        renderer_version: RENDERER_VERSION,
    };
    match state.store.add_comment(&write, share).await {
        Ok(id) => Ok(see_other(&format!("{back}#comment-{id}"))),
        Err(StoreError::Invalid(reason)) => refuse(&state, &user, spec(), format!("{reason}.")),
        Err(StoreError::NotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

/// The viewer's own live comment on a summary they may still read; 403 for others'.
async fn own_comment(
    state: &AppState,
    user: &CurrentUser,
    id: CommentId,
    share: Option<&str>,
) -> AppResult<CommentMeta> {
    let missing = || AppError::not_found(format!("There is no comment number {id} here."));
    let meta = state.store.comment_meta(id).await?.ok_or_else(missing)?;
    state
        .store
        .summary_for(meta.summary_id, Some(user.id), share)
        .await?
        .ok_or_else(missing)?;
    if meta.author_id != user.id {
        return Err(AppError::forbidden(
            "Only its author can change or delete a comment.".to_owned(),
        ));
    }
    if meta.deleted {
        return Err(AppError::not_found("That comment was deleted."));
    }
    Ok(meta)
}

#[derive(Deserialize, Default)]
pub struct ShareQuery {
    #[serde(default)]
    share: String,
}

pub async fn get_comment_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
    axum::extract::Query(q): axum::extract::Query<ShareQuery>,
) -> AppResult<Response> {
    let share = Some(q.share.as_str()).filter(|s| !s.is_empty());
    let meta = own_comment(&state, &user, id, share).await?;
    let views = state
        .store
        .summary_comments(meta.summary_id, Some(user.id), share)
        .await?
        .unwrap_or_default();
    let markdown = views
        .into_iter()
        .find(|c| c.id == id)
        .and_then(|c| c.markdown)
        .unwrap_or_default();
    let action = format!("/comment/{id}/edit");
    let page = CommentFormPage {
        l: private_layout(&state.config, Some(&user), "Edit your comment", &action),
        heading: "Edit your comment",
        action,
        markdown,
        parent: None,
        share: q.share.clone(),
        back: format!(
            "/summary/{}{}#comment-{id}",
            meta.summary_id,
            share_query(share)
        ),
        error: None,
        max_bytes: MAX_COMMENT_BYTES,
    };
    html(&page)
}

pub async fn post_comment_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let share = share_of(&form);
    let meta = own_comment(&state, &user, id, share).await?;
    let back = format!("/summary/{}{}", meta.summary_id, share_query(share));
    let (markdown, html) = match render_comment(&state, &form.markdown).await {
        Ok(ok) => ok,
        Err(message) => {
            let spec = FormSpec {
                heading: "Edit your comment",
                action: format!("/comment/{id}/edit"),
                parent: None,
                back: format!("{back}#comment-{id}"),
                form: &form,
            };
            return refuse(&state, &user, spec, message);
        }
    };
    state
        .store
        .edit_comment(id, user.id, &markdown, &html, RENDERER_VERSION)
        .await?;
    Ok(see_other(&format!("{back}#comment-{id}")))
}

pub async fn post_comment_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CommentId>,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    let share = share_of(&form);
    let meta = own_comment(&state, &user, id, share).await?;
    state.store.delete_comment(id, user.id).await?;
    Ok(see_other(&format!(
        "/summary/{}{}#comment-{id}",
        meta.summary_id,
        share_query(share)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shortscience_store::Byline;

    fn view(id: i64, parent: Option<i64>, depth: u32) -> CommentView {
        CommentView {
            id: CommentId(id),
            summary_id: SummaryId(1),
            parent_id: parent.map(CommentId),
            depth,
            author: Some(Byline {
                username: "ada".into(),
                display_name: "Ada".into(),
            }),
            by_summary_author: false,
            is_own: false,
            html: "<p>x</p>".into(),
            markdown: None,
            created_at: 0,
            edited_at: None,
            deleted: false,
            hidden: false,
        }
    }

    #[test]
    fn depth_is_capped_and_deep_replies_name_their_parent() {
        let items = thread_items(
            vec![view(1, None, 0), view(2, Some(1), 6), view(3, Some(2), 9)],
            true,
        );
        let shape: Vec<_> = items.iter().map(|c| (c.depth, c.reply_to)).collect();
        assert_eq!(shape, vec![(0, None), (6, None), (6, Some(2))]);
    }

    #[test]
    fn stubs_name_nobody_and_take_no_replies() {
        let mut deleted = view(1, None, 0);
        deleted.deleted = true;
        deleted.author = None;
        deleted.html = String::new();
        let mut anon = view(2, None, 0);
        anon.author = None;
        anon.by_summary_author = true;
        let mut gone = view(3, None, 0);
        gone.author = None;
        let items = thread_items(vec![deleted, anon, gone, view(4, None, 0)], true);
        assert_eq!(items[0].by, CommentBy::Nobody);
        assert!(!items[0].can_reply && items[1].can_reply);
        assert_eq!(items[1].by, CommentBy::AnonymousAuthor);
        assert_eq!(items[2].by, CommentBy::Gone);
        assert!(matches!(&items[3].by, CommentBy::Named(a) if a.url == "/user/ada"));
        let guest = thread_items(vec![view(5, None, 0)], false);
        assert!(!guest[0].can_reply);
    }

    #[test]
    fn share_queries_are_encoded() {
        assert_eq!(share_query(None), "");
        assert_eq!(share_query(Some("")), "");
        assert_eq!(share_query(Some("ab-_9")), "?share=ab-_9");
        assert_eq!(share_query(Some("a&b=c#")), "?share=a%26b%3Dc%23");
    }
}
