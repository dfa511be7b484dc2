//! Every root field of the schema and every HTTP route, called by every
//! kind of caller, answers as the access rules say: a table with one row
//! per root field. A root field without a row fails the test, so a new
//! operation cannot ship without deciding who may call it.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::chat::{mailed_code, start_chat};
use common::smtp::SmtpSink;
use common::survey::mailed_survey_token;
use common::ws::GraphqlWs;
use common::{INBOUND_TOKEN, TestApp, TestDb, each_store};
use serde_json::{Value, json};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Nobody,
    ExpiredToken,
    DeactivatedAgent,
    /// Scope TEAMS, in team A (the team of the tickets rows act on).
    ScopedToA,
    /// Scope TEAMS, in team B only.
    ScopedToB,
    /// Scope ALL.
    Unscoped,
    Admin,
    /// A chat visitor: no bearer token, a chat token.
    ChatVisitor,
}

const CALLERS: [Caller; 8] = [
    Caller::Nobody,
    Caller::ExpiredToken,
    Caller::DeactivatedAgent,
    Caller::ScopedToA,
    Caller::ScopedToB,
    Caller::Unscoped,
    Caller::Admin,
    Caller::ChatVisitor,
];

/// Who a root field is for.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Anyone, no credentials (login, opening a chat).
    Anyone,
    /// The holder of a chat token (a bearer token does not replace it).
    ChatToken,
    /// Any active agent.
    Agent,
    /// An active admin.
    Admin,
    /// An agent whose scope covers team A's ticket.
    TicketOfTeamA,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Code(String),
}

fn expected(need: Need, caller: Caller) -> Outcome {
    use Caller::*;
    let code = |c: &str| Outcome::Code(c.to_owned());
    let unauthenticated = matches!(caller, Nobody | ExpiredToken | DeactivatedAgent | ChatVisitor);
    match need {
        Need::Anyone => Outcome::Ok,
        Need::ChatToken if caller == ChatVisitor => Outcome::Ok,
        Need::ChatToken => code("UNAUTHENTICATED"),
        _ if unauthenticated => code("UNAUTHENTICATED"),
        Need::Agent => Outcome::Ok,
        Need::Admin if caller == Admin => Outcome::Ok,
        Need::Admin => code("FORBIDDEN"),
        Need::TicketOfTeamA if caller == ScopedToB => code("NOT_FOUND"),
        Need::TicketOfTeamA => Outcome::Ok,
    }
}

struct Desk {
    app: TestApp,
    /// Where the desk's mail goes (chat verification codes).
    smtp: SmtpSink,
    admin: String,
    team_a: String,
    team_b: String,
    tokens: Vec<(Caller, String)>,
    /// A ticket of team A, and the chat a visitor runs.
    ticket_a: String,
    chat_token: String,
    chat_ticket: String,
    /// The token of a CSAT invitation sent about a solved ticket.
    survey_token: String,
    serial: AtomicU32,
}

impl Desk {
    fn bearer(&self, caller: Caller) -> Option<&str> {
        self.tokens.iter().find(|(c, _)| *c == caller).map(|(_, t)| t.as_str())
    }

