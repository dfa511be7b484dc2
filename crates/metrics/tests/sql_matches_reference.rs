//! The KPI SQL against the reference: random histories are imported into a
//! real store (SQLite, and PostgreSQL when `HELPDESK_TEST_POSTGRES_URL` is
//! set), and for random ranges, zones, periods, clocks and filters the
//! tallies the database computes must equal the ones the domain's reference
//! computes from the same histories, exactly.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use helpdesk_domain::access::{AgentScope, TicketAccess};
use helpdesk_domain::calendar::{BusinessCalendar, OpenInterval};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::SlaPolicyId;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::kpi::reference::{ReferenceTicket, report_tallies};
use helpdesk_domain::kpi::{KpiFilter, Period, Range, TicketAttributes, plan_buckets};
use helpdesk_domain::sla::{CalendarClock, Clock, Clocks, SlaPolicy, SlaTarget, TargetSpec, evaluate};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Actor, Channel, Priority, Survey, TicketStatus};
use helpdesk_metrics::{KpiQuery, kpi_tallies};
use helpdesk_persistence::testing::TestDb;
use proptest::prelude::*;

const ZONES: [&str; 6] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
];
const AGENTS: [&str; 3] = ["ana@desk.example", "bo@desk.example", "cy@desk.example"];
const TEAMS: [&str; 2] = ["Billing", "Tech"];
const TAGS: [&str; 3] = ["billing", "bug", "vip"];

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

/// One step of a generated history: a gap (often zero, so events share an
/// instant), what happens, and a parameter for it.
#[derive(Debug, Clone)]
struct Step {
    gap_minutes: u32,
    kind: u8,
    param: u8,
}

#[derive(Debug, Clone)]
struct Script {
    start_minutes: u32,
    seconds: u32,
    channel: usize,
    priority: usize,
    tags: u8,
    fcr_eligible: bool,
    agent_first: bool,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
struct QueryScript {
    from_hours: u32,
    length_hours: u32,
    zone: usize,
    period: usize,
    business: bool,
    filter: u8,
    filter_pick: usize,
}

#[derive(Debug, Clone)]
struct World {
    tickets: Vec<Script>,
    calendar: bool,
    policy_minutes: (u32, u32, u32),
    merges: Vec<(usize, usize)>,
    queries: Vec<QueryScript>,
}

fn step() -> impl Strategy<Value = Step> {
    // Whole hours often, so events land on bucket boundaries (local midnights).
    let gap = prop_oneof![3 => Just(0_u32), 3 => (1_u32..48).prop_map(|h| h * 60), 3 => 1_u32..600, 1 => 600_u32..6000];
    (gap, 0_u8..12, any::<u8>()).prop_map(|(gap_minutes, kind, param)| Step {
        gap_minutes,
        kind,
        param,
    })
}

fn script() -> impl Strategy<Value = Script> {
    (
        prop_oneof![(0_u32..(140 * 24)).prop_map(|h| h * 60), 0_u32..(140 * 24 * 60)],
        prop_oneof![3 => Just(0_u32), 1 => 0_u32..60],
        0_usize..6,
        0_usize..4,
        any::<u8>(),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.15),
        prop::collection::vec(step(), 0..14),
    )
        .prop_map(
            |(start_minutes, seconds, channel, priority, tags, fcr_eligible, agent_first, steps)| Script {
                start_minutes,
                seconds,
                channel,
                priority,
                tags,
                fcr_eligible,
                agent_first,
                steps,
            },
        )
}

fn query() -> impl Strategy<Value = QueryScript> {
    (
        0_u32..(160 * 24),
        1_u32..(200 * 24),
        0_usize..ZONES.len(),
        0_usize..6,
        any::<bool>(),
        0_u8..9,
        any::<usize>(),
    )
        .prop_map(
            |(from_hours, length_hours, zone, period, business, filter, filter_pick)| QueryScript {
                from_hours,
                length_hours,
                zone,
                period,
                business,
                filter,
                filter_pick,
            },
        )
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(script(), 1..30),
        any::<bool>(),
        (30_u32..2000, 30_u32..2000, 60_u32..20000),
        prop::collection::vec((0_usize..30, 0_usize..30), 0..3),
        prop::collection::vec(query(), 4..8),
    )
        .prop_map(|(tickets, calendar, policy_minutes, merges, queries)| World {
            tickets,
            calendar,
            policy_minutes,
            merges,
            queries,
        })
}

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

