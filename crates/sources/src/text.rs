//! Small text helpers shared by the parsers. Pure.

/// Runs of whitespace (including the hard wraps of arXiv and Crossref) become one space;
/// the ends are trimmed.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `Some(collapsed)` unless the text is blank.
pub(crate) fn non_blank(s: &str) -> Option<String> {
    let c = collapse_ws(s);
    (!c.is_empty()).then_some(c)
}

/// Plain text of a JATS/HTML fragment (Crossref titles and abstracts, DataCite
/// descriptions): tags dropped, a leading `<jats:title>` heading dropped, the
/// common entities decoded, whitespace collapsed.
pub(crate) fn strip_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s.trim_start();
    // "<jats:title>Abstract</jats:title>" is a heading, not part of the text.
    for open in ["<jats:title>", "<title>"] {
        if let Some(after) = rest.strip_prefix(open) {
            let close = format!("</{}", &open[1..]);
            if let Some(end) = after.find(&close) {
                rest = &after[end + close.len()..];
            }
        }
    }
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            // Skip the tag; a tag is a word break (between paragraphs, for instance).
            let mut closed = false;
            for t in chars.by_ref() {
                if t == '>' {
                    closed = true;
                    break;
                }
            }
            if !closed {
                break;
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    collapse_ws(&decode_entities(&out))
}

/// Decodes the five XML entities and numeric references; anything else stays as is.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => numeric_ref(name),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `#233` or `#xE9` to its character.
pub(crate) fn numeric_ref(name: &str) -> Option<char> {
    let digits = name.strip_prefix('#')?;
    let n = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    char::from_u32(n).filter(|&c| c != '\0')
}

/// The first plausible publication year (1000–2999) at the start of a date-like
/// string: `2016`, `2016/12//`, `2023-11-09T…`.
pub(crate) fn leading_year(s: &str) -> Option<i32> {
    let s = s.trim();
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    plausible_year(digits.parse().ok()?)
}

/// The first stand-alone four-digit year anywhere in `s` (`Mon, 2 Apr 2007 19:18:42 GMT`).
pub(crate) fn any_year(s: &str) -> Option<i32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .find_map(|w| plausible_year(w.parse().ok()?))
}

pub(crate) fn plausible_year(y: i64) -> Option<i32> {
    (1000..3000).contains(&y).then_some(y as i32)
}

/// DBLP's titles end with a period it adds itself ("Attention Is All You Need.").
pub(crate) fn strip_final_period(title: &str) -> String {
    let t = title.trim_end();
    match t.strip_suffix('.') {
        Some(rest) if !rest.ends_with('.') && !rest.is_empty() => rest.to_owned(),
        _ => t.to_owned(),
    }
}

/// The start of an unreadable response, for an error message: `"Resource not found."`.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let text = collapse_ws(&text);
    if text.is_empty() {
        return "an empty answer".into();
    }
    let clipped: String = text.chars().take(60).collect();
    if clipped.len() < text.len() {
        format!("{clipped:?}…")
    } else {
        format!("{clipped:?}")
    }
}

/// Percent-encodes a path segment, keeping `/` (DOIs and DBLP keys contain slashes
/// that the services accept raw).
pub(crate) fn encode_path(s: &str) -> String {
    encode(s, b"-._~/:()")
}

/// Percent-encodes a query value.
pub(crate) fn encode_query(s: &str) -> String {
    encode(s, b"-._~/:")
}

fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_hard_wraps() {
        assert_eq!(
            collapse_ws("  Quantum Criticality for\n  Extended Nodes \t"),
            "Quantum Criticality for Extended Nodes"
        );
        assert_eq!(non_blank(" \n "), None);
    }

    #[test]
    fn strips_jats() {
        let s = "<jats:title>Abstract</jats:title>\n<jats:p>Bacterial <jats:italic>S. agalactiae</jats:italic> lipids &amp; more.</jats:p><jats:p>Second.</jats:p>";
        assert_eq!(
            strip_markup(s),
            "Bacterial S. agalactiae lipids & more. Second."
        );
        assert_eq!(strip_markup("cut <i"), "cut");
    }

    #[test]
    fn decodes_entities_leniently() {
        assert_eq!(
            decode_entities("a &amp; b &#233; &#xE9; &bogus; &"),
            "a & b é é &bogus; &"
        );
        assert_eq!(decode_entities("&#0;"), "&#0;");
    }

    #[test]
    fn years() {
        assert_eq!(leading_year("2016/12//"), Some(2016));
        assert_eq!(leading_year("2023-11-09T11:44:22Z"), Some(2023));
        assert_eq!(leading_year("16"), None);
        assert_eq!(any_year("Mon, 2 Apr 2007 19:18:42 GMT"), Some(2007));
        assert_eq!(any_year("no year"), None);
    }

    #[test]
    fn final_period() {
        assert_eq!(
            strip_final_period("Attention Is All You Need."),
            "Attention Is All You Need"
        );
        assert_eq!(strip_final_period("Wait..."), "Wait...");
        assert_eq!(strip_final_period("Why?"), "Why?");
    }

    #[test]
    fn encodes() {
        assert_eq!(
            encode_path("10.1002/(SICI)1097<x>#1"),
            "10.1002/(SICI)1097%3Cx%3E%231"
        );
        assert_eq!(encode_query("a b&c"), "a%20b%26c");
    }
}
