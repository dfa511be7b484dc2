//! Two `helpdesk serve` processes on one PostgreSQL database, as behind a
//! load balancer: they start at once on a database nobody migrated (one
//! migrates, the other waits); an agent following tickets on one server
//! sees a change made through the other; a chat visitor watching on one
//! server gets the reply an agent writes on the other, and is mailed only
//! once gone; and with every background job running on both servers, each
//! SLA warning, reply mail and survey invitation goes out exactly once, and
//! routing gives each ticket once and nobody more than their capacity.
//!
//! PostgreSQL only (`HELPDESK_TEST_POSTGRES_URL`): one SQLite file has one
//! server.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::TestDb;
use common::census::count;
use common::process::{ADMIN_EMAIL, ADMIN_PASSWORD, ServeProcess};
use common::smtp::{SmtpSink, header};
use common::ws::GraphqlWs;
use helpdesk_persistence::testing::POSTGRES_ENV;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

/// Tickets in the once-only story; each raises one SLA warning, gets one
/// mailed reply and one survey invitation.
const TICKETS: usize = 8;
/// A liveness bound for what the servers do on their own, not a timing.
const PATIENCE: Duration = Duration::from_secs(30);

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token agent { id } } }";
const CREATE: &str = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }";
const REPLY: &str = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { message { id } } }";
const FOLLOW: &str = "subscription { ticketEvents { kind ticketId } }";
const LIVE_CHAT: &str = "subscription($token: String!) { chatMessages(token: $token) { body fromVisitor } }";

async fn ok(server: &ServeProcess, token: Option<&str>, query: &str, variables: Value) -> Value {
    let body = server.gql(token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"].clone()
}

/// The strings of `sql`'s first column.
async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Waits until `sql` counts `want`; the last count otherwise.
async fn until_count(db: &DatabaseConnection, sql: &str, want: i64) -> i64 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let n = count(db, sql).await;
        if n == want || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_database_work_as_one_desk() {
    let Some(db) = TestDb::postgres_unmigrated().await else {
        eprintln!("{POSTGRES_ENV} unset: the two-server test needs PostgreSQL; skipped");
        return;
    };
    let smtp = SmtpSink::start();
    let smtp_url = smtp.url();
    let env = [("HELPDESK_SMTP_URL", smtp_url.as_str())];
    // Started together: both find the database unmigrated and race for it.
    let (a, b) = tokio::join!(ServeProcess::start(&db.url, &env), ServeProcess::start(&db.url, &env));
    let tables = Database::connect(db.url.as_str()).await.unwrap();
    assert_eq!(
        count(&tables, "SELECT COUNT(*) FROM seaql_migrations").await,
        count(&tables, "SELECT COUNT(DISTINCT version) FROM seaql_migrations").await,
        "each migration applied once"
    );

    // The admin logs in on A; the token works on B (one secret, in the store).
    let login = ok(&a, None, LOGIN, json!({ "e": ADMIN_EMAIL, "p": ADMIN_PASSWORD })).await;
    let admin = login["login"]["token"].as_str().unwrap().to_owned();
    let admin_id = login["login"]["agent"]["id"].as_str().unwrap().to_owned();

    a_change_on_one_server_reaches_a_follower_on_the_other(&a, &b, &admin).await;
    a_chat_visitor_on_one_server_is_present_on_the_other(&a, &b, &admin, &tables, &smtp).await;
    every_job_runs_on_both_servers_and_does_each_item_once(&a, &b, &admin, &admin_id, &tables, &smtp).await;
    routing_on_both_servers_gives_each_ticket_once_within_capacity(&a, &b, &admin, &tables).await;
}

/// Tickets created at once on both servers for a routing team of two
/// agents with room for three each.
const ROUTED: usize = 12;

async fn routing_on_both_servers_gives_each_ticket_once_within_capacity(
    a: &ServeProcess,
    b: &ServeProcess,
    admin: &str,
    tables: &DatabaseConnection,
) {
    let team = ok(
        a,
        Some(admin),
        "mutation { createTeam(input: {name: \"Routed\"}) { id } }",
        json!({}),
    )
    .await["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for name in ["r1", "r2"] {
        let input = json!({ "email": format!("{name}@desk.example"), "name": name, "password": "agent-password", "role": "AGENT" });
        let agent = ok(
            a,
            Some(admin),
            "mutation($i: CreateAgentInput!) { createAgent(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await["createAgent"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        ok(
            b,
            Some(admin),
            "mutation($t: ID!, $a: ID!) { addTeamMember(teamId: $t, agentId: $a) { id } }",
            json!({ "t": team, "a": agent }),
        )
        .await;
        ok(
            a,
            Some(admin),
            "mutation($a: ID!) { setAgentCapacity(agentId: $a, channel: API, maxOpen: 3) { id } }",
            json!({ "a": agent }),
        )
        .await;
    }
    ok(
        b,
        Some(admin),
        "mutation($t: ID!) { setTeamRouting(teamId: $t, mode: ROUND_ROBIN) { id } }",
        json!({ "t": team }),
    )
    .await;

    // Half the tickets through each server, all at once.
    let create = |server: &'static str, n: usize| {
        let (server, team) = (if server == "a" { a } else { b }, team.clone());
        async move {
            let input = json!({ "subject": format!("Routed {n}"), "body": "Help", "customerEmail": format!("r{n}@example.com"), "teamId": team });
            ok(server, Some(admin), CREATE, json!({ "i": input })).await
        }
    };
    futures_util::future::join_all((0..ROUTED).map(|n| create(if n % 2 == 0 { "a" } else { "b" }, n))).await;

    let of_team = format!("team_id = '{team}'");
    let given_twice = format!(
        "SELECT COUNT(*) FROM (SELECT e.ticket_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
         WHERE t.{of_team} AND e.kind = 'ASSIGNEE_CHANGED' GROUP BY e.ticket_id HAVING COUNT(*) > 1) twice"
    );
    let most_open = format!(
        "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM tickets WHERE {of_team} \
         AND assignee_id IS NOT NULL AND status IN ('NEW', 'OPEN', 'PENDING', 'ON_HOLD') GROUP BY assignee_id) per_agent"
    );
    let assigned = format!("SELECT COUNT(*) FROM tickets WHERE {of_team} AND assignee_id IS NOT NULL");
    assert_eq!(count(tables, &assigned).await, 6, "two agents, room for three each");
    assert_eq!(count(tables, &given_twice).await, 0, "no ticket given twice");
    assert_eq!(count(tables, &most_open).await, 3, "nobody past their capacity");

    // Two of r1's tickets are solved, through B: the routers on both
    // servers hand out two waiting tickets, each once.
    let r1_open: Vec<String> = strings(
        tables,
        &format!(
            "SELECT t.id::text FROM tickets t JOIN agents a ON a.id = t.assignee_id \
             WHERE t.{of_team} AND a.email = 'r1@desk.example' ORDER BY t.number LIMIT 2"
        ),
    )
    .await;
    for id in &r1_open {
        ok(
            b,
            Some(admin),
            "mutation($id: ID!) { updateTicket(input: {ticketId: $id, status: SOLVED}) { id } }",
            json!({ "id": id }),
        )
        .await;
    }
    assert_eq!(until_count(tables, &assigned, 8).await, 8, "the freed room was used");
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(count(tables, &assigned).await, 8, "and only once");
    assert_eq!(count(tables, &given_twice).await, 0, "no ticket given twice");
    assert_eq!(count(tables, &most_open).await, 3, "nobody past their capacity");
}

