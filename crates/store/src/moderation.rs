//! Moderation: reports from users, the moderators' actions on them, and the audit log
//! that records every such action. Hiding a summary takes it out of every list and page
//! for everyone but its author; hiding a comment leaves a stub (see `comments`).
//!
//! Callers check that the actor is a moderator; the store records who acted.

use shortscience_ids::{CommentId, SummaryId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::db::now;
use crate::summaries::{VIEW_SELECT, view_from_row};
use crate::{Result, Store, StoreError, SummaryView};

/// Longest reason for a report or an action, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;

/// What a report or an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Summary,
    Comment,
    User,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Summary => "summary",
            TargetKind::Comment => "comment",
            TargetKind::User => "user",
        }
    }

    pub fn parse(s: &str) -> Result<TargetKind> {
        match s.trim() {
            "summary" => Ok(TargetKind::Summary),
            "comment" => Ok(TargetKind::Comment),
            "user" => Ok(TargetKind::User),
            other => Err(StoreError::Invalid(format!(
                "unknown kind {:?}: use summary, comment or user",
                other.chars().take(40).collect::<String>()
            ))),
        }
    }
}

/// A moderator's action, as the audit log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModAction {
    Hide,
    Restore,
    Suspend,
    Unsuspend,
    Dismiss,
    Merge,
    UndoMerge,
}

impl ModAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Hide => "hide",
            ModAction::Restore => "restore",
            ModAction::Suspend => "suspend",
            ModAction::Unsuspend => "unsuspend",
            ModAction::Dismiss => "dismiss",
            ModAction::Merge => "merge",
            ModAction::UndoMerge => "undo merge",
        }
    }
}

/// An open report, with enough of its target for the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub kind: TargetKind,
    pub target_id: i64,
    pub reason: String,
    /// None when the reporter's account is gone.
    pub reporter: Option<String>,
    pub created_at: i64,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    /// The moderator's username; None when their account is gone.
    pub actor: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: i64,
    pub reason: String,
    pub created_at: i64,
}

