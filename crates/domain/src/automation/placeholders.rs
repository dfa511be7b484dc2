//! The placeholders a reply or note written by the desk on a ticket may
//! use, filled from that ticket when the text is sent.

use crate::template::{self, Placeholders};

pub const TICKET_PLACEHOLDERS: Placeholders = Placeholders {
    names: &[
        "customer_name",
        "customer_email",
        "ticket_number",
        "subject",
        "agent_name",
    ],
    listed: "{customer_name}, {customer_email}, {ticket_number}, {subject} or {agent_name}",
};

/// What fills [`TICKET_PLACEHOLDERS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketValues<'a> {
    /// The customer's name, or their address when they gave none.
    pub customer_name: &'a str,
    /// Empty for a customer without an address (a chat visitor).
    pub customer_email: &'a str,
    pub ticket_number: i64,
    pub subject: &'a str,
    /// Whoever the text goes out as: the agent applying a macro.
    pub agent_name: &'a str,
}

impl TicketValues<'_> {
    /// `text` (checked against [`TICKET_PLACEHOLDERS`] when saved) filled in.
    pub fn fill(&self, text: &str) -> String {
        template::render(text, TICKET_PLACEHOLDERS, |name| match name {
            "customer_name" => self.customer_name.to_owned(),
            "customer_email" => self.customer_email.to_owned(),
            "ticket_number" => self.ticket_number.to_string(),
            "subject" => self.subject.to_owned(),
            _ => self.agent_name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_every_ticket_placeholder() {
        let values = TicketValues {
            customer_name: "Ana Lima",
            customer_email: "ana@example.com",
            ticket_number: 42,
            subject: "Card declined",
            agent_name: "Bo",
        };
        assert_eq!(
            values.fill("Hi {customer_name} ({customer_email}), #{ticket_number} \"{subject}\" -- {agent_name}"),
            "Hi Ana Lima (ana@example.com), #42 \"Card declined\" -- Bo"
        );
    }
}
