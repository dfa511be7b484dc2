//! A customer answers the satisfaction survey in a real browser: headless
//! Chromium opens the link from the invitation mail, the customer picks a
//! rating with the keyboard, types a comment and sends it, once with
//! JavaScript and once without; the page thanks them and the desk has the
//! answer.
//!
//! Runs when `HELPDESK_TEST_BROWSER` is set (as `.ci/run` does, after
//! installing Debian's chromium and chromium-driver). With
//! `HELPDESK_SCREENSHOT_TO=<file.png>` it also saves the answered page.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::browser::{self, Browser};
use common::smtp::SmtpSink;
use common::survey::{invitations, mail_text, set_status, token_of};
use common::{TestApp, TestDb, each_store};
use fantoccini::Locator;
use fantoccini::key::Key;

/// Mails a question to the desk, solves the ticket and returns the page the
/// invitation mail links to (the link without a preselected rating).
async fn invited(app: &TestApp, smtp: &SmtpSink, admin: &str, from: &str, subject: &str) -> (String, String) {
    let raw = format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{from}.question@browser.example>\r\n\
         Content-Type: text/plain\r\n\r\nPlease help.\r\n"
    );
    let before = smtp.received().len();
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    let ticket = filed["ticketId"].as_str().unwrap().to_owned();
    set_status(app, admin, &ticket, "SOLVED").await;
    let mails = smtp.wait_for(before + 1, Duration::from_secs(30)).await;
    let invitation = mails
        .iter()
        .rev()
        .find(|m| m.contains("/survey/"))
        .expect("an invitation mail");
    let token = token_of(&common::survey::link_for(&mail_text(invitation), 1));
    (ticket, format!("{}/survey/{token}", app.base_url))
}

/// The customer's visit: rating 4 chosen by keyboard, a comment, sent.
async fn answer_in(browser: &Browser, page: &str, comment: &str) {
    let client = &browser.client;
    client.goto(page).await.unwrap();
    let title = client.title().await.unwrap();
    assert!(title.contains("Support"), "the desk's name in the title: {title}");
    let body = client.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(
        body.contains("Where is my parcel"),
        "the ticket's subject on the page: {body}"
    );
    for r in 1..=5 {
        let radio = client.find(Locator::Css(&format!("#rating-{r}"))).await.unwrap();
        assert!(
            !radio.is_selected().await.unwrap(),
            "nothing preselected before an answer"
        );
        // Every choice has a label a screen reader announces.
        let label = client
            .find(Locator::Css(&format!("label[for=rating-{r}]")))
            .await
            .unwrap();
        assert!(!label.text().await.unwrap().trim().is_empty());
    }
    // Keyboard: onto the first rating, then three steps right.
    let first = client.find(Locator::Css("#rating-1")).await.unwrap();
    first.click().await.unwrap();
    // One call: WebDriver focuses the element it types into first, which
    // would send each arrow from the first rating again.
    let three_right: String = std::iter::repeat_n(char::from(Key::Right), 3).collect();
    first.send_keys(&three_right).await.unwrap();
    let four = client.find(Locator::Css("#rating-4")).await.unwrap();
    assert!(four.is_selected().await.unwrap(), "arrow keys moved the choice to 4");
    let text = client.find(Locator::Css("textarea#comment")).await.unwrap();
    text.send_keys(comment).await.unwrap();
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// What the page shows after sending.
async fn thanked(browser: &Browser, comment: &str) {
    let client = &browser.client;
    let thanks = client.wait().for_element(Locator::Css("#thanks")).await.unwrap();
    assert!(thanks.text().await.unwrap().contains("Thank you"));
    let four = client.find(Locator::Css("#rating-4")).await.unwrap();
    assert!(four.is_selected().await.unwrap(), "the recorded rating preselected");
    let kept = client.find(Locator::Css("textarea#comment")).await.unwrap();
    assert_eq!(kept.prop("value").await.unwrap().as_deref(), Some(comment));
    // The comment is shown as text, never as markup.
    assert!(
        client.find(Locator::Css("main b")).await.is_err(),
        "no markup from the comment"
    );
}

async fn a_customer_answers_in_headless_chromium_with_and_without_javascript(db: TestDb) {
    if !browser::wanted("a_customer_answers_in_headless_chromium_with_and_without_javascript") {
        return;
    }
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;

    for (javascript, from, subject, comment) in [
        (
            true,
            "ana@example.com",
            "Where is my parcel",
            "Quick and <b>kind</b>, thanks!",
        ),
        (
            false,
            "bo@example.com",
            "Where is my parcel now",
            "Fine without scripts.",
        ),
    ] {
        let (ticket, page) = invited(&app, &smtp, &admin, from, subject).await;
        let browser = Browser::start(javascript).await;
        answer_in(&browser, &page, comment).await;
        thanked(&browser, comment).await;
        if javascript && let Ok(path) = std::env::var("HELPDESK_SCREENSHOT_TO") {
            let png = browser.client.screenshot().await.unwrap();
            std::fs::write(&path, png).unwrap();
            eprintln!("screenshot of the answered page saved to {path}");
        }
        browser.close().await;

        // The desk has exactly that answer.
        let found = invitations(&app, &admin, &ticket).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["state"], "ANSWERED");
        assert_eq!(found[0]["rating"], 4);
        assert_eq!(found[0]["comment"], comment);
    }
    app.stop().await;
}

each_store!(a_customer_answers_in_headless_chromium_with_and_without_javascript);
