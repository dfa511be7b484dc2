//! A team lead reads today's KPIs over GraphQL and exports the same figures
//! as CSV for the BI tool; the figures are the hand-computed ones.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeDelta, Utc};
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

const KPIS: &str =
    "query($from: DateTime!, $to: DateTime!, $tz: String, $groupBy: Period, $clock: Clock, $filter: KpiFilter) {
  kpis(from: $from, to: $to, timezone: $tz, groupBy: $groupBy, clock: $clock, filter: $filter) {
    averageTicketsCreated
    total { ...values }
    buckets { start end values { ...values } }
  }
}
fragment duration on DurationStats { count average median p90 }
fragment values on KpiValues {
  ticketsCreated ticketsSolved
  firstResponseTime { ...duration } responseTime { ...duration }
  resolutionTime { ...duration } fullResolutionTime { ...duration }
  interactionsPerTicket assigneeStationsPerTicket fcrRate reopenRate resolutionRate
  backlog overdueBacklog
  sla { achieved breached rate byTarget { target achieved breached rate } }
  csat { responses score average }
  nps { responses promoters passives detractors score }
  channels { channel tickets share }
}";

const REPLY: &str = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { ticket { status } } }";
const UPDATE: &str = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { status } }";

/// Today's midnight (UTC) by the desk's clock, and the next one. Close to
/// midnight, the clock is moved into the next day first, so that every
/// ticket a test creates falls on "today" without waiting for it.
fn today(app: &TestApp) -> (DateTime<Utc>, DateTime<Utc>) {
    let now = app.clock.now();
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let tomorrow = midnight + Duration::days(1);
    if tomorrow - now < TimeDelta::minutes(1) {
        app.clock.advance_to(tomorrow + TimeDelta::seconds(1)).unwrap();
        return today(app);
    }
    (midnight, tomorrow)
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

/// Four tickets opened today on a customer's behalf:
///
/// | ticket | channel | agent reply | solved |
/// |--------|---------|-------------|--------|
/// | 1      | EMAIL   | yes         | yes    |
/// | 2      | CHAT    | yes         | no     |
/// | 3      | EMAIL   | no          | no     |
/// | 4      | PHONE   | no          | yes    |
async fn open_todays_tickets(app: &TestApp, token: &str) {
    let mut ids = Vec::new();
    for (i, (channel, customer)) in [
        ("EMAIL", "ana@example.com"),
        ("CHAT", "bob@example.com"),
        ("EMAIL", "ana@example.com"),
        ("PHONE", "carl@example.com"),
    ]
    .into_iter()
    .enumerate()
    {
        let ticket = app
            .create_ticket(
                token,
                json!({ "subject": format!("Problem {i}"), "body": "It does not work", "customerEmail": customer, "channel": channel }),
            )
            .await;
        ids.push(ticket["id"].as_str().unwrap().to_owned());
    }
    for id in [&ids[0], &ids[1]] {
        app.ok(
            token,
            REPLY,
            json!({ "i": { "ticketId": id, "body": "Try turning it off and on" } }),
        )
        .await;
    }
    for id in [&ids[0], &ids[3]] {
        let solved = app
            .ok(token, UPDATE, json!({ "i": { "ticketId": id, "status": "SOLVED" } }))
            .await;
        assert_eq!(solved["updateTicket"]["status"], "SOLVED");
    }
}

fn kpi_vars(from: DateTime<Utc>, to: DateTime<Utc>, extra: Value) -> Value {
    let mut vars = json!({ "from": from, "to": to });
    for (k, v) in extra.as_object().unwrap() {
        vars[k] = v.clone();
    }
    vars
}

fn empty_duration() -> Value {
    json!({ "count": 0, "average": null, "median": null, "p90": null })
}

/// The figures of the four tickets, from the table above.
fn assert_todays_figures(v: &Value) {
    assert_eq!(v["ticketsCreated"], 4);
    assert_eq!(v["ticketsSolved"], 2);
    for (figure, count) in [
        ("firstResponseTime", 2),
        ("responseTime", 2),
        ("resolutionTime", 2),
        ("fullResolutionTime", 2),
    ] {
        let d = &v[figure];
        assert_eq!(d["count"], count, "{figure}");
        let (average, median, p90) = (
            d["average"].as_f64().unwrap(),
            d["median"].as_f64().unwrap(),
            d["p90"].as_f64().unwrap(),
        );
        assert!((0.0..600.0).contains(&average), "{figure}: {d}");
        assert!(median <= p90, "{figure}: {d}");
    }
    // Ticket 1 had one agent reply before its solve, ticket 4 none.
    assert_eq!(v["interactionsPerTicket"], 0.5);
    assert_eq!(v["assigneeStationsPerTicket"], 0.0);
    // Ticket 1 solved with one reply; ticket 4 without any.
    assert_eq!(v["fcrRate"], 50.0);
    assert_eq!(v["reopenRate"], 0.0);
    assert_eq!(v["resolutionRate"], 50.0);
    assert_eq!(v["backlog"], 2, "tickets 2 and 3 are open");
    assert_eq!(v["overdueBacklog"], 0);
    assert_eq!(
        v["sla"],
        json!({ "achieved": 0, "breached": 0, "rate": null, "byTarget": [
            { "target": "FIRST_RESPONSE", "achieved": 0, "breached": 0, "rate": null },
            { "target": "NEXT_REPLY", "achieved": 0, "breached": 0, "rate": null },
            { "target": "RESOLUTION", "achieved": 0, "breached": 0, "rate": null },
        ] }),
        "no SLA policy, nothing decided"
    );
    assert_eq!(v["csat"], json!({ "responses": 0, "score": null, "average": null }));
    assert_eq!(
        v["nps"],
        json!({ "responses": 0, "promoters": 0, "passives": 0, "detractors": 0, "score": null })
    );
    assert_eq!(
        v["channels"],
        json!([
            { "channel": "EMAIL", "tickets": 2, "share": 50.0 },
            { "channel": "CHAT", "tickets": 1, "share": 25.0 },
            { "channel": "PHONE", "tickets": 1, "share": 25.0 },
        ])
    );
}

async fn todays_kpis_are_the_hand_computed_ones(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let (midnight, tomorrow) = today(&app);
    let (_, agent) = app.agent(&app.login_admin().await, "lead@desk.example", "AGENT").await;
    open_todays_tickets(&app, &agent).await;

    // By day: today is one bucket, from midnight until now.
    let by_day = app
        .ok(&agent, KPIS, kpi_vars(midnight, tomorrow, json!({ "groupBy": "DAY" })))
        .await;
    let report = &by_day["kpis"];
    assert_todays_figures(&report["total"]);
    let buckets = report["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 1);
    assert_eq!(instant(&buckets[0]["start"]), midnight);
    let end = instant(&buckets[0]["end"]);
    assert!(end > midnight && end <= app.clock.now(), "the day is clipped to now");
    assert_todays_figures(&buckets[0]["values"]);
    assert_eq!(report["averageTicketsCreated"], 4.0);

    // Without grouping: one bucket equal to the range (clipped to now).
    let whole = app.ok(&agent, KPIS, kpi_vars(midnight, tomorrow, json!({}))).await;
    let buckets = whole["kpis"]["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 1);
    assert_eq!(instant(&buckets[0]["start"]), midnight);
    assert_todays_figures(&buckets[0]["values"]);
    assert_todays_figures(&whole["kpis"]["total"]);

    // The defaults spelled out give the same report.
    let explicit = app
        .ok(
            &agent,
            KPIS,
            kpi_vars(midnight, tomorrow, json!({ "tz": "UTC", "clock": "CALENDAR" })),
        )
        .await;
    assert_eq!(explicit["kpis"]["total"], whole["kpis"]["total"]);

    // Filters narrow every figure.
    let email = app
        .ok(
            &agent,
            KPIS,
            kpi_vars(midnight, tomorrow, json!({ "filter": { "channels": ["EMAIL"] } })),
        )
        .await;
    let v = &email["kpis"]["total"];
    assert_eq!(v["ticketsCreated"], 2);
    assert_eq!(v["ticketsSolved"], 1);
    assert_eq!(v["firstResponseTime"]["count"], 1);
    assert_eq!(v["backlog"], 1);
    assert_eq!(
        v["channels"],
        json!([{ "channel": "EMAIL", "tickets": 2, "share": 100.0 }])
    );
    let urgent = app
        .ok(
            &agent,
            KPIS,
            kpi_vars(midnight, tomorrow, json!({ "filter": { "priorities": ["URGENT"] } })),
        )
        .await;
    assert_eq!(urgent["kpis"]["total"]["ticketsCreated"], 0);
}

async fn a_range_before_any_ticket_is_empty(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    open_todays_tickets(&app, &agent).await;
    let from: DateTime<Utc> = "2000-01-01T00:00:00Z".parse().unwrap();
    let data = app
        .ok(
            &agent,
            KPIS,
            kpi_vars(
                from,
                from + Duration::days(7),
                json!({ "groupBy": "DAY", "tz": "Europe/Berlin" }),
            ),
        )
        .await;
    let report = &data["kpis"];
    assert_eq!(report["averageTicketsCreated"], 0.0);
    let buckets = report["buckets"].as_array().unwrap();
    // Berlin midnights are 23:00 UTC; the first and last days are clipped.
    assert_eq!(buckets.len(), 8);
    assert_eq!(instant(&buckets[0]["start"]), from);
    assert_eq!(instant(&buckets[0]["end"]), from + Duration::hours(23));
    assert_eq!(instant(&buckets[1]["end"]), from + Duration::hours(47));
    assert_eq!(instant(&buckets[7]["end"]), from + Duration::days(7));
    for values in std::iter::once(&report["total"]).chain(buckets.iter().map(|b| &b["values"])) {
        assert_eq!(values["ticketsCreated"], 0);
        assert_eq!(values["ticketsSolved"], 0);
        for figure in [
            "firstResponseTime",
            "responseTime",
            "resolutionTime",
            "fullResolutionTime",
        ] {
            assert_eq!(values[figure], empty_duration(), "{figure}");
        }
        for rate in [
            "interactionsPerTicket",
            "assigneeStationsPerTicket",
            "fcrRate",
            "reopenRate",
            "resolutionRate",
        ] {
            assert_eq!(values[rate], Value::Null, "{rate}");
        }
        assert_eq!(values["backlog"], 0);
        assert_eq!(values["sla"]["rate"], Value::Null);
        assert_eq!(values["csat"]["score"], Value::Null);
        assert_eq!(values["nps"]["score"], Value::Null);
        assert_eq!(values["channels"], json!([]));
    }
}

async fn kpis_refuse_strangers_and_bad_arguments(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let from: DateTime<Utc> = "2026-03-02T00:00:00Z".parse().unwrap();
    let to = from + Duration::days(1);

    let anonymous = app.gql(None, KPIS, kpi_vars(from, to, json!({}))).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let forged = app.gql(Some("not-a-token"), KPIS, kpi_vars(from, to, json!({}))).await;
    assert_eq!(error_code(&forged), "UNAUTHENTICATED");

    for (vars, why) in [
        (kpi_vars(from, to, json!({ "tz": "Mars/Olympus" })), "unknown time zone"),
        (kpi_vars(to, from, json!({})), "from after to"),
        (kpi_vars(from, from, json!({})), "from equal to to"),
        (
            kpi_vars(from - Duration::days(365 * 30), to, json!({ "groupBy": "DAY" })),
            "too many buckets",
        ),
        (
            kpi_vars(from, to, json!({ "filter": { "teamIds": ["nope"] } })),
            "bad team id",
        ),
        (kpi_vars(from, to, json!({ "groupBy": "HOUR" })), "unknown period"),
    ] {
        let body = app.gql(Some(&agent), KPIS, vars).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{why}: {body:#}");
        assert!(body["data"].is_null() || body["data"]["kpis"].is_null(), "{why}");
    }
}

/// GraphQL's names in snake_case, the CSV header's rule: `{"firstResponseTime": {"p90": x}}`
/// becomes `first_response_time_p90`, SLA targets and channels are keyed by
/// their lower-case names.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Value>) {
    let snake = |name: &str| {
        let mut s = String::new();
        for c in name.chars() {
            if c.is_ascii_uppercase() {
                s.push('_');
                s.push(c.to_ascii_lowercase());
            } else {
                s.push(c);
            }
        }
        s
    };
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}_{name}")
        }
    };
    match v {
        Value::Object(fields) => {
            for (name, field) in fields {
                match name.as_str() {
                    "byTarget" => {
                        for t in field.as_array().unwrap() {
                            let target = t["target"].as_str().unwrap().to_lowercase();
                            for figure in ["achieved", "breached", "rate"] {
                                out.insert(format!("{prefix}_{target}_{figure}"), t[figure].clone());
                            }
                        }
                    }
                    "channels" => {
                        for c in field.as_array().unwrap() {
                            let channel = c["channel"].as_str().unwrap().to_lowercase();
                            out.insert(format!("channel_{channel}_tickets"), c["tickets"].clone());
                            out.insert(format!("channel_{channel}_share"), c["share"].clone());
                        }
                    }
                    _ => flatten(&join(&snake(name)), field, out),
                }
            }
        }
        other => {
            out.insert(prefix.to_owned(), other.clone());
        }
    }
}

