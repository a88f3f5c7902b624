//! Extractors that parse ids from the path, so a malformed id is a 400 before any
//! database work and handlers receive typed values.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use shortscience_ids::{CommentId, PaperId, RevisionId, SummaryId, UserId};

use crate::error::AppError;

/// Row-id newtypes that can come from a URL.
pub trait RowId: Sized {
    /// What the number counts, for error messages: "paper", "summary".
    const NOUN: &'static str;
    fn from_raw(n: i64) -> Self;
}

impl RowId for PaperId {
    const NOUN: &'static str = "paper";
    fn from_raw(n: i64) -> Self {
        PaperId(n)
    }
}
impl RowId for SummaryId {
    const NOUN: &'static str = "summary";
    fn from_raw(n: i64) -> Self {
        SummaryId(n)
    }
}
impl RowId for UserId {
    const NOUN: &'static str = "user";
    fn from_raw(n: i64) -> Self {
        UserId(n)
    }
}
impl RowId for CommentId {
    const NOUN: &'static str = "comment";
    fn from_raw(n: i64) -> Self {
        CommentId(n)
    }
}
impl RowId for RevisionId {
    const NOUN: &'static str = "revision";
    fn from_raw(n: i64) -> Self {
        RevisionId(n)
    }
}

/// Parses a positive decimal row id; anything else (signs, spaces, overflow) is refused.
pub fn parse_row_id<T: RowId>(raw: &str) -> Result<T, AppError> {
    let valid = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<i64>() {
        Ok(n) if valid && n > 0 => Ok(T::from_raw(n)),
        _ => Err(AppError::bad_request(format!(
            "“{}” is not a {} number: {} addresses look like /{}/42.",
            clip(raw, 80),
            T::NOUN,
            T::NOUN,
            T::NOUN
        ))),
    }
}

/// The single `{id}` path segment of a route, parsed as `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: RowId> FromRequestParts<S> for IdPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::bad_request(format!("Bad address: {}", e.body_text())))?;
        parse_row_id(&raw).map(IdPath)
    }
}

/// Shortens user input quoted back in messages.
pub fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_positive_numbers() {
        assert_eq!(parse_row_id::<PaperId>("42").unwrap(), PaperId(42));
        assert_eq!(parse_row_id::<SummaryId>("007").unwrap(), SummaryId(7));
    }

    #[test]
    fn refuses_everything_else() {
        for raw in [
            "",
            "0",
            "-1",
            "+1",
            " 1",
            "1.0",
            "abc",
            "1e3",
            "99999999999999999999",
            "١٢",
        ] {
            let err = parse_row_id::<PaperId>(raw).unwrap_err();
            assert!(
                matches!(err, AppError::BadRequest(_)),
                "{raw:?} gave {err:?}"
            );
        }
    }

    #[test]
    fn message_names_the_input_and_kind() {
        let AppError::BadRequest(msg) = parse_row_id::<PaperId>("transformers").unwrap_err() else {
            panic!("expected BadRequest")
        };
        assert!(
            msg.contains("“transformers”") && msg.contains("paper"),
            "{msg}"
        );
    }

    #[test]
    fn clip_cuts_on_char_boundaries() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
