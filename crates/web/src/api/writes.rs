//! Write operations, as the token's owner. Bodies are JSON with no unknown fields; each
//! write is one store transaction, so a refused request changes nothing.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shortscience_ids::{CommentId, PaperRef, SummaryId};
use shortscience_render::RENDERER_VERSION;
use shortscience_store::{
    CommentWrite, MAX_REASON_CHARS, NewPaper, SummaryImport, SummaryWrite, TargetKind,
};

use super::auth::Writer;
use super::problem::{ApiError, ApiResult, Kind};
use super::reads::{path, resolve_paper, summary_id};
use super::types::{CommentOut, SummaryOut, Urls, VoteOut, VotesOut};
use crate::AppState;
use crate::publish;

/// A JSON body, refused as a problem document when it is not exactly what the
/// operation takes.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(t)) => Ok(ApiJson(t)),
            Err(e) => Err(json_problem(&e)),
        }
    }
}

fn json_problem(e: &JsonRejection) -> ApiError {
    match e {
        JsonRejection::JsonSyntaxError(_) => ApiError::new(Kind::MalformedJson, e.body_text()),
        JsonRejection::JsonDataError(_) => ApiError::invalid(e.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            Kind::UnsupportedMediaType,
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            Kind::TooLarge,
            "The request body is larger than the API accepts.",
        ),
        other => ApiError::bad_request(other.body_text()),
    }
}

/// Longest summary source the API takes, in bytes (the schema's `maxLength`).
pub const MAX_SUMMARY_BYTES: usize = 100_000;
/// Longest title for a new paper.
pub const MAX_TITLE_CHARS: usize = 2000;

fn check_summary_text(markdown: &str) -> ApiResult<()> {
    if markdown.trim().is_empty() {
        return Err(ApiError::invalid("`markdown` is empty."));
    }
    if markdown.chars().count() > MAX_SUMMARY_BYTES || markdown.len() > MAX_SUMMARY_BYTES * 4 {
        return Err(ApiError::invalid(format!(
            "`markdown` is at most {MAX_SUMMARY_BYTES} characters."
        )));
    }
    Ok(())
}

fn render_error(e: shortscience_render::RenderError) -> ApiError {
    ApiError::invalid(format!("The Markdown cannot be published: {e}"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSummary {
    /// The paper's number or any identifier.
    pub paper: String,
    pub markdown: String,
    /// Needed only when the identifier names a paper the site does not know yet.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub private: bool,
    #[serde(default)]
    pub anonymous: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditSummary {
    pub markdown: String,
    /// Unchanged when left out.
    #[serde(default)]
    pub private: Option<bool>,
    #[serde(default)]
    pub anonymous: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    #[serde(deserialize_with = "whole_number")]
    pub value: i64,
}

/// JSON Schema integers include `1.0`; serde's do not. Accepts any number with no
/// fractional part that fits an i64.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number, not {n}")))
}

fn optional_whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(n)| n))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub markdown: String,
    #[serde(default, deserialize_with = "optional_whole_number")]
    pub parent_id: Option<i64>,
}

/// Request body schemas for the OpenAPI document.
pub fn body_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "NewSummary",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["paper", "markdown"],
                "properties": {
                    "paper": { "type": "string", "maxLength": 200, "anyOf": [
                        { "pattern": "^[1-9][0-9]{0,15}$" },
                        { "pattern": super::spec::ARXIV_PATTERN },
                        { "pattern": super::spec::DOI_PATTERN },
                    ], "description": "The paper's number, or its arXiv id or DOI (DBLP keys, OpenReview ids and URLs work too)." },
                    "markdown": { "type": "string", "minLength": 1, "maxLength": 100000 },
                    "title": { "type": ["string", "null"], "maxLength": 2000,
                        "description": "Only for a paper the site does not know yet." },
                    "private": { "type": "boolean", "default": false },
                    "anonymous": { "type": "boolean", "default": false },
                },
            }),
        ),
        (
            "EditSummary",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["markdown"],
                "properties": {
                    "markdown": { "type": "string", "minLength": 1, "maxLength": 100000 },
                    "private": { "type": ["boolean", "null"] },
                    "anonymous": { "type": ["boolean", "null"] },
                },
            }),
        ),
        (
            "NewVote",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["value"],
                "properties": { "value": { "type": "integer", "enum": [-1, 0, 1] } },
            }),
        ),
        (
            "NewComment",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["markdown"],
                "properties": {
                    "markdown": { "type": "string", "minLength": 1, "maxLength": 20000 },
                    "parent_id": { "type": ["integer", "null"], "minimum": 1 },
                },
            }),
        ),
    ]
}

