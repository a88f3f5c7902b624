//! Profiles: display name, bio (rendered by the caller), ORCID iD, the "sciscore", what a
//! user voted on, and the directory of users.
//!
//! The score counts only public, non-anonymous, visible summaries: counting anonymous
//! ones would let anyone link them to their author by watching the score move.

use shortscience_ids::UserId;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::summaries::{VIEW_SELECT, view_from_row};
use crate::{Page, Result, Role, Store, StoreError, SummaryView, User};

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;
/// Longest bio, in bytes of Markdown.
pub const MAX_BIO_BYTES: usize = 5_000;
/// Largest page of the user directory.
pub const MAX_DIRECTORY_PAGE: u32 = 100;

/// A user page's facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub user: User,
    pub role: Role,
    pub suspended: bool,
    pub bio_markdown: String,
    /// Sanitised HTML from the renderer; empty when there is no bio.
    pub bio_html: String,
    /// Canonical form `0000-0002-1825-0097`.
    pub orcid: Option<String>,
    /// Public, non-anonymous, visible summaries.
    pub public_summaries: i64,
    /// Average net votes (up − down) over those; None without any.
    pub sciscore: Option<f64>,
}

/// Write form for a profile; `bio_html` is the rendered `bio_markdown`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub bio_markdown: String,
    pub bio_html: String,
    /// Any form [`check_orcid`] accepts; empty or None clears it.
    pub orcid: Option<String>,
}

/// One row of the user directory.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryEntry {
    pub user: User,
    pub public_summaries: i64,
    pub sciscore: f64,
}

/// Trims a display name and checks it: 1 to 80 characters, no control characters.
pub fn check_display_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_DISPLAY_NAME_CHARS {
        return Err(StoreError::Invalid(format!(
            "a display name has 1 to {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "a display name cannot contain control characters".into(),
        ));
    }
    Ok(name)
}

/// ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD.
pub fn orcid_check_digit(digits: &[u8]) -> char {
    let total = digits
        .iter()
        .fold(0u32, |acc, d| (acc + u32::from(*d)) * 2 % 11);
    match (12 - total % 11) % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

/// Parses an ORCID iD (`0000-0002-1825-0097`, with or without hyphens, or as an
/// `https://orcid.org/…` URL), validates its check digit and returns the canonical form.
pub fn check_orcid(input: &str) -> Result<String> {
    let bad = |why: &str| StoreError::Invalid(format!("invalid ORCID iD: {why}"));
    let s = input.trim();
    let s = ["https://orcid.org/", "http://orcid.org/", "orcid.org/"]
        .iter()
        .find_map(|p| {
            s.get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| &s[p.len()..])
        })
        .unwrap_or(s)
        .trim_end_matches('/');
    let compact: String = s.chars().filter(|c| *c != '-').collect();
    let grouped_ok = !s.contains('-')
        || (s.len() == 19 && s.char_indices().all(|(i, c)| (i % 5 == 4) == (c == '-')));
    if compact.len() != 16 || !grouped_ok {
        return Err(bad("use the form 0000-0002-1825-0097"));
    }
    let (body, last) = compact.split_at(15);
    let digits: Vec<u8> = body
        .bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect::<Option<_>>()
        .ok_or_else(|| bad("only digits (and a final X) are allowed"))?;
    let expected = orcid_check_digit(&digits);
    let given = last.chars().next().map(|c| c.to_ascii_uppercase());
    if given != Some(expected) {
        return Err(bad("the check digit does not match"));
    }
    Ok(format!(
        "{}-{}-{}-{}{}",
        &body[0..4],
        &body[4..8],
        &body[8..12],
        &body[12..15],
        expected
    ))
}

