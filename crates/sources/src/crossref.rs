//! Crossref REST API, `GET /works/{doi}` (message-type "work").

use serde_json::Value;
use shortscience_ids::{IdKind, PaperRef};

use crate::text::{non_blank, plausible_year, snippet, strip_markup};
use crate::{Record, SourceError};

const SERVICE: &str = "Crossref";

/// Crossref relation types that name the same work in another form (its preprint,
/// the published version of a preprint, an identical record).
const SAME_WORK: &[&str] = &["has-preprint", "is-preprint-of", "is-identical-to"];

/// The work in a `/works/{doi}` answer. Its aliases include the preprints and
/// published versions named under `relation` (arXiv ids and DOIs).
pub fn parse_crossref_work(body: &[u8]) -> Result<Record, SourceError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        SourceError::malformed(
            SERVICE,
            format!("the answer is not JSON: {}", snippet(body)),
        )
    })?;
    if let Some(t) = v.get("message-type").and_then(Value::as_str)
        && t != "work"
    {
        return Err(SourceError::malformed(
            SERVICE,
            format!("expected a work, got a {t:?}"),
        ));
    }
    let m = v
        .get("message")
        .filter(|m| m.is_object())
        .ok_or_else(|| SourceError::malformed(SERVICE, "the answer has no \"message\" object"))?;
    let doi = m.get("DOI").and_then(Value::as_str).unwrap_or_default();
    let doi = PaperRef::parse_as(IdKind::Doi, doi).map_err(|_| {
        SourceError::malformed(SERVICE, format!("the work's DOI {doi:?} is not a DOI"))
    })?;
    let title = first_str(m.get("title"))
        .map(strip_markup)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            SourceError::malformed(SERVICE, format!("the work {} has no title", doi.value()))
        })?;
    let mut r = Record::default();
    r.add_id(doi);
    if let Some(rel) = m.get("relation").and_then(Value::as_object) {
        for kind in SAME_WORK {
            for item in rel
                .get(*kind)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
                let id_type = item
                    .get("id-type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let parsed = match id_type {
                    "doi" => PaperRef::parse_as(IdKind::Doi, id).ok(),
                    "arxiv" => PaperRef::parse_as(IdKind::Arxiv, id).ok(),
                    _ => PaperRef::parse(id).ok(),
                };
                if let Some(p) = parsed {
                    r.add_id(p);
                }
            }
        }
    }
    r.title = title;
    r.authors = m
        .get("author")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(person_name)
        .collect();
    r.year = [
        "published",
        "issued",
        "published-print",
        "published-online",
        "created",
    ]
    .iter()
    .find_map(|k| date_year(m.get(*k)?));
    r.venue = first_str(m.get("container-title"))
        .or_else(|| m.get("event")?.get("name")?.as_str())
        .or_else(|| {
            m.get("institution")?
                .as_array()?
                .first()?
                .get("name")?
                .as_str()
        })
        .map(strip_markup)
        .filter(|v| !v.is_empty());
    r.abstract_text = m
        .get("abstract")
        .and_then(Value::as_str)
        .map(strip_markup)
        .filter(|a| !a.is_empty());
    Ok(r)
}

/// Crossref's titles are arrays; tolerate a plain string too.
fn first_str(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().find_map(Value::as_str),
        _ => None,
    }
}

/// "Given Family", or `name` for organisations.
pub(crate) fn person_name(a: &Value) -> Option<String> {
    let part = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
    let joined = format!("{} {}", part("given"), part("family"));
    non_blank(&strip_markup(&joined)).or_else(|| non_blank(&strip_markup(part("name"))))
}

/// `{"date-parts": [[2021, 6, 9]]}` → 2021 (numbers or numeric strings).
fn date_year(d: &Value) -> Option<i32> {
    let y = d.get("date-parts")?.get(0)?.get(0)?;
    let n = y.as_i64().or_else(|| y.as_str()?.trim().parse().ok())?;
    plausible_year(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_and_fallbacks() {
        let body = br#"{"status":"ok","message-type":"work","message":{"DOI":"10.1000/ABC","title":"Plain &amp; <i>simple</i>","author":[{"name":"The Consortium"},{"given":"Ada","family":"Lovelace"},{}],"issued":{"date-parts":[["2019"]]},"institution":[{"name":"bioRxiv"}],"relation":{"has-preprint":[{"id-type":"arxiv","id":"1609.00150"},{"id-type":"doi","id":"10.48550/arXiv.2001.00001"}],"is-preprint-of":[{"id-type":"doi","id":"10.2000/pub"}],"has-review":[{"id-type":"doi","id":"10.3000/review"}]}}}"#;
        let r = parse_crossref_work(body).unwrap();
        let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
        assert_eq!(
            ids,
            [
                "doi:10.1000/abc",
                "arxiv:1609.00150",
                "doi:10.48550/arxiv.2001.00001",
                "arxiv:2001.00001",
                "doi:10.2000/pub"
            ]
        );
        assert_eq!(r.title, "Plain & simple");
        assert_eq!(r.authors, ["The Consortium", "Ada Lovelace"]);
        assert_eq!(r.year, Some(2019));
        assert_eq!(r.venue.as_deref(), Some("bioRxiv"));
    }

    #[test]
    fn refuses_what_is_not_a_work() {
        for (body, says) in [
            (
                &b"Resource not found."[..],
                "not JSON: \"Resource not found.\"",
            ),
            (
                br#"{"message-type":"work-list","message":{}}"#,
                "expected a work",
            ),
            (br#"{"status":"ok"}"#, "no \"message\""),
            (br#"{"message":{"DOI":"nope","title":["T"]}}"#, "not a DOI"),
            (br#"{"message":{"DOI":"10.1000/x","title":[]}}"#, "no title"),
            (b"", "an empty answer"),
        ] {
            let e = parse_crossref_work(body).unwrap_err().to_string();
            assert!(e.contains(says), "{e}");
        }
    }
}
