//! DBLP record keys: `conf/nips/VaswaniSPUJGKP17`, `journals/corr/abs-1904-06387`,
//! `persons/Ley95`. A key is a known prefix and one or more `/`-separated parts.

use crate::arxiv::{self, ArxivId};
use crate::url::{self, strip_prefix_ci};

/// Hosts whose links are read as DBLP record links.
pub(crate) const HOSTS: &[&str] = &[
    "dblp.org",
    "www.dblp.org",
    "dblp.uni-trier.de",
    "dblp.dagstuhl.de",
];

/// First parts of DBLP keys.
pub(crate) const PREFIXES: &[&str] = &[
    "conf",
    "journals",
    "books",
    "series",
    "reference",
    "phd",
    "tr",
    "ms",
    "persons",
    "homepages",
    "www",
    "data",
];

/// Older links put the export format before the key: `/rec/bibtex/conf/…`.
const FORMAT_SEGMENTS: &[&str] = &[
    "bibtex", "bib", "bib0", "bib1", "bib2", "xml", "html", "rdf", "ris", "nt", "ttl",
];
/// Newer links append it: `/rec/conf/….bib`.
const FORMAT_EXTENSIONS: &[&str] = &[".html", ".bib", ".xml", ".rdf", ".ris", ".nt", ".ttl"];

/// Any DBLP form: `dblp:` prefix (also BibTeX's `DBLP:` citation keys), link, bare key.
pub(crate) fn parse_forms(s: &str) -> Result<String, String> {
    if let Some(rest) = strip_prefix_ci(s, "dblp:") {
        return validate(rest.trim_start());
    }
    if let Some(link) = url::split(s) {
        return parse_link(&link);
    }
    validate(s)
}

fn parse_link(link: &url::Link<'_>) -> Result<String, String> {
    if !HOSTS.contains(&link.host.as_str()) {
        return Err(format!("it links to {}, not to dblp.org", link.host));
    }
    let path = link.path.trim_end_matches('/');
    let rest = path
        .strip_prefix("/rec/")
        .ok_or("expected a link to a record, dblp.org/rec/KEY")?;
    let rest = url::percent_decode(rest).map_err(|e| format!("the link is malformed: {e}"))?;
    let key = match rest.split_once('/') {
        Some((format, key)) if FORMAT_SEGMENTS.contains(&format) => key,
        _ => &rest,
    };
    let key = FORMAT_EXTENSIONS
        .iter()
        .find_map(|ext| key.strip_suffix(ext))
        .unwrap_or(key);
    validate(key)
}

