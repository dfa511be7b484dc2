//! The desk's business hours decide BUSINESS-clock deadlines, and changing
//! them moves the deadlines of targets still running.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use chrono::{Datelike, TimeDelta};
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

const SET: &str = "mutation($i: BusinessCalendarInput!) { setBusinessCalendar(input: $i) { timezone weeklyHours { day open close } holidays } }";

fn weekday_name(day: chrono::Weekday) -> &'static str {
    [
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY",
    ][day.num_days_from_monday() as usize]
}

async fn due(app: &TestApp, token: &str, id: &str) -> Value {
    let q = "query($id: ID!) { ticket(id: $id) { slaTargets { target dueAt } } }";
    app.ok(token, q, json!({ "id": id })).await["ticket"]["slaTargets"][0]["dueAt"].clone()
}

async fn business_hours_set_the_deadline_and_moving_them_moves_it(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    // Open only tomorrow 09:00-10:00 UTC: an hour of business time ends
    // exactly at tomorrow 10:00, whenever the test runs.
    let tomorrow = (app.clock.now() + TimeDelta::days(1)).date_naive();
    let day_after = tomorrow + TimeDelta::days(1);
    let calendar = json!({ "i": { "timezone": "UTC", "weeklyHours": [{ "day": weekday_name(tomorrow.weekday()), "open": "09:00", "close": "10:00" }] } });
    let set = app.ok(&admin, SET, calendar).await;
    assert_eq!(set["setBusinessCalendar"]["weeklyHours"][0]["open"], "09:00");

    let policy = "mutation { createSlaPolicy(input: {name: \"Office hours\", targets: [{target: FIRST_RESPONSE, minutes: 60, clock: BUSINESS}]}) { id } }";
    app.ok(&admin, policy, json!({})).await;
    let ticket = app
        .create_ticket(
            &admin,
            json!({ "subject": "Invoice", "body": "b", "customerEmail": "ana@example.com" }),
        )
        .await;
    let id = ticket["id"].as_str().unwrap();
    assert_eq!(due(&app, &admin, id).await, json!(format!("{tomorrow}T10:00:00+00:00")));

    // Tomorrow becomes a holiday, and the day after opens instead.
    let moved = json!({ "i": { "timezone": "UTC", "holidays": [tomorrow.to_string()], "weeklyHours": [
        { "day": weekday_name(tomorrow.weekday()), "open": "09:00", "close": "10:00" },
        { "day": weekday_name(day_after.weekday()), "open": "13:00", "close": "15:00" } ] } });
    app.ok(&admin, SET, moved).await;
    let expected = json!(format!("{day_after}T14:00:00+00:00"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while due(&app, &admin, id).await != expected {
        assert!(
            Instant::now() < deadline,
            "running targets were not recomputed: {}",
            due(&app, &admin, id).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let read = app
        .ok(&admin, "{ businessCalendar { timezone holidays } }", json!({}))
        .await;
    assert_eq!(
        read["businessCalendar"],
        json!({ "timezone": "UTC", "holidays": [tomorrow.to_string()] })
    );
}

async fn bad_calendars_are_refused(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, agent) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let ok = json!({ "i": { "timezone": "Europe/Berlin", "weeklyHours": [{ "day": "MONDAY", "open": "09:00", "close": "17:00" }] } });
    assert_eq!(error_code(&app.gql(Some(&agent), SET, ok).await), "FORBIDDEN");
    let unknown_zone = json!({ "i": { "timezone": "Mars/Olympus", "weeklyHours": [] } });
    assert_eq!(
        error_code(&app.gql(Some(&admin), SET, unknown_zone).await),
        "BAD_USER_INPUT"
    );
    let overlap = json!({ "i": { "timezone": "UTC", "weeklyHours": [
        { "day": "MONDAY", "open": "09:00", "close": "12:00" }, { "day": "MONDAY", "open": "11:00", "close": "13:00" } ] } });
    assert_eq!(error_code(&app.gql(Some(&admin), SET, overlap).await), "BAD_USER_INPUT");
    let bad_time =
        json!({ "i": { "timezone": "UTC", "weeklyHours": [{ "day": "MONDAY", "open": "9am", "close": "17:00" }] } });
    assert_eq!(
        error_code(&app.gql(Some(&admin), SET, bad_time).await),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        app.ok(&admin, "{ businessCalendar { timezone } }", json!({})).await["businessCalendar"],
        json!(null)
    );
}

async fn a_policy_may_keep_its_own_hours(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let tomorrow = (app.clock.now() + TimeDelta::days(1)).date_naive();
    let day_after = tomorrow + TimeDelta::days(1);
    let hours = |day: chrono::NaiveDate, open: &str, close: &str| json!({ "timezone": "UTC", "weeklyHours": [{ "day": weekday_name(day.weekday()), "open": open, "close": close }] });
    app.ok(&admin, SET, json!({ "i": hours(tomorrow, "09:00", "10:00") }))
        .await;
    let create = "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { name calendar { timezone } } }";
    let target = json!([{ "target": "FIRST_RESPONSE", "minutes": 30, "clock": "BUSINESS" }]);
    let night = json!({ "i": { "name": "Night desk", "position": 1, "priorities": ["URGENT"], "targets": target,
        "calendar": hours(day_after, "20:00", "21:00") } });
    let created = app.ok(&admin, create, night).await;
    assert_eq!(created["createSlaPolicy"]["calendar"]["timezone"], "UTC");
    app.ok(
        &admin,
        create,
        json!({ "i": { "name": "Office", "position": 2, "targets": target } }),
    )
    .await;

    let urgent = json!({ "subject": "u", "body": "b", "customerEmail": "a@example.com", "priority": "URGENT" });
    let urgent = app.create_ticket(&admin, urgent).await;
    let normal = app
        .create_ticket(
            &admin,
            json!({ "subject": "n", "body": "b", "customerEmail": "a@example.com" }),
        )
        .await;
    let urgent_due = due(&app, &admin, urgent["id"].as_str().unwrap()).await;
    assert_eq!(
        urgent_due,
        json!(format!("{day_after}T20:30:00+00:00")),
        "the policy's own hours"
    );
    let normal_due = due(&app, &admin, normal["id"].as_str().unwrap()).await;
    assert_eq!(
        normal_due,
        json!(format!("{tomorrow}T09:30:00+00:00")),
        "the desk's hours"
    );
}

each_store!(
    business_hours_set_the_deadline_and_moving_them_moves_it,
    bad_calendars_are_refused,
    a_policy_may_keep_its_own_hours,
);
