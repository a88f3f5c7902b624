//! Just enough URL handling for identifier links: split, percent-decode, percent-encode.
//! Links are matched by host, so no general URL parser is needed.

/// The parts of a pasted link that matter here.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Link<'a> {
    /// Lower-cased host, without port.
    pub host: String,
    /// Everything from the first `/` after the host, up to `?` or `#` (may be empty).
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// Whether the input started with `http://` or `https://`.
    pub has_scheme: bool,
}

/// Case-insensitive ASCII prefix strip that never slices inside a character.
pub(crate) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Splits `s` into host, path and query. Without a scheme, `s` is only taken as a
/// link when it starts with a host this crate knows (`arxiv.org/abs/…`), since
/// `math.GT/0309136` is shaped like a host name too.
pub(crate) fn split(s: &str) -> Option<Link<'_>> {
    let (rest, has_scheme) =
        match strip_prefix_ci(s, "https://").or_else(|| strip_prefix_ci(s, "http://")) {
            Some(rest) => (rest, true),
            None => (s, false),
        };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    let host = authority
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !has_scheme && !is_known_host(&host) {
        return None;
    }
    let after = &rest[host_end..];
    let before_fragment = after.split('#').next().unwrap_or_default();
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    Some(Link {
        host,
        path,
        query,
        has_scheme,
    })
}

/// Hosts whose links carry paper identifiers.
pub(crate) fn is_known_host(host: &str) -> bool {
    [
        crate::arxiv::HOSTS,
        crate::doi::HOSTS,
        crate::dblp::HOSTS,
        crate::openreview::HOSTS,
        crate::SHORTSCIENCE_HOSTS,
    ]
    .iter()
    .any(|hosts| hosts.contains(&host))
}

/// The value of `key` in a `a=1&b=2` query string, percent-decoded.
pub(crate) fn query_param(query: &str, key: &str) -> Option<Result<String, &'static str>> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode(v))
}

/// Decodes `%XX` escapes; the result must be UTF-8.
pub(crate) fn percent_decode(s: &str) -> Result<String, &'static str> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16));
            let lo = bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push((hi * 16 + lo) as u8),
                _ => return Err("it has a '%' that is not followed by two hex digits"),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "its percent-escapes do not decode to UTF-8 text")
}

/// Percent-encodes everything but the characters a URL path may carry literally.
pub(crate) fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
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
    fn splits_links_with_and_without_scheme() {
        let l = split("HTTPS://Export.arXiv.org:443/abs/1609.00150?context=cs#x").unwrap();
        assert_eq!(l.host, "export.arxiv.org");
        assert_eq!(l.path, "/abs/1609.00150");
        assert_eq!(l.query, Some("context=cs"));
        assert!(l.has_scheme);

        let l = split("openreview.net/forum?id=rJl-b3RcF7").unwrap();
        assert_eq!(l.host, "openreview.net");
        assert_eq!(l.path, "/forum");
        assert!(!l.has_scheme);

        let l = split("https://doi.org").unwrap();
        assert_eq!((l.path, l.query), ("", None));
    }

    #[test]
    fn keys_and_ids_are_not_links() {
        for s in [
            "conf/nips/VaswaniSPUJGKP17",
            "10.1145/3448016.3452841",
            "1609.00150",
            "hep-th/9901001",
            "math.GT/0309136",
        ] {
            assert_eq!(split(s), None, "{s}");
        }
    }

    #[test]
    fn strip_prefix_ci_respects_char_boundaries() {
        assert_eq!(strip_prefix_ci("ArXiv:1", "arxiv:"), Some("1"));
        assert_eq!(strip_prefix_ci("ééé", "arx"), None);
        assert_eq!(strip_prefix_ci("ar", "arxiv:"), None);
    }

    #[test]
    fn query_params() {
        assert_eq!(
            query_param("id=abc&noteId=xyz", "id"),
            Some(Ok("abc".into()))
        );
        assert_eq!(
            query_param("noteId=xyz&id=a%2Db", "id"),
            Some(Ok("a-b".into()))
        );
        assert_eq!(query_param("noteId=xyz", "id"), None);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("10.1002%2F%28SICI%29").unwrap(),
            "10.1002/(SICI)"
        );
        assert_eq!(percent_decode("caf%C3%A9").unwrap(), "café");
        assert!(percent_decode("bad%2").is_err());
        assert!(percent_decode("bad%zz").is_err());
        assert!(percent_decode("%FF").is_err());
    }

    #[test]
    fn encode_then_decode_is_identity() {
        for s in [
            "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-o",
            "10.1/a#b?c%d é",
            "plain/x",
        ] {
            let enc = percent_encode_path(s);
            assert!(!enc.contains(['#', '?', ' ', '<', '>']), "{enc}");
            assert_eq!(percent_decode(&enc).unwrap(), s);
        }
    }
}