    fn unique(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.serial.fetch_add(1, Ordering::Relaxed))
    }

    /// A fresh agent nobody else uses (for rows that change agents).
    async fn throwaway_agent(&self) -> String {
        let email = format!("{}@desk.example", self.unique("t"));
        let input = json!({ "email": email, "name": "T", "password": "agent-password" });
        let data = self
            .app
            .ok(
                &self.admin,
                "mutation($i: CreateAgentInput!) { createAgent(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await;
        data["createAgent"]["id"].as_str().unwrap().to_owned()
    }

    async fn ticket_of_team_a(&self, customer: &str) -> String {
        let input = json!({ "subject": "Row", "body": "b", "customerEmail": customer, "teamId": self.team_a });
        self.app.create_ticket(&self.admin, input).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The customer of a fresh ticket of team A (nobody merges them away
    /// from the other rows).
    async fn customer_of_team_a(&self) -> String {
        let email = format!("{}@example.com", self.unique("c"));
        let ticket = self.ticket_of_team_a(&email).await;
        let found = self
            .app
            .ok(
                &self.admin,
                "query($id: ID!) { ticket(id: $id) { customer { id } } }",
                json!({ "id": ticket }),
            )
            .await;
        found["ticket"]["customer"]["id"].as_str().unwrap().to_owned()
    }

    /// A fresh automatic mail the desk held for review.
    async fn held_mail(&self) -> String {
        let id = format!("{}@mailer.example.com", self.unique("held-"));
        let raw = format!(
            "From: Robot <robot@example.com>\r\nSubject: Out of office\r\nMessage-ID: <{id}>\r\n\
             Auto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\nAway.\r\n"
        );
        let (status, body) = self.app.post_email(raw.as_bytes()).await;
        assert_eq!(status, 202, "{body}");
        let held = self
            .app
            .ok(
                &self.admin,
                "{ heldMail(first: 1) { nodes { id emailMessageId } } }",
                json!({}),
            )
            .await;
        let node = &held["heldMail"]["nodes"][0];
        assert_eq!(node["emailMessageId"].as_str().unwrap().trim_matches(['<', '>']), id);
        node["id"].as_str().unwrap().to_owned()
    }

    /// A fresh, inactive event webhook subscription to a loopback port.
    async fn webhook_subscription(&self) -> String {
        let input = json!({ "i": {
            "name": self.unique("hook-"),
            "url": format!("http://127.0.0.1:{}/hook", common::smtp::free_port()),
            "secret": "0123456789abcdef",
            "events": ["TICKET_CREATED"],
            "active": false,
        } });
        let created = self
            .app
            .ok(
                &self.admin,
                "mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { id } }",
                input,
            )
            .await;
        created["createWebhookSubscription"]["id"].as_str().unwrap().to_owned()
    }

    /// A rule that does nothing to the matrix's tickets: inactive.
    fn rule_input() -> Value {
        json!({ "name": "Quiet", "active": false, "events": ["SURVEY_ANSWERED"], "actions": { "addTags": ["rated"] } })
    }

    /// A fresh inactive rule.
    async fn rule(&self) -> String {
        let created = self
            .app
            .ok(
                &self.admin,
                "mutation($i: RuleInput!) { createRule(input: $i) { id } }",
                json!({ "i": Self::rule_input() }),
            )
            .await;
        created["createRule"]["id"].as_str().unwrap().to_owned()
    }

    /// A fresh shared macro (the admin's), which only tags a ticket.
    async fn shared_macro(&self) -> String {
        let input = json!({ "i": {
            "name": self.unique("macro-"),
            "shared": true,
            "actions": { "addTags": ["seen"] },
        } });
        let created = self
            .app
            .ok(
                &self.admin,
                "mutation($i: CreateMacroInput!) { createMacro(input: $i) { id } }",
                input,
            )
            .await;
        created["createMacro"]["id"].as_str().unwrap().to_owned()
    }

    /// The id of a file a customer mailed, on a ticket moved to team A.
    async fn attachment_of_team_a(&self) -> String {
        let raw = "From: Cara <cara@example.com>\r\nSubject: Receipt\r\nMessage-ID: <receipt@example.com>\r\n\
                   MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                   --b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n\
                   --b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"receipt.txt\"\r\n\r\n\
                   Paid.\r\n--b--\r\n";
        let (status, body) = self.app.post_email(raw.as_bytes()).await;
        assert_eq!(status, 200, "{body}");
        let ticket = body["ticketId"].as_str().unwrap();
        let moved = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { messages { attachments { id } } } }";
        let data = self
            .app
            .ok(
                &self.admin,
                moved,
                json!({ "i": { "ticketId": ticket, "teamId": self.team_a } }),
            )
            .await;
        data["updateTicket"]["messages"][0]["attachments"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn sla_policy(&self) -> String {
        let data = self
            .app
            .ok(&self.admin, CREATE_POLICY, json!({ "i": self.policy_input() }))
            .await;
        data["createSlaPolicy"]["id"].as_str().unwrap().to_owned()
    }

    fn policy_input(&self) -> Value {
        json!({ "name": self.unique("Policy "), "targets": [{ "target": "RESOLUTION", "minutes": 600 }] })
    }
}

const CREATE_POLICY: &str = "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }";

async fn desk(db: &TestDb) -> Desk {
    let smtp = SmtpSink::start();
    // Webhooks may reach loopback, where the subscriptions below point.
    let app = TestApp::spawn_allowing_webhooks(db, Some(&smtp.url()), "127.0.0.1").await;
    let admin = app.login_admin().await;
    let (_, expired) = app.agent(&admin, "expired@desk.example", "AGENT").await;
    // Every other token is issued after this, so only `expired` is stale.
    app.clock.advance(chrono::TimeDelta::hours(2)).unwrap();
    let admin = app.login_admin().await;
    let team_a = app.team(&admin, "A").await;
    let team_b = app.team(&admin, "B").await;
    let (gone_id, gone) = app.agent(&admin, "gone@desk.example", "AGENT").await;
    app.ok(
        &admin,
        "mutation($a: ID!) { deactivateAgent(agentId: $a) { id } }",
        json!({ "a": gone_id }),
    )
    .await;
    let add = "mutation($t: ID!, $a: ID!) { addTeamMember(teamId: $t, agentId: $a) { id } }";
    let (a_id, a) = app.agent_with_scope(&admin, "a@desk.example", "AGENT", "TEAMS").await;
    app.ok(&admin, add, json!({ "t": team_a, "a": a_id })).await;
    let (b_id, b) = app.agent_with_scope(&admin, "b@desk.example", "AGENT", "TEAMS").await;
    app.ok(&admin, add, json!({ "t": team_b, "a": b_id })).await;
    let (_, unscoped) = app.agent(&admin, "u@desk.example", "AGENT").await;
    let chat = app
        .gql(
            None,
            "mutation { startChat(input: {name: \"Vi\", email: \"vi@example.com\", message: \"Hi\"}) { token ticket { id } } }",
            json!({}),
        )
        .await;
    let chat_token = chat["data"]["startChat"]["token"].as_str().unwrap().to_owned();
    let chat_ticket = chat["data"]["startChat"]["ticket"]["id"].as_str().unwrap().to_owned();
    let tokens = vec![
        (Caller::ExpiredToken, expired),
        (Caller::DeactivatedAgent, gone),
        (Caller::ScopedToA, a),
        (Caller::ScopedToB, b),
        (Caller::Unscoped, unscoped),
        (Caller::Admin, admin.clone()),
    ];
    let mut desk = Desk {
        app,
        smtp,
        admin,
        team_a,
        team_b,
        tokens,
        ticket_a: String::new(),
        chat_token,
        chat_ticket,
        survey_token: String::new(),
        serial: AtomicU32::new(0),
    };
    desk.ticket_a = desk.ticket_of_team_a("cara@example.com").await;
    let surveyed = desk.ticket_of_team_a("sue@example.com").await;
    desk.survey_token = mailed_survey_token(&desk.app, &desk.smtp, &desk.admin, &surveyed).await;
    desk
}

/// The operation a row runs for `caller`: who it is for, the document and
/// its variables (made fresh where the call changes what it acts on).
async fn row(d: &Desk, field: &str, caller: Caller) -> (Need, &'static str, Value) {
    let chat_token = if caller == Caller::ChatVisitor {
        d.chat_token.clone()
    } else {
        "not-a-chat-token".to_owned()
    };
    match field {
        // Queries.
        "agents" => (Need::Agent, "{ agents { id } }", json!({})),
        "businessCalendar" => (Need::Agent, "{ businessCalendar { timezone } }", json!({})),
        "deskAccess" => (Need::Admin, "{ deskAccess { teamlessTicketsVisible } }", json!({})),
        "kpis" => (
            Need::Agent,
            "{ kpis(from: \"2026-01-01T00:00:00Z\", to: \"2026-02-01T00:00:00Z\") { total { ticketsCreated } } }",
            json!({}),
        ),
        "me" => (Need::Agent, "{ me { id } }", json!({})),
        "slaPolicies" => (Need::Admin, "{ slaPolicies { id } }", json!({})),
        "teams" => (Need::Agent, "{ teams { id } }", json!({})),
        "ticket" => (
            Need::TicketOfTeamA,
            "query($id: ID!) { ticket(id: $id) { id } }",
            json!({ "id": d.ticket_a }),
        ),
        "tickets" => (Need::Agent, "{ tickets { totalCount } }", json!({})),
        // Every agent searches; what is found is the caller's reach
        // (tests/search.rs).
        "search" => (Need::Agent, "{ search(query: \"ticket\") { totalCount } }", json!({})),
        // Every agent has a directory; who is in it is the caller's reach.
        "customers" => (Need::Agent, "{ customers { nodes { id } } }", json!({})),
        "customer" => (
            Need::TicketOfTeamA,
            "query($id: ID!) { customer(id: $id) { id } }",
            json!({ "id": d.customer_of_team_a().await }),
        ),
        "updateCustomer" => (
            Need::TicketOfTeamA,
            "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { id } }",
            json!({ "i": { "id": d.customer_of_team_a().await, "name": "Renamed" } }),
        ),
        "mergeCustomers" => (
            Need::Admin,
            "mutation($i: MergeCustomersInput!) { mergeCustomers(input: $i) { movedTickets } }",
            json!({ "i": { "sourceId": d.customer_of_team_a().await, "targetId": d.customer_of_team_a().await } }),
        ),
        // Responses on the tickets the caller may see (team scoping is
        // tested in the store's tests); the settings are the admins'.
        "surveyResponses" => (Need::Agent, "{ surveyResponses { totalCount } }", json!({})),
        "surveySettings" => (Need::Admin, "{ surveySettings { csatEnabled } }", json!({})),
        "webForms" => (Need::Agent, "{ webForms { key } }", json!({})),
        // Mutations.
        "addTeamMember" => (
            Need::Admin,
            "mutation($t: ID!, $a: ID!) { addTeamMember(teamId: $t, agentId: $a) { id } }",
            json!({ "t": d.team_b, "a": d.throwaway_agent().await }),
        ),
        "createAgent" => (
            Need::Admin,
            "mutation($i: CreateAgentInput!) { createAgent(input: $i) { id } }",
            json!({ "i": { "email": format!("{}@desk.example", d.unique("n")), "name": "N", "password": "agent-password" } }),
        ),
        "createSlaPolicy" => (Need::Admin, CREATE_POLICY, json!({ "i": d.policy_input() })),
        "createTeam" => (
            Need::Admin,
            "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
            json!({ "n": d.unique("Team ") }),
        ),
        "createTicket" => {
            // A scoped agent opens tickets in their own team.
            let team = match caller {
                Caller::ScopedToA => Some(d.team_a.clone()),
                Caller::ScopedToB => Some(d.team_b.clone()),
                _ => None,
            };
            (
                Need::Agent,
                "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }",
                json!({ "i": { "subject": "New", "body": "b", "customerEmail": "n@example.com", "teamId": team } }),
            )
        }
        "createWebForm" => (
            Need::Admin,
            "mutation($k: String!) { createWebForm(input: {key: $k, name: \"Form\"}) { key } }",
            json!({ "k": d.unique("form-") }),
        ),
        "deactivateAgent" => (
            Need::Admin,
            "mutation($a: ID!) { deactivateAgent(agentId: $a) { active } }",
            json!({ "a": d.throwaway_agent().await }),
        ),
        "deleteSlaPolicy" => (
            Need::Admin,
            "mutation($id: ID!) { deleteSlaPolicy(id: $id) }",
            json!({ "id": d.sla_policy().await }),
        ),
        "login" => (
            Need::Anyone,
            "mutation { login(email: \"a@desk.example\", password: \"agent-password\") { token } }",
            json!({}),
        ),
        "mergeTickets" => {
            let customer = format!("{}@example.com", d.unique("m"));
            let source = d.ticket_of_team_a(&customer).await;
            let target = d.ticket_of_team_a(&customer).await;
            (
                Need::TicketOfTeamA,
                "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) { target { id } } }",
                json!({ "s": source, "t": target }),
            )
        }
        "reactivateAgent" => (
            Need::Admin,
            "mutation($a: ID!) { reactivateAgent(agentId: $a) { active } }",
            json!({ "a": d.throwaway_agent().await }),
        ),
        "removeTeamMember" => (
            Need::Admin,
            "mutation($t: ID!, $a: ID!) { removeTeamMember(teamId: $t, agentId: $a) { id } }",
            json!({ "t": d.team_b, "a": d.throwaway_agent().await }),
        ),
        "replyToTicket" => (
            Need::TicketOfTeamA,
            "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"Noted\", internal: true}) { message { id } } }",
            json!({ "id": d.ticket_a }),
        ),
        "sendChatMessage" => (
            Need::ChatToken,
            "mutation($t: String!) { sendChatMessage(token: $t, body: \"Still there?\") { body } }",
            json!({ "t": chat_token }),
        ),
        "setAgentPassword" => (
            Need::Admin,
            "mutation($a: ID!) { setAgentPassword(agentId: $a, password: \"another-password\") { id } }",
            json!({ "a": d.throwaway_agent().await }),
        ),
        "setBusinessCalendar" => (
            Need::Admin,
            "mutation { setBusinessCalendar(input: {timezone: \"UTC\", weeklyHours: [{day: MONDAY, open: \"09:00\", close: \"17:00\"}]}) { timezone } }",
            json!({}),
        ),
        "setDeskAccess" => (
            Need::Admin,
            "mutation { setDeskAccess(input: {teamlessTicketsVisible: false}) { teamlessTicketsVisible } }",
            json!({}),
        ),
        // A customer answers by the token in their link; no account is involved.
        "submitSurvey" => (
            Need::Anyone,
            "mutation($t: String!) { submitSurvey(token: $t, rating: 4) { rating } }",
            json!({ "t": d.survey_token }),
        ),
        "updateSurveySettings" => (
            Need::Admin,
            "mutation { updateSurveySettings(input: {csatEnabled: true}) { csatEnabled } }",
            json!({}),
        ),
        "startChat" => (
            Need::Anyone,
            "mutation { startChat(input: {name: \"Al\", email: \"al@example.com\", message: \"Hello\"}) { token } }",
            json!({}),
        ),
        "updateAgent" => (
            Need::Admin,
            "mutation($a: ID!) { updateAgent(input: {agentId: $a, name: \"Renamed\"}) { name } }",
            json!({ "a": d.throwaway_agent().await }),
        ),
        "updateSlaPolicy" => (
            Need::Admin,
            "mutation($id: ID!, $i: SlaPolicyInput!) { updateSlaPolicy(id: $id, input: $i) { id } }",
            json!({ "id": d.sla_policy().await, "i": d.policy_input() }),
        ),
        "updateTicket" => (
            Need::TicketOfTeamA,
            "mutation($id: ID!) { updateTicket(input: {ticketId: $id, priority: HIGH}) { id } }",
            json!({ "id": d.ticket_a }),
        ),
        "heldMail" => (Need::Admin, "{ heldMail { totalCount } }", json!({})),
        "releaseHeldMail" => (
            Need::Admin,
            "mutation($id: ID!) { releaseHeldMail(id: $id) { id } }",
            json!({ "id": d.held_mail().await }),
        ),
        "deleteHeldMail" => (
            Need::Admin,
            "mutation($id: ID!) { deleteHeldMail(id: $id) }",
            json!({ "id": d.held_mail().await }),
        ),
        "requestChatVerification" => (
            Need::ChatToken,
            "mutation($t: String!) { requestChatVerification(token: $t) }",
            json!({ "t": chat_token }),
        ),
        "verifyChat" => {
            // The visitor's own chat, with the code mailed to them.
            let (token, code) = if caller == Caller::ChatVisitor {
                let email = format!("{}@example.com", d.unique("v"));
                let (token, _) = start_chat(&d.app, &email).await;
                let code = mailed_code(&d.app, &d.smtp, &token, &email, 1).await;
                (token, code)
            } else {
                (chat_token, "123456".to_owned())
            };
            (
                Need::ChatToken,
                "mutation($t: String!, $c: String!) { verifyChat(token: $t, code: $c) }",
                json!({ "t": token, "c": code }),
            )
        }
        "confirmChatIdentity" => {
            // A fresh chat of team A, its visitor unverified.
            let email = format!("{}@example.com", d.unique("c"));
            let (_, ticket) = start_chat(&d.app, &email).await;
            let route = "mutation($id: ID!, $t: ID) { updateTicket(input: {ticketId: $id, teamId: $t}) { id } }";
            d.app.ok(&d.admin, route, json!({ "id": ticket, "t": d.team_a })).await;
            (
                Need::TicketOfTeamA,
                "mutation($id: ID!) { confirmChatIdentity(ticketId: $id) { id } }",
                json!({ "id": ticket }),
            )
        }
        "webhookSubscriptions" => (Need::Admin, "{ webhookSubscriptions { id } }", json!({})),
        "webhookSubscription" => (
            Need::Admin,
            "query($id: ID!) { webhookSubscription(id: $id) { id } }",
            json!({ "id": d.webhook_subscription().await }),
        ),
        "createWebhookSubscription" => (
            Need::Admin,
            "mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { id } }",
            json!({ "i": {
                "name": d.unique("new-hook-"),
                "url": format!("http://127.0.0.1:{}/hook", common::smtp::free_port()),
                "secret": "0123456789abcdef",
                "events": ["ASSIGNED"],
                "active": false,
            } }),
        ),
        "updateWebhookSubscription" => (
            Need::Admin,
            "mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { id } }",
            json!({ "i": { "id": d.webhook_subscription().await, "events": ["STATUS_CHANGED"] } }),
        ),
        "deleteWebhookSubscription" => (
            Need::Admin,
            "mutation($id: ID!) { deleteWebhookSubscription(id: $id) }",
            json!({ "id": d.webhook_subscription().await }),
        ),
        "sendTestWebhookEvent" => (
            Need::Admin,
            "mutation($id: ID!) { sendTestWebhookEvent(subscriptionId: $id) { id } }",
            json!({ "id": d.webhook_subscription().await }),
        ),
        // Routing is set up by admins; an agent sets their own availability.
        "setTeamRouting" => (
            Need::Admin,
            "mutation($t: ID!) { setTeamRouting(teamId: $t, mode: OFF) { id } }",
            json!({ "t": d.team_b }),
        ),
        "setAvailability" => (
            Need::Agent,
            "mutation { setAvailability(availability: AVAILABLE) { id } }",
            json!({}),
        ),
        "setAgentCapacity" => (
            Need::Admin,
            "mutation($a: ID!) { setAgentCapacity(agentId: $a, channel: CHAT, maxOpen: 3) { id } }",
            json!({ "a": d.throwaway_agent().await }),
        ),
        // Rules act for the whole desk: admins only.
        "rules" => (Need::Admin, "{ rules { id } }", json!({})),
        "rule" => (
            Need::Admin,
            "query($id: ID!) { rule(id: $id) { id } }",
            json!({ "id": d.rule().await }),
        ),
        "createRule" => (
            Need::Admin,
            "mutation($i: RuleInput!) { createRule(input: $i) { id } }",
            json!({ "i": Desk::rule_input() }),
        ),
        "updateRule" => (
            Need::Admin,
            "mutation($id: ID!, $i: RuleInput!) { updateRule(id: $id, input: $i) { id } }",
            json!({ "id": d.rule().await, "i": Desk::rule_input() }),
        ),
        "deleteRule" => (
            Need::Admin,
            "mutation($id: ID!) { deleteRule(id: $id) }",
            json!({ "id": d.rule().await }),
        ),
        // Every agent keeps personal macros and applies the shared ones;
        // shared ones are the admins' to change (tests/macros.rs).
        "macros" => (Need::Agent, "{ macros { id } }", json!({})),
        "macro" => (
            Need::Agent,
            "query($id: ID!) { macro(id: $id) { id } }",
            json!({ "id": d.shared_macro().await }),
        ),
        "createMacro" => (
            Need::Agent,
            "mutation($i: CreateMacroInput!) { createMacro(input: $i) { id } }",
            json!({ "i": { "name": "Mine", "actions": { "priority": "HIGH" } } }),
        ),
        "updateMacro" => (
            Need::Admin,
            "mutation($i: UpdateMacroInput!) { updateMacro(input: $i) { id } }",
            json!({ "i": { "id": d.shared_macro().await, "name": "Renamed" } }),
        ),
        "deleteMacro" => (
            Need::Admin,
            "mutation($id: ID!) { deleteMacro(id: $id) }",
            json!({ "id": d.shared_macro().await }),
        ),
        "previewMacro" => (
            Need::TicketOfTeamA,
            "query($t: ID!, $m: ID!) { previewMacro(ticketId: $t, macroId: $m) { actions { addTags } } }",
            json!({ "t": d.ticket_a, "m": d.shared_macro().await }),
        ),
        "applyMacro" => (
            Need::TicketOfTeamA,
            "mutation($t: ID!, $m: ID!) { applyMacro(ticketId: $t, macroId: $m) { ticket { id } } }",
            json!({ "t": d.ticket_a, "m": d.shared_macro().await }),
        ),
        // Subscriptions.
        "chatMessages" => (
            Need::ChatToken,
            "subscription($t: String!) { chatMessages(token: $t) { body } }",
            json!({ "t": chat_token }),
        ),
        "ticketEvents" => (
            Need::TicketOfTeamA,
            "subscription($id: ID!) { ticketEvents(ticketId: $id) { kind } }",
            json!({ "id": d.ticket_a }),
        ),
        other => panic!("no row for root field `{other}`: decide who may call it and add it to this table"),
    }
}

/// What a response came to. For a row on team A's ticket a null answer is
/// how a nullable read says "not found".
fn outcome_of(need: Need, body: &Value) -> Outcome {
    match body["errors"][0]["extensions"]["code"].as_str() {
        Some(code) => Outcome::Code(code.to_owned()),
        None if matches!(need, Need::TicketOfTeamA)
            && body["data"].as_object().is_some_and(|d| d.values().all(Value::is_null)) =>
        {
            Outcome::Code("NOT_FOUND".to_owned())
        }
        None => Outcome::Ok,
    }
}

/// Runs a subscription: its first message, after something happened that
/// it should send (a change to team A's ticket, a public reply in the chat).
async fn subscribe(d: &Desk, caller: Caller, need: Need, query: &str, variables: Value) -> Outcome {
    let payload = match d.bearer(caller) {
        Some(token) => json!({ "authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    let mut ws = GraphqlWs::connect(&d.app.base_url, payload).await;
    ws.subscribe("s", query, variables).await;
    let reply = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"Here\"}) { message { id } } }";
    d.app.ok(&d.admin, reply, json!({ "id": d.chat_ticket })).await;
    let tag = "mutation($id: ID!, $t: [String!]) { updateTicket(input: {ticketId: $id, tags: $t}) { id } }";
    d.app
        .ok(&d.admin, tag, json!({ "id": d.ticket_a, "t": [d.unique("t")] }))
        .await;
    let message = ws.receive(Duration::from_secs(5)).await.expect("a message");
    ws.close().await;
    assert!(message["type"] == "next" || message["type"] == "error", "{message}");
    outcome_of(need, &message["payload"])
}

fn root_fields() -> BTreeSet<String> {
    let sdl = helpdesk_api::sdl();
    let mut fields = BTreeSet::new();
    for root in ["Query", "Mutation", "Subscription"] {
        let start = sdl.find(&format!("\ntype {root} {{\n")).unwrap();
        let body = &sdl[start..];
        let body = &body[..body.find("\n}\n").unwrap()];
        let mut in_description = false;
        for line in body.lines().skip(2) {
            let Some(rest) = line.strip_prefix('\t') else { continue };
            if rest.trim_start().starts_with("\"\"\"") {
                // A one-line description opens and closes on the same line.
                if rest.trim().len() < 6 || !rest.trim().ends_with("\"\"\"") {
                    in_description = !in_description;
                }
                continue;
            }
            if in_description || rest.starts_with('\t') {
                continue;
            }
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if !name.is_empty() && rest[name.len()..].starts_with(['(', ':']) {
                fields.insert(name);
            }
        }
    }
    fields
}

async fn every_root_field_answers_every_caller_as_the_rules_say(db: TestDb) {
    let d = desk(&db).await;
    let fields = root_fields();
    assert!(fields.len() > 30, "the schema's root fields were read: {fields:?}");
    let mut wrong = Vec::new();
    for field in &fields {
        for caller in CALLERS {
            let (need, query, variables) = row(&d, field, caller).await;
            let got = if query.starts_with("subscription") {
                subscribe(&d, caller, need, query, variables).await
            } else {
                outcome_of(need, &d.app.gql(d.bearer(caller), query, variables).await)
            };
            let want = expected(need, caller);
            if got != want {
                wrong.push(format!("{field} as {caller:?}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} wrong answers:\n{}", wrong.len(), wrong.join("\n"));
    d.app.stop().await;
}

async fn every_http_route_answers_every_caller_as_the_rules_say(db: TestDb) {
    let d = desk(&db).await;
    let http = d.app.http();
    let url = |path: &str| format!("{}{path}", d.app.base_url);
    let attachment = d.attachment_of_team_a().await;
    for caller in CALLERS {
        let with_bearer = |request: reqwest::RequestBuilder| match d.bearer(caller) {
            Some(token) => request.bearer_auth(token.to_owned()),
            None => request,
        };
        let status = |r: reqwest::Response| r.status().as_u16();
        // Health and telemetry are public (operators keep /metrics behind
        // their proxy); the GraphQL endpoint answers everyone and decides
        // per field (above).
        let health = status(with_bearer(http.get(url("/healthz"))).send().await.unwrap());
        assert_eq!(health, 200, "/healthz as {caller:?}");
        let metrics = status(with_bearer(http.get(url("/metrics"))).send().await.unwrap());
        assert_eq!(metrics, 200, "/metrics as {caller:?}");
        // The KPI export is for agents.
        let export = with_bearer(http.get(url(
            "/exports/kpis.csv?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
        )))
        .send()
        .await
        .unwrap();
        let want = match expected(Need::Agent, caller) {
            Outcome::Ok => 200,
            _ => 401,
        };
        assert_eq!(status(export), want, "/exports/kpis.csv as {caller:?}");
        // An attachment opens for whoever reaches its ticket (links are
        // tested in tests/attachments.rs).
        let file = with_bearer(http.get(url(&format!("/attachments/{attachment}"))))
            .send()
            .await
            .unwrap();
        let want = match expected(Need::TicketOfTeamA, caller) {
            Outcome::Ok => 200,
            Outcome::Code(code) if code == "NOT_FOUND" => 404,
            _ => 401,
        };
        assert_eq!(status(file), want, "/attachments/{{id}} as {caller:?}");
        // Mail comes in with the mail server's token only: no agent's
        // token, not even an admin's, opens it.
        let inbound = with_bearer(http.post(url("/inbound/email")))
            .body("From: x@example.com\r\nSubject: hi\r\n\r\nhi\r\n")
            .send()
            .await
            .unwrap();
        assert_eq!(status(inbound), 401, "/inbound/email as {caller:?}");
        // The survey page is the customer's, by token: a bearer token
        // neither opens nor closes it.
        let page = with_bearer(http.get(url(&format!("/survey/{}", d.survey_token))))
            .send()
            .await
            .unwrap();
        assert_eq!(status(page), 200, "/survey/{{token}} as {caller:?}");
        let answer = with_bearer(http.post(url(&format!("/survey/{}", d.survey_token))))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("rating=5")
            .send()
            .await
            .unwrap();
        assert_eq!(status(answer), 200, "POST /survey/{{token}} as {caller:?}");
        let unknown = with_bearer(http.get(url("/survey/not-a-token"))).send().await.unwrap();
        assert_eq!(status(unknown), 404, "/survey/{{unknown}} as {caller:?}");
        let tokenless = with_bearer(http.post(url("/survey")))
            .body("rating=5")
            .send()
            .await
            .unwrap();
        assert_eq!(status(tokenless), 400, "POST /survey as {caller:?}");
    }
    // The mail server's own token opens the mail hook; a web form needs no
    // credentials at all.
    let mail = http
        .post(url("/inbound/email"))
        .bearer_auth(INBOUND_TOKEN)
        .body("From: x@example.com\r\nMessage-ID: <m1@example.com>\r\nSubject: hi\r\n\r\nhi\r\n")
        .send()
        .await
        .unwrap();
    assert!(mail.status().is_success(), "{}", mail.status());
    d.app
        .ok(
            &d.admin,
            "mutation { createWebForm(input: {key: \"contact\", name: \"Contact\"}) { key } }",
            json!({}),
        )
        .await;
    let form = http
        .post(url("/inbound/webform/contact"))
        .json(&json!({ "name": "Fi", "email": "fi@example.com", "subject": "Hi", "message": "Hello" }))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 201);
    d.app.stop().await;
}

each_store!(
    every_root_field_answers_every_caller_as_the_rules_say,
    every_http_route_answers_every_caller_as_the_rules_say,
);
