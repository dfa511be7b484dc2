//! `GET /survey/{token}` and `POST /survey/{token}`: the page a customer
//! answers a survey on, with or without JavaScript. `?rating=N` (the links
//! in the mail) records that rating at once. Rate limited per client address.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use helpdesk_channels::survey::{SurveyError, answer, page};
use helpdesk_persistence::surveys::SurveyPage;
use serde::Deserialize;

use super::survey_view::{PageState, notice, notice_with, survey};
use crate::AppState;
use crate::http::client_address::client_address;
use crate::http::rate_limit::retry_after_secs;

#[derive(Deserialize)]
pub(super) struct Link {
    rating: Option<String>,
}

/// The desk's name for the page header; the default when the store does
/// not answer (the page says what went wrong anyway).
async fn desk_name(state: &AppState) -> String {
    match state.store.survey_settings().await {
        Ok(settings) => settings.desk_name,
        Err(err) => {
            tracing::error!(%err, "survey settings unreadable");
            helpdesk_domain::survey::SurveySettings::default().desk_name
        }
    }
}

/// The 429 page when `client` spent its budget.
fn limited(state: &AppState, peer: SocketAddr, headers: &HeaderMap, desk: &str) -> Option<Response> {
    let client = client_address(peer.ip(), headers, &state.limits.trusted_proxies);
    let wait = state.limiters.survey.check(&client, state.clock.now()).err()?;
    Some(notice_with(
        StatusCode::TOO_MANY_REQUESTS,
        desk,
        "Too many requests",
        "Please wait a moment and try again.",
        Some(retry_after_secs(wait)),
    ))
}

/// The page for an error answering or looking up a survey.
fn failed(err: &SurveyError, desk: &str) -> Response {
    match err {
        SurveyError::UnknownToken => notice(
            StatusCode::NOT_FOUND,
            desk,
            "Survey not found",
            "This survey link is not known. Please use the link from the message you received.",
        ),
        SurveyError::Expired => notice(
            StatusCode::GONE,
            desk,
            "This survey has closed",
            "This survey link has expired. Thank you for your interest all the same.",
        ),
        SurveyError::Invalid(rule) => notice(StatusCode::BAD_REQUEST, desk, "Answer not recorded", &rule.to_string()),
        SurveyError::Store(store) => {
            tracing::error!(err = %store, "survey answer failed");
            notice(
                StatusCode::SERVICE_UNAVAILABLE,
                desk,
                "Please try again",
                "Your answer could not be recorded just now; please try again in a moment.",
            )
        }
    }
}

/// The page of `found` after an answer (or a refused one: `error`).
fn shown(status: StatusCode, found: &SurveyPage, token: &str, desk: &str, error: Option<String>) -> Response {
    let invitation = &found.invitation;
    survey(
        status,
        found,
        PageState {
            desk_name: desk,
            token,
            rating: invitation.score,
            comment: invitation.comment.as_deref(),
            answered: invitation.answered_at.is_some(),
            error,
        },
    )
}

/// A visit to a survey's page: the client within its budget, the
/// invitation found. What to answer instead when not.
struct Visit {
    desk: String,
    found: SurveyPage,
    now: chrono::DateTime<chrono::Utc>,
}

async fn visit(state: &AppState, peer: SocketAddr, headers: &HeaderMap, token: &str) -> Result<Visit, Response> {
    let desk = desk_name(state).await;
    if let Some(refused) = limited(state, peer, headers, &desk) {
        return Err(refused);
    }
    let now = state.clock.now();
    match page(&state.store, token, now).await {
        Ok(found) => Ok(Visit { desk, found, now }),
        Err(err) => Err(failed(&err, &desk)),
    }
}

/// Records `rating` and `comment` and shows the page with them; a refused
/// answer shows the page with the reason and what the customer typed (so a
/// too-long comment can be shortened).
async fn record(state: &AppState, visit: Visit, token: &str, rating: i64, comment: Option<String>) -> Response {
    let Visit { desk, found, now } = visit;
    match answer(&state.store, token, rating, comment.as_deref(), now).await {
        Ok(answered) => shown(StatusCode::OK, &answered.page, token, &desk, None),
        Err(SurveyError::Invalid(rule)) => {
            let mut page = found;
            page.invitation.comment = comment;
            shown(StatusCode::BAD_REQUEST, &page, token, &desk, Some(rule.to_string()))
        }
        Err(err) => failed(&err, &desk),
    }
}

pub(super) async fn show(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Query(link): Query<Link>,
    headers: HeaderMap,
) -> Response {
    let visit = match visit(&state, peer, &headers, &token).await {
        Ok(visit) => visit,
        Err(answer) => return answer,
    };
    let Some(raw) = link.rating else {
        return shown(StatusCode::OK, &visit.found, &token, &visit.desk, None);
    };
    let Ok(rating) = raw.trim().parse::<i64>() else {
        let reason = format!("{raw:?} is not a rating; choose one below");
        return shown(StatusCode::BAD_REQUEST, &visit.found, &token, &visit.desk, Some(reason));
    };
    // A click on another link of the mail changes the rating and keeps
    // the comment already given.
    let comment = visit.found.invitation.comment.clone();
    record(&state, visit, &token, rating, comment).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let visit = match visit(&state, peer, &headers, &token).await {
        Ok(visit) => visit,
        Err(answer) => return answer,
    };
    let (mut rating, mut comment) = (None, None);
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "rating" => rating = Some(value.into_owned()),
            "comment" => comment = Some(value.into_owned()),
            _ => {}
        }
    }
    let Some(rating) = rating.as_deref().and_then(|r| r.trim().parse::<i64>().ok()) else {
        let reason = "Choose a rating before sending.".to_owned();
        return shown(StatusCode::BAD_REQUEST, &visit.found, &token, &visit.desk, Some(reason));
    };
    record(&state, visit, &token, rating, comment).await
}

/// `/survey` without a token: a post that lost its link.
pub(super) async fn missing_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let desk = desk_name(&state).await;
    if let Some(refused) = limited(&state, peer, &headers, &desk) {
        return refused;
    }
    notice(
        StatusCode::BAD_REQUEST,
        &desk,
        "Survey link incomplete",
        "The survey token is missing from this address. Please use the full link from the message you received.",
    )
}