const STATUSES: [TicketStatus; 6] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::Pending,
    TicketStatus::OnHold,
    TicketStatus::Solved,
    TicketStatus::Closed,
];

/// Turns a script into a valid imported ticket (a closed ticket takes no
/// further status change).
fn ticket(n: usize, s: &Script) -> ImportedTicket {
    let created_at = epoch() + TimeDelta::minutes(s.start_minutes.into()) + TimeDelta::seconds(s.seconds.into());
    let mut at = created_at;
    let first = if s.agent_first {
        ImportedAuthor::Agent(email(AGENTS[0]))
    } else {
        ImportedAuthor::Customer
    };
    let mut events = vec![ImportedEvent {
        at,
        kind: ImportedKind::Message {
            author: first,
            body: "first".into(),
        },
    }];
    let mut closed = false;
    for step in &s.steps {
        at += TimeDelta::minutes(step.gap_minutes.into());
        let p = usize::from(step.param);
        let kind = match step.kind {
            0 | 1 => ImportedKind::Message {
                author: ImportedAuthor::Customer,
                body: "customer".into(),
            },
            2 | 3 => ImportedKind::Message {
                author: ImportedAuthor::Agent(email(AGENTS[p % AGENTS.len()])),
                body: "agent".into(),
            },
            4 => ImportedKind::Note {
                agent: email(AGENTS[p % AGENTS.len()]),
                body: "note".into(),
            },
            5..=7 => {
                let to = STATUSES[p % STATUSES.len()];
                if closed && to != TicketStatus::Closed {
                    continue;
                }
                closed |= to == TicketStatus::Closed;
                ImportedKind::Status(to)
            }
            8 => ImportedKind::Priority(Priority::ALL[p % Priority::ALL.len()]),
            9 => ImportedKind::Assign {
                agent: Some((p % 4 != 3).then(|| email(AGENTS[p % AGENTS.len()]))),
                team: (p % 2 == 0).then(|| Some(TEAMS[p / 2 % TEAMS.len()].to_owned())),
            },
            10 => ImportedKind::Survey {
                survey: Survey::Csat,
                score: 1 + step.param % 5,
                comment: None,
            },
            _ => ImportedKind::Survey {
                survey: Survey::Nps,
                score: step.param % 11,
                comment: None,
            },
        };
        events.push(ImportedEvent { at, kind });
    }
    let tags: BTreeSet<Tag> = TAGS
        .iter()
        .enumerate()
        .filter(|(i, _)| s.tags & (1 << i) != 0)
        .map(|(_, t)| Tag::parse(t).unwrap())
        .collect();
    let t = ImportedTicket {
        external_id: format!("prop-{n}"),
        subject: format!("ticket {n}"),
        channel: Channel::ALL[s.channel % Channel::ALL.len()],
        priority: Priority::ALL[s.priority % Priority::ALL.len()],
        customer_email: email(&format!("c{}@example.com", n % 7)),
        customer_name: None,
        tags,
        created_at,
        fcr_eligible: s.fcr_eligible,
        events,
    };
    t.check().unwrap();
    t
}

fn calendar() -> BusinessCalendar {
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let five = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    BusinessCalendar::new(
        "Europe/Berlin".parse().unwrap(),
        days.into_iter().map(|d| OpenInterval::new(d, nine, five)),
        [NaiveDate::from_ymd_opt(2026, 4, 6).unwrap()],
    )
    .unwrap()
}

