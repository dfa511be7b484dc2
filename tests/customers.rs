//! Agents look people up: the customer directory, one customer's profile
//! with their addresses, tickets and the figures of their own history,
//! renaming, and merging one person's two customers into one. A team's
//! agent sees only the customers of her teams' tickets.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use chrono::TimeDelta;
use common::smtp::SmtpSink;
use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const DIRECTORY: &str = "query($f: CustomerFilter, $first: Int, $after: String) { customers(filter: $f, first: $first, after: $after) { \
    nodes { id name email } pageInfo { hasNextPage endCursor } } }";

const PROFILE: &str = "query($id: ID!) { customer(id: $id) { id name email \
    identities { kind value } \
    tickets(first: 10) { totalCount nodes { subject status } } \
    figures { tickets openTickets firstResponseTime { count median } csat { responses score average } } \
    mergedInto { id } } }";

/// Files a mail from `from` and returns the ticket's id.
async fn mail(app: &TestApp, from: &str, subject: &str, message_id: &str) -> String {
    let raw = format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Content-Type: text/plain\r\n\r\nPlease help.\r\n"
    );
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    filed["ticketId"].as_str().unwrap().to_owned()
}

async fn customer_of(app: &TestApp, token: &str, ticket: &str) -> String {
    app.ok(
        token,
        "query($id: ID!) { ticket(id: $id) { customer { id } } }",
        json!({ "id": ticket }),
    )
    .await["ticket"]["customer"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn directory(app: &TestApp, token: &str, search: Option<&str>) -> Vec<String> {
    let filter = search.map(|s| json!({ "search": s }));
    app.ok(token, DIRECTORY, json!({ "f": filter })).await["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap().to_owned())
        .collect()
}

async fn profile(app: &TestApp, token: &str, customer: &str) -> Value {
    app.ok(token, PROFILE, json!({ "id": customer })).await["customer"].clone()
}

async fn an_agent_finds_a_customer_and_reads_their_history(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    let invoice = mail(&app, "Ana Lima <ana@example.com>", "Invoice", "inv@example.com").await;
    mail(&app, "Ana Lima <ana@example.com>", "Address change", "addr@example.com").await;
    mail(&app, "Ben <ben@example.org>", "Login", "login@example.org").await;
    let ana = customer_of(&app, &admin, &invoice).await;

    // By a part of a name or an address, in any case; newest first.
    assert_eq!(directory(&app, &admin, Some("LIMA")).await, ["ana@example.com"]);
    assert_eq!(directory(&app, &admin, Some("example.org")).await, ["ben@example.org"]);
    assert_eq!(
        directory(&app, &admin, None).await,
        ["ben@example.org", "ana@example.com"]
    );
    assert!(
        directory(&app, &admin, Some("100%_")).await.is_empty(),
        "LIKE's own signs are text"
    );
    let first = app.ok(&admin, DIRECTORY, json!({ "first": 1 })).await["customers"].clone();
    assert_eq!(first["nodes"][0]["email"], "ben@example.org");
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let next = app
        .ok(
            &admin,
            DIRECTORY,
            json!({ "first": 1, "after": first["pageInfo"]["endCursor"] }),
        )
        .await["customers"]
        .clone();
    assert_eq!(next["nodes"][0]["email"], "ana@example.com");
    assert_eq!(next["pageInfo"]["hasNextPage"], false);

    // Half an hour to the first reply, then solved and rated 5.
    app.clock.advance(TimeDelta::minutes(30)).unwrap();
    app.ok(
        &admin,
        "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"Attached.\"}) { message { id } } }",
        json!({ "id": invoice }),
    )
    .await;
    let token = common::survey::mailed_survey_token(&app, &smtp, &admin, &invoice).await;
    let rated = app
        .gql(None, common::survey::SUBMIT, json!({ "token": token, "rating": 5 }))
        .await;
    assert!(rated.get("errors").is_none(), "{rated}");

    let ana_profile = profile(&app, &admin, &ana).await;
    assert_eq!(ana_profile["name"], "Ana Lima");
    assert_eq!(
        ana_profile["identities"],
        json!([{ "kind": "EMAIL", "value": "ana@example.com" }])
    );
    assert_eq!(ana_profile["tickets"]["totalCount"], 2);
    assert_eq!(ana_profile["mergedInto"], Value::Null);
    let figures = &ana_profile["figures"];
    assert_eq!(figures["tickets"], 2);
    assert_eq!(figures["openTickets"], 1);
    // Thirty minutes on the desk's clock, and the few milliseconds the
    // requests took.
    assert_eq!(figures["firstResponseTime"]["count"], 1);
    let median = figures["firstResponseTime"]["median"].as_f64().unwrap();
    assert!((1800.0..1805.0).contains(&median), "{median}");
    assert_eq!(
        figures["csat"],
        json!({ "responses": 1, "score": 100.0, "average": 5.0 })
    );

    // Renamed; a name cannot be blank.
    let rename = "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { name } }";
    let renamed = app
        .ok(
            &admin,
            rename,
            json!({ "i": { "id": ana, "name": " Ana Lima-Souza " } }),
        )
        .await;
    assert_eq!(renamed["updateCustomer"]["name"], "Ana Lima-Souza");
    let blank = app
        .gql(Some(&admin), rename, json!({ "i": { "id": ana, "name": "  " } }))
        .await;
    assert_eq!(error_code(&blank), "BAD_USER_INPUT");
    app.stop().await;
}

async fn a_team_agent_sees_the_customers_of_her_teams_only(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let (ann_id, ann) = app.agent_with_scope(&admin, "ann@desk.example", "AGENT", "TEAMS").await;
    app.add_team_member(&admin, &billing, &ann_id).await;
    let invoice = mail(&app, "Ana <ana@example.com>", "Invoice", "inv@example.com").await;
    mail(&app, "Ana <ana@example.com>", "Password", "pw@example.com").await;
    let login = mail(&app, "Ben <ben@example.org>", "Login", "login@example.org").await;
    app.ok(
        &admin,
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { id } }",
        json!({ "i": { "ticketId": invoice, "teamId": billing } }),
    )
    .await;
    let (ana, ben) = (
        customer_of(&app, &admin, &invoice).await,
        customer_of(&app, &admin, &login).await,
    );

    assert_eq!(directory(&app, &ann, None).await, ["ana@example.com"]);
    assert!(directory(&app, &ann, Some("ben")).await.is_empty());
    assert_eq!(
        profile(&app, &ann, &ben).await,
        Value::Null,
        "out of reach, as if not there"
    );
    let ana_for_ann = profile(&app, &ann, &ana).await;
    assert_eq!(ana_for_ann["tickets"]["totalCount"], 1, "{ana_for_ann}");
    assert_eq!(ana_for_ann["figures"]["tickets"], 1);
    assert_eq!(profile(&app, &admin, &ana).await["figures"]["tickets"], 2);

    let rename = "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { name } }";
    let refused = app
        .gql(Some(&ann), rename, json!({ "i": { "id": ben, "name": "B." } }))
        .await;
    assert_eq!(error_code(&refused), "NOT_FOUND", "{refused}");
    app.stop().await;
}

async fn one_person_with_two_addresses_becomes_one_customer(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, agent) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let from_home = mail(&app, "ana@home.example", "Broken lamp", "lamp@home.example").await;
    let from_work = mail(&app, "Ana Lima <ana@work.example>", "Invoice", "inv@work.example").await;
    let (home, work) = (
        customer_of(&app, &admin, &from_home).await,
        customer_of(&app, &admin, &from_work).await,
    );
    let merge =
        "mutation($i: MergeCustomersInput!) { mergeCustomers(input: $i) { customer { id name } movedTickets } }";
    let input = json!({ "i": { "sourceId": home, "targetId": work } });

    assert_eq!(
        error_code(&app.gql(Some(&agent), merge, input.clone()).await),
        "FORBIDDEN"
    );
    let itself = app
        .gql(
            Some(&admin),
            merge,
            json!({ "i": { "sourceId": work, "targetId": work } }),
        )
        .await;
    assert_eq!(error_code(&itself), "BAD_USER_INPUT", "{itself}");

    let merged = app.ok(&admin, merge, input.clone()).await["mergeCustomers"].clone();
    assert_eq!(
        merged,
        json!({ "customer": { "id": work, "name": "Ana Lima" }, "movedTickets": 1 })
    );
    let ana = profile(&app, &admin, &work).await;
    assert_eq!(
        ana["identities"],
        json!([
            { "kind": "EMAIL", "value": "ana@home.example" },
            { "kind": "EMAIL", "value": "ana@work.example" }
        ])
    );
    assert_eq!(ana["tickets"]["totalCount"], 2);
    // The moved ticket's history says so.
    let history = app
        .ok(
            &admin,
            "query($id: ID!) { ticket(id: $id) { customer { id } events { kind details } } }",
            json!({ "id": from_home }),
        )
        .await["ticket"]
        .clone();
    assert_eq!(history["customer"]["id"], work.as_str());
    let event = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "CUSTOMER_MERGED")
        .unwrap_or_else(|| panic!("{history}"));
    assert_eq!(event["details"]["from"], home.as_str());
    assert_eq!(event["details"]["to"], work.as_str());

    // One Ana in the directory, found by either address; the old id still
    // names her, merged.
    for search in ["ana", "home.example", "work.example"] {
        let found = app.ok(&admin, DIRECTORY, json!({ "f": { "search": search } })).await;
        assert_eq!(found["customers"]["nodes"][0]["id"], work.as_str(), "{search}: {found}");
        assert_eq!(
            found["customers"]["nodes"].as_array().unwrap().len(),
            1,
            "{search}: {found}"
        );
    }
    assert_eq!(profile(&app, &admin, &home).await["mergedInto"]["id"], work.as_str());
    // Mail from either address is hers now.
    let later = mail(&app, "ana@home.example", "Lamp again", "lamp2@home.example").await;
    assert_eq!(customer_of(&app, &admin, &later).await, work);
    // A customer is merged once.
    let again = app.gql(Some(&admin), merge, input).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert_eq!(error_message(&again), "customer was merged into another customer");
    app.stop().await;
}

each_store!(
    an_agent_finds_a_customer_and_reads_their_history,
    a_team_agent_sees_the_customers_of_her_teams_only,
    one_person_with_two_addresses_becomes_one_customer,
);
