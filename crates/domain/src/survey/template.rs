//! Survey mail templates: text with `{placeholder}`s the desk fills in.

use crate::DomainError;
use crate::template::{self, Placeholders};

/// The names a survey template may use, each filled from the ticket being
/// asked about.
pub const PLACEHOLDERS: Placeholders = Placeholders {
    names: &["customer_name", "ticket_number", "subject"],
    listed: "{customer_name}, {ticket_number} or {subject}",
};

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

impl Template {
    /// Checks `text` for the template named `field` (for messages).
    pub fn parse(field: &'static str, text: &str) -> Result<Self, DomainError> {
        template::check(field, text, PLACEHOLDERS)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text with every placeholder filled in.
    pub fn render(&self, values: &TemplateValues<'_>) -> String {
        template::render(&self.0, PLACEHOLDERS, |name| match name {
            "customer_name" => values.customer_name.to_owned(),
            "ticket_number" => values.ticket_number.to_string(),
            _ => values.subject.to_owned(),
        })
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
                name: "ticket".to_owned(),
                known: PLACEHOLDERS.listed,
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
