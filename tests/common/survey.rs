//! Survey helpers: the desk's survey settings, the invitations a ticket
//! shows, and the rating links of a received invitation mail.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::TestApp;
use super::smtp::SmtpSink;

pub const INVITATIONS: &str = "query($id: ID!) { ticket(id: $id) { surveys { id survey state sentBy rating comment dueAt sentAt expiresAt answeredAt } } }";
pub const SETTINGS: &str = "mutation($i: SurveySettingsInput!) { updateSurveySettings(input: $i) { csatEnabled csatDelayMinutes quietPeriodDays npsEnabled npsIntervalDays expiryDays } }";
pub const SUBMIT: &str = "mutation($token: String!, $rating: Int, $score: Int, $comment: String) { submitSurvey(token: $token, rating: $rating, score: $score, comment: $comment) { survey rating comment replaced ticketNumber } }";
pub const UPDATE: &str = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { status } }";

/// Changes the survey settings as the admin `token`.
pub async fn configure(app: &TestApp, token: &str, settings: Value) {
    app.ok(token, SETTINGS, json!({ "i": settings })).await;
}

pub async fn set_status(app: &TestApp, token: &str, ticket: &str, status: &str) {
    app.ok(token, UPDATE, json!({ "i": { "ticketId": ticket, "status": status } }))
        .await;
}

/// The ticket's survey invitations, oldest first.
pub async fn invitations(app: &TestApp, token: &str, ticket: &str) -> Vec<Value> {
    app.ok(token, INVITATIONS, json!({ "id": ticket })).await["ticket"]["surveys"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Waits until the ticket's invitations satisfy `done`, and returns them.
pub async fn invitations_until(
    app: &TestApp,
    token: &str,
    ticket: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = invitations(app, token, ticket).await;
        if done(&found) {
            return found;
        }
        assert!(Instant::now() < deadline, "invitations never got there: {found:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the first invitation is in `state`.
pub fn first_is(state: &'static str) -> impl Fn(&[Value]) -> bool {
    move |found: &[Value]| found.first().is_some_and(|i| i["state"] == state)
}

/// The decoded text of a received mail.
pub fn mail_text(raw: &str) -> String {
    helpdesk_channels::email::parse(raw.as_bytes()).unwrap().text
}

/// The survey links in a text, in order.
pub fn survey_links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.contains("/survey/"))
        .map(str::to_owned)
        .collect()
}

/// The link of a text that records `rating`.
pub fn link_for(text: &str, rating: u8) -> String {
    let suffix = format!("?rating={rating}");
    survey_links(text)
        .into_iter()
        .find(|l| l.ends_with(&suffix))
        .unwrap_or_else(|| panic!("no link for {rating} in {text}"))
}

/// The token in a survey link.
pub fn token_of(link: &str) -> String {
    let after = link.split("/survey/").nth(1).unwrap();
    after.split('?').next().unwrap().to_owned()
}

/// Solves `ticket` (an email ticket) and returns the token of its CSAT
/// invitation, from the mail `smtp` received (the desk keeps no live token
/// once the mail is sent).
pub async fn mailed_survey_token(app: &TestApp, smtp: &SmtpSink, admin: &str, ticket: &str) -> String {
    set_status(app, admin, ticket, "SOLVED").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(mail) = smtp.received().iter().find(|m| m.contains("/survey/")) {
            return token_of(&link_for(&mail_text(mail), 4));
        }
        assert!(Instant::now() < deadline, "no invitation mail within 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
