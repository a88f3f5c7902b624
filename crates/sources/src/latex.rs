//! LaTeX text (BibTeX values, arXiv author strings) to plain Unicode. Pure.
//!
//! Handles accents in all their spellings (`{\"u}`, `\"{u}`, `\" u`, `\'{\i}`,
//! `\c{c}`, `\v s`), the named letters (`\ss`, `\o`, `\ae`, `\l`…), escaped specials
//! (`\&`, `\_`), dashes (`--`, `---`), TeX quotes, `~`, and formatting commands
//! (`\emph{x}` → `x`). Grouping braces are dropped. Maths between `$…$` is kept as
//! written. Unknown commands are dropped, keeping their arguments' text.

/// Deepest accent argument that is itself parsed for commands.
const MAX_DEPTH: u32 = 8;

/// Converts LaTeX-encoded text to Unicode and collapses whitespace.
pub fn latex_to_unicode(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    convert(&chars, &mut out, 0);
    crate::text::collapse_ws(&out)
}

/// Undoes the escapes BibTeX writers put in verbatim fields (URLs, DOIs): `\_`, `\%`,
/// `\&`, `\#`, `\~{}` and grouping braces.
pub(crate) fn unescape_verbatim(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n @ ('_' | '%' | '&' | '#' | '$' | '{' | '}' | '~')) => {
                    chars.next();
                    out.push(n);
                }
                _ => out.push('\\'),
            },
            '{' | '}' => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

fn convert(chars: &[char], out: &mut String, depth: u32) {
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => i = command(chars, i + 1, out, depth),
            '{' | '}' => i += 1,
            '$' => {
                // Maths stays as written, braces and all.
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '$')
                    .map(|p| i + 1 + p + 1);
                match end {
                    Some(end) => {
                        out.extend(&chars[i..end]);
                        i = end;
                    }
                    None => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            '~' => {
                out.push(' ');
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push('\u{2014}');
                    i += 3;
                } else {
                    out.push('\u{2013}');
                    i += 2;
                }
            }
            '`' if chars.get(i + 1) == Some(&'`') => {
                out.push('\u{201c}');
                i += 2;
            }
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                out.push('\u{201d}');
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
}