/// Public, non-anonymous, visible summaries of user `u`: count and average net votes.
/// `+s.private` keeps SQLite, which has no statistics, on `summaries_author`: on
/// `private` alone it walked every public summary (3 ms at 2,000, growing with the site).
const SCORE_COLUMNS: &str = "(SELECT COUNT(*) FROM summaries s
      WHERE s.author_id = u.id AND +s.private = 0 AND s.anonymous = 0 AND s.hidden_at IS NULL)
      AS public_summaries,
     (SELECT CAST(AVG(CAST(s.up - s.down AS DOUBLE PRECISION)) AS DOUBLE PRECISION)
      FROM summaries s
      WHERE s.author_id = u.id AND +s.private = 0 AND s.anonymous = 0 AND s.hidden_at IS NULL)
      AS sciscore";

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: UserId(row.try_get("id")?),
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// A live (not deleted) account's profile, by name regardless of case.
    pub async fn profile(&self, username: &str) -> Result<Option<Profile>> {
        let Ok(name) = crate::check_username(username) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT u.id, u.username, u.display_name, u.created_at, u.role, u.suspended_at,
                    u.bio_markdown, u.bio_html, u.orcid, {SCORE_COLUMNS}
             FROM users u WHERE u.username_key = $1 AND u.deleted_at IS NULL"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get("role")?;
        let public_summaries: i64 = row.try_get("public_summaries")?;
        let sciscore: Option<f64> = row.try_get("sciscore")?;
        Ok(Some(Profile {
            user: user_from_row(&row)?,
            role: Role::parse(&role).unwrap_or(Role::User),
            suspended: row.try_get::<Option<i64>, _>("suspended_at")?.is_some(),
            bio_markdown: row.try_get("bio_markdown")?,
            bio_html: row.try_get("bio_html")?,
            orcid: row.try_get("orcid")?,
            public_summaries,
            sciscore: if public_summaries > 0 { sciscore } else { None },
        }))
    }

    /// Checks and stores a profile: display name as [`check_display_name`], bio up to
    /// [`MAX_BIO_BYTES`], ORCID iD as [`check_orcid`].
    pub async fn update_profile(&self, user: UserId, p: &ProfileUpdate) -> Result<()> {
        let name = check_display_name(&p.display_name)?;
        if p.bio_markdown.len() > MAX_BIO_BYTES {
            return Err(StoreError::Invalid(format!(
                "a bio has at most {MAX_BIO_BYTES} bytes"
            )));
        }
        let orcid = match p.orcid.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(o) => Some(check_orcid(o)?),
        };
        let bio_html = if p.bio_markdown.trim().is_empty() {
            ""
        } else {
            p.bio_html.as_str()
        };
        let done = sqlx::query(
            "UPDATE users SET display_name = $2, bio_markdown = $3, bio_html = $4, orcid = $5
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(user.0)
        .bind(name)
        .bind(p.bio_markdown.trim())
        .bind(bio_html)
        .bind(orcid)
        .execute(&self.writer)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Summaries `user` voted up (`value` 1) or down (-1) that they may still see, most
    /// recent vote first. For the user themself only: the caller checks that.
    pub async fn voted_summaries(&self, user: UserId, value: i8) -> Result<Vec<SummaryView>> {
        if value != 1 && value != -1 {
            return Err(StoreError::Invalid("a vote is 1 or -1".into()));
        }
        let sql = format!(
            "{VIEW_SELECT} JOIN votes v ON v.summary_id = s.id
             WHERE v.user_id = $1 AND v.value = $2
               AND ((s.private = 0 AND s.hidden_at IS NULL) OR s.author_id = $1)
             ORDER BY v.created_at DESC, s.id DESC LIMIT 500"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .bind(i64::from(value))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| view_from_row(r, Some(user))).collect()
    }

    /// Users with at least one public summary, best score first (then more summaries,
    /// then name). Pages count from 1.
    pub async fn user_directory(&self, page: u32, per_page: u32) -> Result<Page<DirectoryEntry>> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, MAX_DIRECTORY_PAGE);
        let offset = i64::from(page - 1) * i64::from(per_page);
        let sql = format!(
            "SELECT * FROM (
                 SELECT u.id, u.username, u.username_key, u.display_name, u.created_at,
                        {SCORE_COLUMNS}
                 FROM users u WHERE u.deleted_at IS NULL AND u.suspended_at IS NULL) d
             WHERE d.public_summaries > 0
             ORDER BY d.sciscore DESC, d.public_summaries DESC, d.username_key
             LIMIT $1 OFFSET $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(i64::from(per_page) + 1)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let has_next = rows.len() > per_page as usize;
        let items = rows
            .iter()
            .take(per_page as usize)
            .map(|r| {
                Ok(DirectoryEntry {
                    user: user_from_row(r)?,
                    public_summaries: r.try_get("public_summaries")?,
                    sciscore: r.try_get::<Option<f64>, _>("sciscore")?.unwrap_or(0.0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            page,
            has_next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql`, one line per step.
    async fn sqlite_plan(sql: &str) -> String {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
            .bind(1_i64)
            .fetch_all(store.pool())
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get::<String, _>("detail").unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[tokio::test]
    async fn a_users_pages_read_only_that_users_summaries() {
        let profile = format!("SELECT {SCORE_COLUMNS} FROM users u WHERE u.id = $1");
        for sql in [profile.as_str(), crate::summaries::USER_PUBLIC_SUMMARIES] {
            let plan = sqlite_plan(sql).await;
            assert!(
                plan.contains("summaries_author") && !plan.contains("summaries_popular"),
                "{plan}"
            );
        }
    }

    #[test]
    fn orcid_examples_validate() {
        // The ORCID documentation's examples, one ending in the X check character.
        assert_eq!(
            check_orcid("0000-0002-1825-0097").unwrap(),
            "0000-0002-1825-0097"
        );
        assert_eq!(
            check_orcid("0000-0002-1694-233X").unwrap(),
            "0000-0002-1694-233X"
        );
        assert_eq!(
            check_orcid("0000-0002-1694-233x").unwrap(),
            "0000-0002-1694-233X"
        );
        assert_eq!(
            check_orcid(" https://orcid.org/0000-0001-5109-3700/ ").unwrap(),
            "0000-0001-5109-3700"
        );
        assert_eq!(
            check_orcid("000000021825009 7".replace(' ', "").as_str()).unwrap(),
            "0000-0002-1825-0097"
        );
    }

    #[test]
    fn orcid_check_digit_is_mod_11_2() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<_>>();
        assert_eq!(orcid_check_digit(&digits("000000021825009")), '7');
        assert_eq!(orcid_check_digit(&digits("000000021694233")), 'X');
        assert_eq!(orcid_check_digit(&digits("000000015109370")), '0');
    }

    #[test]
    fn orcid_refuses_bad_input() {
        for bad in [
            "",
            "0000-0002-1825-0098",
            "0000-0002-1825-009",
            "0000-0002-1825-00977",
            "00000-002-1825-0097",
            "0000-0002-1825-009X",
            "abcd-0002-1825-0097",
            "https://evil.example/0000-0002-1825-0097",
            "0000-0002-1825-0097<script>",
        ] {
            let err = check_orcid(bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid ORCID iD"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(
            check_display_name("  Ada Lovelace ").unwrap(),
            "Ada Lovelace"
        );
        assert_eq!(
            check_display_name(&"é".repeat(MAX_DISPLAY_NAME_CHARS))
                .unwrap()
                .chars()
                .count(),
            MAX_DISPLAY_NAME_CHARS
        );
        for bad in ["", "   ", "a\u{0}b", "bell\u{7}", "new\nline"] {
            assert!(check_display_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_display_name(&"a".repeat(MAX_DISPLAY_NAME_CHARS + 1)).is_err());
    }
}
