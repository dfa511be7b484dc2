//! `GET /exports/kpis.csv`: the `kpis` report as CSV, for spreadsheets and BI.
//!
//! Parameters (query string) mirror the GraphQL arguments: `from` and `to`
//! (RFC 3339, required), `timezone` (IANA, default `UTC`), `groupBy` (`DAY`
//! `WEEK` `MONTH` `QUARTER` `YEAR`, default none), `clock` (`CALENDAR` or
//! `BUSINESS`, default `CALENDAR`), and the filter lists `channels`,
//! `priorities`, `teamIds`, `agentIds`, `tags`, each comma-separated (or
//! repeated). Enum values are case-insensitive. Agents authenticate as on
//! `/graphql` with `Authorization: Bearer <jwt>`.
//!
//! The body has a header, then one `bucket` row per bucket in time order, then
//! one `total` row whose `bucket_start`/`bucket_end` are the whole range
//! (clipped to now, as the report is). Each column after `row`,
//! `bucket_start` and `bucket_end` is the snake_case path of the GraphQL
//! field it repeats (`firstResponseTime.p90` is `first_response_time_p90`,
//! `sla.byTarget[FIRST_RESPONSE].rate` is `sla_first_response_rate`); every
//! SLA target and every channel has its columns whether or not it has data,
//! so the header never depends on the data. A channel without tickets in a
//! row has `tickets` 0 and `share` 0 (empty when the row created no tickets).
//! Null figures are empty cells; instants are RFC 3339 in UTC; numbers are
//! written in full, unrounded.

use std::collections::BTreeMap;

use axum::extract::{RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_domain::kpi::{DurationStats, KpiFilter, KpiReport, KpiValues, Period, Range};
use helpdesk_domain::sla::{Clock, SlaTarget};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Channel, Priority};
use helpdesk_metrics::{KpiQuery, kpi_report};

use super::csv::CsvWriter;
use super::graphql::authenticate;
use super::plain::{plain, unauthorized};
use crate::auth::viewer::Authentication;
use crate::{ApiError, AppState};

pub(super) async fn export(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let viewer = match authenticate(&state, &headers).await {
        Ok(Authentication::Valid(viewer)) => viewer,
        Ok(Authentication::Missing) => return unauthorized("an access token is required"),
        Ok(Authentication::Invalid) => return unauthorized("invalid or expired access token"),
        Err(_) => return plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable"),
    };
    let mut query = match parse_query(raw.as_deref().unwrap_or_default()) {
        Ok(query) => query,
        Err(reason) => return bad_request(&reason),
    };
    // A scoped agent's figures cover only the tickets they may see.
    query.filter.access = viewer.access;
    // Stored instants have microseconds; so do the report's.
    let now = state.clock.now().trunc_subsecs(6);
    let report = match kpi_report(&state.read_store, &query, now).await {
        Ok(report) => report,
        Err(err) => {
            return match ApiError::from(err) {
                ApiError::BadUserInput(reason) => bad_request(&reason),
                _ => plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
            };
        }
    };
    let range = match Range::new(query.from, query.to, now) {
        Ok(range) => range,
        Err(err) => return bad_request(&err.to_string()),
    };
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"kpis.csv\""),
            (CACHE_CONTROL, "no-store"),
        ],
        render(&report, range),
    )
        .into_response()
}

fn bad_request(reason: &str) -> Response {
    plain(StatusCode::BAD_REQUEST, reason)
}

const SCALARS: [&str; 5] = ["from", "to", "timezone", "groupBy", "clock"];
const LISTS: [&str; 5] = ["channels", "priorities", "teamIds", "agentIds", "tags"];

