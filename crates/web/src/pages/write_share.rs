//! The author's other actions on a summary: delete it (`GET /summary/{id}/delete` asks,
//! `POST` does it) and share a private one (`POST /summary/{id}/share` makes a new link
//! and shows it once; `POST /summary/{id}/share/revoke` ends it).
//!
//! Share links hold a random secret of which the database keeps only a hash, so the link
//! cannot be shown again later: the author copies it when it is made, and can always make
//! a new one (which ends the old).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use shortscience_ids::SummaryId;
use shortscience_store::SummaryView;

use super::auth::{private_layout, see_other};
use super::html;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::extract::IdPath;
use crate::view::Layout;

#[derive(Template)]
#[template(path = "summary_delete.html")]
struct DeletePage {
    l: Layout,
    id: i64,
    paper_title: String,
    paper_url: String,
    votes: i64,
    comments: i64,
    revisions: usize,
}

#[derive(Template)]
#[template(path = "summary_share.html")]
struct SharePage {
    l: Layout,
    id: i64,
    paper_title: String,
    link: String,
}

/// The viewer's own summary; someone else's is 403, an invisible one 404.
pub async fn own_summary_view(
    state: &AppState,
    user: &CurrentUser,
    id: SummaryId,
) -> AppResult<SummaryView> {
    let view = state
        .store
        .summary(id, Some(user.id))
        .await?
        .ok_or_else(|| AppError::not_found(format!("There is no summary number {id} here.")))?;
    if !view.is_own {
        return Err(AppError::forbidden(
            "Only the author of a summary can do that.".to_owned(),
        ));
    }
    Ok(view)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn get_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SummaryId>,
) -> AppResult<Response> {
    let view = own_summary_view(&state, &user, id).await?;
    let comments = state
        .store
        .comment_counts(&[id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or(0);
    let revisions = state
        .store
        .revisions(id, Some(user.id), None)
        .await?
        .map_or(0, |r| r.len());
    let page = DeletePage {
        l: private_layout(
            &state.config,
            Some(&user),
            "Delete your summary",
            &format!("/summary/{id}/delete"),
        ),
        id: id.0,
        paper_url: format!("/paper/{}", view.paper_id),
        paper_title: view.paper_title,
        votes: view.up + view.down,
        comments,
        revisions,
    };
    html(&page)
}

pub async fn post_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SummaryId>,
) -> AppResult<Response> {
    let view = own_summary_view(&state, &user, id).await?;
    state.store.delete_summary(id, user.id).await?;
    Ok(see_other(&format!("/paper/{}", view.paper_id)))
}

pub async fn post_share(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SummaryId>,
) -> AppResult<Response> {
    let view = own_summary_view(&state, &user, id).await?;
    if !view.private {
        return Err(AppError::bad_request(
            "This summary is public: its address is already its share link.".to_owned(),
        ));
    }
    let token = state.store.create_share(id, user.id).await?;
    let link = format!(
        "{}/summary/{id}?share={token}",
        state.config.base_url.trim_end_matches('/')
    );
    let page = SharePage {
        l: private_layout(
            &state.config,
            Some(&user),
            "Share link",
            &format!("/summary/{id}"),
        ),
        id: id.0,
        paper_title: view.paper_title,
        link,
    };
    // The secret is in this page only: never cache it anywhere.
    Ok(no_store(html(&page)?))
}

pub async fn post_share_revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<SummaryId>,
) -> AppResult<Response> {
    own_summary_view(&state, &user, id).await?;
    state.store.revoke_share(id, user.id).await?;
    Ok(see_other(&format!("/summary/{id}#share")))
}
