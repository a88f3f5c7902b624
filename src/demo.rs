//! Demo content for a new, empty database: the summary files embedded at build time
//! and a fixed pattern of votes between their authors, so the home lists differ.

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// Author of demo files that name none.
pub const DEMO_AUTHOR: &str = "demo";

/// A vote to cast: `voter` (a username) gives `value` to the summary at `summary`
/// (an index into the list passed to [`votes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoVote<'a> {
    pub voter: &'a str,
    pub summary: usize,
    pub value: i8,
}

/// Deterministic votes: every distinct author considers every other author's summary;
/// a fixed arithmetic pattern decides up, down or no vote. Never a vote on one's own.
pub fn votes<'a>(summary_authors: &[&'a str]) -> Vec<DemoVote<'a>> {
    let mut voters: Vec<&str> = summary_authors.to_vec();
    voters.sort_unstable();
    voters.dedup();
    let mut out = Vec::new();
    for (i, voter) in voters.iter().enumerate() {
        for (j, author) in summary_authors.iter().enumerate() {
            if author == voter {
                continue;
            }
            let value = match (i * 5 + j * 3) % 7 {
                0..=3 => 1,
                4 => -1,
                _ => continue,
            };
            out.push(DemoVote {
                voter,
                summary: j,
                value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_self_votes_and_deterministic() {
        let authors = ["ann", "bob", "cy", "ann", "dee", "bob"];
        let v = votes(&authors);
        assert!(v.iter().all(|x| authors[x.summary] != x.voter));
        assert_eq!(v, votes(&authors));
        assert!(v.iter().any(|x| x.value == 1));
        assert!(v.iter().any(|x| x.value == -1));
    }

    #[test]
    fn summaries_end_with_different_scores() {
        let authors = ["ann", "bob", "cy", "dee", "eve", "ann"];
        let v = votes(&authors);
        let mut tallies = vec![(0, 0); authors.len()];
        for x in &v {
            if x.value > 0 {
                tallies[x.summary].0 += 1;
            } else {
                tallies[x.summary].1 += 1;
            }
        }
        tallies.sort();
        tallies.dedup();
        assert!(tallies.len() >= 3, "{tallies:?}");
    }

    #[test]
    fn a_single_author_casts_nothing() {
        assert!(votes(&["solo", "solo"]).is_empty());
        assert!(votes(&[]).is_empty());
    }

    #[test]
    fn embedded_files_are_markdown_and_unique() {
        let mut names: Vec<&str> = DEMO_FILES.iter().map(|(n, _)| *n).collect();
        assert!(names.iter().all(|n| n.ends_with(".md")));
        names.dedup();
        assert_eq!(names.len(), DEMO_FILES.len());
    }

    #[test]
    fn embedded_files_parse_as_summary_files() {
        for (name, text) in DEMO_FILES {
            if let Err(e) = crate::summary_file::parse(text) {
                panic!("demo/summaries/{name}:{}: {}", e.line, e.kind);
            }
        }
    }
}
