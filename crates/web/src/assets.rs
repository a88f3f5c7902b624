//! Static files embedded at build time (see build.rs), served with content hashes:
//! `/static/style.css?v=<hash>` is cached for a year; any request gets an ETag.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::AppError;

mod table {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
    /// First 16 hex digits of the SHA-256 of the bytes.
    pub hash: String,
}

static ASSETS: LazyLock<HashMap<&'static str, Asset>> = LazyLock::new(|| {
    table::FILES
        .iter()
        .map(|&(path, bytes)| {
            let hash = hex::encode(&Sha256::digest(bytes)[..8]);
            (
                path,
                Asset {
                    bytes,
                    content_type: content_type(path),
                    hash,
                },
            )
        })
        .collect()
});

pub fn get(path: &str) -> Option<&'static Asset> {
    ASSETS.get(path)
}

/// The URL to link to: carries the content hash so it can be cached forever.
pub fn url(path: &str) -> String {
    match get(path) {
        Some(asset) => format!("/static/{path}?v={}", asset.hash),
        None => format!("/static/{path}"),
    }
}

fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "woff2" => "font/woff2",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /static/{*path}`
pub async fn get_static(
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let missing = || AppError::not_found("There is no such file.");
    let Path(path) = path.map_err(|_| missing())?;
    let asset = get(&path).ok_or_else(missing)?;
    let etag = format!("\"{}\"", asset.hash);
    // The hash is hex, so the raw query needs no decoding.
    let versioned = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair.strip_prefix("v=") == Some(asset.hash.as_str()));
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        // Unversioned URLs may change under the same name: revalidate each time.
        "no-cache"
    };
    let mut out = HeaderMap::new();
    out.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header"),
    );
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        && etag_matches(inm, &asset.hash)
    {
        return Ok((StatusCode::NOT_MODIFIED, out).into_response());
    }
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    Ok((out, asset.bytes).into_response())
}

/// Weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored; `*` matches.
fn etag_matches(if_none_match: &str, hash: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"') == hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_the_stylesheet_and_favicon() {
        let css = get("style.css").expect("style.css embedded");
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        assert_eq!(css.hash.len(), 16);
        assert!(get("favicon.svg").is_some());
        assert!(get("../Cargo.toml").is_none());
    }

    #[test]
    fn url_carries_the_hash() {
        let css = get("style.css").unwrap();
        assert_eq!(
            url("style.css"),
            format!("/static/style.css?v={}", css.hash)
        );
    }

    #[test]
    fn etag_comparison() {
        assert!(etag_matches("\"abc\"", "abc"));
        assert!(etag_matches("W/\"abc\"", "abc"));
        assert!(etag_matches("\"x\", \"abc\"", "abc"));
        assert!(etag_matches("*", "abc"));
        assert!(!etag_matches("\"abcd\"", "abc"));
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/b.SVG"), "image/svg+xml");
        assert_eq!(content_type("x.png"), "image/png");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
