//! JSON-LD (schema.org) for crawlers: `ScholarlyArticle` for a paper, `Review` of it
//! for each summary. Written into a `<script type="application/ld+json">` data block
//! (not executed, so the CSP does not apply); [`script_safe`] makes sure no text in it
//! can close the element.

use serde_json::{Value, json};
use shortscience_store::{Paper, SummaryView};

use crate::view::{SummaryItem, user_url};

/// JSON that is safe inside `<script>`: `<`, `>` and `&` as `\u` escapes (same value).
pub fn script_safe(value: &Value) -> String {
    let text = value.to_string();
    // Most pages have nothing to escape: one scan, no copy.
    let needs = |c: char| matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}');
    if !text.contains(needs) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text.as_str();
    while let Some(i) = rest.find(needs) {
        out.push_str(&rest[..i]);
        let c = rest[i..].chars().next().unwrap_or_default();
        out.push_str(match c {
            '<' => "\\u003c",
            '>' => "\\u003e",
            '&' => "\\u0026",
            // Line terminators JavaScript parsers once refused inside strings.
            '\u{2028}' => "\\u2028",
            _ => "\\u2029",
        });
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

fn article(p: &Paper, base: &str) -> Value {
    let mut a = json!({
        "@type": "ScholarlyArticle",
        "name": p.title,
        "url": format!("{base}/paper/{}", p.id),
        "author": p.authors.iter().map(|n| json!({ "@type": "Person", "name": n })).collect::<Vec<_>>(),
        "sameAs": p.aliases.iter().map(|r| r.external_url()).collect::<Vec<_>>(),
        "identifier": p.aliases.iter().map(|r| r.label()).collect::<Vec<_>>(),
    });
    if let Some(y) = p.year {
        a["datePublished"] = json!(y.to_string());
    }
    if let Some(v) = p.venue.as_deref().filter(|v| !v.trim().is_empty()) {
        a["isPartOf"] = json!({ "@type": "PublicationIssue", "name": v });
    }
    a
}

fn review(v: &SummaryView, base: &str) -> Value {
    let mut r = json!({
        "@type": "Review",
        "url": format!("{base}/summary/{}", v.id),
        "name": format!("Summary of “{}”", v.paper_title),
        "reviewBody": v.excerpt,
        "datePublished": crate::feeds::rfc3339(v.created_at),
        "dateModified": crate::feeds::rfc3339(v.edited_at),
        "license": v.licence.url(),
    });
    // Anonymous summaries carry no author at all.
    if let Some(b) = v.author.as_ref().filter(|_| !v.anonymous) {
        r["author"] = json!({
            "@type": "Person",
            "name": b.display_name,
            "url": format!("{base}{}", user_url(&b.username)),
        });
    }
    r
}

/// The paper page: the article, with links to its public summaries as reviews.
pub fn paper(p: &Paper, summaries: &[SummaryItem], base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut a = article(p, base);
    a["@context"] = json!("https://schema.org");
    a["review"] = summaries
        .iter()
        .filter(|s| !s.private)
        .map(|s| {
            // Authors are named on each permalink's own Review (where anonymity is known).
            json!({
                "@type": "Review",
                "url": format!("{base}{}", s.permalink),
                "datePublished": s.created.iso,
                "license": s.licence_url,
            })
        })
        .collect::<Vec<_>>()
        .into();
    script_safe(&a)
}

/// A summary's permalink: the review, with the article it reviews.
pub fn summary(p: &Paper, v: &SummaryView, base: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut r = review(v, base);
    r["@context"] = json!("https://schema.org");
    r["itemReviewed"] = article(p, base);
    script_safe(&r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_can_close_the_script_element() {
        let v = json!({ "name": "</script><script>alert(1)</script> & more \u{2028}\u{2029} é" });
        let s = script_safe(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
