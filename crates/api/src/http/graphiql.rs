//! The GraphiQL IDE at `GET /graphql`: a page and the scripts and styles it
//! runs, all served by this server (vendored in `assets/graphiql/`), under a
//! policy that lets the page load only those.

use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// Where the assets are served; the versions in the names let browsers keep
/// them for a year and still fetch new ones after an upgrade.
pub(super) const ASSETS: &str = "/graphql/assets";

/// One vendored file: its name under [`ASSETS`], its type, its bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "react-18.3.1.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom-18.3.1.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql-3.8.3.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql-3.8.3.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "start-1.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/start.js"),
    },
];

/// What the IDE page may load: its own scripts and styles from this origin
/// (GraphiQL sets inline styles and embeds its fonts and icons as data:
/// URLs), requests to this origin and its websocket; nothing from elsewhere.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The IDE routes: the page at `GET /graphql` and its assets.
pub(super) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(&format!("{ASSETS}/{{name}}"), get(asset))
}

pub(super) async fn page() -> Response {
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>helpdesk GraphQL</title>
<link rel="stylesheet" href="{ASSETS}/graphiql-3.8.3.min.css">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading…</div>
<script src="{ASSETS}/react-18.3.1.production.min.js"></script>
<script src="{ASSETS}/react-dom-18.3.1.production.min.js"></script>
<script src="{ASSETS}/graphiql-3.8.3.min.js"></script>
<script src="{ASSETS}/start-1.js"></script>
</body>
</html>
"#
    );
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    response
}

async fn asset(Path(name): Path<String>) -> Response {
    let Some(file) = FILES.iter().find(|f| f.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (CONTENT_TYPE, file.content_type),
            // The name changes with the content, so it may be kept for good.
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        file.bytes,
    )
        .into_response()
}
