//! Text with `{placeholder}`s the desk fills in: survey mails, macro
//! replies and notes. Each kind of template names the placeholders it may
//! use; a template is checked when saved, so filling it in cannot fail.

use crate::DomainError;

/// The placeholders one kind of template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholders {
    pub names: &'static [&'static str],
    /// How an error names them to a person, e.g. "{a}, {b} or {c}".
    pub listed: &'static str,
}

/// One piece of a template.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits `text` into pieces: `{name}` stands for a value, `{{` and `}}`
/// for literal braces. Refuses a placeholder outside `known` by its name
/// and an unclosed `{` or stray `}`.
fn pieces<'a>(field: &'static str, text: &'a str, known: Placeholders) -> Result<Vec<Piece<'a>>, DomainError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push(Piece::Text(&rest[..i]));
        let brace = &rest[i..i + 1];
        let after = &rest[i + 1..];
        if after.starts_with(brace) {
            out.push(Piece::Text(brace));
            rest = &after[1..];
            continue;
        }
        if brace == "}" {
            return Err(DomainError::TemplateSyntax {
                field,
                reason: "a '}' without its '{' (write '}}' for a literal brace)",
            });
        }
        let Some(end) = after.find('}') else {
            return Err(DomainError::TemplateSyntax {
                field,
                reason: "a '{' without its '}' (write '{{' for a literal brace)",
            });
        };
        let name = &after[..end];
        if !known.names.contains(&name) {
            return Err(DomainError::UnknownPlaceholder {
                field,
                name: name.to_owned(),
                known: known.listed,
            });
        }
        out.push(Piece::Placeholder(name));
        rest = &after[end + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Checks `text`, the template named `field` (for messages): well formed,
/// every placeholder known, and not blank.
pub fn check(field: &'static str, text: &str, known: Placeholders) -> Result<(), DomainError> {
    pieces(field, text, known)?;
    if text.trim().is_empty() {
        return Err(DomainError::Empty { field });
    }
    Ok(())
}

/// `text` with every placeholder replaced by `value(name)`. Meant for a
/// template [`check`]ed when it was saved; should one ever be malformed,
/// its raw text is returned rather than a panic.
pub fn render(text: &str, known: Placeholders, value: impl Fn(&str) -> String) -> String {
    let Ok(pieces) = pieces("template", text, known) else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Placeholder(name) => out.push_str(&value(name)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: Placeholders = Placeholders {
        names: &["who", "n"],
        listed: "{who} or {n}",
    };

    #[test]
    fn fills_placeholders_and_keeps_doubled_braces() {
        let text = "Hi {who}, #{n} {{ok}}";
        check("body", text, KNOWN).unwrap();
        let out = render(
            text,
            KNOWN,
            |name| if name == "who" { "Ana".into() } else { "7".into() },
        );
        assert_eq!(out, "Hi Ana, #7 {ok}");
    }

    #[test]
    fn refuses_unknown_placeholders_by_name_and_unbalanced_braces() {
        assert_eq!(
            check("body", "Hi {name}", KNOWN),
            Err(DomainError::UnknownPlaceholder {
                field: "body",
                name: "name".to_owned(),
                known: "{who} or {n}",
            })
        );
        assert!(matches!(
            check("body", "open {who", KNOWN),
            Err(DomainError::TemplateSyntax { .. })
        ));
        assert!(matches!(
            check("body", "stray }", KNOWN),
            Err(DomainError::TemplateSyntax { .. })
        ));
        assert_eq!(check("body", "  ", KNOWN), Err(DomainError::Empty { field: "body" }));
    }
}
