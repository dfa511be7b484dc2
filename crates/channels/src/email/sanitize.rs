//! The desk's policy for HTML that came from outside: what an inbound mail's
//! HTML part may keep before it is stored, and again before it is served (so
//! rows stored before this policy are served safe too).
//!
//! The sanitizer is ammonia's (an allow-list over an HTML5 parser, so the
//! markup is read the way a browser reads it). On top of its defaults:
//!
//! - **Elements.** Only ammonia's default formatting elements survive. No
//!   `<script>`, `<style>` (their content is dropped as well), `<link>`,
//!   `<meta>`, `<base>`, `<iframe>`, `<frame>`, `<object>`, `<embed>`,
//!   `<form>`, `<input>`, `<svg>`, `<math>`; `<title>` and `<noscript>`
//!   content is dropped with them.
//! - **Attributes.** No event handlers, `id` or `class`. `style` is kept, but
//!   only declarations of a short list of presentational properties whose
//!   value is plain words, numbers, colours and `rgb()`/`hsl()`: anything
//!   with `url(`, `expression(`, `image(`, a backslash escape, a comment or
//!   a quote is dropped.
//! - **Links.** Only `http`, `https` and `mailto` targets (no `javascript:`,
//!   `data:`, `vbscript:` or relative URLs); every link gets
//!   `rel="noopener noreferrer nofollow"`.
//! - **Images.** Only inline images a mail carries itself (`cid:` sources)
//!   keep their source. A remote `<img src>` is a tracking pixel or a
//!   remote load the sender controls, so its `src` is removed and only its
//!   `alt` text stays; `data:` sources are removed too.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// `rel` on every link: no window handle for the target, no referrer, and no
/// endorsement of the sender's links.
pub const LINK_REL: &str = "noopener noreferrer nofollow";

/// CSS properties a `style` attribute may set: presentation only, none that
/// loads anything or changes where an element is drawn.
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "text-align",
    "text-decoration",
    "text-transform",
    "line-height",
    "letter-spacing",
    "white-space",
    "vertical-align",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "width",
    "height",
    "max-width",
    "min-width",
];

/// CSS functions a style value may call: colours only.
const STYLE_FUNCTIONS: &[&str] = &["rgb", "rgba", "hsl", "hsla"];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .add_clean_content_tags(["title", "noscript"])
        .add_generic_attributes(["style", "dir"])
        .url_schemes(HashSet::from(["http", "https", "mailto", "cid"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
});

/// `html` with everything the policy above does not allow removed.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

fn filter_attribute<'a>(element: &str, attribute: &str, value: &'a str) -> Option<Cow<'a, str>> {
    match (element, attribute) {
        ("img", "src") => value
            .trim_start()
            .get(..4)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("cid:"))
            .then_some(Cow::Borrowed(value)),
        // A URL nobody follows by clicking, but which scripts and crawlers read.
        (_, "cite") => None,
        (_, "style") => {
            let kept = safe_style(value);
            (!kept.is_empty()).then_some(Cow::Owned(kept))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// The declarations of a `style` attribute that set an allowed property to a
/// plain value, re-joined.
fn safe_style(style: &str) -> String {
    style
        .split(';')
        .filter_map(|declaration| {
            let (property, value) = declaration.split_once(':')?;
            let property = property.trim().to_ascii_lowercase();
            let value = value.trim();
            (STYLE_PROPERTIES.contains(&property.as_str()) && is_plain_value(value))
                .then(|| format!("{property}: {value}"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Words, numbers, units, `#hex`, `!important`, commas and colour
/// functions: nothing that can load, escape or comment.
fn is_plain_value(value: &str) -> bool {
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " #%.,-+()!".contains(c))
    {
        return false;
    }
    // Every `(` must open one of the allowed functions.
    let mut rest = value;
    while let Some(open) = rest.find('(') {
        let before = &rest[..open];
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map_or(0, |i| i + 1);
        let name = before[name_start..].to_ascii_lowercase();
        if !STYLE_FUNCTIONS.contains(&name.as_str()) {
            return false;
        }
        rest = &rest[open + 1..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_values_keep_colours_and_lose_loads() {
        assert_eq!(
            safe_style("color: rgb(1, 2, 3); background-image: url(x)"),
            "color: rgb(1, 2, 3)"
        );
        assert_eq!(safe_style("width: expression(alert(1))"), "");
        assert_eq!(
            safe_style("color: red; font-weight: bold"),
            "color: red; font-weight: bold"
        );
        assert_eq!(safe_style("background-color: u\\rl(x)"), "");
        assert_eq!(safe_style("color: red/**/"), "");
        assert_eq!(safe_style("behavior: url(x.htc)"), "");
    }
}
