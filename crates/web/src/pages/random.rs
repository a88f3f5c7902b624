//! `GET /random` — ShortScience's "Random summary": a 303 to a random public summary.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::{AppError, AppResult};

pub async fn get_random(State(state): State<AppState>) -> AppResult<Response> {
    let id = state
        .store
        .random_summary()
        .await?
        .ok_or_else(|| AppError::not_found("There are no public summaries here yet."))?;
    let location = HeaderValue::from_str(&format!("/summary/{id}")).map_err(AppError::internal)?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            // Each visit should land somewhere new.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response())
}