async fn a_change_on_one_server_reaches_a_follower_on_the_other(a: &ServeProcess, b: &ServeProcess, admin: &str) {
    let mut follower = GraphqlWs::connect(&b.base_url, json!({ "authorization": format!("Bearer {admin}") })).await;
    follower.subscribe("all", FOLLOW, json!({})).await;

    let started = Instant::now();
    let created = ok(
        a,
        Some(admin),
        CREATE,
        json!({ "i": { "subject": "Printer on fire", "body": "Really.", "customerEmail": "ana@example.com" } }),
    )
    .await;
    let id = created["createTicket"]["id"].clone();
    let heard = follower.next_payload().await;
    let latency = started.elapsed();
    assert_eq!(heard["data"]["ticketEvents"]["ticketId"], id, "{heard}");
    assert_eq!(heard["data"]["ticketEvents"]["kind"], "CREATED", "{heard}");
    // A figure, not a bound: the issue asks for well under a second.
    eprintln!("a ticket created on A reached a follower on B in {latency:?} (mutation included)");
}

async fn a_chat_visitor_on_one_server_is_present_on_the_other(
    a: &ServeProcess,
    b: &ServeProcess,
    admin: &str,
    tables: &DatabaseConnection,
    smtp: &SmtpSink,
) {
    let visitor_address = "visitor@example.com";
    let chat = ok(
        a,
        None,
        "mutation($i: StartChatInput!) { startChat(input: $i) { token ticket { id } } }",
        json!({ "i": { "name": "Vi", "email": visitor_address, "message": "Is my order on its way?" } }),
    )
    .await;
    let token = chat["startChat"]["token"].as_str().unwrap().to_owned();
    let ticket = chat["startChat"]["ticket"]["id"].as_str().unwrap().to_owned();

    // The visitor's websocket lands on B; the agent answers on A.
    let mut visitor = GraphqlWs::connect(&b.base_url, json!({})).await;
    visitor.subscribe("chat", LIVE_CHAT, json!({ "token": token })).await;
    let reply = |body: &str| json!({ "i": { "ticketId": ticket, "body": body } });
    ok(a, Some(admin), REPLY, reply("It left the warehouse today.")).await;
    let live = visitor.next_payload().await;
    assert_eq!(
        live["data"]["chatMessages"]["body"], "It left the warehouse today.",
        "{live}"
    );
    // A reply's mail is queued with the reply or never: A knew the visitor
    // was watching on B.
    assert_eq!(
        count(
            tables,
            "SELECT COUNT(*) FROM outbox WHERE body LIKE '%left the warehouse%'"
        )
        .await,
        0,
        "a present visitor is not mailed"
    );

    // The visitor closes the tab; once B has said so, A mails the next reply.
    drop(visitor);
    let watching = format!("SELECT COUNT(*) FROM chat_presence WHERE ticket_id = '{ticket}'");
    assert_eq!(
        until_count(tables, &watching, 0).await,
        0,
        "B records that the visitor left"
    );
    ok(a, Some(admin), REPLY, reply("It arrives tomorrow.")).await;
    let deadline = Instant::now() + PATIENCE;
    while !smtp
        .received()
        .iter()
        .any(|m| header(m, "To").as_deref() == Some(visitor_address) && m.contains("It arrives tomorrow."))
    {
        assert!(
            Instant::now() < deadline,
            "the reply to a visitor who left was not mailed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn every_job_runs_on_both_servers_and_does_each_item_once(
    a: &ServeProcess,
    b: &ServeProcess,
    admin: &str,
    admin_id: &str,
    tables: &DatabaseConnection,
    smtp: &SmtpSink,
) {
    // A promise so short that its warning (at 99% of the minute left) is
    // due within a second of each ticket's creation; invitations at once.
    ok(
        a,
        Some(admin),
        "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }",
        json!({ "i": { "name": "Hot line", "warningPercent": 99,
                       "targets": [{ "target": "FIRST_RESPONSE", "minutes": 1 }] } }),
    )
    .await;
    ok(
        b,
        Some(admin),
        "mutation($i: SurveySettingsInput!) { updateSurveySettings(input: $i) { csatEnabled } }",
        json!({ "i": { "csatEnabled": true, "csatDelayMinutes": 0 } }),
    )
    .await;
    // Work arrives through both servers in turn.
    let servers = [a, b];
    let mut tickets = Vec::new();
    for n in 0..TICKETS {
        let input = json!({ "i": { "subject": format!("Order {n}"), "body": "Where is it?", "channel": "EMAIL",
                                   "customerEmail": format!("customer{n}@example.com"), "assigneeId": admin_id } });
        let created = ok(servers[n % 2], Some(admin), CREATE, input).await;
        tickets.push(created["createTicket"]["id"].as_str().unwrap().to_owned());
    }
    let warnings = "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
                    WHERE e.kind = 'SLA_WARNING' AND t.subject LIKE 'Order %'"
        .to_owned();
    assert_eq!(until_count(tables, &warnings, TICKETS as i64).await, TICKETS as i64);
    for (n, ticket) in tickets.iter().enumerate() {
        let solve = json!({ "i": { "ticketId": ticket, "body": format!("Shipped, order {n}."), "status": "SOLVED" } });
        ok(servers[(n + 1) % 2], Some(admin), REPLY, solve).await;
    }

    // The policy also covers the earlier stories' tickets: count these only.
    let ours = "FROM outbox o JOIN tickets t ON t.id = o.ticket_id WHERE t.subject LIKE 'Order %'";
    let expected = 3 * TICKETS as i64;
    let sent = format!("SELECT COUNT(*) {ours} AND o.status = 'SENT'");
    assert_eq!(
        until_count(tables, &sent, expected).await,
        expected,
        "a warning to the assignee, the reply and an invitation per ticket, all sent"
    );
    let invitations = "SELECT COUNT(*) FROM survey_invitations WHERE state = 'SENT'";
    assert_eq!(until_count(tables, invitations, TICKETS as i64).await, TICKETS as i64);

    // Exactly once: one warning per ticket, one attempt per mail, and the
    // mail server got each mail once.
    assert_eq!(
        count(tables, &warnings).await,
        TICKETS as i64,
        "one SLA warning per ticket"
    );
    assert_eq!(count(tables, &sent).await, expected, "no mail queued twice");
    let tried_again = format!("SELECT COUNT(*) {ours} AND o.attempts <> 1");
    assert_eq!(count(tables, &tried_again).await, 0, "no mail was tried twice");
    let received = smtp.received();
    let mut deliveries: BTreeMap<String, usize> = BTreeMap::new();
    for mail in &received {
        let id = header(mail, "Message-ID").unwrap_or_default();
        *deliveries.entry(id.trim_matches(['<', '>']).to_owned()).or_default() += 1;
    }
    let ids = format!("SELECT o.rfc_message_id {ours}");
    for id in strings(tables, &ids).await {
        let id = id.trim_matches(['<', '>']);
        assert_eq!(deliveries.get(id), Some(&1), "{id} delivered once");
    }
    for n in 0..TICKETS {
        let to = format!("customer{n}@example.com");
        let theirs = received
            .iter()
            .filter(|m| header(m, "To").as_deref() == Some(to.as_str()))
            .count();
        assert_eq!(theirs, 2, "{to}: the reply and one survey invitation");
    }
}
