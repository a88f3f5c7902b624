//! Line diff between two versions of a summary. Pure.
//!
//! Common leading and trailing lines are set aside first; the rest goes through Myers'
//! O((N+M)·D) shortest-edit search, keeping one small slice of the frontier per step
//! (memory grows with D², not N·M). Past [`MAX_EDITS`] changed lines the middle is shown
//! as removed, then added: still a correct diff, just not the shortest.

/// Largest edit distance (in lines) searched for a shortest diff.
pub const MAX_EDITS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Added,
    Removed,
}

/// One line of the result, with its 1-based number in the old and new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffLine<'a> {
    pub change: Change,
    pub text: &'a str,
    pub old: Option<usize>,
    pub new: Option<usize>,
}

/// What a diff shows: changed lines with some context; long unchanged runs are folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    Line(DiffLine<'a>),
    /// This many unchanged lines left out.
    Folded(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Same,
    Add,
    Del,
}

/// The line diff of `old` → `new`, in order.
pub fn diff_lines<'a>(old: &'a str, new: &'a str) -> Vec<DiffLine<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let middle = shortest_edit(mid_a, mid_b, MAX_EDITS).unwrap_or_else(|| {
        let mut edits = vec![Edit::Del; mid_a.len()];
        edits.extend(std::iter::repeat_n(Edit::Add, mid_b.len()));
        edits
    });
    let edits = std::iter::repeat_n(Edit::Same, prefix)
        .chain(middle)
        .chain(std::iter::repeat_n(Edit::Same, suffix));

    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for edit in edits {
        match edit {
            Edit::Same => {
                out.push(DiffLine {
                    change: Change::Same,
                    text: b[j],
                    old: Some(i + 1),
                    new: Some(j + 1),
                });
                i += 1;
                j += 1;
            }
            Edit::Del => {
                out.push(DiffLine {
                    change: Change::Removed,
                    text: a[i],
                    old: Some(i + 1),
                    new: None,
                });
                i += 1;
            }
            Edit::Add => {
                out.push(DiffLine {
                    change: Change::Added,
                    text: b[j],
                    old: None,
                    new: Some(j + 1),
                });
                j += 1;
            }
        }
    }
    out
}