/// Handles the command starting after the backslash at `i`; returns the next index.
fn command(chars: &[char], i: usize, out: &mut String, depth: u32) -> usize {
    let Some(&first) = chars.get(i) else {
        return i;
    };
    if is_symbol_accent(first) {
        return accent(chars, i + 1, first, false, out, depth);
    }
    if !first.is_ascii_alphabetic() {
        match first {
            '&' | '%' | '$' | '#' | '_' | '{' | '}' => out.push(first),
            ' ' | '\\' | ',' | ';' | ':' | '\n' => out.push(' '),
            // \- (hyphenation hint), \/ (italic correction), \@: nothing to show.
            _ => {}
        }
        return i + 1;
    }
    let end = i + chars[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let name: String = chars[i..end].iter().collect();
    if name.len() == 1 && is_letter_accent(first) {
        return accent(chars, end, first, true, out, depth);
    }
    let after_space = skip_spaces(chars, end);
    if let Some(s) = named(&name) {
        out.push_str(s);
        // A control word eats the spaces after it ("\ss e" is "ße").
        return after_space;
    }
    if is_declaration(&name) {
        return after_space;
    }
    // Formatting commands (\emph{x}) and unknown ones: keep the text that follows.
    end
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// Reads the argument of an accent at `i` and writes the accented letter.
fn accent(
    chars: &[char],
    mut i: usize,
    mark: char,
    letter_cmd: bool,
    out: &mut String,
    depth: u32,
) -> usize {
    // `\c c` and `\" u` put a space before the argument; `\"{u}` and `\"u` do not.
    if letter_cmd || chars.get(i) == Some(&' ') {
        i = skip_spaces(chars, i);
    }
    let (base, rest, next): (Option<char>, String, usize) = match chars.get(i) {
        None => (None, String::new(), i),
        Some('{') => {
            let close = matching_brace(chars, i);
            let inner = &chars[i + 1..close.min(chars.len())];
            let mut text = String::new();
            if depth < MAX_DEPTH {
                convert(inner, &mut text, depth + 1);
            } else {
                text.extend(inner.iter().filter(|c| !matches!(c, '{' | '}' | '\\')));
            }
            let mut it = text.chars();
            let base = it.next();
            (base, it.collect(), (close + 1).min(chars.len()))
        }
        Some('\\') => {
            // \'\i, \"\j: dotless letters take the accent as plain i / j.
            let name_end = i
                + 1
                + chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
            let name: String = chars[i + 1..name_end].iter().collect();
            match name.as_str() {
                "i" => (Some('i'), String::new(), skip_spaces(chars, name_end)),
                "j" => (Some('j'), String::new(), skip_spaces(chars, name_end)),
                _ => (None, String::new(), i),
            }
        }
        Some(&c) => (Some(c), String::new(), i + 1),
    };
    match base {
        Some(b) => {
            let b = if b == '\u{131}' { 'i' } else { b };
            match compose(mark, b) {
                Some(c) => out.push(c),
                None => {
                    out.push(b);
                    if let Some(m) = combining(mark) {
                        out.push(m);
                    }
                }
            }
            out.push_str(&rest);
        }
        // A lone accent (`\'` at the end, `\"{}`): show the mark on its own.
        None => {
            if !letter_cmd {
                out.push(mark);
            }
        }
    }
    next
}

/// Index of the `}` closing the `{` at `open`, or `chars.len()` if unclosed.
fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

fn is_symbol_accent(c: char) -> bool {
    matches!(c, '"' | '\'' | '`' | '^' | '~' | '=' | '.')
}

fn is_letter_accent(c: char) -> bool {
    matches!(c, 'c' | 'u' | 'v' | 'H' | 'k' | 'r' | 'd' | 'b' | 't')
}

/// Font and size switches that print nothing themselves.
fn is_declaration(name: &str) -> bool {
    matches!(
        name,
        "it" | "bf"
            | "em"
            | "sc"
            | "rm"
            | "tt"
            | "sl"
            | "sf"
            | "normalfont"
            | "small"
            | "large"
            | "relax"
            | "protect"
            | "noopsort"
    )
}

fn named(name: &str) -> Option<&'static str> {
    Some(match name {
        "ss" => "ß",
        "SS" => "SS",
        "o" => "ø",
        "O" => "Ø",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "aa" => "å",
        "AA" => "Å",
        "l" => "ł",
        "L" => "Ł",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "dj" => "đ",
        "DJ" => "Đ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "ldots" | "dots" | "textellipsis" => "…",
        "textendash" => "\u{2013}",
        "textemdash" => "\u{2014}",
        "textquoteleft" => "\u{2018}",
        "textquoteright" => "\u{2019}",
        "textquotedblleft" => "\u{201c}",
        "textquotedblright" => "\u{201d}",
        "textregistered" => "®",
        "texttrademark" => "™",
        "copyright" | "textcopyright" => "©",
        "S" => "§",
        "P" => "¶",
        "pounds" | "textsterling" => "£",
        "euro" | "texteuro" => "€",
        "textasciitilde" => "~",
        "textbackslash" => "\\",
        "textunderscore" => "_",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
        "textdegree" => "°",
        "LaTeX" => "LaTeX",
        "TeX" => "TeX",
        "BibTeX" => "BibTeX",
        _ => return None,
    })
}

/// (accent, base letters, the same letters accented): position-aligned.
const COMPOSED: &[(char, &str, &str)] = &[
    ('"', "AEIOUYaeiouyHhWwXxt", "ÄËÏÖÜŸäëïöüÿḦḧẄẅẌẍẗ"),
    (
        '\'',
        "AEIOUYaeiouyCcNnSsZzLlRrGgWwKkMmPp",
        "ÁÉÍÓÚÝáéíóúýĆćŃńŚśŹźĹĺŔŕǴǵẂẃḰḱḾḿṔṕ",
    ),
    ('`', "AEIOUaeiouNnWwYy", "ÀÈÌÒÙàèìòùǸǹẀẁỲỳ"),
    (
        '^',
        "AEIOUaeiouCcGgHhJjSsWwYyZz",
        "ÂÊÎÔÛâêîôûĈĉĜĝĤĥĴĵŜŝŴŵŶŷẐẑ",
    ),
    ('~', "AONaonIiUuEeYyVv", "ÃÕÑãõñĨĩŨũẼẽỸỹṼṽ"),
    ('=', "AaEeIiOoUuYyGg", "ĀāĒēĪīŌōŪūȲȳḠḡ"),
    (
        '.',
        "CcEeGgIZzAaOoBbDdFfHhMmNnPpRrSsTtWwXxYy",
        "ĊċĖėĠġİŻżȦȧȮȯḂḃḊḋḞḟḢḣṀṁṄṅṖṗṘṙṠṡṪṫẆẇẊẋẎẏ",
    ),
    ('c', "CcSsTtGgKkLlNnRrEeDdHh", "ÇçŞşŢţĢģĶķĻļŅņŖŗȨȩḐḑḨḩ"),
    ('u', "AaGgUuEeIiOo", "ĂăĞğŬŭĔĕĬĭŎŏ"),
    (
        'v',
        "CcDdEeNnRrSsTtZzLlAaIiOoUuGgKkHhj",
        "ČčĎďĚěŇňŘřŠšŤťŽžĽľǍǎǏǐǑǒǓǔǦǧǨǩȞȟǰ",
    ),
    ('H', "OoUu", "ŐőŰű"),
    ('k', "AaEeIiUuOo", "ĄąĘęĮįŲųǪǫ"),
    ('r', "AaUuwy", "ÅåŮůẘẙ"),
    (
        'd',
        "AaEeIiOoUuYyBbDdHhKkLlMmNnRrSsTtVvWwZz",
        "ẠạẸẹỊịỌọỤụỴỵḄḅḌḍḤḥḲḳḶḷṂṃṆṇṚṛṢṣṬṭṾṿẈẉẒẓ",
    ),
    ('b', "BbDdKkLlNnRrTtZz", "ḆḇḎḏḴḵḺḻṈṉṞṟṮṯẔẕ"),
];

fn compose(mark: char, base: char) -> Option<char> {
    let (_, bases, composed) = COMPOSED.iter().find(|(m, _, _)| *m == mark)?;
    let pos = bases.chars().position(|b| b == base)?;
    composed.chars().nth(pos)
}

/// The combining mark for letters without a precomposed form.
fn combining(mark: char) -> Option<char> {
    Some(match mark {
        '"' => '\u{308}',
        '\'' => '\u{301}',
        '`' => '\u{300}',
        '^' => '\u{302}',
        '~' => '\u{303}',
        '=' => '\u{304}',
        '.' => '\u{307}',
        'c' => '\u{327}',
        'u' => '\u{306}',
        'v' => '\u{30c}',
        'H' => '\u{30b}',
        'k' => '\u{328}',
        'r' => '\u{30a}',
        'd' => '\u{323}',
        'b' => '\u{331}',
        't' => '\u{361}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_tables_are_aligned() {
        for (mark, bases, composed) in COMPOSED {
            assert_eq!(
                bases.chars().count(),
                composed.chars().count(),
                "accent {mark}"
            );
        }
    }

    #[test]
    fn accents_in_every_spelling() {
        for (tex, want) in [
            (r#"M{\"u}ller"#, "Müller"),
            (r#"M\"{u}ller"#, "Müller"),
            (r#"M\"uller"#, "Müller"),
            (r#"H{\"{o}}pfner"#, "Höpfner"),
            (r"St{\'{e}}phane", "Stéphane"),
            (r"St\'ephane", "Stéphane"),
            (r"C{\'{e}}padu{\`{e}}s-{\'{E}}ditions", "Cépaduès-Éditions"),
            (r"Gau{\ss}", "Gauß"),
            (r"\ss e", "ße"),
            (r"Fran\c{c}ois", "François"),
            (r"Fran\c cois", "François"),
            (r"Dvo\v{r}\'ak", "Dvořák"),
            (r"Erd\H{o}s", "Erdős"),
            (r"Bj{\o}rn", "Bjørn"),
            (r"\L{}ukasz", "Łukasz"),
            (r"Mart{\'\i}nez", "Martínez"),
            (r"Mart\'{\i}nez", "Martínez"),
            (r"C. Bal\'azs", "C. Balázs"),
            (r"Ji\v{r}\'{\i}", "Jiří"),
            (r"\k{a}", "ą"),
            (r#"\r{A}ngstr\"om"#, "Ångström"),
            (r"\^{o}", "ô"),
            (r"\~{n}", "ñ"),
            (r"\={a}", "ā"),
            (r"\.{Z}", "Ż"),
            (r"\u{g}", "ğ"),
        ] {
            assert_eq!(latex_to_unicode(tex), want, "{tex}");
        }
    }

    #[test]
    fn letters_without_precomposed_form_get_combining_marks() {
        assert_eq!(latex_to_unicode(r#"\"q"#), "q\u{308}");
        assert_eq!(latex_to_unicode(r"\t{oo}"), "o\u{361}o");
    }

    #[test]
    fn braces_dashes_specials() {
        assert_eq!(latex_to_unicode("pages 1--20"), "pages 1\u{2013}20");
        assert_eq!(latex_to_unicode("a---b"), "a\u{2014}b");
        assert_eq!(
            latex_to_unicode(r"{BERT:} Pre-training of {Deep} Transformers"),
            "BERT: Pre-training of Deep Transformers"
        );
        assert_eq!(latex_to_unicode(r"R\&D 50\% \_x"), "R&D 50% _x");
        assert_eq!(latex_to_unicode("D.~E. Knuth"), "D. E. Knuth");
        assert_eq!(latex_to_unicode("``quoted''"), "\u{201c}quoted\u{201d}");
        assert_eq!(
            latex_to_unicode(r"\emph{Deep} \textbf{Learning}"),
            "Deep Learning"
        );
        assert_eq!(latex_to_unicode(r"{\em Deep} Nets"), "Deep Nets");
        assert_eq!(
            latex_to_unicode(r"Fast {$\mathcal{O}(n^{2})$}-time"),
            r"Fast $\mathcal{O}(n^{2})$-time"
        );
        assert_eq!(latex_to_unicode("Haw{-}Shiuan"), "Haw-Shiuan");
    }

    #[test]
    fn hostile_input_stays_calm() {
        for s in [
            "\\", "\\\"", "{", "}", "$", "\\c", "\\'{", "\\\"{\\", "\\v{{{{", "--", "\\'\\q",
        ] {
            latex_to_unicode(s);
        }
        let deep = format!("{}x{}", "\\'{".repeat(200), "}".repeat(200));
        assert!(latex_to_unicode(&deep).contains('x'));
    }

    #[test]
    fn verbatim_fields() {
        assert_eq!(
            unescape_verbatim(r"https://doi.org/10.1007/978-3-540-45167-9\_36"),
            "https://doi.org/10.1007/978-3-540-45167-9_36"
        );
        assert_eq!(unescape_verbatim(r"{10.1145/3492854}"), "10.1145/3492854");
    }
}
