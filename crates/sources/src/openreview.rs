//! OpenReview API v2, `GET /notes?id={id}`: `{"notes": [note]}` where every content
//! field is wrapped as `{"value": …}`. A bare note, and API v1's unwrapped content,
//! are read too.

use serde_json::Value;
use shortscience_ids::{IdKind, PaperRef};

use crate::text::{collapse_ws, leading_year, non_blank, snippet};
use crate::{Record, SourceError, bibtex};

const SERVICE: &str = "OpenReview";

/// The first note of the answer; `Ok(None)` when the list is empty (an id OpenReview
/// does not know, or cannot show).
pub fn parse_openreview_note(body: &[u8]) -> Result<Option<Record>, SourceError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        SourceError::malformed(
            SERVICE,
            format!("the answer is not JSON: {}", snippet(body)),
        )
    })?;
    let note = match v.get("notes") {
        Some(Value::Array(notes)) => match notes.first() {
            Some(n) => n,
            None => return Ok(None),
        },
        Some(_) => return Err(SourceError::malformed(SERVICE, "\"notes\" is not a list")),
        None if v.get("content").is_some() => &v,
        None => {
            return Err(SourceError::malformed(
                SERVICE,
                "the answer holds neither \"notes\" nor a note",
            ));
        }
    };
    let id = note.get("id").and_then(Value::as_str).unwrap_or_default();
    let id = PaperRef::parse_as(IdKind::OpenReview, id).map_err(|_| {
        SourceError::malformed(
            SERVICE,
            format!("the note id {id:?} is not an OpenReview id"),
        )
    })?;
    let content = note
        .get("content")
        .filter(|c| c.is_object())
        .ok_or_else(|| SourceError::malformed(SERVICE, "the note has no content"))?;
    let field = |k: &str| {
        let f = content.get(k)?;
        Some(f.get("value").unwrap_or(f))
    };
    let text = |k: &str| field(k).and_then(Value::as_str).and_then(non_blank);
    let title = text("title").ok_or_else(|| {
        SourceError::malformed(SERVICE, format!("the note {} has no title", id.value()))
    })?;
    let mut r = Record::default();
    r.add_id(id);
    r.title = title;
    r.authors = field("authors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(non_blank)
        .collect();
    let bib = text("_bibtex").and_then(|b| bibtex::parse(&b).0.into_iter().next());
    r.year = ["pdate", "odate", "cdate", "tcdate"]
        .iter()
        .find_map(|k| note.get(*k)?.as_i64())
        .and_then(year_from_unix_ms)
        .or_else(|| bib.as_ref()?.get("year").as_deref().and_then(leading_year));
    r.venue = text("venue");
    r.abstract_text = field("abstract")
        .and_then(Value::as_str)
        .map(collapse_ws)
        .filter(|a| !a.is_empty());
    if let Some(b) = &bib {
        for id in b.ids() {
            r.add_id(id);
        }
    }
    Ok(Some(r))
}

/// Gregorian year of a Unix time in milliseconds (days-to-civil, proleptic).
fn year_from_unix_ms(ms: i64) -> Option<i32> {
    let days = ms.div_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    crate::text::plausible_year(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_ms_to_year() {
        assert_eq!(year_from_unix_ms(0), Some(1970));
        assert_eq!(year_from_unix_ms(-1), Some(1969));
        assert_eq!(year_from_unix_ms(1_704_067_199_999), Some(2023)); // 2023-12-31T23:59:59.999Z
        assert_eq!(year_from_unix_ms(1_704_067_200_000), Some(2024));
        assert_eq!(year_from_unix_ms(951_782_400_000), Some(2000)); // 2000-02-29
        assert_eq!(year_from_unix_ms(i64::MAX), None);
        assert_eq!(year_from_unix_ms(i64::MIN), None);
    }

    #[test]
    fn v1_content_and_bibtex_year() {
        let body = br#"{"id":"rJl-b3RcF7","content":{"title":"Old style","authors":["A","B"],"_bibtex":"@inproceedings{x, title={Old style}, year={2019}, url={https://openreview.net/forum?id=rJl-b3RcF7}}"}}"#;
        let r = parse_openreview_note(body).unwrap().unwrap();
        assert_eq!(r.ids[0].to_string(), "openreview:rJl-b3RcF7");
        assert_eq!(r.ids.len(), 1);
        assert_eq!(r.authors, ["A", "B"]);
        assert_eq!(r.year, Some(2019));
    }

    #[test]
    fn empty_and_broken() {
        assert_eq!(
            parse_openreview_note(br#"{"notes":[],"count":0}"#).unwrap(),
            None
        );
        for body in [
            &br#"{"notes":{}}"#[..],
            br#"{"name":"NotFoundError","message":"The Note abc was not found"}"#,
            br#"{"notes":[{"id":"x y","content":{"title":{"value":"T"}}}]}"#,
            br#"{"notes":[{"id":"abc","content":{}}]}"#,
            b"Bad Gateway",
        ] {
            assert!(
                parse_openreview_note(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
