//! The server killed with SIGKILL in the middle of a burst of inbound mail:
//! after a restart on the same store, every mail that was acknowledged (2xx)
//! is stored exactly once, and none is half-stored (a ticket without its
//! first message, history or facts, or a message without its ticket). Mail
//! the mail server saw no answer for is delivered again, as it would retry
//! it, and then every mail is stored exactly once.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::process::ServeProcess;
use common::{INBOUND_TOKEN, TestDb, census, each_store};
use serde_json::Value;
use tokio::sync::mpsc;

/// Mails in the burst, all sent at once.
const BURST: usize = 240;
/// Acknowledgements seen before the kill: enough that the store is busy,
/// few enough that most of the burst is still in flight.
const KILL_AFTER: usize = 30;

fn message_id(n: usize) -> String {
    format!("burst-{n}@mail.example.com")
}

/// A customer's mail; a few senders write many, so customers are found and
/// created concurrently too.
fn mail(n: usize) -> Vec<u8> {
    format!(
        "From: Sender {s} <sender{s}@example.com>\r\nTo: support@desk.example\r\nSubject: Burst {n}\r\nMessage-ID: <{id}>\r\n\r\nMail number {n}.\r\n",
        s = n % 12,
        id = message_id(n),
    )
    .into_bytes()
}

/// Posts mail `n`; its HTTP status and JSON body, or `None` when no answer
/// came (the server died first).
async fn post(client: &reqwest::Client, base_url: &str, n: usize) -> Option<(u16, Value)> {
    let response = client
        .post(format!("{base_url}/inbound/email"))
        .bearer_auth(INBOUND_TOKEN)
        .body(mail(n))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Counts the stored mails of the burst; fails on any half-stored one.
async fn stored_once(db: &TestDb) -> BTreeSet<usize> {
    let census = census::take(&db.url, "%burst-%").await;
    assert_eq!(
        census.tickets_without_messages, 0,
        "a ticket without its first message: {census:?}"
    );
    assert_eq!(
        census.messages_without_ticket, 0,
        "a message without its ticket: {census:?}"
    );
    assert_eq!(
        census.tickets_without_history, 0,
        "a ticket without its history: {census:?}"
    );
    assert_eq!(
        census.tickets_without_facts, 0,
        "a ticket without its facts: {census:?}"
    );
    let mut stored = BTreeSet::new();
    for (id, count) in &census.messages_by_rfc_id {
        assert_eq!(*count, 1, "{id} stored {count} times");
        let n = id
            .trim_matches(['<', '>'])
            .strip_prefix("burst-")
            .and_then(|rest| rest.split('@').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        stored.insert(n);
    }
    assert_eq!(
        census.tickets,
        i64::try_from(stored.len()).unwrap(),
        "one ticket per stored mail, no ticket without its mail"
    );
    stored
}

async fn every_acknowledged_mail_survives_a_sigkill_exactly_once(db: TestDb) {
    let server = ServeProcess::start(&db.url, &[]).await;
    let base_url = server.base_url.clone();
    let client = client();
    let (answers, mut answered) = mpsc::unbounded_channel();
    for n in 0..BURST {
        let (client, base_url, answers) = (client.clone(), base_url.clone(), answers.clone());
        tokio::spawn(async move {
            let answer = post(&client, &base_url, n).await;
            answers.send((n, answer)).unwrap();
        });
    }
    drop(answers);

    let mut server = Some(server);
    let mut acknowledged = BTreeSet::new();
    let mut unanswered = 0;
    while let Some((n, answer)) = answered.recv().await {
        match answer {
            Some((status, body)) if (200..300).contains(&status) => {
                assert_eq!(body["duplicate"], false, "mail {n}: {body}");
                acknowledged.insert(n);
                if acknowledged.len() == KILL_AFTER
                    && let Some(server) = server.take()
                {
                    server.kill();
                }
            }
            Some((status, body)) => panic!("mail {n} refused before the kill: {status} {body}"),
            None => unanswered += 1,
        }
    }
    assert!(server.is_none(), "killed once {KILL_AFTER} mails were acknowledged");
    assert!(
        unanswered > 0,
        "the kill came mid-burst ({} of {BURST} acknowledged)",
        acknowledged.len()
    );

    // Restarted on the same store: nothing acknowledged is lost or doubled.
    let server = ServeProcess::start(&db.url, &[]).await;
    let stored = stored_once(&db).await;
    eprintln!(
        "killed mid-burst: {} of {BURST} acknowledged, {} stored, {unanswered} unanswered",
        acknowledged.len(),
        stored.len()
    );
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");

    // The mail server delivers everything again; what was stored is a
    // duplicate, the rest is filed now.
    let mut again = Vec::new();
    for n in 0..BURST {
        let (client, base_url) = (client.clone(), server.base_url.clone());
        again.push(tokio::spawn(async move { (n, post(&client, &base_url, n).await) }));
    }
    for task in again {
        let (n, answer) = task.await.unwrap();
        let (status, body) = answer.unwrap_or_else(|| panic!("mail {n}: no answer after the restart"));
        assert_eq!(status, 200, "mail {n}: {body}");
        assert_eq!(body["duplicate"], stored.contains(&n), "mail {n}: {body}");
    }
    let all = stored_once(&db).await;
    assert_eq!(all, (0..BURST).collect(), "every mail once");
}

each_store!(every_acknowledged_mail_survives_a_sigkill_exactly_once);