async fn check_world(db: TestDb, w: World) {
    let store = &db.store;
    let calendar = w.calendar.then(calendar);
    if let Some(c) = &calendar {
        store.set_business_calendar(c).await.unwrap();
    }
    let (first, next, resolution) = w.policy_minutes;
    let policy = SlaPolicy {
        id: SlaPolicyId::new(),
        name: "Everything".into(),
        position: 1,
        priorities: vec![],
        channels: vec![],
        tags: BTreeSet::new(),
        targets: vec![
            TargetSpec {
                target: SlaTarget::FirstResponse,
                minutes: first,
                clock: Clock::Business,
            },
            TargetSpec {
                target: SlaTarget::NextReply,
                minutes: next,
                clock: Clock::Calendar,
            },
            TargetSpec {
                target: SlaTarget::Resolution,
                minutes: resolution,
                clock: Clock::Calendar,
            },
        ],
        warning_percent: SlaPolicy::DEFAULT_WARNING_PERCENT,
        webhook: None,
        calendar: None,
    };
    store.create_sla_policy(policy, epoch()).await.unwrap();

    let imported: Vec<_> = w.tickets.iter().enumerate().map(|(n, s)| ticket(n, s)).collect();
    let outcome = store.import_tickets(&imported, now()).await.unwrap();
    assert_eq!(outcome.imported, imported.len());
    for &(a, b) in &w.merges {
        let (a, b) = (a % imported.len(), b % imported.len());
        if a == b {
            continue;
        }
        let source = store.ticket_by_number(a as i64 + 1).await.unwrap().unwrap();
        let target = store.ticket_by_number(b as i64 + 1).await.unwrap().unwrap();
        // A refused merge (closed or already merged) is fine: the store stays as it was.
        let _ = store.merge_tickets(source.id, target.id, Actor::System, now()).await;
    }

    // The reference's inputs, read back from the store: current values for
    // filters, the recorded log, and SLA decisions re-made by the domain.
    let policies = store.sla_policies().await.unwrap();
    let business: &dyn helpdesk_domain::sla::WorkingClock = match &calendar {
        Some(c) => c,
        None => &CalendarClock,
    };
    let clocks = Clocks { business };
    let mut rows = Vec::new();
    for number in 1..=imported.len() as i64 {
        let record = store.ticket_by_number(number).await.unwrap().unwrap();
        let history: Vec<_> = store
            .ticket_events(record.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect();
        let tags: Vec<Tag> = store
            .tags_of(&[record.id])
            .await
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let sla = evaluate(&history, &policies, &clocks, now());
        rows.push((record, history, tags, sla));
    }
    let tickets: Vec<ReferenceTicket<'_>> = rows
        .iter()
        .map(|(r, history, tags, sla)| ReferenceTicket {
            created_at: r.created_at,
            attributes: TicketAttributes {
                channel: r.channel,
                priority: r.priority,
                team: r.team_id,
                assignee: r.assignee_id,
                tags: tags.clone(),
            },
            fcr_eligible: r.fcr_eligible,
            merged: r.merged_into.is_some(),
            history,
            sla,
        })
        .collect();
    let desk_calendar = calendar.clone().unwrap_or_else(BusinessCalendar::always_open);

    for q in &w.queries {
        let from = epoch() - TimeDelta::days(10) + TimeDelta::hours(q.from_hours.into());
        let to = from + TimeDelta::hours(q.length_hours.into());
        let pick = |n: usize| q.filter_pick % n.max(1);
        let some_ticket = &rows[pick(rows.len())].0;
        let filter = match q.filter {
            1 => KpiFilter {
                channels: vec![some_ticket.channel, Channel::Chat],
                ..KpiFilter::default()
            },
            2 => KpiFilter {
                priorities: vec![some_ticket.priority],
                ..KpiFilter::default()
            },
            3 => KpiFilter {
                agent_ids: some_ticket.assignee_id.into_iter().collect(),
                ..KpiFilter::default()
            },
            4 => KpiFilter {
                team_ids: some_ticket.team_id.into_iter().collect(),
                ..KpiFilter::default()
            },
            5 => KpiFilter {
                tags: vec![Tag::parse(TAGS[pick(TAGS.len())]).unwrap()],
                ..KpiFilter::default()
            },
            // A team-scoped agent's reach, with and without teamless tickets.
            6 | 7 => KpiFilter {
                access: TicketAccess::of(AgentScope::Teams, some_ticket.team_id, q.filter == 7),
                ..KpiFilter::default()
            },
            _ => KpiFilter::default(),
        };
        let query = KpiQuery {
            from,
            to,
            timezone: ZONES[q.zone].parse().unwrap(),
            group_by: [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year]
                .get(q.period)
                .copied(),
            clock: if q.business { Clock::Business } else { Clock::Calendar },
            filter,
        };
        let sql = kpi_tallies(store, &query, now()).await.unwrap();
        let range = Range::new(from, to, now()).unwrap();
        let buckets = plan_buckets(range, query.timezone, query.group_by).unwrap();
        let reference = report_tallies(&tickets, range, &buckets, query.clock, &desk_calendar, &query.filter);
        assert_eq!(sql.total, reference.total, "total differs for {query:?}");
        assert_eq!(sql, reference, "buckets differ for {query:?}");
    }
}

fn run(world: World, postgres: bool) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = if postgres {
            match TestDb::postgres().await {
                Some(db) => db,
                None => return,
            }
        } else {
            TestDb::sqlite().await
        };
        check_world(db, world).await;
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sql_equals_reference_on_sqlite(w in world()) {
        run(w, false);
    }

    #[test]
    fn sql_equals_reference_on_postgres(w in world()) {
        if std::env::var(helpdesk_persistence::testing::POSTGRES_ENV).is_err() {
            eprintln!("HELPDESK_TEST_POSTGRES_URL unset: PostgreSQL run skipped");
            return Ok(());
        }
        run(w, true);
    }
}

