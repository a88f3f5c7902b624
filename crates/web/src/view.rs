//! What templates see: the page frame and summaries prepared for display.
//! Pure helpers (dates, vote labels, URLs) live here with their tests.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use shortscience_store::{Paper, SummaryView};

use crate::auth::CurrentUser;
use crate::{WebConfig, assets};

/// Which item of the site navigation is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    About,
    None,
}

/// The frame every page shares (head, header, footer).
pub struct Layout {
    pub site_name: String,
    /// Full `<title>`.
    pub title: String,
    pub description: String,
    /// Absolute canonical URL; `None` on error pages.
    pub canonical: Option<String>,
    pub nav: Nav,
    pub css: String,
    pub favicon: String,
    /// Who is signed in, for the header.
    pub viewer: Option<Viewer>,
    /// `<link rel="alternate">` feeds; every page offers the latest summaries.
    pub feeds: Vec<crate::feeds::FeedLink>,
    /// schema.org JSON-LD for the head, already safe inside `<script>`
    /// (`feeds::jsonld`); never user text.
    pub json_ld: Option<String>,
}

/// The signed-in user as the header shows them.
pub struct Viewer {
    pub username: String,
    pub url: String,
    pub is_moderator: bool,
    pub is_admin: bool,
}

impl Viewer {
    pub fn from_user(user: &CurrentUser) -> Viewer {
        Viewer {
            username: user.username.clone(),
            url: user_url(&user.username),
            is_moderator: user.is_moderator(),
            is_admin: user.is_admin(),
        }
    }
}

impl Layout {
    /// `viewer` is the signed-in user (`Option<CurrentUser>` from the handler).
    /// `title` is the page's own name; `None` for the home page. `path` is the
    /// canonical path with any query that changes the content.
    pub fn new(
        config: &WebConfig,
        viewer: Option<&CurrentUser>,
        title: Option<&str>,
        description: &str,
        path: &str,
        nav: Nav,
    ) -> Layout {
        let title = match title {
            Some(t) => format!("{t} · {}", config.site_name),
            None => format!("{} · summaries of research papers", config.site_name),
        };
        Layout {
            site_name: config.site_name.clone(),
            title,
            description: meta_description(description),
            canonical: Some(format!("{}{path}", config.base_url.trim_end_matches('/'))),
            nav,
            css: assets::url("style.css"),
            favicon: assets::url("favicon.svg"),
            viewer: viewer.map(Viewer::from_user),
            feeds: vec![crate::feeds::latest_link()],
            json_ld: None,
        }
    }

    /// For pages that must not be indexed (errors): no canonical URL.
    pub fn error(config: &WebConfig, title: &str, description: &str) -> Layout {
        Layout {
            canonical: None,
            ..Layout::new(config, None, Some(title), description, "/", Nav::None)
        }
    }

    pub fn is_home(&self) -> bool {
        self.nav == Nav::Home
    }
    pub fn is_about(&self) -> bool {
        self.nav == Nav::About
    }
}

/// A `<time>` element's two faces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    /// `2024-03-09`
    pub iso: String,
    /// `9 Mar 2024`
    pub human: String,
}

impl Date {
    pub fn from_unix(secs: i64) -> Date {
        let (y, m, d) = civil_from_unix(secs);
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        Date {
            iso: format!("{y:04}-{m:02}-{d:02}"),
            human: format!("{d} {} {y}", MONTHS[(m - 1) as usize]),
        }
    }
}

/// (year, month 1–12, day 1–31) of a Unix time, proleptic Gregorian, UTC.
pub(crate) fn civil_from_unix(secs: i64) -> (i64, u32, u32) {
    // Days-to-civil conversion over 400-year eras (H. Hinnant's published method).
    let days = secs.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A link to a user's page, or "Anonymous".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorLink {
    pub name: String,
    pub url: String,
}

/// One summary, ready for a template.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryItem {
    pub id: i64,
    pub paper_url: String,
    pub paper_title: String,
    /// "2016 · NeurIPS 2016", possibly empty.
    pub paper_meta: String,
    pub author: Option<AuthorLink>,
    pub html: String,
    pub permalink: String,
    pub created: Date,
    /// Shown when the summary was last edited on a later day than it was written.
    pub edited: Option<Date>,
    pub votes: String,
    pub votes_title: String,
    pub private: bool,
    /// Shown without its author to everyone but them.
    pub anonymous: bool,
    /// The viewer wrote it: edit and delete links instead of vote buttons.
    pub is_own: bool,
    /// Vote buttons, when the page offers them (`pages::vote::annotate`).
    pub vote: Option<crate::pages::vote::VoteBox>,
    /// Live comments, when the page counts them.
    pub comments: Option<i64>,
    /// The licence it was published under: "CC BY 4.0" and its deed.
    pub licence_name: &'static str,
    pub licence_url: &'static str,
    /// Hidden by a moderator (only its author sees it, with a notice).
    pub hidden: bool,
}