/// Reads the query string into a report query, or says what is wrong with it.
fn parse_query(raw: &str) -> Result<KpiQuery, String> {
    let mut scalars: BTreeMap<&str, String> = BTreeMap::new();
    let mut lists: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
        if let Some(&name) = SCALARS.iter().find(|&&n| n == name) {
            if scalars.insert(name, value.into_owned()).is_some() {
                return Err(format!("parameter `{name}` given more than once"));
            }
        } else if let Some(&name) = LISTS.iter().find(|&&n| n == name) {
            let items = value.split(',').map(str::trim).filter(|v| !v.is_empty());
            lists.entry(name).or_default().extend(items.map(str::to_owned));
        } else {
            return Err(format!(
                "unknown parameter `{name}`; expected one of {}",
                SCALARS.iter().chain(&LISTS).copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let scalar = |name: &str| scalars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let instant = |name: &str| -> Result<DateTime<Utc>, String> {
        let value = scalar(name).ok_or_else(|| format!("parameter `{name}` is required (RFC 3339)"))?;
        // A `+` of an offset left unescaped in a URL arrives as a space.
        DateTime::parse_from_rfc3339(&value.replace(' ', "+"))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| format!("parameter `{name}` is not an RFC 3339 instant: {value:?}"))
    };
    let list = |name: &str| lists.get(name).map(Vec::as_slice).unwrap_or_default();
    fn each<T>(name: &str, values: &[String], parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
        values
            .iter()
            .map(|v| parse(v).ok_or_else(|| format!("parameter `{name}` has an invalid value: {v:?}")))
            .collect()
    }
    let group_by = scalar("groupBy")
        .map(|v| {
            v.parse::<Period>()
                .map_err(|_| format!("parameter `groupBy` must be one of DAY, WEEK, MONTH, QUARTER, YEAR: {v:?}"))
        })
        .transpose()?;
    let clock = scalar("clock")
        .map(|v| {
            v.parse::<Clock>()
                .map_err(|_| format!("parameter `clock` must be CALENDAR or BUSINESS: {v:?}"))
        })
        .transpose()?
        .unwrap_or(Clock::Calendar);
    Ok(KpiQuery {
        from: instant("from")?,
        to: instant("to")?,
        timezone: KpiQuery::zone(scalar("timezone").unwrap_or("UTC")).map_err(|e| e.to_string())?,
        group_by,
        clock,
        filter: KpiFilter {
            channels: each("channels", list("channels"), |v| v.parse::<Channel>().ok())?,
            priorities: each("priorities", list("priorities"), |v| v.parse::<Priority>().ok())?,
            team_ids: each("teamIds", list("teamIds"), |v| v.parse::<TeamId>().ok())?,
            agent_ids: each("agentIds", list("agentIds"), |v| v.parse::<AgentId>().ok())?,
            tags: each("tags", list("tags"), |v| Tag::parse(v).ok())?,
            // The caller's reach is set once they are known.
            access: Default::default(),
        },
    })
}

/// One CSV row as (column, cell) pairs, so the header and every row come
/// from the same code and cannot drift apart.
#[derive(Default)]
struct Row {
    columns: Vec<String>,
    cells: Vec<String>,
}

impl Row {
    fn put(&mut self, column: impl Into<String>, cell: String) {
        self.columns.push(column.into());
        self.cells.push(cell);
    }

    fn count(&mut self, column: impl Into<String>, n: u64) {
        self.put(column, n.to_string());
    }

    fn number(&mut self, column: impl Into<String>, x: Option<f64>) {
        self.put(column, x.map(|x| x.to_string()).unwrap_or_default());
    }

    fn duration(&mut self, prefix: &str, d: &DurationStats) {
        self.count(format!("{prefix}_count"), d.count);
        self.number(format!("{prefix}_average"), d.average);
        self.number(format!("{prefix}_median"), d.median);
        self.number(format!("{prefix}_p90"), d.p90);
    }
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn row(kind: &str, start: DateTime<Utc>, end: DateTime<Utc>, v: &KpiValues) -> Row {
    let mut r = Row::default();
    r.put("row", kind.to_owned());
    r.put("bucket_start", instant(start));
    r.put("bucket_end", instant(end));
    r.count("tickets_created", v.tickets_created);
    r.count("tickets_solved", v.tickets_solved);
    r.duration("first_response_time", &v.first_response_time);
    r.duration("response_time", &v.response_time);
    r.duration("resolution_time", &v.resolution_time);
    r.duration("full_resolution_time", &v.full_resolution_time);
    r.number("interactions_per_ticket", v.interactions_per_ticket);
    r.number("assignee_stations_per_ticket", v.assignee_stations_per_ticket);
    r.number("fcr_rate", v.fcr_rate);
    r.number("reopen_rate", v.reopen_rate);
    r.number("resolution_rate", v.resolution_rate);
    r.count("backlog", v.backlog);
    r.count("overdue_backlog", v.overdue_backlog);
    r.count("sla_achieved", v.sla.achieved);
    r.count("sla_breached", v.sla.breached);
    r.number("sla_rate", v.sla.rate);
    for &target in SlaTarget::ALL {
        let name = target.as_str().to_ascii_lowercase();
        let figures = v.sla.by_target.iter().find(|t| t.target == target);
        r.count(format!("sla_{name}_achieved"), figures.map_or(0, |t| t.achieved));
        r.count(format!("sla_{name}_breached"), figures.map_or(0, |t| t.breached));
        r.number(format!("sla_{name}_rate"), figures.and_then(|t| t.rate));
    }
    r.count("csat_responses", v.csat.responses);
    r.number("csat_score", v.csat.score);
    r.number("csat_average", v.csat.average);
    r.count("nps_responses", v.nps.responses);
    r.count("nps_promoters", v.nps.promoters);
    r.count("nps_passives", v.nps.passives);
    r.count("nps_detractors", v.nps.detractors);
    r.number("nps_score", v.nps.score);
    for &channel in Channel::ALL {
        let name = channel.as_str().to_ascii_lowercase();
        let share = v.channels.iter().find(|c| c.channel == channel);
        r.count(format!("channel_{name}_tickets"), share.map_or(0, |c| c.tickets));
        let percent = share
            .map(|c| c.share)
            .or_else(|| (v.tickets_created > 0).then_some(0.0));
        r.number(format!("channel_{name}_share"), percent);
    }
    r
}

/// The report as CSV: header, bucket rows, total row.
fn render(report: &KpiReport, range: Range) -> String {
    let rows: Vec<Row> = report
        .buckets
        .iter()
        .map(|b| row("bucket", b.start, b.end, &b.values))
        .chain(std::iter::once(row("total", range.from, range.to, &report.total)))
        .collect();
    let mut csv = CsvWriter::default();
    if let Some(first) = rows.first() {
        csv.record(&first.columns);
    }
    for r in &rows {
        csv.record(&r.cells);
    }
    csv.finish()
}

/// The header `GET /exports/kpis.csv` writes.
#[cfg(test)]
fn header() -> Vec<String> {
    let empty = KpiReport::from(&helpdesk_domain::kpi::ReportTallies {
        total: Default::default(),
        buckets: Vec::new(),
    });
    row(
        "total",
        DateTime::<Utc>::UNIX_EPOCH,
        DateTime::<Utc>::UNIX_EPOCH,
        &empty.total,
    )
    .columns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_every_figure_once() {
        let header = header();
        let unique: std::collections::BTreeSet<_> = header.iter().collect();
        assert_eq!(unique.len(), header.len(), "duplicate column");
        assert_eq!(
            &header[..5],
            ["row", "bucket_start", "bucket_end", "tickets_created", "tickets_solved"]
        );
        for column in [
            "first_response_time_p90",
            "full_resolution_time_average",
            "sla_first_response_rate",
            "sla_next_reply_breached",
            "sla_resolution_achieved",
            "nps_score",
            "channel_web_form_share",
            "channel_api_tickets",
        ] {
            assert!(header.iter().any(|c| c == column), "{column} missing");
        }
        assert_eq!(header.len(), 3 + 2 + 4 * 4 + 5 + 2 + 3 + 3 * 3 + 3 + 5 + 2 * 6);
    }

    #[test]
    fn reads_parameters() {
        let ok = |raw: &str| parse_query(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        let q = ok(
            "from=2026-03-02T00:00:00%2B01:00&to=2026-03-03T00:00:00Z&groupBy=day&clock=BUSINESS\
                    &channels=EMAIL,chat&channels=PHONE&tags=Billing&timezone=Europe/Berlin",
        );
        assert_eq!(q.from.to_rfc3339(), "2026-03-01T23:00:00+00:00");
        assert_eq!(q.group_by, Some(Period::Day));
        assert_eq!(q.clock, Clock::Business);
        assert_eq!(q.filter.channels, [Channel::Email, Channel::Chat, Channel::Phone]);
        assert_eq!(q.filter.tags.len(), 1);
        assert_eq!(q.timezone, chrono_tz::Europe::Berlin);
        let unescaped = ok("from=2026-03-02T00:00:00+01:00&to=2026-03-03T00:00:00Z");
        assert_eq!(unescaped.from.to_rfc3339(), "2026-03-01T23:00:00+00:00");

        for bad in [
            "",
            "to=2026-03-03T00:00:00Z",
            "from=yesterday&to=2026-03-03T00:00:00Z",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&groupBy=HOUR",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&clock=SOMETIMES",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&timezone=Mars/Olympus",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&channels=FAX",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&teamIds=nope",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&from=2026-03-01T00:00:00Z",
            "from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&groupby=DAY",
        ] {
            assert!(parse_query(bad).is_err(), "{bad:?} accepted");
        }
    }
}