/// The CSV body as a header and rows of cells (no cell here needs quoting).
fn parse_csv(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(body.ends_with("\r\n"), "records end with CRLF");
    let mut lines = body.split_terminator("\r\n");
    let header = lines.next().unwrap().split(',').map(str::to_owned).collect();
    let rows = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    (header, rows)
}

/// Checks one CSV row against the GraphQL values of the same bucket.
fn assert_row_matches(header: &[String], row: &[String], values: &Value) {
    assert_eq!(row.len(), header.len());
    let mut expected = BTreeMap::new();
    flatten("", values, &mut expected);
    let created = values["ticketsCreated"].as_u64().unwrap();
    for (column, cell) in header.iter().zip(row).skip(3) {
        let want = match expected.remove(column) {
            Some(v) => v,
            // A channel without tickets in this bucket.
            None if column.ends_with("_tickets") => json!(0),
            None if column.ends_with("_share") && created > 0 => json!(0.0),
            None if column.ends_with("_share") => Value::Null,
            None => panic!("CSV column {column} is not a GraphQL figure"),
        };
        match want {
            Value::Null => assert_eq!(cell, "", "{column}"),
            want => {
                let got: f64 = cell.parse().unwrap_or_else(|_| panic!("{column}: {cell:?}"));
                assert_eq!(got, want.as_f64().unwrap(), "{column}");
            }
        }
    }
    assert!(expected.is_empty(), "figures without a CSV column: {expected:?}");
}