/// Checks the shape of a bare key; keys are case-sensitive and kept as given.
pub(crate) fn validate(key: &str) -> Result<String, String> {
    let (prefix, rest) = key.split_once('/').unwrap_or((key, ""));
    if !PREFIXES.contains(&prefix) {
        return Err(format!(
            "it should start with one of {}, like conf/nips/VaswaniSPUJGKP17",
            PREFIXES
                .iter()
                .map(|p| format!("{p}/"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if rest.is_empty() {
        return Err(format!(
            "nothing follows \"{prefix}/\", like conf/nips/VaswaniSPUJGKP17"
        ));
    }
    for part in rest.split('/') {
        if part.is_empty() {
            return Err("it has an empty part between slashes".into());
        }
        // A part never starts with '.', which also rules out "." and "..".
        let ok = part.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.'+".contains(&b));
        if !ok {
            return Err(format!(
                "part {part:?} should be letters, digits and - _ . ' + (not starting with a symbol)"
            ));
        }
    }
    Ok(key.to_owned())
}

/// `journals/corr/abs-YYMM-NNNNN` is DBLP's record of arXiv `YYMM.NNNNN`; a
/// ShortScience-style `journals/corr/<arXiv id>` names the arXiv paper directly.
pub(crate) fn implied_arxiv(key: &str) -> Option<ArxivId> {
    let rest = key.strip_prefix(arxiv::LEGACY_PREFIX)?;
    match rest.strip_prefix("abs-") {
        Some(abs) => {
            let (yymm, number) = abs.split_once('-')?;
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            (digits(yymm) && digits(number))
                .then(|| arxiv::parse_id(&format!("{yymm}.{number}")).ok())
                .flatten()
        }
        None => arxiv::parse_id(rest).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys from the DBLP and BibTeX fixtures.
    const REAL_KEYS: &[&str] = &[
        "conf/acl/ChangSRM23",
        "conf/cpaior/2024-2",
        "conf/cpaior/JabsBJ24",
        "conf/spire/BastMW06",
        "conf/gi/KoschmiderL0MMOOPRSSV04",
        "conf/f-egc/LeyR06",
        "data/11/IserJ24",
        "journals/acta/Biskup78",
        "journals/corr/abs-2508-04024",
        "journals/jair/JabsBNJ24",
        "reference/vision/Pont14b",
        "series/faia/0001LM21",
        "series/faia/336",
        "books/infix/Ley93",
        "tr/ibm/IWBS107",
        "persons/Ley95",
    ];

    #[test]
    fn real_keys_are_kept_as_is() {
        for key in REAL_KEYS {
            assert_eq!(parse_forms(key).as_deref(), Ok(*key));
        }
    }

    #[test]
    fn prefixes_and_links() {
        let want = "conf/acl/ChangSRM23";
        for s in [
            "DBLP:conf/acl/ChangSRM23",
            "dblp: conf/acl/ChangSRM23",
            "https://dblp.org/rec/conf/acl/ChangSRM23",
            "https://dblp.org/rec/conf/acl/ChangSRM23.html",
            "https://dblp.org/rec/conf/acl/ChangSRM23.bib?param=1",
            "https://dblp.org/rec/conf/acl/ChangSRM23.xml",
            "https://dblp.org/rec/conf/acl/ChangSRM23.rdf",
            "https://dblp.org/rec/conf/acl/ChangSRM23/",
            "https://dblp.uni-trier.de/rec/bibtex/conf/acl/ChangSRM23",
            "http://dblp.uni-trier.de/rec/bib/conf/acl/ChangSRM23.bib",
            "dblp.org/rec/conf/acl/ChangSRM23",
        ] {
            assert_eq!(parse_forms(s).as_deref(), Ok(want), "{s}");
        }
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(
            parse_forms("foo/bar/Baz")
                .unwrap_err()
                .contains("should start with one of")
        );
        assert!(parse_forms("conf").unwrap_err().contains("nothing follows"));
        assert!(
            parse_forms("conf/")
                .unwrap_err()
                .contains("nothing follows")
        );
        assert!(parse_forms("conf//X").unwrap_err().contains("empty part"));
        assert!(
            parse_forms("conf/nips/")
                .unwrap_err()
                .contains("empty part")
        );
        assert!(
            parse_forms("conf/../etc")
                .unwrap_err()
                .contains("part \"..\"")
        );
        assert!(parse_forms("conf/nips/a b").unwrap_err().contains("part"));
        assert!(
            parse_forms("https://dblp.org/pid/l/MichaelLey")
                .unwrap_err()
                .contains("dblp.org/rec/KEY")
        );
        assert!(
            parse_forms("https://dblp.org/rec/conf%2")
                .unwrap_err()
                .contains("malformed")
        );
        assert!(
            parse_forms("https://doi.org/rec/conf/a/b")
                .unwrap_err()
                .contains("not to dblp.org")
        );
    }

    #[test]
    fn corr_keys_imply_arxiv_ids() {
        assert_eq!(
            implied_arxiv("journals/corr/abs-2508-04024").unwrap().id,
            "2508.04024"
        );
        assert_eq!(
            implied_arxiv("journals/corr/abs-1904-06387").unwrap().id,
            "1904.06387"
        );
        assert_eq!(
            implied_arxiv("journals/corr/abs-1412-6980").unwrap().id,
            "1412.6980"
        );
        assert_eq!(
            implied_arxiv("journals/corr/1609.00150").unwrap().id,
            "1609.00150"
        );
        assert_eq!(implied_arxiv("journals/corr/abs-1613-00001"), None);
        assert_eq!(implied_arxiv("journals/corr/abs-cs-0101001"), None);
        assert_eq!(implied_arxiv("journals/corr/BahdanauCB14"), None);
        assert_eq!(implied_arxiv("conf/nips/VaswaniSPUJGKP17"), None);
    }
}
