//! DOIs: `10.<registrant>/<suffix>`.
//!
//! DOIs are case-insensitive for ASCII letters, so the canonical value is ASCII
//! lower-cased. Resolver links are percent-decoded.
//!
//! Pasted DOIs often drag along the end of a sentence: `(see 10.1000/xyz).` A final
//! `.`, `,`, `;` or `:` is removed, and so is a final `)`, `]` or `>` that has no
//! opening partner in the DOI, so `10.1016/0005-2760(77)90046-7` keeps its brackets.
//! The rare registered DOI that really ends in such a character cannot be entered;
//! that is the price of accepting copied text.

use crate::arxiv::{self, ArxivId};
use crate::url::{self, strip_prefix_ci};

/// Hosts whose links are read as DOI resolver links.
pub(crate) const HOSTS: &[&str] = &["doi.org", "dx.doi.org", "www.doi.org"];

/// arXiv registers DOIs under this prefix for its papers (via DataCite).
const ARXIV_DOI_PREFIX: &str = "10.48550/arxiv.";

const EXPECTED: &str = "expected 10.NNNN/suffix, like 10.1145/3448016.3452841";

/// Any DOI form: `doi:` prefix, resolver link, bare. The error is the reason.
pub(crate) fn parse_forms(s: &str) -> Result<String, String> {
    if let Some(rest) = strip_prefix_ci(s, "doi:") {
        return normalise(rest.trim_start());
    }
    if let Some(link) = url::split(s) {
        if !HOSTS.contains(&link.host.as_str()) {
            return Err(format!("it links to {}, not to doi.org", link.host));
        }
        let path = link.path.strip_prefix('/').unwrap_or(link.path);
        let decoded =
            url::percent_decode(path).map_err(|e| format!("the link is malformed: {e}"))?;
        return normalise(&decoded);
    }
    normalise(s)
}

/// Validates and lower-cases a bare DOI.
pub(crate) fn normalise(raw: &str) -> Result<String, String> {
    let s = trim_pasted_tail(raw);
    let rest = s.strip_prefix("10.").ok_or(EXPECTED)?;
    let (registrant, suffix) = rest
        .split_once('/')
        .ok_or_else(|| format!("there is no '/' after the prefix; {EXPECTED}"))?;
    let mut parts = registrant.split('.');
    let first_ok = parts.next().is_some_and(|p| p.len() >= 4 && all_digits(p));
    if !first_ok || !parts.all(all_digits) {
        return Err(format!(
            "registrant code {registrant:?} should be digits (at least 4, dot-separated parts allowed); {EXPECTED}"
        ));
    }
    if suffix.is_empty() {
        return Err(format!("nothing follows \"10.{registrant}/\"; {EXPECTED}"));
    }
    if suffix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the suffix contains a space or a control character".into());
    }
    Ok(format!("10.{registrant}/{suffix}").to_ascii_lowercase())
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Drops sentence punctuation that a copy-paste picked up (see the module docs).
fn trim_pasted_tail(mut s: &str) -> &str {
    while let Some(last) = s.chars().next_back() {
        let unbalanced = |open: char| s.matches(open).count() < s.matches(last).count();
        let drop = match last {
            '.' | ',' | ';' | ':' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '>' => unbalanced('<'),
            _ => false,
        };
        if !drop {
            break;
        }
        s = &s[..s.len() - last.len_utf8()];
    }
    s
}

