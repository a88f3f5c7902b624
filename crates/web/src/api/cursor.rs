//! Opaque pagination cursors: 16 bytes (two signed 64-bit numbers) in URL-safe base64,
//! always 22 characters. Every string of that shape decodes, so a client can only get a
//! cursor "wrong" by changing its length or alphabet (a 400).
//!
//! Lists ordered by a stable key (a user's summaries: last edit, then id) put that key in
//! the cursor, so items added between requests are never skipped or repeated. Ranked
//! lists (popular, top, search, venues) re-rank on every change anyway; their cursor
//! holds the position.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use super::problem::ApiError;

/// Characters in every cursor.
pub const CURSOR_LEN: usize = 22;
/// The pattern the OpenAPI document gives cursors.
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{22}$";

/// Lenient on the unused low bits of the last character, so every 22-character string
/// of the alphabet is a cursor.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub a: i64,
    pub b: i64,
}

impl Cursor {
    /// A position in a ranked list.
    pub fn offset(n: u64) -> Cursor {
        Cursor {
            a: 0,
            b: i64::try_from(n).unwrap_or(i64::MAX),
        }
    }

    /// The position this cursor holds (negative reads as 0).
    pub fn as_offset(self) -> u64 {
        u64::try_from(self.b).unwrap_or(0)
    }

    pub fn encode(self) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.a.to_be_bytes());
        bytes[8..].copy_from_slice(&self.b.to_be_bytes());
        ENGINE.encode(bytes)
    }

    pub fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::bad_request(
                "`cursor` is not one this API gave out: pass `next_cursor` from the previous page as it is.",
            )
        };
        if text.len() != CURSOR_LEN {
            return Err(bad());
        }
        let bytes = ENGINE.decode(text).map_err(|_| bad())?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| bad())?;
        let (a, b) = bytes.split_at(8);
        Ok(Cursor {
            a: i64::from_be_bytes(a.try_into().map_err(|_| bad())?),
            b: i64::from_be_bytes(b.try_into().map_err(|_| bad())?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for c in [
            Cursor { a: 0, b: 0 },
            Cursor {
                a: 1_700_000_000,
                b: 42,
            },
            Cursor {
                a: i64::MIN,
                b: i64::MAX,
            },
        ] {
            let text = c.encode();
            assert_eq!(text.len(), CURSOR_LEN);
            assert_eq!(Cursor::decode(&text).unwrap(), c);
        }
    }

    #[test]
    fn any_string_of_the_shape_decodes() {
        for text in [
            "AAAAAAAAAAAAAAAAAAAAAB",
            "zzzzzzzzzzzzzzzzzzzzzz",
            "-_-_-_-_-_-_-_-_-_-_-_",
        ] {
            assert!(Cursor::decode(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn other_shapes_are_refused() {
        for text in [
            "",
            "abc",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAAA+",
            &"A".repeat(23),
        ] {
            assert!(Cursor::decode(text).is_err(), "{text}");
        }
    }

    #[test]
    fn offsets_saturate() {
        assert_eq!(Cursor::offset(u64::MAX).as_offset(), i64::MAX as u64);
        assert_eq!(Cursor { a: 0, b: -5 }.as_offset(), 0);
    }
}
