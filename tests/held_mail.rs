//! Mail that must not be lost. A customer writing through a mailing list or
//! group alias gets a ticket like anyone else; a bounce is accepted (so the
//! sending server does not bounce it back) and kept where an admin can
//! review it, release it into a ticket or delete it.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{DESK_ADDRESS, TestApp, TestDb, each_store, error_code, fixture, ingest_pipe};
use serde_json::{Value, json};

/// Ana writes to a group alias that forwards to the desk, as list software does.
fn list_mail(message_id: &str, extra: &str) -> Vec<u8> {
    format!(
        "From: Ana Lopez <ana@example.com>\r\nTo: all-support@lists.example.com\r\nCc: {DESK_ADDRESS}\r\n\
         Subject: The export button does nothing\r\nMessage-ID: <{message_id}>\r\n\
         List-Id: Support alias <all-support.lists.example.com>\r\nPrecedence: list\r\n{extra}\
         Content-Type: text/plain\r\n\r\nClicking Export shows nothing. Ana\r\n"
    )
    .into_bytes()
}

const HELD: &str = "query($first: Int, $after: String) { heldMail(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id reason from subject emailMessageId size receivedAt } } }";

const TICKETS: &str = "{ tickets { totalCount nodes { id subject channel customer { email }
    messages { body author { kind } delivery { status } } } } }";

async fn mail_through_a_list_is_a_customers_ticket_and_is_not_answered(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (status, filed) = app.post_email(&list_mail("list-1@mail.example.com", "")).await;
    assert_eq!(status, 200, "{filed}");
    let id = filed["ticketId"].as_str().expect("a ticket").to_owned();

    // Her reply through the list, marked bulk by the list software, is hers too.
    let reply = list_mail(
        "list-2@mail.example.com",
        "In-Reply-To: <list-1@mail.example.com>\r\nPrecedence: bulk\r\n",
    );
    let (status, threaded) = app.post_email(&reply).await;
    assert_eq!(status, 200, "{threaded}");
    assert_eq!(threaded["ticketId"], json!(id));

    let data = app.ok(&token, TICKETS, json!({})).await;
    assert_eq!(data["tickets"]["totalCount"], 1);
    let ticket = &data["tickets"]["nodes"][0];
    assert_eq!(ticket["channel"], "EMAIL");
    assert_eq!(ticket["customer"]["email"], "ana@example.com");
    let messages = ticket["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "her two mails, and nothing the desk sent back");
    for message in messages {
        assert_eq!(message["author"]["kind"], "CUSTOMER");
        assert_eq!(message["delivery"], Value::Null);
    }
    assert_eq!(
        app.store.pending_mail_count().await.unwrap(),
        0,
        "no automatic answer queued"
    );
    assert_eq!(app.ok(&token, HELD, json!({})).await["heldMail"]["totalCount"], 0);
}

async fn a_bounce_is_accepted_held_once_and_released_into_a_ticket(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let bounce = fixture("bounce_delivery_status.eml");

    let (status, held) = app.post_email(&bounce).await;
    assert_eq!(status, 202, "accepted, not refused: {held}");
    assert_eq!(held["reason"], "BOUNCE");
    assert_eq!(held["duplicate"], false);
    let (status, again) = app.post_email(&bounce).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["heldMailId"], held["heldMailId"]);

    let data = app.ok(&admin, HELD, json!({})).await;
    assert_eq!(data["heldMail"]["totalCount"], 1, "held once per Message-ID");
    let listed = &data["heldMail"]["nodes"][0];
    assert_eq!(listed["id"], held["heldMailId"]);
    assert_eq!(listed["reason"], "BOUNCE");
    assert_eq!(listed["from"], "mailer-daemon@mx.example.org");
    assert_eq!(listed["subject"], "Undelivered Mail Returned to Sender");
    assert_eq!(listed["emailMessageId"], "20240322073110.5E2A1C0123@mx.example.org");
    assert_eq!(listed["size"], json!(bounce.len()));
    assert!(listed["receivedAt"].is_string());
    assert_eq!(
        app.ok(&admin, TICKETS, json!({})).await["tickets"]["totalCount"],
        0,
        "a bounce opens no ticket"
    );

    // Only admins review held mail.
    let (_, agent) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let refused = app.gql(Some(&agent), HELD, json!({})).await;
    assert_eq!(error_code(&refused), "FORBIDDEN");
    let refused = app
        .gql(
            Some(&agent),
            "mutation($id: ID!) { releaseHeldMail(id: $id) { id } }",
            json!({ "id": held["heldMailId"] }),
        )
        .await;
    assert_eq!(error_code(&refused), "FORBIDDEN");

    // The admin decides it matters: released, it is a ticket.
    let released = app
        .ok(
            &admin,
            "mutation($id: ID!) { releaseHeldMail(id: $id) { id subject channel customer { email } messages { body } } }",
            json!({ "id": held["heldMailId"] }),
        )
        .await["releaseHeldMail"]
        .clone();
    assert_eq!(released["subject"], "Undelivered Mail Returned to Sender");
    assert_eq!(released["channel"], "EMAIL");
    assert_eq!(released["customer"]["email"], "mailer-daemon@mx.example.org");
    assert!(
        released["messages"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("This is the mail system at host mx.example.org.")
    );
    assert_eq!(app.ok(&admin, HELD, json!({})).await["heldMail"]["totalCount"], 0);
    assert_eq!(app.ok(&admin, TICKETS, json!({})).await["tickets"]["totalCount"], 1);

    // Delivered once more, it is the ticket's message now, not held again.
    let (status, filed) = app.post_email(&bounce).await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["ticketId"], released["id"]);
    assert_eq!(filed["duplicate"], true);

    // Released or deleted, it is gone from the list; a second go finds nothing.
    let again = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { releaseHeldMail(id: $id) { id } }",
            json!({ "id": held["heldMailId"] }),
        )
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
}

