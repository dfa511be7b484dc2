//! A chat visitor's side: opening a chat, and reading the one-time code the
//! desk mailed to the address they gave.

use std::time::Duration;

use serde_json::json;

use super::TestApp;
use super::smtp::{SmtpSink, header};

/// Opens a chat as a visitor who gives `email`; returns the chat token and
/// the ticket's id.
pub async fn start_chat(app: &TestApp, email: &str) -> (String, String) {
    let body = app
        .gql(
            None,
            "mutation($i: StartChatInput!) { startChat(input: $i) { token ticket { id number } } }",
            json!({ "i": { "name": "Ana", "email": email, "message": "Hi! My order has not arrived." } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let chat = &body["data"]["startChat"];
    (
        chat["token"].as_str().unwrap().to_owned(),
        chat["ticket"]["id"].as_str().unwrap().to_owned(),
    )
}

/// Asks for a code for the chat of `token` and returns the code from the
/// `n`th mail (counting from 1) `smtp` receives for `email`.
pub async fn mailed_code(app: &TestApp, smtp: &SmtpSink, token: &str, email: &str, n: usize) -> String {
    let asked = app
        .gql(
            None,
            "mutation($t: String!) { requestChatVerification(token: $t) }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(asked["data"]["requestChatVerification"], true, "{asked}");
    code_in(&mail_to(smtp, email, n).await)
}

/// The `n`th mail (counting from 1) `smtp` receives for `email`, once it
/// has arrived (other mail may arrive meanwhile).
pub async fn mail_to(smtp: &SmtpSink, email: &str, n: usize) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut to_email = smtp
            .received()
            .into_iter()
            .filter(|m| header(m, "To").as_deref() == Some(email));
        if let Some(mail) = to_email.nth(n - 1) {
            return mail;
        }
        assert!(tokio::time::Instant::now() < deadline, "no mail #{n} for {email}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The six-digit code a verification mail carries.
pub fn code_in(mail: &str) -> String {
    let at = mail.find("code is ").expect("a verification mail") + "code is ".len();
    let code: String = mail[at..].chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{mail}");
    code
}