impl SummaryItem {
    pub fn from_view(v: SummaryView) -> SummaryItem {
        // The store already hides anonymous authors; this keeps it so if a view slips through.
        let author = if v.anonymous && !v.is_own {
            None
        } else {
            v.author
        };
        let created = Date::from_unix(v.created_at);
        let edited = Some(Date::from_unix(v.edited_at)).filter(|e| e.iso != created.iso);
        SummaryItem {
            id: v.id.0,
            paper_url: format!("/paper/{}", v.paper_id),
            paper_meta: paper_meta(v.paper_year, v.paper_venue.as_deref()),
            paper_title: v.paper_title,
            author: author.map(|b| AuthorLink {
                url: user_url(&b.username),
                name: b.display_name,
            }),
            html: v.html,
            permalink: format!("/summary/{}", v.id),
            created,
            edited,
            votes: votes_label(v.up - v.down),
            votes_title: format!("{} up, {} down", v.up, v.down),
            private: v.private,
            anonymous: v.anonymous,
            is_own: v.is_own,
            vote: None,
            comments: v.comments,
            licence_name: v.licence.name(),
            licence_url: v.licence.url(),
            hidden: v.hidden,
        }
    }
}

/// The paper page header and its identifier links.
pub struct PaperHead {
    pub url: String,
    pub title: String,
    pub authors: String,
    pub meta: String,
    pub abstract_text: Option<String>,
    pub links: Vec<ExternalLink>,
}

pub struct ExternalLink {
    pub label: String,
    pub url: String,
}

impl PaperHead {
    pub fn from_paper(p: Paper) -> PaperHead {
        let mut links = Vec::new();
        for r in &p.aliases {
            links.push(ExternalLink {
                label: r.label(),
                url: r.external_url(),
            });
            if r.kind() == shortscience_ids::IdKind::Arxiv {
                links.push(ExternalLink {
                    label: "PDF".into(),
                    url: format!("https://arxiv.org/pdf/{}", r.value()),
                });
            }
        }
        PaperHead {
            url: format!("/paper/{}", p.id),
            meta: paper_meta(p.year, p.venue.as_deref()),
            authors: authors_line(&p.authors),
            abstract_text: p.abstract_text.filter(|a| !a.trim().is_empty()),
            title: p.title,
            links,
        }
    }
}

pub fn paper_meta(year: Option<i32>, venue: Option<&str>) -> String {
    let venue = venue.map(str::trim).filter(|v| !v.is_empty());
    match (year, venue) {
        (Some(y), Some(v)) if v.contains(&y.to_string()) => v.to_owned(),
        (Some(y), Some(v)) => format!("{y} · {v}"),
        (Some(y), None) => y.to_string(),
        (None, Some(v)) => v.to_owned(),
        (None, None) => String::new(),
    }
}

fn authors_line(authors: &[String]) -> String {
    match authors {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Net votes with an explicit sign; a real minus sign for negatives.
pub fn votes_label(net: i64) -> String {
    match net {
        n if n > 0 => format!("+{n}"),
        n if n < 0 => format!("−{}", n.unsigned_abs()),
        _ => "0".into(),
    }
}

/// Characters escaped in a path segment (RFC 3986 pchar minus sub-delims we keep simple).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

pub fn user_url(username: &str) -> String {
    format!("/user/{}", utf8_percent_encode(username, SEGMENT))
}

/// Collapses whitespace and cuts at a word boundary near 160 characters.
pub fn meta_description(text: &str) -> String {
    const MAX: usize = 160;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut = flat.char_indices().nth(MAX).map_or(flat.len(), |(i, _)| i);
    let head = &flat[..cut];
    let head = head.rfind(' ').map_or(head, |sp| &head[..sp]);
    format!("{}…", head.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_unix_seconds() {
        assert_eq!(
            Date::from_unix(0),
            Date {
                iso: "1970-01-01".into(),
                human: "1 Jan 1970".into()
            }
        );
        // 2024-02-29 12:00 UTC, a leap day.
        assert_eq!(Date::from_unix(1_709_208_000).iso, "2024-02-29");
        assert_eq!(Date::from_unix(1_709_208_000).human, "29 Feb 2024");
        // 2000-03-01 00:00 UTC, after a 400-year leap day.
        assert_eq!(Date::from_unix(951_868_800).iso, "2000-03-01");
        assert_eq!(Date::from_unix(-1).iso, "1969-12-31");
    }

    #[test]
    fn vote_labels_are_signed() {
        assert_eq!(votes_label(3), "+3");
        assert_eq!(votes_label(0), "0");
        assert_eq!(votes_label(-2), "−2");
    }

    #[test]
    fn paper_meta_avoids_repeating_the_year() {
        assert_eq!(paper_meta(Some(2016), Some("NeurIPS 2016")), "NeurIPS 2016");
        assert_eq!(paper_meta(Some(2016), Some("ICML")), "2016 · ICML");
        assert_eq!(paper_meta(None, Some(" ")), "");
        assert_eq!(paper_meta(Some(2020), None), "2020");
    }

    #[test]
    fn author_lists_read_naturally() {
        assert_eq!(authors_line(&[]), "");
        assert_eq!(authors_line(&["A".into()]), "A");
        assert_eq!(
            authors_line(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
    }

    #[test]
    fn user_urls_escape_path_characters() {
        assert_eq!(user_url("ada"), "/user/ada");
        assert_eq!(user_url("a/b?c#d"), "/user/a%2Fb%3Fc%23d");
        assert_eq!(user_url("é"), "/user/%C3%A9");
    }

    #[test]
    fn descriptions_are_flat_and_short() {
        assert_eq!(meta_description("  a\n b  "), "a b");
        let long = "word ".repeat(100);
        let d = meta_description(&long);
        assert!(d.chars().count() <= 161 && d.ends_with('…'), "{d}");
        assert!(!d.contains("wor…"));
    }
}
