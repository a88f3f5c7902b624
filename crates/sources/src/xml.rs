//! XML helpers: entity resolution (XML's five, numeric references, and the character
//! entities declared in DBLP's `dblp.dtd`) and a small element tree for API responses.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::text::numeric_ref;

/// Character entities declared in `dblp.dtd` (2023-05-10): `reg`, `micro`, `times` and
/// the ISO 8859-1 letters of HTMLlat1. Sorted by name (byte order) for binary search.
const DBLP_ENTITIES: &[(&str, char)] = &[
    ("AElig", '\u{c6}'),
    ("Aacute", '\u{c1}'),
    ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'),
    ("Aring", '\u{c5}'),
    ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'),
    ("Ccedil", '\u{c7}'),
    ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'),
    ("Ecirc", '\u{ca}'),
    ("Egrave", '\u{c8}'),
    ("Euml", '\u{cb}'),
    ("Iacute", '\u{cd}'),
    ("Icirc", '\u{ce}'),
    ("Igrave", '\u{cc}'),
    ("Iuml", '\u{cf}'),
    ("Ntilde", '\u{d1}'),
    ("Oacute", '\u{d3}'),
    ("Ocirc", '\u{d4}'),
    ("Ograve", '\u{d2}'),
    ("Oslash", '\u{d8}'),
    ("Otilde", '\u{d5}'),
    ("Ouml", '\u{d6}'),
    ("THORN", '\u{de}'),
    ("Uacute", '\u{da}'),
    ("Ucirc", '\u{db}'),
    ("Ugrave", '\u{d9}'),
    ("Uuml", '\u{dc}'),
    ("Yacute", '\u{dd}'),
    ("aacute", '\u{e1}'),
    ("acirc", '\u{e2}'),
    ("aelig", '\u{e6}'),
    ("agrave", '\u{e0}'),
    ("aring", '\u{e5}'),
    ("atilde", '\u{e3}'),
    ("auml", '\u{e4}'),
    ("ccedil", '\u{e7}'),
    ("eacute", '\u{e9}'),
    ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'),
    ("eth", '\u{f0}'),
    ("euml", '\u{eb}'),
    ("iacute", '\u{ed}'),
    ("icirc", '\u{ee}'),
    ("igrave", '\u{ec}'),
    ("iuml", '\u{ef}'),
    ("micro", '\u{b5}'),
    ("ntilde", '\u{f1}'),
    ("oacute", '\u{f3}'),
    ("ocirc", '\u{f4}'),
    ("ograve", '\u{f2}'),
    ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'),
    ("ouml", '\u{f6}'),
    ("reg", '\u{ae}'),
    ("szlig", '\u{df}'),
    ("thorn", '\u{fe}'),
    ("times", '\u{d7}'),
    ("uacute", '\u{fa}'),
    ("ucirc", '\u{fb}'),
    ("ugrave", '\u{f9}'),
    ("uuml", '\u{fc}'),
    ("yacute", '\u{fd}'),
    ("yuml", '\u{ff}'),
];

/// The character a DBLP dump entity stands for (`uuml` → `ü`), per `dblp.dtd`.
pub fn dblp_entity(name: &str) -> Option<char> {
    DBLP_ENTITIES
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .map(|i| DBLP_ENTITIES[i].1)
}

/// Any entity our inputs use: XML's predefined five, `&#…;`, and DBLP's.
pub(crate) fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ if name.starts_with('#') => numeric_ref(name),
        _ => dblp_entity(name),
    }
}

