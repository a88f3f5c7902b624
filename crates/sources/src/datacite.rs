//! DataCite REST API, `GET /dois/{doi}` (JSON:API). arXiv's DOIs (`10.48550/arXiv.*`)
//! live here, not at Crossref.

use serde_json::Value;
use shortscience_ids::{IdKind, PaperRef};

use crate::text::{leading_year, non_blank, plausible_year, snippet, strip_markup};
use crate::{Record, SourceError};

const SERVICE: &str = "DataCite";

/// Relation types naming the same work in another form.
const SAME_WORK: &[&str] = &["IsIdenticalTo", "IsPreprintOf", "HasPreprint"];

/// The DOI record in a `/dois/{doi}` answer; arXiv identifiers it lists become
/// aliases.
pub fn parse_datacite_doi(body: &[u8]) -> Result<Record, SourceError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        SourceError::malformed(
            SERVICE,
            format!("the answer is not JSON: {}", snippet(body)),
        )
    })?;
    let a = v
        .get("data")
        .and_then(|d| d.get("attributes"))
        .filter(|a| a.is_object())
        .ok_or_else(|| SourceError::malformed(SERVICE, "the answer has no data.attributes"))?;
    let s = |k: &str| a.get(k).and_then(Value::as_str);
    let doi = s("doi").unwrap_or_default();
    let doi = PaperRef::parse_as(IdKind::Doi, doi).map_err(|_| {
        SourceError::malformed(SERVICE, format!("the record's DOI {doi:?} is not a DOI"))
    })?;
    let titles = a.get("titles").and_then(Value::as_array);
    // The main title has no titleType (others are subtitles, translations).
    let title = titles
        .into_iter()
        .flatten()
        .filter(|t| t.get("titleType").is_none())
        .chain(titles.into_iter().flatten())
        .find_map(|t| t.get("title")?.as_str())
        .map(strip_markup)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            SourceError::malformed(SERVICE, format!("the DOI {} has no title", doi.value()))
        })?;

    let mut r = Record::default();
    r.add_id(doi);
    for (list, type_key, value_key) in [
        ("identifiers", "identifierType", "identifier"),
        (
            "alternateIdentifiers",
            "alternateIdentifierType",
            "alternateIdentifier",
        ),
    ] {
        for item in a.get(list).and_then(Value::as_array).into_iter().flatten() {
            let t = item
                .get(type_key)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let v = item
                .get(value_key)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if t.eq_ignore_ascii_case("arxiv")
                && let Ok(id) = PaperRef::parse_as(IdKind::Arxiv, v)
            {
                r.add_id(id);
            }
        }
    }
    for item in a
        .get("relatedIdentifiers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let rel = item
            .get("relationType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !SAME_WORK.contains(&rel) {
            continue;
        }
        let t = item
            .get("relatedIdentifierType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let v = item
            .get("relatedIdentifier")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = match t.to_ascii_lowercase().as_str() {
            "doi" => PaperRef::parse_as(IdKind::Doi, v).ok(),
            "arxiv" => PaperRef::parse_as(IdKind::Arxiv, v).ok(),
            _ => PaperRef::parse(v).ok(),
        };
        if let Some(id) = id {
            r.add_id(id);
        }
    }
    r.title = title;
    r.authors = a
        .get("creators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(creator_name)
        .collect();
    r.year = match a.get("publicationYear") {
        Some(Value::Number(n)) => n.as_i64().and_then(plausible_year),
        Some(Value::String(y)) => leading_year(y),
        _ => None,
    };
    let publisher = match a.get("publisher") {
        Some(Value::String(p)) => Some(p.as_str()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str),
        _ => None,
    };
    r.venue = a
        .get("container")
        .and_then(|c| c.get("title"))
        .and_then(Value::as_str)
        .or(publisher)
        .and_then(non_blank);
    let descriptions = a.get("descriptions").and_then(Value::as_array);
    r.abstract_text = descriptions
        .into_iter()
        .flatten()
        .filter(|d| d.get("descriptionType").and_then(Value::as_str) == Some("Abstract"))
        .chain(descriptions.into_iter().flatten())
        .find_map(|d| d.get("description")?.as_str())
        .map(strip_markup)
        .filter(|d| !d.is_empty());
    Ok(r)
}

/// "Given Family"; a personal `name` of the form "Family, Given" is turned around.
fn creator_name(c: &Value) -> Option<String> {
    let part = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
    if let Some(n) = non_blank(&format!("{} {}", part("givenName"), part("familyName"))) {
        return Some(n);
    }
    let name = part("name");
    let personal = c.get("nameType").and_then(Value::as_str) == Some("Personal");
    match name.split_once(", ") {
        Some((family, given)) if personal => non_blank(&format!("{given} {family}")),
        _ => non_blank(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_that_vary() {
        let body = br#"{"data":{"attributes":{"doi":"10.5000/X","titles":[{"title":"Sub","titleType":"Subtitle"},{"title":"Main"}],"creators":[{"name":"Curie, Marie","nameType":"Personal"},{"name":"CERN","nameType":"Organizational"}],"publicationYear":"2020","publisher":{"name":"Zenodo"},"descriptions":[{"description":"Other","descriptionType":"Other"},{"description":"The <b>abstract</b>","descriptionType":"Abstract"}],"relatedIdentifiers":[{"relationType":"IsPreprintOf","relatedIdentifierType":"DOI","relatedIdentifier":"10.6000/pub"},{"relationType":"References","relatedIdentifierType":"DOI","relatedIdentifier":"10.7000/cited"}]}}}"#;
        let r = parse_datacite_doi(body).unwrap();
        let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["doi:10.5000/x", "doi:10.6000/pub"]);
        assert_eq!(r.title, "Main");
        assert_eq!(r.authors, ["Marie Curie", "CERN"]);
        assert_eq!(r.year, Some(2020));
        assert_eq!(r.venue.as_deref(), Some("Zenodo"));
        assert_eq!(r.abstract_text.as_deref(), Some("The abstract"));
    }

    #[test]
    fn refuses_errors_and_garbage() {
        for body in [
            &br#"{"errors":[{"status":"404","title":"The resource you are looking for doesn't exist."}]}"#[..],
            b"<html>",
            br#"{"data":{"attributes":{"doi":"10.1000/x","titles":[]}}}"#,
        ] {
            assert!(matches!(
                parse_datacite_doi(body),
                Err(SourceError::Malformed { .. })
            ));
        }
    }
}
