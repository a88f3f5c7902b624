//! Atom 1.0 (RFC 4287) and RSS 2.0 documents, written by hand: the formats are small,
//! and every piece of text goes through [`escape`], which also drops the characters
//! XML 1.0 cannot carry at all.

use crate::feeds::rfc3339;

/// Text as XML character data or attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Legal XML 1.0 characters only.
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One summary as a feed entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Absolute permalink; also the entry's permanent id.
    pub url: String,
    pub title: String,
    /// None for anonymous summaries.
    pub author: Option<String>,
    /// Sanitised HTML with MathML.
    pub html: String,
    pub excerpt: String,
    pub published: i64,
    pub updated: i64,
    pub licence_url: String,
    pub licence_name: String,
    pub paper_url: String,
}

/// A feed: its own URL, the page it mirrors, and its entries (newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub self_url: String,
    pub page_url: String,
    pub title: String,
    pub subtitle: String,
    /// Named as the feed's author ("… contributors"), for entries without one.
    pub site_name: String,
    pub entries: Vec<Entry>,
}

impl Feed {
    /// The newest entry's time; the epoch for an empty feed (stable, unlike "now").
    fn updated(&self) -> i64 {
        self.entries.iter().map(|e| e.updated).max().unwrap_or(0)
    }

    pub fn atom(&self) -> String {
        let mut x = String::with_capacity(
            4096 + self.entries.iter().map(|e| e.html.len() * 2).sum::<usize>(),
        );
        x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        x.push_str(&format!("  <id>{}</id>\n", escape(&self.self_url)));
        x.push_str(&format!("  <title>{}</title>\n", escape(&self.title)));
        x.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape(&self.subtitle)
        ));
        x.push_str(&format!(
            "  <updated>{}</updated>\n",
            rfc3339(self.updated())
        ));
        x.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            escape(&self.self_url)
        ));
        x.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&self.page_url)
        ));
        // A feed-level author keeps anonymous-only feeds valid (RFC 4287 §4.1.1).
        x.push_str(&format!(
            "  <author><name>{} contributors</name></author>\n",
            escape(&self.site_name)
        ));
        for e in &self.entries {
            x.push_str("  <entry>\n");
            x.push_str(&format!("    <id>{}</id>\n", escape(&e.url)));
            x.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
            x.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                escape(&e.url)
            ));
            x.push_str(&format!(
                "    <link rel=\"related\" type=\"text/html\" href=\"{}\"/>\n",
                escape(&e.paper_url)
            ));
            x.push_str(&format!(
                "    <link rel=\"license\" href=\"{}\"/>\n",
                escape(&e.licence_url)
            ));
            x.push_str(&format!(
                "    <published>{}</published>\n",
                rfc3339(e.published)
            ));
            x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(e.updated)));
            let author = e.author.as_deref().unwrap_or("Anonymous");
            x.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape(author)
            ));
            x.push_str(&format!(
                "    <rights>{}</rights>\n",
                escape(&e.licence_name)
            ));
            x.push_str(&format!("    <summary>{}</summary>\n", escape(&e.excerpt)));
            x.push_str(&format!(
                "    <content type=\"html\">{}</content>\n",
                escape(&e.html)
            ));
            x.push_str("  </entry>\n");
        }
        x.push_str("</feed>\n");
        x
    }

    pub fn rss(&self) -> String {
        let mut x = String::with_capacity(4096);
        x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
        x.push_str(&format!("  <title>{}</title>\n", escape(&self.title)));
        x.push_str(&format!("  <link>{}</link>\n", escape(&self.page_url)));
        x.push_str(&format!(
            "  <description>{}</description>\n",
            escape(&self.subtitle)
        ));
        x.push_str(&format!(
            "  <atom:link rel=\"self\" type=\"application/rss+xml\" href=\"{}\"/>\n",
            escape(&self.self_url)
        ));
        x.push_str(&format!(
            "  <lastBuildDate>{}</lastBuildDate>\n",
            rfc822(self.updated())
        ));
        for e in &self.entries {
            x.push_str("  <item>\n");
            x.push_str(&format!("    <title>{}</title>\n", escape(&e.title)));
            x.push_str(&format!("    <link>{}</link>\n", escape(&e.url)));
            x.push_str(&format!(
                "    <guid isPermaLink=\"true\">{}</guid>\n",
                escape(&e.url)
            ));
            x.push_str(&format!("    <pubDate>{}</pubDate>\n", rfc822(e.published)));
            // RSS's <author> wants an e-mail address; Dublin Core carries a name.
            let author = e.author.as_deref().unwrap_or("Anonymous");
            x.push_str(&format!(
                "    <dc:creator>{}</dc:creator>\n",
                escape(author)
            ));
            x.push_str(&format!(
                "    <dc:rights>{}</dc:rights>\n",
                escape(&e.licence_name)
            ));
            x.push_str(&format!(
                "    <description>{}</description>\n",
                escape(&e.html)
            ));
            x.push_str("  </item>\n");
        }
        x.push_str("</channel>\n</rss>\n");
        x
    }
}

/// RFC 822 dates as RSS wants them: `Sat, 04 Mar 2017 12:00:00 GMT`.
pub fn rfc822(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = crate::view::civil_from_unix(secs);
    let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    let t = secs.rem_euclid(86_400);
    format!(
        "{weekday}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        MONTHS[(m - 1) as usize],
        t / 3600,
        t % 3600 / 60,
        t % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> Feed {
        Feed {
            self_url: "https://x.example/feeds/latest.atom".into(),
            page_url: "https://x.example/".into(),
            title: "Latest & <greatest>".into(),
            subtitle: "s".into(),
            site_name: "S".into(),
            entries: vec![Entry {
                url: "https://x.example/summary/1".into(),
                title: "Summary of “</title><script>”".into(),
                author: None,
                html: "<p>a <math><mi>x</mi></math> &amp; b</p>".into(),
                excerpt: "a x & b\u{1}".into(),
                published: 1_488_628_800,
                updated: 1_488_628_800,
                licence_url: "https://creativecommons.org/licenses/by/4.0/".into(),
                licence_name: "CC BY 4.0".into(),
                paper_url: "https://x.example/paper/1".into(),
            }],
        }
    }

    #[test]
    fn escaping_covers_markup_and_drops_illegal_characters() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\u{0}\u{1}y\n"), "xy\n");
    }

    #[test]
    fn atom_escapes_content_once_and_names_anonymous_authors_neutrally() {
        let atom = feed().atom();
        assert!(atom.contains("<content type=\"html\">&lt;p&gt;a &lt;math&gt;&lt;mi&gt;x&lt;/mi&gt;&lt;/math&gt; &amp;amp; b&lt;/p&gt;</content>"), "{atom}");
        assert!(atom.contains("<author><name>Anonymous</name></author>"));
        assert!(!atom.contains("<script>"));
        assert!(atom.contains("<updated>2017-03-04T12:00:00Z</updated>"));
        assert!(!atom.contains('\u{1}'));
    }

    #[test]
    fn rss_dates_are_rfc822() {
        assert_eq!(rfc822(1_488_628_800), "Sat, 04 Mar 2017 12:00:00 GMT");
        assert_eq!(rfc822(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert!(
            feed()
                .rss()
                .contains("<pubDate>Sat, 04 Mar 2017 12:00:00 GMT</pubDate>")
        );
    }
}
