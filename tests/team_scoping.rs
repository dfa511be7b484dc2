//! Who sees which tickets: an agent scoped to TEAMS works only on their
//! teams' tickets, through every path (reads, listings, counts, nested
//! fields, changes, live events, KPIs and the CSV export); a ticket outside
//! their reach does not exist for them.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

/// Two teams, a ticket for each and one with no team; Ann is scoped to
/// Billing, Bob works the whole desk.
struct Desk {
    app: TestApp,
    admin: String,
    billing: String,
    ann: String,
    bob: String,
    billing_ticket: String,
    shipping_ticket: String,
    teamless_ticket: String,
}

async fn desk(db: &TestDb) -> Desk {
    // The SLA policy's webhook below posts to loopback, which only an
    // allow-listed desk accepts.
    let app = TestApp::spawn_allowing_webhooks(db, None, "127.0.0.1").await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let shipping = app.team(&admin, "Shipping").await;
    let (ann_id, ann) = app.agent_with_scope(&admin, "ann@desk.example", "AGENT", "TEAMS").await;
    app.add_team_member(&admin, &billing, &ann_id).await;
    let (_, bob) = app.agent(&admin, "bob@desk.example", "AGENT").await;
    let open = |subject: &str, team: Option<&str>| json!({ "subject": subject, "body": "Hello", "customerEmail": "cara@example.com", "teamId": team });
    let billing_ticket = app.create_ticket(&admin, open("Invoice twice", Some(&billing))).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shipping_ticket = app.create_ticket(&admin, open("Parcel lost", Some(&shipping))).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let teamless_ticket = app.create_ticket(&admin, open("Hello?", None)).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Desk {
        app,
        admin,
        billing,
        ann,
        bob,
        billing_ticket,
        shipping_ticket,
        teamless_ticket,
    }
}

async fn subjects(app: &TestApp, token: &str) -> (Vec<String>, u64) {
    let data = app
        .ok(
            token,
            "{ tickets(first: 50) { totalCount edges { node { subject } } } }",
            json!({}),
        )
        .await;
    let mut subjects: Vec<String> = data["tickets"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    (subjects, data["tickets"]["totalCount"].as_u64().unwrap())
}

async fn a_team_scoped_agent_reads_only_their_teams_tickets(db: TestDb) {
    let d = desk(&db).await;
    assert_eq!(subjects(&d.app, &d.ann).await, (vec!["Invoice twice".to_owned()], 1));
    assert_eq!(subjects(&d.app, &d.bob).await.1, 3, "scope ALL sees the whole desk");

    let read = "query($id: ID!) { ticket(id: $id) { subject } }";
    let own = d.app.ok(&d.ann, read, json!({ "id": d.billing_ticket })).await;
    assert_eq!(own["ticket"]["subject"], "Invoice twice");
    for other in [&d.shipping_ticket, &d.teamless_ticket] {
        let theirs = d.app.ok(&d.ann, read, json!({ "id": other })).await;
        assert_eq!(theirs["ticket"], Value::Null, "another team's ticket reads as absent");
    }

    // The admin lets scoped agents see tickets with no team.
    d.app
        .ok(
            &d.admin,
            "mutation { setDeskAccess(input: {teamlessTicketsVisible: true}) { teamlessTicketsVisible } }",
            json!({}),
        )
        .await;
    assert_eq!(
        subjects(&d.app, &d.ann).await,
        (vec!["Hello?".to_owned(), "Invoice twice".to_owned()], 2)
    );
    d.app.stop().await;
}

async fn changes_outside_the_scope_answer_not_found(db: TestDb) {
    let d = desk(&db).await;
    let reply = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"On it\"}) { message { body } } }";
    let update = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, priority: HIGH}) { priority } }";
    let merge = "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) { target { id } } }";
    for (query, vars) in [
        (reply, json!({ "id": d.shipping_ticket })),
        (update, json!({ "id": d.shipping_ticket })),
        (merge, json!({ "s": d.billing_ticket, "t": d.shipping_ticket })),
        (merge, json!({ "s": d.shipping_ticket, "t": d.billing_ticket })),
    ] {
        let body = d.app.gql(Some(&d.ann), query, vars.clone()).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{query} {vars}: {body}");
    }
    // Nothing changed on the other team's ticket.
    let shipping = d
        .app
        .ok(
            &d.admin,
            "query($id: ID!) { ticket(id: $id) { priority status messages { body } } }",
            json!({ "id": d.shipping_ticket }),
        )
        .await;
    assert_eq!(shipping["ticket"]["priority"], "NORMAL");
    assert_eq!(shipping["ticket"]["messages"].as_array().unwrap().len(), 1);

    // Within the scope, work goes on; a ticket opened must stay in reach.
    let own = d.app.ok(&d.ann, update, json!({ "id": d.billing_ticket })).await;
    assert_eq!(own["updateTicket"]["priority"], "HIGH");
    let elsewhere = d
        .app
        .gql(
            Some(&d.ann),
            "mutation { createTicket(input: {subject: \"s\", body: \"b\", customerEmail: \"x@example.com\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&elsewhere), "BAD_USER_INPUT", "{elsewhere}");
    let in_team = d
        .app
        .gql(
            Some(&d.ann),
            "mutation($t: ID!) { createTicket(input: {subject: \"s\", body: \"b\", customerEmail: \"x@example.com\", teamId: $t}) { id } }",
            json!({ "t": d.billing }),
        )
        .await;
    assert!(in_team.get("errors").is_none(), "{in_team}");
    d.app.stop().await;
}

