//! arXiv identifiers.
//!
//! New style (April 2007 on): `YYMM.NNNN` until 1412, `YYMM.NNNNN` from 1501.
//! Old style (August 1991 to March 2007): `archive/YYMMNNN`, optionally written with a
//! subject class, `math.GT/0309136`. Both may carry a version `vN`.
//!
//! The canonical id drops the version and the old-style subject class: arXiv files
//! `math.GT/0309136` and `math/0309136` under the same paper.

use crate::url::{self, Link, strip_prefix_ci};

/// Hosts whose links are read as arXiv links.
pub(crate) const HOSTS: &[&str] = &["arxiv.org", "www.arxiv.org", "export.arxiv.org"];

/// ShortScience.org keyed arXiv papers as `journals/corr/<arXiv id>`.
pub(crate) const LEGACY_PREFIX: &str = "journals/corr/";

/// Archives that issued old-style ids. Later archives (q-fin, stat, eess, econ) only
/// ever had new-style ids.
pub(crate) const OLD_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex",
    "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th",
    "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
];

const EXPECTED: &str = "expected YYMM.NNNNN (YYMM.NNNN before 2015) or archive/YYMMNNN, like 1609.00150 or hep-th/9901001";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArxivId {
    /// Canonical id without version.
    pub id: String,
    pub version: Option<u32>,
}

/// Any arXiv form: `arXiv:` prefix, arxiv.org link, ShortScience key or bare id.
/// The error is the reason, to be wrapped with the user's input.
pub(crate) fn parse_forms(s: &str) -> Result<ArxivId, String> {
    if let Some(rest) = strip_prefix_ci(s, "arxiv:") {
        return parse_cited(rest.trim_start());
    }
    if let Some(rest) = s.strip_prefix(LEGACY_PREFIX) {
        return parse_id(rest);
    }
    if let Some(link) = url::split(s) {
        return parse_link(&link);
    }
    parse_cited(s)
}

/// Whether `s` is shaped like an arXiv id closely enough that an arXiv error is the
/// most useful answer (used by the kind detection).
pub(crate) fn looks_like(s: &str) -> bool {
    let b = s.as_bytes();
    let new_style = b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'.';
    let old_style = s
        .split_once('/')
        .is_some_and(|(head, _)| OLD_ARCHIVES.contains(&head.split('.').next().unwrap_or(head)));
    new_style || old_style
}

/// `1609.00150v2 [cs.CL]`, the way papers cite arXiv ids: the category is ignored.
fn parse_cited(s: &str) -> Result<ArxivId, String> {
    match s.split_once(char::is_whitespace) {
        Some((id, tail)) => {
            let tail = tail.trim();
            if tail.starts_with('[') && tail.ends_with(']') {
                parse_id(id)
            } else {
                Err(format!("unexpected text {tail:?} after the id; {EXPECTED}"))
            }
        }
        None => parse_id(s),
    }
}

fn parse_link(link: &Link<'_>) -> Result<ArxivId, String> {
    if !HOSTS.contains(&link.host.as_str()) {
        return Err(format!("it links to {}, not to arxiv.org", link.host));
    }
    let path = link.path.trim_end_matches('/');
    let id = path
        .strip_prefix("/abs/")
        .or_else(|| path.strip_prefix("/html/"))
        .or_else(|| {
            path.strip_prefix("/pdf/")
                .map(|p| p.strip_suffix(".pdf").unwrap_or(p))
        })
        .ok_or("expected a link to arxiv.org/abs/ID or arxiv.org/pdf/ID")?;
    parse_id(id)
}

/// A bare id with optional version.
pub(crate) fn parse_id(s: &str) -> Result<ArxivId, String> {
    let (base, version) = split_version(s)?;
    let id = match base.split_once('/') {
        Some((archive, number)) => old_style(archive, number)?,
        None => new_style(base)?,
    };
    Ok(ArxivId { id, version })
}

