//! Routing: a team that opts in gets its tickets handed out by the desk,
//! in turn, to its available agents with room for them; tickets nobody has
//! room for wait, oldest first, until someone does.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::{TestApp, TestDb, each_store};
use serde_json::{Value, json};

const ASSIGNEE: &str = "query($id: ID!) { ticket(id: $id) { assignee { email } events { kind actorKind } } }";

async fn submit_billing_form(app: &TestApp, n: usize) -> String {
    let response = app
        .http()
        .post(format!("{}/inbound/webform/billing", app.base_url))
        .json(&json!({ "email": format!("c{n}@example.com"), "name": "Customer", "subject": format!("Invoice {n}"), "message": "Where is my invoice?" }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.unwrap();
    body["ticketId"].as_str().unwrap().to_owned()
}

async fn assignee(app: &TestApp, token: &str, id: &str) -> Option<String> {
    let t = app.ok(token, ASSIGNEE, json!({ "id": id })).await;
    t["ticket"]["assignee"]["email"].as_str().map(ToOwned::to_owned)
}

async fn billing_tickets_go_round_robin_to_agents_with_room(db: TestDb) {
    // Every customer posts from loopback here: let one address post them all.
    let app = TestApp::spawn_configured(&db, |c| c.mail.webform_posts_per_minute = 100).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let mut agents = Vec::new();
    for name in ["ann", "ben", "cat"] {
        let (id, token) = app.agent(&admin, &format!("{name}@desk.example"), "AGENT").await;
        app.add_team_member(&admin, &billing, &id).await;
        agents.push((id, token));
    }
    let (ann, ben, cat) = (&agents[0], &agents[1], &agents[2]);

    let routed = app
        .ok(
            &admin,
            "mutation($t: ID!) { setTeamRouting(teamId: $t, mode: ROUND_ROBIN) { routing } }",
            json!({ "t": billing }),
        )
        .await;
    assert_eq!(routed["setTeamRouting"]["routing"], "ROUND_ROBIN");
    let away = app
        .ok(
            &cat.1,
            "mutation { setAvailability(availability: AWAY) { availability } }",
            json!({}),
        )
        .await;
    assert_eq!(away["setAvailability"]["availability"], "AWAY");
    let capacity = "mutation($a: ID!, $n: Int) { setAgentCapacity(agentId: $a, channel: WEB_FORM, maxOpen: $n) { capacities { channel maxOpen } } }";
    let set = app.ok(&admin, capacity, json!({ "a": ben.0, "n": 1 })).await;
    assert_eq!(
        set["setAgentCapacity"]["capacities"],
        json!([{ "channel": "WEB_FORM", "maxOpen": 1 }])
    );

    // A rule puts billing forms on the team; routing hands them out.
    app.ok(
        &admin,
        "mutation($i: RuleInput!) { createRule(input: $i) { id } }",
        json!({ "i": { "name": "Billing forms to Billing", "events": ["TICKET_CREATED"],
                       "conditions": { "all": [{ "hasTag": "billing" }] }, "actions": { "teamId": billing } } }),
    )
    .await;
    app.ok(
        &admin,
        "mutation { createWebForm(input: {key: \"billing\", name: \"Billing\", tags: [\"billing\"]}) { key } }",
        json!({}),
    )
    .await;

    // Ann, Ben, then Ann again: Cat is away, Ben has room for one.
    let mut tickets = Vec::new();
    for n in 1..=4 {
        tickets.push(submit_billing_form(&app, n).await);
    }
    let mut given = Vec::new();
    for id in &tickets {
        given.push(assignee(&app, &admin, id).await.unwrap_or_default());
    }
    assert_eq!(
        given,
        [
            "ann@desk.example",
            "ben@desk.example",
            "ann@desk.example",
            "ann@desk.example"
        ]
    );
    let first = app.ok(&admin, ASSIGNEE, json!({ "id": tickets[0] })).await;
    let actors: Vec<(&str, &str)> = first["ticket"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["actorKind"].as_str().unwrap()))
        .collect();
    assert!(actors.contains(&("TEAM_CHANGED", "RULE")), "{actors:?}");
    assert!(actors.contains(&("ASSIGNEE_CHANGED", "SYSTEM")), "{actors:?}");

    // Ann is full at three: the fifth waits for room.
    app.ok(&admin, capacity, json!({ "a": ann.0, "n": 3 })).await;
    let fifth = submit_billing_form(&app, 5).await;
    assert_eq!(assignee(&app, &admin, &fifth).await, None);

    // Ben solves his ticket: room frees, and the waiting one is his.
    let solve = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, status: SOLVED}) { status } }";
    app.ok(&ben.1, solve, json!({ "id": tickets[1] })).await;
    app.clock.advance(TimeDelta::seconds(10)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let token = app.login_admin().await;
        match assignee(&app, &token, &fifth).await.as_deref() {
            Some("ben@desk.example") => break,
            Some(other) => panic!("given to {other}"),
            None => assert!(Instant::now() < deadline, "the waiting ticket was never given out"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Cat is back: her turn comes after Ben's.
    let admin = app.login_admin().await;
    let cat_token = app.login("cat@desk.example", "agent-password").await;
    app.ok(
        &cat_token,
        "mutation { setAvailability(availability: AVAILABLE) { availability } }",
        json!({}),
    )
    .await;
    let sixth = submit_billing_form(&app, 6).await;
    assert_eq!(
        assignee(&app, &admin, &sixth).await.as_deref(),
        Some("cat@desk.example")
    );
    let _ = cat;
}

async fn least_open_evens_out_the_load(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let support = app.team(&admin, "Support").await;
    let mut agents = Vec::new();
    for name in ["dee", "eve"] {
        let (id, _) = app.agent(&admin, &format!("{name}@desk.example"), "AGENT").await;
        app.add_team_member(&admin, &support, &id).await;
        agents.push(id);
    }
    // Dee already works two tickets of the channel; Eve none.
    let open = |assignee: Option<&str>, n: usize| {
        let (app, admin, support) = (&app, &admin, &support);
        let assignee = assignee.map(ToOwned::to_owned);
        async move {
            let mut input = json!({ "subject": format!("Question {n}"), "body": "Help", "customerEmail": format!("q{n}@example.com"), "teamId": support });
            if let Some(a) = assignee {
                input["assigneeId"] = json!(a);
            }
            app.create_ticket(admin, input).await["id"].as_str().unwrap().to_owned()
        }
    };
    open(Some(&agents[0]), 1).await;
    open(Some(&agents[0]), 2).await;
    app.ok(
        &admin,
        "mutation($t: ID!) { setTeamRouting(teamId: $t, mode: LEAST_OPEN) { routing } }",
        json!({ "t": support }),
    )
    .await;

    // Eve gets new tickets until she has as many as Dee; then they alternate.
    let mut given = Vec::new();
    for n in 3..=6 {
        let id = open(None, n).await;
        given.push(assignee(&app, &admin, &id).await.unwrap_or_default());
    }
    assert_eq!(
        given,
        [
            "eve@desk.example",
            "eve@desk.example",
            "dee@desk.example",
            "eve@desk.example"
        ]
    );
}

each_store!(
    billing_tickets_go_round_robin_to_agents_with_room,
    least_open_evens_out_the_load,
);