/// Trims a reason and checks its length.
pub fn check_reason(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(StoreError::Invalid(format!(
            "a reason has at most {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(reason)
}

/// Whether a moderator hid the summary.
pub(crate) async fn summary_hidden_in(
    conn: &mut AnyConnection,
    summary: SummaryId,
) -> Result<bool> {
    let hidden: Option<Option<i64>> =
        sqlx::query_scalar("SELECT hidden_at FROM summaries WHERE id = $1")
            .bind(summary.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(matches!(hidden, Some(Some(_))))
}

async fn target_exists(conn: &mut AnyConnection, kind: TargetKind, id: i64) -> Result<bool> {
    let sql = match kind {
        TargetKind::Summary => "SELECT COUNT(*) FROM summaries WHERE id = $1",
        TargetKind::Comment => "SELECT COUNT(*) FROM comments WHERE id = $1",
        TargetKind::User => "SELECT COUNT(*) FROM users WHERE id = $1 AND deleted_at IS NULL",
    };
    let n: i64 = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n > 0)
}

pub(crate) async fn log_in(
    conn: &mut AnyConnection,
    actor: UserId,
    action: ModAction,
    kind: &str,
    target: i64,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_kind, target_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor.0)
    .bind(action.as_str())
    .bind(kind)
    .bind(target)
    .bind(reason)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Closes the open reports on a target: the action answered them.
async fn resolve_reports_in(
    conn: &mut AnyConnection,
    actor: UserId,
    kind: TargetKind,
    target: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE reports SET resolved_at = $1, resolved_by = $2
         WHERE kind = $3 AND target_id = $4 AND resolved_at IS NULL",
    )
    .bind(now())
    .bind(actor.0)
    .bind(kind.as_str())
    .bind(target)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn report_from_row(row: &AnyRow) -> Result<Report> {
    Ok(Report {
        id: row.try_get("id")?,
        kind: TargetKind::parse(&row.try_get::<String, _>("kind")?)?,
        target_id: row.try_get("target_id")?,
        reason: row.try_get("reason")?,
        reporter: row.try_get("reporter")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Files a report; NotFound when the target does not exist.
    pub async fn report(
        &self,
        reporter: UserId,
        kind: TargetKind,
        target: i64,
        reason: &str,
    ) -> Result<i64> {
        let reason = check_reason(reason)?;
        if reason.is_empty() {
            return Err(StoreError::Invalid("say briefly what is wrong".into()));
        }
        let mut tx = self.begin_write().await?;
        if !target_exists(&mut tx, kind, target).await? {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reports (reporter_id, kind, target_id, reason, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(reporter.0)
        .bind(kind.as_str())
        .bind(target)
        .bind(reason)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Open reports, newest first.
    pub async fn open_reports(&self, limit: u32) -> Result<Vec<Report>> {
        let rows = sqlx::query(
            "SELECT r.id, r.kind, r.target_id, r.reason, r.created_at, u.username AS reporter
             FROM reports r LEFT JOIN users u ON u.id = r.reporter_id AND u.deleted_at IS NULL
             WHERE r.resolved_at IS NULL ORDER BY r.id DESC LIMIT $1",
        )
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report_from_row).collect()
    }

    /// Closes a report without acting on its target; logged.
    pub async fn dismiss_report(&self, actor: UserId, report: i64, reason: &str) -> Result<()> {
        let reason = check_reason(reason)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE reports SET resolved_at = $1, resolved_by = $2
             WHERE id = $3 AND resolved_at IS NULL",
        )
        .bind(now())
        .bind(actor.0)
        .bind(report)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        log_in(&mut tx, actor, ModAction::Dismiss, "report", report, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hides (or restores) a summary; logged, and hiding closes its open reports.
    pub async fn set_summary_hidden(
        &self,
        actor: UserId,
        summary: SummaryId,
        hidden: bool,
        reason: &str,
    ) -> Result<()> {
        self.set_hidden(actor, TargetKind::Summary, summary.0, hidden, reason)
            .await
    }

    /// Hides (or restores) a comment; logged, and hiding closes its open reports.
    pub async fn set_comment_hidden(
        &self,
        actor: UserId,
        comment: CommentId,
        hidden: bool,
        reason: &str,
    ) -> Result<()> {
        self.set_hidden(actor, TargetKind::Comment, comment.0, hidden, reason)
            .await
    }

    async fn set_hidden(
        &self,
        actor: UserId,
        kind: TargetKind,
        target: i64,
        hidden: bool,
        reason: &str,
    ) -> Result<()> {
        let reason = check_reason(reason)?;
        let sql = match kind {
            TargetKind::Summary => {
                "UPDATE summaries SET hidden_at = CASE WHEN $2 = 1 THEN COALESCE(hidden_at, $3)
                 ELSE NULL END WHERE id = $1"
            }
            TargetKind::Comment => {
                "UPDATE comments SET hidden_at = CASE WHEN $2 = 1 THEN COALESCE(hidden_at, $3)
                 ELSE NULL END WHERE id = $1"
            }
            TargetKind::User => return Err(StoreError::Invalid("users are suspended".into())),
        };
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(sql)
            .bind(target)
            .bind(i64::from(hidden))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if hidden {
            resolve_reports_in(&mut tx, actor, kind, target).await?;
            ModAction::Hide
        } else {
            ModAction::Restore
        };
        log_in(&mut tx, actor, action, kind.as_str(), target, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Suspends (ending their sessions) or reinstates a user; logged, and suspending
    /// closes the open reports on them.
    pub async fn moderate_user(
        &self,
        actor: UserId,
        user: UserId,
        suspended: bool,
        reason: &str,
    ) -> Result<()> {
        let reason = check_reason(reason)?;
        if actor == user {
            return Err(StoreError::Invalid(
                "moderators cannot suspend themselves".into(),
            ));
        }
        self.set_suspended(user, suspended).await?;
        let mut tx = self.begin_write().await?;
        let action = if suspended {
            resolve_reports_in(&mut tx, actor, TargetKind::User, user.0).await?;
            ModAction::Suspend
        } else {
            ModAction::Unsuspend
        };
        log_in(&mut tx, actor, action, "user", user.0, reason).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, newest first.
    pub async fn moderation_log(&self, limit: u32) -> Result<Vec<LogEntry>> {
        let rows = sqlx::query(
            "SELECT l.id, u.username AS actor, l.action, l.target_kind, l.target_id, l.reason,
                    l.created_at
             FROM moderation_log l LEFT JOIN users u ON u.id = l.actor_id
             ORDER BY l.id DESC LIMIT $1",
        )
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LogEntry {
                    id: r.try_get("id")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    target_kind: r.try_get("target_kind")?,
                    target_id: r.try_get("target_id")?,
                    reason: r.try_get("reason")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Whether a moderator hid the summary (for the author's notice).
    pub async fn summary_hidden(&self, summary: SummaryId) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        summary_hidden_in(&mut conn, summary).await
    }

    /// A summary whatever its state, for moderators reviewing it. Anonymous bylines
    /// stay hidden here too.
    pub async fn summary_for_moderator(&self, summary: SummaryId) -> Result<Option<SummaryView>> {
        let sql = format!("{VIEW_SELECT} WHERE s.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(summary.0)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| view_from_row(r, None)).transpose()
    }

    /// A comment's text whatever its state, for moderators: (summary, html).
    pub async fn comment_for_moderator(
        &self,
        comment: CommentId,
    ) -> Result<Option<(SummaryId, String)>> {
        let row = sqlx::query("SELECT c.summary_id, c.html FROM comments c WHERE c.id = $1")
            .bind(comment.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((SummaryId(r.try_get("summary_id")?), r.try_get("html")?)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in [TargetKind::Summary, TargetKind::Comment, TargetKind::User] {
            assert_eq!(TargetKind::parse(k.as_str()).unwrap(), k);
        }
        assert!(TargetKind::parse("paper").is_err());
    }

    #[test]
    fn reasons_are_bounded() {
        assert_eq!(check_reason("  spam ").unwrap(), "spam");
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }
}