/// Splits a trailing `vN`. A `v` only starts a version right after a digit, so the
/// `v` of `solv-int` is left alone.
fn split_version(s: &str) -> Result<(&str, Option<u32>), String> {
    let Some(at) = s.rfind('v') else {
        return Ok((s, None));
    };
    let (base, digits) = (&s[..at], &s[at + 1..]);
    if !base.ends_with(|c: char| c.is_ascii_digit()) {
        return Ok((s, None));
    }
    let valid = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    match digits.parse::<u32>() {
        Ok(v) if valid => Ok((base, Some(v))),
        _ => Err(format!(
            "version \"v{digits}\" is not a version number like v1 or v2"
        )),
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Two ASCII digits as a number; callers check `digits` first.
fn two(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

fn check_month(yymm: &str) -> Result<(u32, u32), String> {
    let (yy, mm) = (two(&yymm[..2]), two(&yymm[2..]));
    if (1..=12).contains(&mm) {
        Ok((yy, mm))
    } else {
        Err(format!(
            "month {:02} in {yymm} is not between 01 and 12",
            mm
        ))
    }
}

fn new_style(s: &str) -> Result<String, String> {
    let Some((yymm, number)) = s.split_once('.') else {
        return Err(EXPECTED.into());
    };
    if yymm.len() != 4 || !digits(yymm) || !digits(number) {
        return Err(EXPECTED.into());
    }
    let (yy, mm) = check_month(yymm)?;
    if (yy, mm) < (7, 4) {
        return Err(format!(
            "{yymm} is before April 2007, when YYMM.NNNN ids began; older ids look like hep-th/9901001"
        ));
    }
    match (yy >= 15, number.len()) {
        (true, 5) | (false, 4) => {}
        (true, _) => {
            return Err("expected YYMM.NNNNN: ids from 2015 on have 5 digits after the dot".into());
        }
        (false, _) => {
            return Err(
                "expected YYMM.NNNN: ids from 2007 to 2014 have 4 digits after the dot".into(),
            );
        }
    }
    if number.bytes().all(|b| b == b'0') {
        return Err(format!(
            "paper number {number} does not exist; numbering starts at 1"
        ));
    }
    Ok(format!("{yymm}.{number}"))
}

fn old_style(archive_part: &str, number: &str) -> Result<String, String> {
    let (archive, subject) = match archive_part.split_once('.') {
        Some((a, s)) => (a, Some(s)),
        None => (archive_part, None),
    };
    if !OLD_ARCHIVES.contains(&archive) {
        return Err(format!(
            "{archive:?} is not an arXiv archive with old-style ids (like hep-th, math or cs); {EXPECTED}"
        ));
    }
    if let Some(subject) = subject {
        let ok = subject.starts_with(|c: char| c.is_ascii_alphabetic())
            && subject
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-');
        if !ok {
            return Err(format!(
                "subject class {subject:?} should be letters, like math.GT"
            ));
        }
    }
    if number.len() != 7 || !digits(number) {
        return Err(format!(
            "expected {archive}/YYMMNNN: 7 digits after the slash"
        ));
    }
    let (yy, mm) = check_month(&number[..4])?;
    // Old-style ids ran from 9108 to 0703.
    let in_range = if yy >= 91 {
        (yy, mm) >= (91, 8)
    } else {
        (yy, mm) <= (7, 3)
    };
    if !in_range {
        return Err(format!(
            "{} is outside August 1991 to March 2007, when archive/YYMMNNN ids were issued",
            &number[..4]
        ));
    }
    if number.ends_with("000") {
        return Err(format!(
            "paper number {} does not exist; numbering starts at 001",
            &number[4..]
        ));
    }
    Ok(format!("{archive}/{number}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> (String, Option<u32>) {
        let a = parse_forms(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (a.id, a.version)
    }

    fn err(s: &str) -> String {
        parse_forms(s).expect_err(s)
    }

    #[test]
    fn new_style_ids() {
        assert_eq!(ok("1609.00150"), ("1609.00150".into(), None));
        assert_eq!(ok("1609.00150v2"), ("1609.00150".into(), Some(2)));
        assert_eq!(ok("0704.0001"), ("0704.0001".into(), None));
        assert_eq!(ok("1412.6529v2"), ("1412.6529".into(), Some(2)));
        assert_eq!(ok("1501.00001"), ("1501.00001".into(), None));
        assert_eq!(ok("2503.05378v12"), ("2503.05378".into(), Some(12)));
    }

    #[test]
    fn old_style_ids() {
        assert_eq!(ok("hep-th/9901001"), ("hep-th/9901001".into(), None));
        assert_eq!(ok("astro-ph/0601001"), ("astro-ph/0601001".into(), None));
        assert_eq!(
            ok("cond-mat/0412498v1"),
            ("cond-mat/0412498".into(), Some(1))
        );
        assert_eq!(ok("math.GT/0309136"), ("math/0309136".into(), None));
        assert_eq!(
            ok("solv-int/9901001v3"),
            ("solv-int/9901001".into(), Some(3))
        );
        assert_eq!(ok("hep-th/9108001"), ("hep-th/9108001".into(), None));
        assert_eq!(ok("math/0703001"), ("math/0703001".into(), None));
    }

    #[test]
    fn prefixes_links_and_legacy_keys() {
        let want = ("1609.00150".to_string(), None);
        for s in [
            "arXiv:1609.00150",
            "ARXIV: 1609.00150",
            "arxiv:1609.00150 [cs.LG]",
            "1609.00150 [cs.LG]",
            "journals/corr/1609.00150",
            "https://arxiv.org/abs/1609.00150",
            "http://arxiv.org/abs/1609.00150/",
            "https://www.arxiv.org/abs/1609.00150?context=cs",
            "https://export.arxiv.org/abs/1609.00150#top",
            "https://arxiv.org/pdf/1609.00150",
            "https://arxiv.org/pdf/1609.00150.pdf",
            "arxiv.org/abs/1609.00150",
        ] {
            assert_eq!(ok(s), want, "{s}");
        }
        assert_eq!(
            ok("https://arxiv.org/pdf/1609.00150v2.pdf"),
            ("1609.00150".into(), Some(2))
        );
        assert_eq!(
            ok("journals/corr/1609.00150v2"),
            ("1609.00150".into(), Some(2))
        );
        assert_eq!(
            ok("http://arxiv.org/abs/astro-ph/0601001v1"),
            ("astro-ph/0601001".into(), Some(1))
        );
        assert_eq!(
            ok("https://arxiv.org/pdf/hep-th/9901001v1.pdf"),
            ("hep-th/9901001".into(), Some(1))
        );
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(err("1609.1").contains("expected YYMM.NNNNN"));
        assert!(err("1201.12345").contains("4 digits after the dot"));
        assert!(err("1613.00150").contains("month 13"));
        assert!(err("1600.00150").contains("month 00"));
        assert!(err("0703.0001").contains("before April 2007"));
        assert!(err("0000.0000").contains("month 00"));
        assert!(err("1609.00000").contains("does not exist"));
        assert!(err("1609.00150v0").contains("version"));
        assert!(err("1609.00150v").contains("version"));
        assert!(err("1609.00150v01").contains("version"));
        assert!(err("1609.00150v99999999999").contains("version"));
        assert!(err("foo-th/9901001").contains("not an arXiv archive"));
        assert!(err("math.G1/0309136").contains("subject class"));
        assert!(err("hep-th/990100").contains("7 digits"));
        assert!(err("hep-th/9913001").contains("month 13"));
        assert!(err("hep-th/9107001").contains("outside August 1991"));
        assert!(err("hep-th/0704001").contains("outside"));
        assert!(err("hep-th/9901000").contains("does not exist"));
        assert!(err("https://doi.org/10.1/x").contains("not to arxiv.org"));
        assert!(err("https://arxiv.org/list/cs.AI/recent").contains("arxiv.org/abs/ID"));
        assert!(err("1609.00150 extra").contains("unexpected text"));
        assert!(err("abc").contains("expected YYMM.NNNNN"));
        assert!(err("").contains("expected"));
    }

    #[test]
    fn shape_detection() {
        assert!(looks_like("1609.1"));
        assert!(looks_like("math.GT/0309136"));
        assert!(looks_like("hep-th/99"));
        assert!(!looks_like("conf/nips/X17"));
        assert!(!looks_like("10.1145/1"));
        assert!(!looks_like("1609"));
    }
}
