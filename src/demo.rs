//! Demo content for a new, empty database: the summary files embedded at build time
//! and a fixed pattern of votes between their authors, so the home lists differ.

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// Author of demo files that name none.
pub const DEMO_AUTHOR: &str = "demo";

/// Who liked which demo summary, by file name: `(voter, file, value)`. Chosen by hand
/// so the three home lists differ and the first card a newcomer sees carries maths.
/// Nobody votes on their own summary, and the private one gets none.
pub const DEMO_VOTES: &[(&str, &str, i8)] = &[
    ("kcho", "01-attention-ada_l.md", 1),
    ("tomasz_w", "01-attention-ada_l.md", 1),
    ("priya_n", "01-attention-ada_l.md", 1),
    ("j_okafor", "01-attention-ada_l.md", 1),
    ("ada_l", "07-ligo-tomasz_w.md", 1),
    ("priya_n", "07-ligo-tomasz_w.md", 1),
    ("kcho", "07-ligo-tomasz_w.md", 1),
    ("j_okafor", "07-ligo-tomasz_w.md", 1),
    ("ada_l", "04-vae-kcho.md", 1),
    ("tomasz_w", "04-vae-kcho.md", 1),
    ("priya_n", "04-vae-kcho.md", 1),
    ("ada_l", "08-hodgkin-huxley-priya_n.md", 1),
    ("tomasz_w", "08-hodgkin-huxley-priya_n.md", 1),
    ("j_okafor", "08-hodgkin-huxley-priya_n.md", 1),
    ("priya_n", "09-fdr-kcho.md", 1),
    ("j_okafor", "09-fdr-kcho.md", 1),
    ("ada_l", "09-fdr-kcho.md", 1),
    ("kcho", "05-vae-ada_l.md", 1),
    ("priya_n", "05-vae-ada_l.md", 1),
    ("ada_l", "06-dqn-j_okafor.md", 1),
    ("tomasz_w", "06-dqn-j_okafor.md", 1),
    ("kcho", "06-dqn-j_okafor.md", -1),
    ("ada_l", "02-attention-kcho.md", 1),
    ("j_okafor", "02-attention-kcho.md", 1),
    ("tomasz_w", "02-attention-kcho.md", -1),
    ("tomasz_w", "11-diffie-hellman-j_okafor.md", 1),
    ("kcho", "11-diffie-hellman-j_okafor.md", 1),
    ("ada_l", "03-attention-tomasz_w.md", 1),
    ("priya_n", "03-attention-tomasz_w.md", -1),
];

/// Seconds to add to every demo date so the newest demo summary is two days old:
/// a fresh site should not look abandoned, and Popular decays with age.
pub fn date_shift(newest: Option<i64>, now: i64) -> i64 {
    const TWO_DAYS: i64 = 2 * 24 * 3600;
    newest.map_or(0, |n| (now - TWO_DAYS - n).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary_file;

    /// (file name, author, private) of every embedded demo file.
    fn demo_authors() -> Vec<(&'static str, String, bool)> {
        DEMO_FILES
            .iter()
            .map(|(name, text)| {
                let f = summary_file::parse(text).expect("demo file parses");
                let author = f.meta.author.expect("demo files name their author");
                (*name, author, f.meta.private)
            })
            .collect()
    }

    #[test]
    fn votes_name_real_files_and_never_the_voters_own_or_a_private_one() {
        let files = demo_authors();
        for (voter, file, value) in DEMO_VOTES {
            let (_, author, private) = files
                .iter()
                .find(|(name, _, _)| name == file)
                .unwrap_or_else(|| panic!("vote names a missing demo file {file}"));
            assert_ne!(author, voter, "{voter} votes on their own {file}");
            assert!(!private, "{file} is private but gets a vote");
            assert!(*value == 1 || *value == -1);
            assert!(
                files.iter().any(|(_, a, _)| a == voter),
                "{voter} is no demo author"
            );
        }
    }

    #[test]
    fn each_voter_votes_once_per_summary() {
        let mut pairs: Vec<_> = DEMO_VOTES.iter().map(|(v, f, _)| (v, f)).collect();
        pairs.sort();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!(before, pairs.len());
    }

    #[test]
    fn date_shift_brings_the_newest_to_two_days_ago() {
        let now = 1_800_000_000;
        let newest = 1_700_000_000;
        assert_eq!(newest + date_shift(Some(newest), now), now - 2 * 24 * 3600);
        // Never moves dates into the past, nor anything without dates.
        assert_eq!(date_shift(Some(now), now), 0);
        assert_eq!(date_shift(None, now), 0);
    }
}