fn export_url(app: &TestApp, query: &str) -> String {
    format!("{}/exports/kpis.csv?{query}", app.base_url)
}

async fn the_csv_export_repeats_the_graphql_figures(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let (midnight, tomorrow) = today(&app);
    let agent = app.login_admin().await;
    open_todays_tickets(&app, &agent).await;
    let (from, to) = (midnight.to_rfc3339(), tomorrow.to_rfc3339());
    let query = format!("from={}&to={}&groupBy=DAY", urlencode(&from), urlencode(&to));

    let graphql = app
        .ok(&agent, KPIS, kpi_vars(midnight, tomorrow, json!({ "groupBy": "DAY" })))
        .await;
    let response = app
        .http()
        .get(export_url(&app, &query))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"kpis.csv\""
    );
    let (header, rows) = parse_csv(&response.text().await.unwrap());
    assert_eq!(
        &header[..5],
        ["row", "bucket_start", "bucket_end", "tickets_created", "tickets_solved"]
    );
    let buckets = graphql["kpis"]["buckets"].as_array().unwrap();
    assert_eq!(rows.len(), buckets.len() + 1, "one row per bucket and the total");
    for (row, bucket) in rows.iter().zip(buckets) {
        assert_eq!(row[0], "bucket");
        assert_eq!(row[1].parse::<DateTime<Utc>>().unwrap(), instant(&bucket["start"]));
        assert!(row[1].ends_with('Z'), "instants in UTC: {}", row[1]);
        assert_row_matches(&header, row, &bucket["values"]);
    }
    let total = rows.last().unwrap();
    assert_eq!(total[0], "total");
    assert_eq!(total[1].parse::<DateTime<Utc>>().unwrap(), midnight);
    assert_row_matches(&header, total, &graphql["kpis"]["total"]);
    let column = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(total[column("tickets_created")], "4");
    assert_eq!(total[column("channel_email_share")], "50");
    assert_eq!(total[column("channel_social_tickets")], "0");
    assert_eq!(total[column("csat_average")], "");

    // Filters and a week's grouping over an empty past: 7 bucket rows and
    // the total, every figure zero or empty.
    let empty = app
        .http()
        .get(export_url(
            &app,
            "from=2000-01-03T00:00:00Z&to=2000-01-10T00:00:00Z&groupBy=day&clock=BUSINESS&channels=EMAIL,CHAT&priorities=HIGH&tags=billing",
        ))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 200);
    let (same_header, rows) = parse_csv(&empty.text().await.unwrap());
    assert_eq!(same_header, header, "the header never depends on the data");
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[6][2], "2000-01-10T00:00:00Z");
    assert_eq!(rows[7][..3], ["total", "2000-01-03T00:00:00Z", "2000-01-10T00:00:00Z"]);
    assert_eq!(rows[7][column("channel_email_share")], "");
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

