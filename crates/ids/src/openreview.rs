//! OpenReview note ids (`rJl-b3RcF7`), written `openreview:ID` or as forum/pdf links.

use crate::url::{self, strip_prefix_ci};

/// Hosts whose links are read as OpenReview links.
pub(crate) const HOSTS: &[&str] = &["openreview.net", "www.openreview.net"];

const MIN_LEN: usize = 5;
const MAX_LEN: usize = 40;

/// Any OpenReview form: `openreview:` prefix, link, bare id (only for a caller that
/// already knows the kind).
pub(crate) fn parse_forms(s: &str) -> Result<String, String> {
    if let Some(rest) = strip_prefix_ci(s, "openreview:") {
        return validate(rest.trim_start());
    }
    if let Some(link) = url::split(s) {
        return parse_link(&link);
    }
    validate(s)
}

fn parse_link(link: &url::Link<'_>) -> Result<String, String> {
    if !HOSTS.contains(&link.host.as_str()) {
        return Err(format!("it links to {}, not to openreview.net", link.host));
    }
    const EXPECTED: &str =
        "expected a link like openreview.net/forum?id=ID or openreview.net/pdf?id=ID";
    if !matches!(link.path.trim_end_matches('/'), "/forum" | "/pdf") {
        return Err(EXPECTED.into());
    }
    match link.query.and_then(|q| url::query_param(q, "id")) {
        Some(Ok(id)) => validate(&id),
        Some(Err(e)) => Err(format!("the link is malformed: {e}")),
        None => Err(format!("the link has no id= parameter; {EXPECTED}")),
    }
}

/// Ids are letters, digits, `-` and `_`.
pub(crate) fn validate(id: &str) -> Result<String, String> {
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("it may only hold letters, digits, '-' and '_'".into());
    }
    if !(MIN_LEN..=MAX_LEN).contains(&id.len()) {
        return Err(format!(
            "it has {} characters, expected {MIN_LEN} to {MAX_LEN}",
            id.len()
        ));
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_links_and_bare_ids() {
        for s in [
            "rJl-b3RcF7",
            "openreview:rJl-b3RcF7",
            "OpenReview: rJl-b3RcF7",
            "https://openreview.net/forum?id=rJl-b3RcF7",
            "https://openreview.net/forum/?id=rJl-b3RcF7",
            "https://openreview.net/pdf?id=rJl-b3RcF7",
            "http://www.openreview.net/forum?id=rJl-b3RcF7&noteId=HkgOvC8JyN",
            "https://openreview.net/forum?noteId=HkgOvC8JyN&id=rJl-b3RcF7#discussion",
            "openreview.net/forum?id=rJl-b3RcF7",
        ] {
            assert_eq!(parse_forms(s).as_deref(), Ok("rJl-b3RcF7"), "{s}");
        }
        // The id of the OpenReview API example note in the fixtures.
        assert_eq!(parse_forms("or2023").as_deref(), Ok("or2023"));
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(parse_forms("abcd").unwrap_err().contains("4 characters"));
        assert!(
            parse_forms(&"a".repeat(41))
                .unwrap_err()
                .contains("41 characters")
        );
        assert!(parse_forms("abc.def").unwrap_err().contains("only hold"));
        assert!(
            parse_forms("https://openreview.net/group?id=ICLR.cc")
                .unwrap_err()
                .contains("forum?id=")
        );
        assert!(
            parse_forms("https://openreview.net/forum?noteId=abcdef")
                .unwrap_err()
                .contains("no id=")
        );
        assert!(
            parse_forms("https://openreview.net/forum")
                .unwrap_err()
                .contains("no id=")
        );
        assert!(
            parse_forms("https://openreview.net/forum?id=ab%zz")
                .unwrap_err()
                .contains("malformed")
        );
        assert!(
            parse_forms("https://arxiv.org/forum?id=abcdef")
                .unwrap_err()
                .contains("not to openreview.net")
        );
    }
}