/// Appends `raw` (attribute or text content still holding `&…;`) to `out`, resolving
/// the entities we know and keeping unknown ones as written.
pub(crate) fn push_unescaped(out: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';').filter(|&e| e <= 12) {
            Some(e) if resolve_entity(&after[..e]).is_some() => {
                out.extend(resolve_entity(&after[..e]));
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Local name of an element (`arxiv:doi` → `doi`).
pub(crate) fn local_name(e: &BytesStart<'_>) -> String {
    str::to_owned(e.local_name().as_ref())
}

/// Attributes by local name, entities resolved; malformed ones are skipped.
pub(crate) fn attributes(e: &BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| {
            let mut v = String::new();
            push_unescaped(&mut v, &a.value);
            (str::to_owned(a.key.local_name().as_ref()), v)
        })
        .collect()
}

/// Deepest element nesting accepted in a response (real ones are 4 deep).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    /// Local name: namespaces are ignored (the vocabularies we read do not clash).
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text inside, markup dropped (DBLP titles hold `<i>`, `<sub>`).
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.push_text(&mut out);
        out
    }

    fn push_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.push_text(out),
            }
        }
    }

    /// Text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(Element::text)
    }
}

/// Parses a whole (small, UTF-8) document into its root element.
pub(crate) fn parse_document(bytes: &[u8]) -> Result<Element, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the XML is not valid UTF-8 ({e})"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("broken XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("XML nested deeper than {MAX_DEPTH} elements"));
                }
                if root.is_some() && stack.is_empty() {
                    return Err("more than one root element".into());
                }
                stack.push(Element {
                    name: local_name(&e),
                    attrs: attributes(&e),
                    children: Vec::new(),
                });
            }
            Event::Empty(e) => {
                let el = Element {
                    name: local_name(&e),
                    attrs: attributes(&e),
                    children: Vec::new(),
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None if root.is_none() => root = Some(el),
                    None => return Err("more than one root element".into()),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err("an end tag without a start tag".into());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                match resolve_entity(&name) {
                    Some(c) => push_text(&mut stack, c.encode_utf8(&mut [0; 4])),
                    None => return Err(format!("unknown entity &{name};")),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the XML ends before its elements are closed".into());
    }
    root.ok_or_else(|| "no XML element found".into())
}

fn push_text(stack: &mut [Element], s: &str) {
    // Text outside the root is whitespace in well-formed documents; ignore it.
    if let Some(el) = stack.last_mut() {
        if let Some(Node::Text(t)) = el.children.last_mut() {
            t.push_str(s);
        } else {
            el.children.push(Node::Text(s.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_table_is_sorted_and_complete() {
        assert!(DBLP_ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        // dblp.dtd declares 65: reg, micro, times and 62 Latin-1 letters.
        assert_eq!(DBLP_ENTITIES.len(), 65);
        assert_eq!(dblp_entity("uuml"), Some('ü'));
        assert_eq!(dblp_entity("szlig"), Some('ß'));
        assert_eq!(dblp_entity("times"), Some('×'));
        assert_eq!(dblp_entity("Uuml"), Some('Ü'));
        assert_eq!(dblp_entity("nope"), None);
    }

    #[test]
    fn unescapes_known_entities_only() {
        let mut s = String::new();
        push_unescaped(&mut s, "Sch&ouml;nhage &amp; J&#228;rvisalo &bogus; & &");
        assert_eq!(s, "Schönhage & Järvisalo &bogus; & &");
    }

    #[test]
    fn tree_and_text() {
        let doc = parse_document(
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?><r a=\"1&amp;2\"><t>x<i>y</i>&eacute;<![CDATA[<z>]]></t><e/></r>",
        )
        .unwrap();
        assert_eq!(doc.name, "r");
        assert_eq!(doc.attr("a"), Some("1&2"));
        assert_eq!(doc.child_text("t").as_deref(), Some("xyé<z>"));
        assert!(doc.child("e").is_some());
    }

    #[test]
    fn refuses_broken_documents() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"not xml",
            b"<a/><b/>",
            b"<a>&nosuch;</a>",
            b"<a>\xff</a>",
        ] {
            assert!(
                parse_document(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(
            parse_document(deep.as_bytes())
                .unwrap_err()
                .contains("deeper")
        );
    }
}
