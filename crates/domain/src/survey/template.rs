//! Survey mail templates: text with `{placeholder}`s the desk fills in.

use crate::DomainError;

/// The names a template may use, each filled from the ticket being asked about.
pub const PLACEHOLDERS: [&str; 3] = ["customer_name", "ticket_number", "subject"];

/// A template whose placeholders are all known: `{name}` stands for a
/// value, `{{` and `}}` for literal braces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(String);

/// What fills a template's placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateValues<'a> {
    pub customer_name: &'a str,
    pub ticket_number: i64,
    pub subject: &'a str,
}

/// One piece of a template.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits `text` into pieces, refusing a placeholder outside
/// [`PLACEHOLDERS`] by its name and an unclosed `{` or stray `}`.
fn pieces<'a>(field: &'static str, text: &'a str) -> Result<Vec<Piece<'a>>, DomainError> {
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
        if !PLACEHOLDERS.contains(&name) {
            return Err(DomainError::UnknownPlaceholder {
                field,
                name: name.to_owned(),
            });
        }
        out.push(Piece::Placeholder(name));
        rest = &after[end + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

impl Template {
    /// Checks `text` for the template named `field` (for messages).
    pub fn parse(field: &'static str, text: &str) -> Result<Self, DomainError> {
        pieces(field, text)?;
        if text.trim().is_empty() {
            return Err(DomainError::Empty { field });
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text with every placeholder filled in.
    pub fn render(&self, values: &TemplateValues<'_>) -> String {
        // Checked when made, so this cannot fail; fall back to the raw text
        // rather than panic should it ever.
        let Ok(pieces) = pieces("template", &self.0) else {
            return self.0.clone();
        };
        let mut out = String::with_capacity(self.0.len());
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder("customer_name") => out.push_str(values.customer_name),
                Piece::Placeholder("ticket_number") => out.push_str(&values.ticket_number.to_string()),
                Piece::Placeholder(_) => out.push_str(values.subject),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> TemplateValues<'static> {
        TemplateValues {
            customer_name: "Ana",
            ticket_number: 42,
            subject: "Card declined",
        }
    }

    #[test]
    fn fills_every_placeholder() {
        let t = Template::parse(
            "body",
            "Hi {customer_name}, how was #{ticket_number} ({subject})? {{ok}}",
        )
        .unwrap();
        assert_eq!(t.render(&values()), "Hi Ana, how was #42 (Card declined)? {ok}");
    }

    #[test]
    fn refuses_an_unknown_placeholder_by_its_name() {
        assert_eq!(
            Template::parse("subject", "About {ticket}"),
            Err(DomainError::UnknownPlaceholder {
                field: "subject",
                name: "ticket".to_owned()
            })
        );
        assert!(matches!(
            Template::parse("body", "open {customer_name"),
            Err(DomainError::TemplateSyntax { .. })
        ));
        assert!(matches!(
            Template::parse("body", "stray }"),
            Err(DomainError::TemplateSyntax { .. })
        ));
    }
}
