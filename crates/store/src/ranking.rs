//! How summaries are ranked. Pure: the formulas live here, in Rust, so SQLite and
//! PostgreSQL rank alike; SQL only orders by the stored `score` column.

/// z for a two-sided 95% confidence interval.
const Z: f64 = 1.96;

/// Seconds after which a summary's popularity has halved (14 days).
pub const POPULAR_HALF_LIFE_SECS: i64 = 14 * 24 * 60 * 60;

/// How many of the most recently edited public summaries the Popular list ranks.
/// Older ones cannot appear there: after 500 newer edits a summary has usually
/// decayed far below them anyway, and the bound keeps the home page one small query.
pub const POPULAR_CANDIDATES: u32 = 500;

/// Lower bound of the Wilson score interval (95%, z = 1.96) for the share of
/// up-votes among `up + down` votes; 0.0 without votes.
///
/// With n = up + down and p = up / n:
/// `(p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
/// It rewards many mostly-positive votes over a few: 10 up / 0 down ranks above 1 up / 0 down.
pub fn wilson_lower_bound(up: i64, down: i64) -> f64 {
    let (up, down) = (up.max(0) as f64, down.max(0) as f64);
    // Without up-votes the bound is exactly 0; the formula would leave rounding noise.
    if up == 0.0 {
        return 0.0;
    }
    let n = up + down;
    let p = up / n;
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let spread = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - spread) / (1.0 + z2 / n)).max(0.0)
}

/// The Popular list's score:
/// `wilson_lower_bound(up, down) × 0.5^(age / 14 days)`, where age is the time since
/// the summary's last edit (`now − edited_at`, never negative).
/// A summary loses half its popularity every 14 days without an edit.
pub fn popular(up: i64, down: i64, edited_at: i64, now: i64) -> f64 {
    let age = now.saturating_sub(edited_at).max(0) as f64;
    wilson_lower_bound(up, down) * 0.5_f64.powf(age / POPULAR_HALF_LIFE_SECS as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn no_votes_score_zero() {
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        assert_eq!(popular(0, 0, 0, 1_000_000), 0.0);
    }

    #[test]
    fn single_up_vote_matches_closed_form() {
        // n = 1, p = 1: the bound reduces to 1 / (1 + z²).
        assert!(close(wilson_lower_bound(1, 0), 1.0 / (1.0 + Z * Z)));
    }

    #[test]
    fn only_down_votes_score_zero() {
        assert_eq!(wilson_lower_bound(0, 5), 0.0);
    }

    #[test]
    fn even_split_is_below_half_and_tightens_with_more_votes() {
        let few = wilson_lower_bound(5, 5);
        let many = wilson_lower_bound(500, 500);
        assert!(few < 0.5 && many < 0.5);
        assert!(few < many, "{few} should be below {many}");
    }

    #[test]
    fn more_evidence_ranks_higher() {
        assert!(wilson_lower_bound(10, 0) > wilson_lower_bound(1, 0));
        assert!(wilson_lower_bound(10, 1) > wilson_lower_bound(2, 0));
    }

    #[test]
    fn monotone_in_up_and_down() {
        for up in 0..30 {
            for down in 0..30 {
                let s = wilson_lower_bound(up, down);
                assert!((0.0..=1.0).contains(&s));
                assert!(wilson_lower_bound(up + 1, down) >= s, "up {up} down {down}");
                assert!(wilson_lower_bound(up, down + 1) <= s, "up {up} down {down}");
            }
        }
    }

    #[test]
    fn negative_counts_are_treated_as_zero() {
        assert_eq!(wilson_lower_bound(-3, -4), 0.0);
        assert!(close(wilson_lower_bound(2, -1), wilson_lower_bound(2, 0)));
    }

    #[test]
    fn popular_halves_every_half_life() {
        let fresh = popular(8, 2, 1_000, 1_000);
        assert!(close(fresh, wilson_lower_bound(8, 2)));
        let one = popular(8, 2, 1_000, 1_000 + POPULAR_HALF_LIFE_SECS);
        let two = popular(8, 2, 1_000, 1_000 + 2 * POPULAR_HALF_LIFE_SECS);
        assert!(close(one, fresh / 2.0));
        assert!(close(two, fresh / 4.0));
    }

    #[test]
    fn popular_ignores_edits_in_the_future() {
        assert!(close(popular(3, 0, 5_000, 1_000), wilson_lower_bound(3, 0)));
    }

    #[test]
    fn popular_prefers_recent_over_slightly_better_old() {
        let now = 100 * POPULAR_HALF_LIFE_SECS;
        let recent = popular(5, 0, now, now);
        let old = popular(6, 0, now - 3 * POPULAR_HALF_LIFE_SECS, now);
        assert!(recent > old);
    }
}