/// Keeps `context` unchanged lines around each change and folds longer unchanged runs.
pub fn with_context(lines: Vec<DiffLine<'_>>, context: usize) -> Vec<Shown<'_>> {
    let changed: Vec<bool> = lines.iter().map(|l| l.change != Change::Same).collect();
    // Distance to the nearest change, looking back and ahead.
    let n = lines.len();
    let mut near = vec![false; n];
    let mut last: Option<usize> = None;
    for i in 0..n {
        if changed[i] {
            last = Some(i);
        }
        near[i] = last.is_some_and(|c| i - c <= context);
    }
    let mut next: Option<usize> = None;
    for i in (0..n).rev() {
        if changed[i] {
            next = Some(i);
        }
        near[i] |= next.is_some_and(|c| c - i <= context);
    }
    let mut out = Vec::new();
    let mut folded = 0;
    for (line, keep) in lines.into_iter().zip(near) {
        if keep {
            if folded > 0 {
                out.push(Shown::Folded(folded));
                folded = 0;
            }
            out.push(Shown::Line(line));
        } else {
            folded += 1;
        }
    }
    if folded > 0 {
        out.push(Shown::Folded(folded));
    }
    out
}

/// (lines added, lines removed).
pub fn stats(lines: &[DiffLine<'_>]) -> (usize, usize) {
    lines.iter().fold((0, 0), |(add, del), l| match l.change {
        Change::Added => (add + 1, del),
        Change::Removed => (add, del + 1),
        Change::Same => (add, del),
    })
}

/// Myers' greedy search for the fewest insertions and deletions turning `a` into `b`;
/// None when more than `max_d` are needed.
fn shortest_edit(a: &[&str], b: &[&str], max_d: usize) -> Option<Vec<Edit>> {
    let (n, m) = (a.len() as i64, b.len() as i64);
    if n == 0 || m == 0 {
        let mut edits = vec![Edit::Del; a.len()];
        edits.extend(std::iter::repeat_n(Edit::Add, b.len()));
        return Some(edits);
    }
    let max = (n + m) as usize;
    let limit = max.min(max_d);
    // v[k + off] = furthest x reached on diagonal k (y = x − k); −1 = not reached.
    let off = max as i64 + 1;
    let mut v = vec![-1i64; 2 * max + 3];
    v[(off + 1) as usize] = 0;
    // trace[d] = v over k in [−d−1, d+1] before step d, enough to retrace step d.
    let mut trace: Vec<Vec<i64>> = Vec::new();
    for d in 0..=limit as i64 {
        trace.push(v[(off - d - 1) as usize..=(off + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let at = |k: i64| v[(k + off) as usize];
            let Some((x0, _)) = step(at(k - 1), at(k + 1), k, n, m) else {
                v[(k + off) as usize] = -1;
                k += 2;
                continue;
            };
            let (mut x, mut y) = (x0, x0 - k);
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(k + off) as usize] = x;
            if x == n && y == m {
                return Some(retrace(&trace, n, m));
            }
            k += 2;
        }
    }
    None
}

/// Where step d lands on diagonal k before its snake, from the frontier values of its
/// neighbours: (x, came down from k+1). Moves that leave the grid are not taken.
fn step(left: i64, right: i64, k: i64, n: i64, m: i64) -> Option<(i64, bool)> {
    // Down from diagonal k+1: x stays, y grows by one.
    let down = (right >= 0 && right - k <= m).then_some(right);
    // Right from diagonal k−1: x grows by one.
    let across = (left >= 0 && left < n).then_some(left + 1);
    match (down, across) {
        (Some(d), Some(r)) if d >= r => Some((d, true)),
        (_, Some(r)) => Some((r, false)),
        (Some(d), None) => Some((d, true)),
        (None, None) => None,
    }
}

fn retrace(trace: &[Vec<i64>], n: i64, m: i64) -> Vec<Edit> {
    let (mut x, mut y) = (n, m);
    let mut edits = Vec::new();
    for (d, frontier) in trace.iter().enumerate().rev() {
        let d = d as i64;
        let k = x - y;
        let at = |k: i64| frontier[(k + d + 1) as usize];
        let (start_x, down) = if d == 0 {
            (0, true)
        } else {
            step(at(k - 1), at(k + 1), k, n, m).unwrap_or((0, true))
        };
        // The snake after the move.
        while x > start_x && y > start_x - k {
            edits.push(Edit::Same);
            x -= 1;
            y -= 1;
        }
        if d == 0 {
            break;
        }
        if down {
            edits.push(Edit::Add);
            y -= 1;
        } else {
            edits.push(Edit::Del);
            x -= 1;
        }
    }
    edits.reverse();
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diff as "+line", "-line", " line".
    fn render(old: &str, new: &str) -> Vec<String> {
        diff_lines(old, new)
            .iter()
            .map(|l| {
                let sign = match l.change {
                    Change::Same => ' ',
                    Change::Added => '+',
                    Change::Removed => '-',
                };
                format!("{sign}{}", l.text)
            })
            .collect()
    }

    /// Applying the diff to `old` must give `new`, and removing it must give `old` back.
    fn check_consistent(old: &str, new: &str) {
        let lines = diff_lines(old, new);
        let rebuilt_new: Vec<&str> = lines
            .iter()
            .filter(|l| l.change != Change::Removed)
            .map(|l| l.text)
            .collect();
        let rebuilt_old: Vec<&str> = lines
            .iter()
            .filter(|l| l.change != Change::Added)
            .map(|l| l.text)
            .collect();
        assert_eq!(rebuilt_new, new.lines().collect::<Vec<_>>());
        assert_eq!(rebuilt_old, old.lines().collect::<Vec<_>>());
    }

    #[test]
    fn identical_texts_have_no_changes() {
        assert_eq!(render("a\nb", "a\nb"), vec![" a", " b"]);
        assert!(render("", "").is_empty());
    }

    #[test]
    fn one_line_changed_in_the_middle() {
        assert_eq!(
            render("one\ntwo\nthree", "one\n2\nthree"),
            vec![" one", "-two", "+2", " three"]
        );
    }

    #[test]
    fn additions_and_removals_at_the_ends() {
        assert_eq!(render("", "a\nb"), vec!["+a", "+b"]);
        assert_eq!(render("a\nb", ""), vec!["-a", "-b"]);
        assert_eq!(render("b", "a\nb\nc"), vec!["+a", " b", "+c"]);
    }

    #[test]
    fn finds_the_shortest_edit() {
        // The classic example from Myers' paper: ABCABBA → CBABAC takes 5 edits.
        let a = "A\nB\nC\nA\nB\nB\nA";
        let b = "C\nB\nA\nB\nA\nC";
        let lines = diff_lines(a, b);
        let (add, del) = stats(&lines);
        assert_eq!(add + del, 5);
        check_consistent(a, b);
    }

    #[test]
    fn line_numbers_follow_each_side() {
        let lines = diff_lines("x\ny\nz", "x\nnew\ny\nz");
        let numbers: Vec<_> = lines.iter().map(|l| (l.old, l.new)).collect();
        assert_eq!(
            numbers,
            vec![
                (Some(1), Some(1)),
                (None, Some(2)),
                (Some(2), Some(3)),
                (Some(3), Some(4))
            ]
        );
    }

    #[test]
    fn many_random_pairs_are_consistent() {
        // A small deterministic generator: no dependency, same cases every run.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut text = |len: u64| {
                (0..next() % len)
                    .map(|_| ["a", "b", "c", "d", ""][(next() % 5) as usize])
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let (old, new) = (text(12), text(12));
            check_consistent(&old, &new);
        }
    }

    #[test]
    fn huge_rewrites_fall_back_to_remove_then_add() {
        let old: String = (0..3000).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..3000).map(|i| format!("new {i}\n")).collect();
        let lines = diff_lines(&old, &new);
        assert_eq!(stats(&lines), (3000, 3000));
        assert_eq!(lines[0].change, Change::Removed);
        assert_eq!(lines[3000].change, Change::Added);
        check_consistent(&old, &new);
    }

    #[test]
    fn small_edits_in_long_texts_stay_small() {
        let old: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 2500\n", "changed\n");
        let lines = diff_lines(&old, &new);
        assert_eq!(stats(&lines), (1, 1));
    }

    #[test]
    fn context_folds_long_unchanged_runs() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let shown = with_context(diff_lines(&old, &new), 2);
        assert_eq!(shown.first(), Some(&Shown::Folded(7)));
        assert_eq!(shown.last(), Some(&Shown::Folded(8)));
        let kept: Vec<&str> = shown
            .iter()
            .filter_map(|s| match s {
                Shown::Line(l) => Some(l.text),
                Shown::Folded(_) => None,
            })
            .collect();
        assert_eq!(kept, vec!["8", "9", "10", "ten", "11", "12"]);
    }

    #[test]
    fn crlf_and_lf_lines_compare_equal() {
        assert_eq!(render("a\r\nb\r\n", "a\nb\n"), vec![" a", " b"]);
    }
}