async fn merging_two_customers_tickets_needs_a_confirmation(db: TestDb) {
    let d = desk(&db).await;
    let other_customer = d
        .app
        .create_ticket(
            &d.admin,
            json!({ "subject": "Mine too", "body": "Hi", "customerEmail": "dan@example.com", "teamId": d.billing }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let merge = "mutation($s: ID!, $t: ID!, $x: Boolean) { mergeTickets(input: {sourceId: $s, targetId: $t, allowDifferentCustomers: $x}) { source { status mergedInto { id } } target { id events { kind } } } }";
    let refused = d
        .app
        .gql(
            Some(&d.ann),
            merge,
            json!({ "s": other_customer, "t": d.billing_ticket }),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert!(refused.to_string().contains("allowDifferentCustomers"), "{refused}");

    let merged = d
        .app
        .ok(
            &d.ann,
            merge,
            json!({ "s": other_customer, "t": d.billing_ticket, "x": true }),
        )
        .await;
    assert_eq!(merged["mergeTickets"]["source"]["status"], "CLOSED");
    assert_eq!(
        merged["mergeTickets"]["source"]["mergedInto"]["id"],
        d.billing_ticket.as_str()
    );
    let kinds = merged["mergeTickets"]["target"]["events"].to_string();
    assert!(kinds.contains("MERGED_FROM"), "recorded on the target too: {kinds}");
    d.app.stop().await;
}

async fn a_scoped_agents_kpis_and_export_cover_their_teams_only(db: TestDb) {
    let d = desk(&db).await;
    let to = (d.app.clock.now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    let from = (d.app.clock.now() - chrono::TimeDelta::days(1)).to_rfc3339();
    let kpis = "query($f: DateTime!, $t: DateTime!) { kpis(from: $f, to: $t) { total { ticketsCreated } } }";
    let created = |data: Value| data["kpis"]["total"]["ticketsCreated"].as_u64().unwrap();
    let vars = json!({ "f": from, "t": to });
    assert_eq!(created(d.app.ok(&d.ann, kpis, vars.clone()).await), 1);
    assert_eq!(created(d.app.ok(&d.bob, kpis, vars.clone()).await), 3);

    let csv = |token: &str| {
        let url = format!("{}/exports/kpis.csv", d.app.base_url);
        let request = d
            .app
            .http()
            .get(url)
            .query(&[("from", from.as_str()), ("to", to.as_str())])
            .bearer_auth(token.to_owned());
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let column = |text: &str| {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == "tickets_created").unwrap();
        lines.next().unwrap().split(',').nth(at).unwrap().to_owned()
    };
    assert_eq!(column(&csv(&d.ann).await), "1");
    assert_eq!(column(&csv(&d.bob).await), "3");
    d.app.stop().await;
}

async fn live_events_reach_only_those_who_may_see_the_ticket(db: TestDb) {
    let d = desk(&db).await;
    let mut ws = GraphqlWs::connect(&d.app.base_url, json!({ "authorization": format!("Bearer {}", d.ann) })).await;
    ws.subscribe("all", "subscription { ticketEvents { ticketId kind } }", json!({}))
        .await;
    let touch = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, tags: [\"seen\"]}) { id } }";
    d.app.ok(&d.admin, touch, json!({ "id": d.shipping_ticket })).await;
    d.app.ok(&d.admin, touch, json!({ "id": d.billing_ticket })).await;
    let first = ws.next_payload().await;
    assert_eq!(
        first["data"]["ticketEvents"]["ticketId"],
        d.billing_ticket.as_str(),
        "the other team's change was not sent first: {first}"
    );
    assert!(ws.receive(Duration::from_millis(500)).await.is_none());

    // Following one ticket outside the scope is refused as not found.
    ws.subscribe(
        "one",
        "subscription($id: ID!) { ticketEvents(ticketId: $id) { kind } }",
        json!({ "id": d.shipping_ticket }),
    )
    .await;
    let refused = ws.receive(Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["id"], "one", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );
    ws.close().await;
    d.app.stop().await;
}

async fn sla_webhook_urls_are_for_admins_only(db: TestDb) {
    let d = desk(&db).await;
    d.app
        .ok(
            &d.admin,
            "mutation { createSlaPolicy(input: {name: \"Gold\", position: 1, targets: [{target: RESOLUTION, minutes: 600}], webhookUrl: \"http://127.0.0.1:9/hook?key=s3cret\", webhookSecret: \"0123456789abcdef\"}) { id } }",
            json!({}),
        )
        .await;
    let ticket = d
        .app
        .create_ticket(
            &d.admin,
            json!({ "subject": "Gold", "body": "b", "customerEmail": "g@example.com", "teamId": d.billing }),
        )
        .await;
    let read =
        "query($id: ID!) { slaPolicies { webhookUrl } ticket(id: $id) { slaTargets { policy { webhookUrl } } } }";
    let as_admin = d.app.ok(&d.admin, read, json!({ "id": ticket["id"] })).await;
    assert_eq!(
        as_admin["ticket"]["slaTargets"][0]["policy"]["webhookUrl"],
        "http://127.0.0.1:9/hook?key=s3cret"
    );
    let nested = "query($id: ID!) { ticket(id: $id) { slaTargets { policy { name webhookUrl } } } }";
    let as_agent = d.app.ok(&d.ann, nested, json!({ "id": ticket["id"] })).await;
    assert_eq!(as_agent["ticket"]["slaTargets"][0]["policy"]["name"], "Gold");
    assert_eq!(as_agent["ticket"]["slaTargets"][0]["policy"]["webhookUrl"], Value::Null);
    d.app.stop().await;
}

each_store!(
    a_team_scoped_agent_reads_only_their_teams_tickets,
    changes_outside_the_scope_answer_not_found,
    merging_two_customers_tickets_needs_a_confirmation,
    a_scoped_agents_kpis_and_export_cover_their_teams_only,
    live_events_reach_only_those_who_may_see_the_ticket,
    sla_webhook_urls_are_for_admins_only,
);