/// Instants that fall exactly on bucket and range boundaries, where `<`
/// against `<=` decides: a solve, a reopen and a second solve each at a UTC
/// midnight, and a breached first response met exactly at midnight.
fn boundary_world() -> World {
    let day = 24 * 60;
    let at_midnight = |gap_days: u32, kind: u8, param: u8| Step {
        gap_minutes: gap_days * day,
        kind,
        param,
    };
    let solved = 4;
    let open = 1;
    let flip_flop = Script {
        start_minutes: 31 * day,
        seconds: 0,
        channel: 0,
        priority: 1,
        tags: 0,
        fcr_eligible: true,
        agent_first: false,
        steps: vec![
            at_midnight(1, 5, solved),
            at_midnight(1, 5, open),
            at_midnight(1, 2, 0),
            at_midnight(0, 5, solved),
        ],
    };
    let late_answer = Script {
        start_minutes: 35 * day + 22 * 60,
        seconds: 0,
        steps: vec![Step {
            gap_minutes: 120,
            kind: 2,
            param: 1,
        }],
        ..flip_flop.clone()
    };
    let daily = |from_days: u32, days: u32| QueryScript {
        from_hours: (10 + from_days) * 24,
        length_hours: days * 24,
        zone: 0,
        period: 0,
        business: false,
        filter: 0,
        filter_pick: 0,
    };
    World {
        tickets: vec![flip_flop, late_answer],
        calendar: false,
        policy_minutes: (60, 60, 100_000),
        merges: vec![],
        queries: vec![
            daily(31, 7),
            daily(32, 1),
            daily(33, 1),
            daily(34, 3),
            daily(35, 1),
            QueryScript {
                period: 5,
                ..daily(33, 2)
            },
        ],
    }
}

#[test]
fn boundaries_on_sqlite() {
    run(boundary_world(), false);
}

#[test]
fn boundaries_on_postgres() {
    if std::env::var(helpdesk_persistence::testing::POSTGRES_ENV).is_err() {
        eprintln!("HELPDESK_TEST_POSTGRES_URL unset: PostgreSQL run skipped");
        return;
    }
    run(boundary_world(), true);
}
