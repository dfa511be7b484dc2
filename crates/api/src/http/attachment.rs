//! `GET /attachments/{id}`: a file that came with a message, for an agent
//! whose scope covers its ticket.
//!
//! The agent is named by the link's `token` (see `auth/attachment_link.rs`;
//! `Attachment.url` carries one) or by `Authorization: Bearer <jwt>` as on
//! `/graphql`. A file outside the agent's reach is not found, as if it did
//! not exist. The stored content type is sent as given when it is a
//! well-formed media type (else `application/octet-stream`), with
//! `X-Content-Type-Options: nosniff` and the desk's `default-src 'none'`
//! policy from the security headers; only raster images and PDF open in the
//! browser, anything else (HTML and SVG above all, which could run script
//! as the desk) is a download.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_domain::attachment;
use helpdesk_domain::ids::AttachmentId;
use serde::Deserialize;

use super::graphql::authenticate;
use super::plain::{plain, unauthorized};
use crate::AppState;
use crate::auth::viewer::{Authentication, viewer_of};

/// The media types a browser may show in place: none of them runs script.
const SHOWN_INLINE: [&str; 5] = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"];

#[derive(Debug, Deserialize)]
pub(super) struct LinkQuery {
    token: Option<String>,
}

pub(super) async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(link): Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<AttachmentId>() else {
        return plain(StatusCode::NOT_FOUND, "no such attachment");
    };
    let authentication = match link.token {
        Some(token) => match state.jwt.verify_attachment_link(&token, id, state.clock.now()) {
            Some(subject) => viewer_of(&state, subject).await,
            None => Ok(Authentication::Invalid),
        },
        None => authenticate(&state, &headers).await,
    };
    let viewer = match authentication {
        Ok(Authentication::Valid(viewer)) => viewer,
        Ok(Authentication::Missing) => return unauthorized("an access token or a link's token is required"),
        Ok(Authentication::Invalid) => return unauthorized("invalid or expired token"),
        Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable"),
    };
    let file = match viewer.tickets(&state).attachment(id).await {
        Ok(Some(file)) => file,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such attachment"),
        Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable"),
    };
    let content_type = media_type(&file.record.content_type);
    let essence = content_type
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let disposition = content_disposition(
        if SHOWN_INLINE.contains(&essence.as_str()) {
            "inline"
        } else {
            "attachment"
        },
        file.record.filename.as_deref(),
    );
    let mut response = file.content.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, content_type);
    headers.insert(CONTENT_DISPOSITION, disposition);
    // The link is the credential: nothing keeps a copy.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// The stored content type when it is a well-formed media type, else
/// `application/octet-stream` (types are checked when kept, and again here
/// for rows written before that).
fn media_type(stored: &str) -> HeaderValue {
    HeaderValue::from_str(&attachment::media_type(Some(stored)))
        .unwrap_or(HeaderValue::from_static(attachment::OCTET_STREAM))
}

/// `inline` or `attachment` with the file's name: an ASCII stand-in in
/// `filename` (quotes, backslashes, separators and controls replaced) for
/// old clients, and the name itself percent-encoded in `filename*`
/// (RFC 6266, RFC 8187).
fn content_disposition(kind: &str, filename: Option<&str>) -> HeaderValue {
    let name = attachment::file_name(filename.unwrap_or_default());
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '/' | ';' | '%') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: HeaderValue) -> String {
        value.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_stored_type_is_sent_only_when_well_formed() {
        assert_eq!(text(media_type("application/pdf")), "application/pdf");
        assert_eq!(text(media_type("text/html; charset=utf-8")), "text/html; charset=utf-8");
        for odd in [
            "",
            "pdf",
            "text/",
            "/html",
            "text/html\r\nSet-Cookie: a=b",
            "täxt/plain",
            "a/b c",
        ] {
            assert_eq!(text(media_type(odd)), "application/octet-stream", "{odd:?}");
        }
    }

    #[test]
    fn a_file_name_cannot_break_out_of_its_header() {
        assert_eq!(
            text(content_disposition("attachment", Some("report.pdf"))),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            text(content_disposition("attachment", Some("../../etc/\"x\";.html"))),
            "attachment; filename=\"_x__.html\"; filename*=UTF-8''%22x%22%3B.html"
        );
        assert_eq!(
            text(content_disposition("inline", Some("Grüße 100%.png"))),
            "inline; filename=\"Gr__e 100_.png\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20100%25.png"
        );
        assert_eq!(
            text(content_disposition("attachment", Some("a\r\nb\t.txt"))),
            "attachment; filename=\"ab.txt\"; filename*=UTF-8''ab.txt"
        );
        assert_eq!(
            text(content_disposition("attachment", None)),
            "attachment; filename=\"attachment\"; filename*=UTF-8''attachment"
        );
    }
}
