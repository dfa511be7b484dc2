//! Operational telemetry: request counts and timings, queue and ticket
//! gauges, served as Prometheus text at `GET /metrics` (the route name
//! Prometheus scrapes by default; "metrics" elsewhere in the code means
//! the KPIs).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Method, route template and status of a request series.
type Series = (String, String, u16);
/// How many requests a series counted, and their total seconds.
type Tally = (u64, f64);

/// Requests served, per method, route and status.
#[derive(Debug, Default)]
pub(crate) struct HttpTelemetry {
    requests: Mutex<BTreeMap<Series, Tally>>,
}

/// Counts every request by its route template (not its raw path, which
/// would make one series per ticket id or form key).
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    if let Ok(mut requests) = state.telemetry.requests.lock() {
        let entry = requests.entry((method, route, response.status().as_u16())).or_default();
        entry.0 += 1;
        entry.1 += seconds;
    }
    response
}

pub(super) async fn render(State(state): State<AppState>) -> Response {
    match collect(&state).await {
        Ok(text) => ([(CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response(),
        Err(err) => {
            tracing::warn!(%err, "telemetry: store unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

async fn collect(state: &AppState) -> Result<String, helpdesk_persistence::StoreError> {
    let store = &state.store;
    let mut out = String::new();
    let requests = state.telemetry.requests.lock().map(|r| r.clone()).unwrap_or_default();
    out.push_str("# HELP helpdesk_http_requests_total HTTP requests served.\n");
    out.push_str("# TYPE helpdesk_http_requests_total counter\n");
    for ((method, route, status), (count, _)) in &requests {
        let _ = writeln!(
            out,
            "helpdesk_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
        );
    }
    out.push_str("# HELP helpdesk_http_request_duration_seconds Time spent serving HTTP requests.\n");
    out.push_str("# TYPE helpdesk_http_request_duration_seconds summary\n");
    for ((method, route, status), (count, seconds)) in &requests {
        let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
        let _ = writeln!(out, "helpdesk_http_request_duration_seconds_sum{{{labels}}} {seconds}");
        let _ = writeln!(out, "helpdesk_http_request_duration_seconds_count{{{labels}}} {count}");
    }
    out.push_str("# HELP helpdesk_queue_pending Deliveries waiting to be sent.\n");
    out.push_str("# TYPE helpdesk_queue_pending gauge\n");
    let _ = writeln!(
        out,
        "helpdesk_queue_pending{{queue=\"mail\"}} {}",
        store.pending_mail_count().await?
    );
    let _ = writeln!(
        out,
        "helpdesk_queue_pending{{queue=\"webhook\"}} {}",
        store.pending_webhook_count().await?
    );
    out.push_str("# HELP helpdesk_open_tickets Unresolved tickets.\n");
    out.push_str("# TYPE helpdesk_open_tickets gauge\n");
    for (channel, n) in store.open_tickets_by_channel().await? {
        let _ = writeln!(out, "helpdesk_open_tickets{{channel=\"{channel}\"}} {n}");
    }
    out.push_str("# HELP helpdesk_sla_targets SLA targets not yet decided.\n");
    out.push_str("# TYPE helpdesk_sla_targets gauge\n");
    for (state, n) in store.open_sla_targets_by_state().await? {
        let _ = writeln!(out, "helpdesk_sla_targets{{state=\"{state}\"}} {n}");
    }
    out.push_str("# HELP helpdesk_sla_breached_tickets Tickets with a breached SLA target still open.\n");
    out.push_str("# TYPE helpdesk_sla_breached_tickets gauge\n");
    let _ = writeln!(
        out,
        "helpdesk_sla_breached_tickets {}",
        store.tickets_with_open_breach().await?
    );
    Ok(out)
}
