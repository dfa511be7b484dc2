//! Plain text out of mail bodies.

/// HTML rendered to plain text.
///
/// mail-parser's renderer drops tags, `<head>`, `<style>`, `<script>` and comments,
/// decodes entities, collapses white space, and breaks lines only at `<br>` and
/// `</p>`. Mail written in a browser client is mostly `<div>` lines, so block ends
/// (`</div>`, `</li>`, `</tr>`, headings, quotes, `<hr>`) are turned into `<br>`
/// first, and table cells get a blank between them. The result is then tidied:
/// no trailing blanks, at most one empty line in a row, none at either end.
pub(crate) fn html_to_text(html: &str) -> String {
    let rendered = mail_parser::decoders::html::html_to_text(&break_blocks(html));
    tidy(&rendered)
}

/// `\r\n` and lone `\r` become `\n`.
pub(crate) fn normalize_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

/// Elements whose end tag ends a line.
const BLOCK_TAGS: &[&str] = &[
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "ul",
    "ol",
    "dt",
    "dd",
];

/// Inserts `<br>` before the end tag of each block element and before `<hr>`.
fn break_blocks(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let tag = &rest[lt + 1..];
        let (closing, name_start) = match tag.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name_len = name_start.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let name = &name_start[..name_len];
        let breaks = if closing {
            BLOCK_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name))
        } else {
            name.eq_ignore_ascii_case("hr")
        };
        if breaks {
            out.push_str("<br>");
        } else if closing && (name.eq_ignore_ascii_case("td") || name.eq_ignore_ascii_case("th")) {
            // Table cells are separated by a blank, not glued together.
            out.push(' ');
        }
        out.push('<');
        rest = tag;
    }
    out.push_str(rest);
    out
}

/// Trailing blanks off every line, runs of empty lines down to one, no empty
/// lines at either end.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_run = 0;
    for line in normalize_newlines(text).lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            empty_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if empty_run > 0 { "\n\n" } else { "\n" });
        }
        empty_run = 0;
        out.push_str(line.trim_start_matches(' '));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(html_to_text("<p>Hello,</p><p>one<br>two</p>"), "Hello,\none\ntwo");
    }

    #[test]
    fn browser_style_div_lines_stay_lines() {
        let html = "<div dir=\"ltr\">Hi,<div><br></div><div>the export fails.</div><div>Ben</div></div>";
        assert_eq!(html_to_text(html), "Hi,\n\nthe export fails.\nBen");
    }

    #[test]
    fn lists_and_tables_break_lines() {
        assert_eq!(html_to_text("<ul><li>one</li><li>two</li></ul>"), "one\ntwo");
        assert_eq!(
            html_to_text("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc"
        );
    }

    #[test]
    fn head_style_script_and_entities() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body><script>x()</script>\
                    <p>Fish &amp; chips &mdash; &#8364;5 &lt;ok&gt;</p></body></html>";
        assert_eq!(html_to_text(html), "Fish & chips — €5 <ok>");
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<", "</", "<div", "</div", "<<>>", "&", "&#xZZZZ;", "<p>é</p", "</ü>", "<!--", "a<br",
        ] {
            let _ = html_to_text(html);
        }
    }

    #[test]
    fn newlines_are_normalised() {
        assert_eq!(normalize_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
    }
}