async fn summary_out(state: &AppState, id: SummaryId, viewer: &Writer) -> ApiResult<SummaryOut> {
    let view = state
        .store
        .summary(id, Some(viewer.0.id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    let markdown = state.store.summary_markdown(id).await?;
    Ok(SummaryOut::new(
        view,
        markdown,
        &Urls(&state.config.base_url),
    ))
}

fn created(body: impl serde::Serialize, location: &str) -> Response {
    (
        StatusCode::CREATED,
        [(axum::http::header::LOCATION, location.to_owned())],
        Json(body),
    )
        .into_response()
}

/// `POST /summaries`: the token owner's summary of a paper (one per paper; 409 when it
/// exists: edit it with PUT).
pub async fn post_summary(
    State(state): State<AppState>,
    writer: Writer,
    ApiJson(body): ApiJson<NewSummary>,
) -> ApiResult<Response> {
    check_summary_text(&body.markdown)?;
    if body.paper.len() > 200 {
        return Err(ApiError::invalid("`paper` is at most 200 characters."));
    }
    if body
        .title
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_TITLE_CHARS)
    {
        return Err(ApiError::invalid(format!(
            "`title` is at most {MAX_TITLE_CHARS} characters."
        )));
    }
    let rendered = publish::render_summary(&state.store, &body.markdown)
        .await
        .map_err(render_error)?;
    let known = match resolve_paper(&state, &body.paper).await {
        Ok(id) => Some(id),
        Err(e) if e.kind == Kind::NotFound => None,
        Err(e) => return Err(e),
    };
    let id = match known {
        Some(paper) => {
            if state.store.paper(paper).await?.is_none() {
                return Err(ApiError::not_found(format!(
                    "There is no paper number {paper} here."
                )));
            }
            if let Some(own) = state.store.own_summary(paper, writer.0.id).await? {
                return Err(ApiError::new(
                    Kind::Conflict,
                    format!(
                        "You already summarised this paper: edit /api/v1/summaries/{} instead.",
                        own.id
                    ),
                ));
            }
            let (id, _) = state
                .store
                .save_summary(&SummaryWrite {
                    paper,
                    author: writer.0.id,
                    markdown: body.markdown,
                    html: rendered.html,
                    excerpt: rendered.excerpt,
                    paper_refs: rendered.paper_refs,
                    renderer_version: RENDERER_VERSION,
                    private: body.private,
                    anonymous: body.anonymous,
                    created_at: None,
                })
                .await?;
            id
        }
        None => {
            // resolve_paper succeeded in parsing, so this parses too.
            let r = PaperRef::parse(body.paper.trim())
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let title = body.title.as_deref().map(str::trim).unwrap_or_default();
            if title.is_empty() {
                return Err(ApiError::not_found(format!(
                    "No paper is known here for {}: give its `title` too, and it is added.",
                    r.label()
                )));
            }
            let (_, id, _) = state
                .store
                .import_summary(&SummaryImport {
                    paper: NewPaper {
                        refs: vec![r],
                        title: title.to_owned(),
                        ..NewPaper::default()
                    },
                    author_username: writer.0.username.clone(),
                    markdown: body.markdown,
                    html: rendered.html,
                    excerpt: rendered.excerpt,
                    paper_refs: rendered.paper_refs,
                    renderer_version: RENDERER_VERSION,
                    private: body.private,
                    anonymous: body.anonymous,
                    created_at: None,
                    edited_at: None,
                })
                .await?;
            id
        }
    };
    let out = summary_out(&state, id, &writer).await?;
    Ok(created(out, &format!("/api/v1/summaries/{id}")))
}

/// `PUT /summaries/{id}`: edits the token owner's own summary.
pub async fn put_summary(
    State(state): State<AppState>,
    writer: Writer,
    id: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<EditSummary>,
) -> ApiResult<Json<SummaryOut>> {
    let id = summary_id(&path(id)?)?;
    let meta = state
        .store
        .summary_meta(id)
        .await?
        .filter(|m| m.author_id == writer.0.id || !m.private)
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    if meta.author_id != writer.0.id {
        return Err(ApiError::forbidden("Only its author can edit a summary."));
    }
    check_summary_text(&body.markdown)?;
    let rendered = publish::render_summary(&state.store, &body.markdown)
        .await
        .map_err(render_error)?;
    state
        .store
        .save_summary(&SummaryWrite {
            paper: meta.paper_id,
            author: writer.0.id,
            markdown: body.markdown,
            html: rendered.html,
            excerpt: rendered.excerpt,
            paper_refs: rendered.paper_refs,
            renderer_version: RENDERER_VERSION,
            private: body.private.unwrap_or(meta.private),
            anonymous: body.anonymous.unwrap_or(meta.anonymous),
            created_at: None,
        })
        .await?;
    Ok(Json(summary_out(&state, id, &writer).await?))
}

/// `DELETE /summaries/{id}`: deletes the token owner's own summary for good.
pub async fn delete_summary(
    State(state): State<AppState>,
    writer: Writer,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    let id = summary_id(&path(id)?)?;
    match state.store.summary_meta(id).await? {
        Some(m) if m.author_id == writer.0.id => {}
        Some(m) if !m.private => {
            return Err(ApiError::forbidden("Only its author can delete a summary."));
        }
        _ => {
            return Err(ApiError::not_found(format!(
                "There is no summary number {id} here."
            )));
        }
    }
    state.store.delete_summary(id, writer.0.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /summaries/{id}/vote`: +1, −1, or 0 to withdraw.
pub async fn put_vote(
    State(state): State<AppState>,
    writer: Writer,
    id: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<NewVote>,
) -> ApiResult<Json<VoteOut>> {
    let id = summary_id(&path(id)?)?;
    let value = match body.value {
        v @ -1..=1 => v as i8,
        _ => return Err(ApiError::invalid("`value` is -1, 0 or 1.")),
    };
    match state.store.summary_meta(id).await? {
        Some(m) if m.author_id == writer.0.id => {
            return Err(ApiError::forbidden("You cannot vote on your own summary."));
        }
        Some(m) if !m.private => {}
        _ => {
            return Err(ApiError::not_found(format!(
                "There is no summary number {id} here."
            )));
        }
    }
    state.store.set_vote(writer.0.id, id, value).await?;
    let view = state
        .store
        .summary(id, Some(writer.0.id))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("There is no summary number {id} here.")))?;
    Ok(Json(VoteOut {
        value,
        votes: VotesOut {
            up: view.up,
            down: view.down,
            score: view.score,
        },
    }))
}

/// `POST /summaries/{id}/comments`: a comment, or a reply when `parent_id` is given.
pub async fn post_comment(
    State(state): State<AppState>,
    writer: Writer,
    id: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<Response> {
    let id = summary_id(&path(id)?)?;
    if body.markdown.trim().is_empty() {
        return Err(ApiError::invalid("`markdown` is empty."));
    }
    if body.markdown.len() > shortscience_store::MAX_COMMENT_BYTES {
        return Err(ApiError::invalid(format!(
            "A comment is at most {} bytes.",
            shortscience_store::MAX_COMMENT_BYTES
        )));
    }
    let parent = match body.parent_id {
        Some(p) if p > 0 => Some(CommentId(p)),
        Some(_) => return Err(ApiError::invalid("`parent_id` is a comment number.")),
        None => None,
    };
    if let Some(p) = parent {
        match state.store.comment_meta(p).await? {
            Some(m) if m.summary_id == id && !m.deleted && !m.hidden => {}
            Some(m) if m.summary_id == id => {
                return Err(ApiError::new(
                    Kind::Conflict,
                    "That comment was removed, so it cannot be answered.",
                ));
            }
            // 409, not 404: the summary exists; the reply clashes with its thread.
            _ => {
                return Err(ApiError::new(
                    Kind::Conflict,
                    format!("Summary {id} has no comment number {p} to answer."),
                ));
            }
        }
    }
    let rendered = publish::render_summary(&state.store, &body.markdown)
        .await
        .map_err(render_error)?;
    let comment = state
        .store
        .add_comment(
            &CommentWrite {
                summary: id,
                parent,
                author: writer.0.id,
                markdown: body.markdown,
                html: rendered.html,
                renderer_version: RENDERER_VERSION,
            },
            None,
        )
        .await?;
    let view = state
        .store
        .summary_comments(id, Some(writer.0.id), None)
        .await?
        .and_then(|all| all.into_iter().find(|c| c.id == comment))
        .ok_or_else(|| ApiError::internal("a new comment could not be read back"))?;
    let out = CommentOut::new(view, &Urls(&state.config.base_url));
    Ok(created(out, &format!("/summary/{id}#comment-{comment}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `summary`, `comment` or `user`.
    pub kind: String,
    /// The summary's or comment's number.
    #[serde(default, deserialize_with = "optional_whole_number")]
    pub id: Option<i64>,
    /// The user's name, for `kind: user`.
    #[serde(default)]
    pub username: Option<String>,
    pub reason: String,
}

/// `POST /reports`: asks the moderators to look at a summary, comment or user.
pub async fn post_report(
    State(state): State<AppState>,
    writer: Writer,
    ApiJson(body): ApiJson<NewReport>,
) -> ApiResult<Response> {
    let me = writer.0.id;
    let missing = || ApiError::not_found("There is nothing visible to you to report there.");
    let (kind, target) = match (body.kind.as_str(), body.id, body.username.as_deref()) {
        ("summary", Some(id), None) if id > 0 => {
            let id = SummaryId(id);
            state
                .store
                .summary(id, Some(me))
                .await?
                .ok_or_else(missing)?;
            (TargetKind::Summary, id.0)
        }
        ("comment", Some(id), None) if id > 0 => {
            let meta = state
                .store
                .comment_meta(CommentId(id))
                .await?
                .ok_or_else(missing)?;
            state
                .store
                .summary(meta.summary_id, Some(me))
                .await?
                .ok_or_else(missing)?;
            (TargetKind::Comment, id)
        }
        ("user", None, Some(name)) => {
            let user = state.store.user_by_name(name).await?.ok_or_else(missing)?;
            (TargetKind::User, user.id.0)
        }
        _ => {
            return Err(ApiError::invalid(
                "Give `kind: summary` or `kind: comment` with a positive `id`, or `kind: user` with a `username`.",
            ));
        }
    };
    if body.reason.trim().is_empty() || body.reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::invalid(format!(
            "`reason` says briefly what is wrong, in 1 to {MAX_REASON_CHARS} characters."
        )));
    }
    let id = state.store.report(me, kind, target, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// Body schemas of the report operation.
pub fn report_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "NewReport",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["kind", "reason"],
                "oneOf": [
                    { "properties": { "kind": { "enum": ["summary", "comment"] } }, "required": ["id"],
                      "not": { "required": ["username"] } },
                    { "properties": { "kind": { "const": "user" } }, "required": ["username"],
                      "not": { "required": ["id"] } },
                ],
                "properties": {
                    "kind": { "type": "string", "enum": ["summary", "comment", "user"] },
                    "id": { "type": "integer", "minimum": 1, "maximum": 9_007_199_254_740_991_i64 },
                    "username": { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$" },
                    "reason": { "type": "string", "minLength": 1, "maxLength": MAX_REASON_CHARS,
                        "pattern": "\\S" },
                },
            }),
        ),
        (
            "ReportCreated",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["id"],
                "properties": { "id": { "type": "integer" } },
            }),
        ),
    ]
}