async fn the_csv_export_refuses_strangers_and_bad_parameters(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let good = "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z";

    let anonymous = app.http().get(export_url(&app, good)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let forged = app
        .http()
        .get(export_url(&app, good))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    for (query, reason) in [
        ("to=2026-03-03T00:00:00Z", "from"),
        ("from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z", "before"),
        ("from=yesterday&to=2026-03-03T00:00:00Z", "RFC 3339"),
        (&format!("{good}&groupBy=HOUR"), "groupBy"),
        (&format!("{good}&timezone=Mars/Olympus"), "time zone"),
        (&format!("{good}&channels=EMAIL,FAX"), "FAX"),
        (&format!("{good}&colour=blue"), "colour"),
    ] {
        let response = app
            .http()
            .get(export_url(&app, query))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let text = response.text().await.unwrap();
        assert!(text.contains(reason), "{query}: {text}");
    }
}

/// Ana wrote twice by email and once by chat; Bob by chat, then by phone.
async fn customers_show_their_preferred_channel(db: TestDb) {
    let app = TestApp::spawn_without_jobs(&db).await;
    let agent = app.login_admin().await;
    for (customer, channel) in [
        ("ana@example.com", "EMAIL"),
        ("ana@example.com", "CHAT"),
        ("ana@example.com", "EMAIL"),
        ("bob@example.com", "CHAT"),
        ("bob@example.com", "PHONE"),
    ] {
        app.create_ticket(
            &agent,
            json!({ "subject": "Help", "body": "b", "customerEmail": customer, "channel": channel }),
        )
        .await;
    }
    let query = "query($f: TicketFilter) { tickets(first: 100, filter: $f) { nodes { customer { email preferredChannel channels { channel tickets } } } } }";
    let customer_of = |email: &str| {
        let app = &app;
        let agent = &agent;
        let email = email.to_owned();
        async move {
            let data = app.ok(agent, query, json!({ "f": { "customerEmail": email } })).await;
            data["tickets"]["nodes"][0]["customer"].clone()
        }
    };
    let ana = customer_of("ana@example.com").await;
    assert_eq!(ana["preferredChannel"], "EMAIL");
    assert_eq!(
        ana["channels"],
        json!([{ "channel": "EMAIL", "tickets": 2 }, { "channel": "CHAT", "tickets": 1 }])
    );
    let bob = customer_of("bob@example.com").await;
    assert_eq!(bob["preferredChannel"], "PHONE", "a tie goes to the most recent ticket");
    assert_eq!(
        bob["channels"],
        json!([{ "channel": "CHAT", "tickets": 1 }, { "channel": "PHONE", "tickets": 1 }])
    );

    // However many customers a page shows, their channels cost one query.
    for i in 0..20 {
        app.create_ticket(
            &agent,
            json!({ "subject": "Hi", "body": "b", "customerEmail": format!("c{i}@example.com") }),
        )
        .await;
    }
    let page = "query($first: Int) { tickets(first: $first) { nodes { customer { email preferredChannel channels { channel tickets } } } } }";
    let mut costs = Vec::new();
    for first in [3, 25] {
        let before = app.store.statements_run();
        let data = app.ok(&agent, page, json!({ "first": first })).await;
        assert_eq!(data["tickets"]["nodes"].as_array().unwrap().len(), first);
        costs.push(app.store.statements_run() - before);
    }
    assert_eq!(costs[0], costs[1], "statements must not grow with the page size");
}

each_store!(
    todays_kpis_are_the_hand_computed_ones,
    a_range_before_any_ticket_is_empty,
    kpis_refuse_strangers_and_bad_arguments,
    the_csv_export_repeats_the_graphql_figures,
    the_csv_export_refuses_strangers_and_bad_parameters,
    customers_show_their_preferred_channel
);