/// `10.48550/arxiv.<id>` names the arXiv paper `<id>`.
pub(crate) fn implied_arxiv(doi: &str) -> Option<ArxivId> {
    arxiv::parse_id(doi.strip_prefix(ARXIV_DOI_PREFIX)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_prefixed_and_linked_dois() {
        let want = "10.1145/3448016.3452841";
        for s in [
            "10.1145/3448016.3452841",
            "doi:10.1145/3448016.3452841",
            "DOI: 10.1145/3448016.3452841",
            "https://doi.org/10.1145/3448016.3452841",
            "http://dx.doi.org/10.1145/3448016.3452841",
            "https://www.doi.org/10.1145/3448016.3452841",
            "https://doi.org/10.1145%2F3448016.3452841",
            "doi.org/10.1145/3448016.3452841?via=x#frag",
        ] {
            assert_eq!(parse_forms(s).as_deref(), Ok(want), "{s}");
        }
    }

    #[test]
    fn lower_cases_ascii() {
        assert_eq!(
            parse_forms("10.1109/ICCV.2007.4408927").unwrap(),
            "10.1109/iccv.2007.4408927"
        );
        assert_eq!(
            parse_forms("10.7554/eLife.01567").unwrap(),
            "10.7554/elife.01567"
        );
        assert_eq!(
            parse_forms("10.48550/arXiv.1902.02534").unwrap(),
            "10.48550/arxiv.1902.02534"
        );
    }

    #[test]
    fn real_dois_with_odd_characters() {
        for s in [
            "10.1016/0005-2760(77)90046-7",
            "10.1016/S0022-3476(85)80342-5",
            "10.1002/14651858.CD007467.pub3",
            "10.13039/501100001711",
            "10.1000.10/123456",
            "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O",
            "10.1093/bioinformatics/btq046",
        ] {
            assert_eq!(parse_forms(s), Ok(s.to_ascii_lowercase()), "{s}");
        }
    }

    #[test]
    fn pasted_punctuation_is_trimmed() {
        assert_eq!(
            parse_forms("10.1038/nature02100.").unwrap(),
            "10.1038/nature02100"
        );
        assert_eq!(
            parse_forms("10.1038/nature02100),").unwrap(),
            "10.1038/nature02100"
        );
        assert_eq!(
            parse_forms("10.1016/0005-2760(77)90046-7).").unwrap(),
            "10.1016/0005-2760(77)90046-7"
        );
        assert_eq!(parse_forms("10.1000/f(x))").unwrap(), "10.1000/f(x)");
        assert_eq!(parse_forms("10.1000/(a)").unwrap(), "10.1000/(a)");
        assert_eq!(parse_forms("10.1000/a]").unwrap(), "10.1000/a");
        assert_eq!(parse_forms("10.1000/<a>").unwrap(), "10.1000/<a>");
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(
            parse_forms("11.1000/x")
                .unwrap_err()
                .contains("expected 10.NNNN/suffix")
        );
        assert!(parse_forms("10.1000").unwrap_err().contains("no '/'"));
        assert!(
            parse_forms("10.12/x")
                .unwrap_err()
                .contains("registrant code")
        );
        assert!(
            parse_forms("10.1000./x")
                .unwrap_err()
                .contains("registrant code")
        );
        assert!(
            parse_forms("10.ab12/x")
                .unwrap_err()
                .contains("registrant code")
        );
        assert!(
            parse_forms("10.1000/")
                .unwrap_err()
                .contains("nothing follows")
        );
        assert!(
            parse_forms("10.1000/.")
                .unwrap_err()
                .contains("nothing follows")
        );
        assert!(parse_forms("10.1000/a b").unwrap_err().contains("space"));
        assert!(
            parse_forms("10.1000/a\u{7}")
                .unwrap_err()
                .contains("control")
        );
        assert!(
            parse_forms("https://doi.org/10.1000/a%2")
                .unwrap_err()
                .contains("malformed")
        );
        assert!(
            parse_forms("https://arxiv.org/abs/1609.00150")
                .unwrap_err()
                .contains("not to doi.org")
        );
    }

    #[test]
    fn arxiv_dois_imply_arxiv_ids() {
        let id = implied_arxiv("10.48550/arxiv.2311.16162").unwrap();
        assert_eq!((id.id.as_str(), id.version), ("2311.16162", None));
        assert_eq!(
            implied_arxiv("10.48550/arxiv.hep-th/9901001").unwrap().id,
            "hep-th/9901001"
        );
        assert_eq!(implied_arxiv("10.48550/arxiv.1613.00001"), None);
        assert_eq!(implied_arxiv("10.6084/m9.figshare.1449060"), None);
    }
}
