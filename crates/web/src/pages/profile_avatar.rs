//! Avatars drawn here, from the account alone: a symmetric 5×5 identicon in one colour.
//! No third-party service (Gravatar and the like) ever learns who reads which page.

/// FNV-1a, 64 bits: stable across builds and platforms, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// HSL (hue in degrees, saturation and lightness in 0..=1) to `#rrggbb`.
fn hsl_hex(hue: f64, s: f64, l: f64) -> String {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let h = hue / 60.0;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// Which cells of the 5×5 grid are filled: the left three columns come from the hash,
/// the right two mirror them.
pub fn identicon_cells(seed: &str) -> [[bool; 5]; 5] {
    let h = fnv1a(seed.as_bytes());
    let mut grid = [[false; 5]; 5];
    for (row, cells) in grid.iter_mut().enumerate() {
        for col in 0..3 {
            let on = h >> (row * 3 + col) & 1 == 1;
            cells[col] = on;
            cells[4 - col] = on;
        }
    }
    grid
}

/// The identicon as a self-contained SVG: rectangles only, no script, no style, no link.
pub fn identicon_svg(seed: &str) -> String {
    let h = fnv1a(seed.as_bytes());
    let hue = ((h >> 20) % 360) as f64;
    let colour = hsl_hex(hue, 0.55, 0.45);
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-1 -1 7 7\" width=\"70\" \
         height=\"70\" shape-rendering=\"crispEdges\">\
         <rect x=\"-1\" y=\"-1\" width=\"7\" height=\"7\" fill=\"#f2f2f2\"/>",
    );
    for (y, row) in identicon_cells(seed).iter().enumerate() {
        for (x, on) in row.iter().enumerate() {
            if *on {
                svg.push_str(&format!(
                    "<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\" fill=\"{colour}\"/>"
                ));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_picture_different_seeds_differ() {
        assert_eq!(identicon_svg("ada#1"), identicon_svg("ada#1"));
        let many: std::collections::HashSet<_> = (0..50)
            .map(|i| identicon_svg(&format!("user{i}")))
            .collect();
        assert!(many.len() > 45, "identicons should rarely collide");
    }

    #[test]
    fn grid_is_mirrored() {
        for seed in ["ada", "bob", "x"] {
            for row in identicon_cells(seed) {
                assert_eq!(row[0], row[4]);
                assert_eq!(row[1], row[3]);
            }
        }
    }

    #[test]
    fn svg_has_no_script_style_or_external_reference() {
        let svg = identicon_svg("<script>alert(1)</script>");
        let lower = svg.to_ascii_lowercase();
        for bad in [
            "<script",
            "style",
            "href",
            "url(",
            "javascript:",
            "on",
            "<image",
        ] {
            let hits = lower.matches(bad).count();
            // "on" only as part of attribute names would matter; none of ours start with it.
            if bad == "on" {
                assert!(!lower.contains(" on"), "{svg}");
            } else {
                assert_eq!(hits, 0, "{bad} in {svg}");
            }
        }
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("http").count(), 1, "only the namespace URI");
    }

    #[test]
    fn colours_are_valid_hex() {
        assert_eq!(hsl_hex(0.0, 1.0, 0.5), "#ff0000");
        assert_eq!(hsl_hex(120.0, 1.0, 0.5), "#00ff00");
        assert_eq!(hsl_hex(240.0, 1.0, 0.5), "#0000ff");
    }
}
