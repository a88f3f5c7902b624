//! Paper references (`\cite{}`, old ShortScience permalinks) and media URLs.

use std::sync::OnceLock;

use regex::Regex;

/// `\cite{A}`, `\cite{A,B}`, also natbib's `\citep`/`\citet`.
fn cite_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\\cite[pt]?\{([^{}\n]{1,500})\}").expect("valid regex"))
}

/// One `\cite{…}` found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    /// Byte range of the whole command in the searched text.
    pub start: usize,
    pub end: usize,
    pub keys: Vec<String>,
}

/// All `\cite{…}` commands in `text` that name at least one key.
pub fn find_cites(text: &str) -> Vec<Cite> {
    if !text.contains("\\cite") {
        return Vec::new();
    }
    cite_regex()
        .captures_iter(text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let keys: Vec<String> = caps[1]
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect();
            (!keys.is_empty()).then(|| Cite {
                start: whole.start(),
                end: whole.end(),
                keys,
            })
        })
        .collect()
}

/// Where a cited key links when the site does not know the paper.
pub fn fallback_paper_url(key: &str) -> String {
    format!("/paper?bibtexKey={}", percent_encode(key))
}

/// An old `https://www.shortscience.org/paper?bibtexKey=KEY&a=USER` permalink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyLink {
    pub key: String,
    pub user: Option<String>,
}

impl LegacyLink {
    /// Parses `url` if it is an old permalink with a non-empty key.
    pub fn parse(url: &str) -> Option<Self> {
        let rest = strip_prefix_ignore_case(url, "https://")
            .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
        let rest = strip_prefix_ignore_case(rest, "www.").unwrap_or(rest);
        let query = strip_prefix_ignore_case(rest, "shortscience.org/paper?")?;
        let query = query.split('#').next().unwrap_or_default();
        let mut key = None;
        let mut user = None;
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match name {
                "bibtexKey" if key.is_none() => key = Some(value),
                "a" if user.is_none() => user = Some(value),
                _ => {}
            }
        }
        let key = key.filter(|k| !k.trim().is_empty())?;
        Some(Self {
            key,
            user: user.filter(|u| !u.is_empty()),
        })
    }

    /// The local path the server redirects to the summary's canonical page.
    pub fn local_path(&self) -> String {
        let mut path = fallback_paper_url(&self.key);
        if let Some(user) = &self.user {
            path.push_str("&a=");
            path.push_str(&percent_encode(user));
        }
        path
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Percent-encodes a query value, leaving unreserved characters and `/` `:` `@` readable.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':' | b'@')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; malformed escapes stay as written, invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            let digits = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            u8::from_str_radix(digits, 16).ok()
        };
        match (bytes[i], hex()) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a bare URL standing alone in its paragraph embeds as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    Image,
    Video,
}

impl Media {
    /// Classifies an absolute http(s) URL by the extension of its path.
    pub fn of_url(url: &str) -> Option<Self> {
        let rest = strip_prefix_ignore_case(url, "https://")
            .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
        let path = rest.split(['?', '#']).next().unwrap_or_default();
        // A host alone (`https://x.png`) is not a file.
        let (_, path) = path.split_once('/')?;
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "png" | "jpg" | "jpeg" | "gif" | "webp" => Some(Self::Image),
            "mp4" | "webm" | "ogv" | "ogg" | "mov" => Some(Self::Video),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cites_with_one_or_many_keys() {
        let text = r"as in \cite{lecun1998} and \citep{a, b ,c} but not \cite{} or \cite{x";
        let cites = find_cites(text);
        assert_eq!(cites.len(), 2);
        assert_eq!(cites[0].keys, ["lecun1998"]);
        assert_eq!(&text[cites[0].start..cites[0].end], r"\cite{lecun1998}");
        assert_eq!(cites[1].keys, ["a", "b", "c"]);
        assert!(find_cites(r"\cite{ , }").is_empty());
    }

    #[test]
    fn fallback_url_encodes_the_key() {
        assert_eq!(
            fallback_paper_url("journals/corr/1904.06387"),
            "/paper?bibtexKey=journals/corr/1904.06387"
        );
        assert_eq!(
            fallback_paper_url("a&b=c #d\"<"),
            "/paper?bibtexKey=a%26b%3Dc%20%23d%22%3C"
        );
    }

    #[test]
    fn parses_legacy_permalinks() {
        let link = LegacyLink::parse(
            "https://www.shortscience.org/paper?bibtexKey=journals/corr/1904.06387&a=muntermulehitch",
        )
        .unwrap();
        assert_eq!(link.key, "journals/corr/1904.06387");
        assert_eq!(link.user.as_deref(), Some("muntermulehitch"));
        assert_eq!(
            link.local_path(),
            "/paper?bibtexKey=journals/corr/1904.06387&a=muntermulehitch"
        );

        let link =
            LegacyLink::parse("HTTP://ShortScience.org/paper?bibtexKey=journals%2Fcorr%2F1.2#top")
                .unwrap();
        assert_eq!(link.key, "journals/corr/1.2");
        assert_eq!(link.user, None);
        assert_eq!(link.local_path(), "/paper?bibtexKey=journals/corr/1.2");
    }

    #[test]
    fn rejects_other_urls() {
        for url in [
            "https://www.shortscience.org/",
            "https://www.shortscience.org/paper?a=x",
            "https://www.shortscience.org/paper?bibtexKey=",
            "https://evil.example/shortscience.org/paper?bibtexKey=x",
            "https://shortscience.org.evil.example/paper?bibtexKey=x",
            "/paper?bibtexKey=x",
        ] {
            assert_eq!(LegacyLink::parse(url), None, "{url}");
        }
    }

    #[test]
    fn percent_decoding_tolerates_garbage() {
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
        assert_eq!(percent_decode("é%C3%A9"), "éé");
    }

    #[test]
    fn classifies_media_by_path_extension() {
        assert_eq!(
            Media::of_url("https://i.imgur.com/iuZGUTH.gif"),
            Some(Media::Image)
        );
        assert_eq!(
            Media::of_url("https://x.org/a/b.JPEG?w=300#f"),
            Some(Media::Image)
        );
        assert_eq!(Media::of_url("http://x.org/clip.webm"), Some(Media::Video));
        assert_eq!(Media::of_url("https://x.org/clip.MOV"), Some(Media::Video));
        assert_eq!(Media::of_url("https://x.org/page.html?img=a.png"), None);
        assert_eq!(Media::of_url("https://x.png"), None);
        assert_eq!(Media::of_url("ftp://x.org/a.png"), None);
        assert_eq!(Media::of_url("https://www.youtube.com/watch?v=abc"), None);
    }
}
