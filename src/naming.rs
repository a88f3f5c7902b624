//! File names for `export` and the order `import` reads files in.

use std::cmp::Ordering;

/// Longest slug, in bytes (ASCII only), so names stay readable in a listing.
pub const MAX_SLUG: usize = 60;

/// Lower-case ASCII words joined by `-`, cut at a word boundary; empty when the
/// text has no ASCII letters or digits.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let words = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    for word in words {
        let extra = word.len() + usize::from(!out.is_empty());
        if out.len() + extra > MAX_SLUG {
            if out.is_empty() {
                out.push_str(&word[..MAX_SLUG].to_ascii_lowercase());
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    out
}

/// `<summary id>-<slug of the title>.md`, falling back to the paper's first id
/// when the title has no ASCII words (ids never collide, so names do not either).
pub fn export_file_name(summary_id: i64, title: &str, fallback: &str) -> String {
    let mut s = slug(title);
    if s.is_empty() {
        s = slug(fallback);
    }
    if s.is_empty() {
        s = "summary".to_string();
    }
    format!("{summary_id}-{s}.md")
}

/// Compares names so that `2-b.md` sorts before `10-a.md`: runs of digits compare
/// as numbers. Import reads files in this order so exported ids keep their order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (na, ra) = split_digits(a);
                let (nb, rb) = split_digits(b);
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta
                    .len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| na.len().cmp(&nb.len()));
                if ord != Ordering::Equal {
                    return ord;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_ascii_words() {
        assert_eq!(
            slug("Gifsplanation via Latent Shift: A Simple Autoencoder Approach"),
            "gifsplanation-via-latent-shift-a-simple-autoencoder-approach"
        );
        assert_eq!(slug("  Über-Netze (2019)!  "), "ber-netze-2019");
        assert_eq!(slug("深層学習"), "");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let s = slug(&"word ".repeat(40));
        assert!(s.len() <= MAX_SLUG);
        assert!(s.ends_with("word"));
        assert_eq!(slug(&"x".repeat(100)).len(), MAX_SLUG);
    }

    #[test]
    fn export_names_fall_back_to_ids() {
        assert_eq!(
            export_file_name(7, "Deep Residual Learning", "1512.03385"),
            "7-deep-residual-learning.md"
        );
        assert_eq!(
            export_file_name(8, "深層学習", "1512.03385"),
            "8-1512-03385.md"
        );
        assert_eq!(export_file_name(9, "", ""), "9-summary.md");
    }

    #[test]
    fn natural_order() {
        let mut names = vec![
            "10-a.md", "2-b.md", "1-z.md", "b.md", "a10.md", "a9.md", "02-c.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "1-z.md", "2-b.md", "02-c.md", "10-a.md", "a9.md", "a10.md", "b.md"
            ]
        );
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
    }
}