async fn automatic_mail_is_held_and_can_be_deleted(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let notice = |n: u32| {
        format!(
            "From: Billing robot <robot@vendor.example>\r\nTo: {DESK_ADDRESS}\r\nSubject: Invoice {n} generated\r\n\
             Message-ID: <notice-{n}@vendor.example>\r\nAuto-Submitted: auto-generated\r\n\
             Content-Type: text/plain\r\n\r\nYour invoice is ready.\r\n"
        )
    };
    for n in 1..=3 {
        let (status, held) = app.post_email(notice(n).as_bytes()).await;
        assert_eq!(status, 202, "{held}");
        assert_eq!(held["reason"], "AUTO_SUBMITTED");
    }
    // Newest first, two to a page.
    let first = app.ok(&admin, HELD, json!({ "first": 2 })).await["heldMail"].clone();
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let subjects: Vec<&str> = first["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Invoice 3 generated", "Invoice 2 generated"]);
    let rest = app
        .ok(
            &admin,
            HELD,
            json!({ "first": 2, "after": first["pageInfo"]["endCursor"] }),
        )
        .await["heldMail"]
        .clone();
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["nodes"][0]["subject"], "Invoice 1 generated");

    let oldest = rest["nodes"][0]["id"].clone();
    let deleted = app
        .ok(
            &admin,
            "mutation($id: ID!) { deleteHeldMail(id: $id) }",
            json!({ "id": oldest }),
        )
        .await;
    assert_eq!(deleted["deleteHeldMail"], true);
    let deleted = app
        .ok(
            &admin,
            "mutation($id: ID!) { deleteHeldMail(id: $id) }",
            json!({ "id": oldest }),
        )
        .await;
    assert_eq!(deleted["deleteHeldMail"], false);
    assert_eq!(app.ok(&admin, HELD, json!({})).await["heldMail"]["totalCount"], 2);
    assert_eq!(app.ok(&admin, TICKETS, json!({})).await["tickets"]["totalCount"], 0);
}

async fn the_mta_pipe_accepts_a_bounce(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let bounce = fixture("bounce_delivery_status.eml");
    let (code, out) = ingest_pipe(&db.url, &bounce);
    assert_eq!(code, 0, "the MTA must neither bounce nor retry it: {out}");
    let printed: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(printed["reason"], "BOUNCE");
    assert_eq!(printed["duplicate"], false);
    let (code, out) = ingest_pipe(&db.url, &bounce);
    assert_eq!(code, 0);
    assert!(out.contains("\"duplicate\":true"), "{out}");

    let data = app.ok(&admin, HELD, json!({})).await;
    assert_eq!(data["heldMail"]["totalCount"], 1);
    assert_eq!(data["heldMail"]["nodes"][0]["id"], printed["heldMailId"]);
    assert_eq!(app.ok(&admin, TICKETS, json!({})).await["tickets"]["totalCount"], 0);

    // A customer's list mail through the pipe is a ticket.
    let (code, out) = ingest_pipe(&db.url, &list_mail("list-pipe@mail.example.com", ""));
    assert_eq!(code, 0);
    assert!(out.contains("\"ticketId\""), "{out}");
    assert_eq!(app.ok(&admin, TICKETS, json!({})).await["tickets"]["totalCount"], 1);
}

each_store!(
    mail_through_a_list_is_a_customers_ticket_and_is_not_answered,
    a_bounce_is_accepted_held_once_and_released_into_a_ticket,
    automatic_mail_is_held_and_can_be_deleted,
    the_mta_pipe_accepts_a_bounce,
);
