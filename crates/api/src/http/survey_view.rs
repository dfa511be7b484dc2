//! The survey pages' HTML: minijinja templates (auto-escaped, as every
//! `.html` template is) from `assets/survey/`, with a style sheet whose hash
//! the pages' Content-Security-Policy names, so no other style or any
//! script can run on them.

use std::sync::OnceLock;

use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helpdesk_domain::survey::COMMENT_MAX;
use helpdesk_domain::ticket::Survey;
use helpdesk_persistence::surveys::SurveyPage;
use minijinja::{Environment, Value, context};
use sha2::{Digest, Sha256};

const PAGE: &str = include_str!("../../assets/survey/page.html");

/// Readable on a phone and a desktop, large touch targets, visible focus.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430;line-height:1.5}\
main{max-width:40rem;margin:0 auto;padding:1.5rem}\
.desk{font-weight:600;color:#4a5568;margin:0 0 1rem}\
h1{font-size:1.5rem;margin:0 0 .5rem}\
fieldset{border:1px solid #cbd2d9;border-radius:.5rem;padding:1rem;margin:1rem 0}\
legend{font-weight:600;padding:0 .25rem}\
.scale{display:flex;flex-wrap:wrap;gap:.5rem}\
.option{display:flex;align-items:center;gap:.25rem;padding:.5rem .75rem;border:1px solid #cbd2d9;border-radius:.5rem;background:#fff}\
input[type=radio]{width:1.25rem;height:1.25rem}\
label.comment{display:block;font-weight:600;margin-top:1rem}\
textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #cbd2d9;border-radius:.5rem}\
button{margin-top:1rem;font:inherit;font-weight:600;padding:.75rem 1.5rem;border:0;border-radius:.5rem;background:#1f5fbf;color:#fff;cursor:pointer}\
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}\
.thanks{background:#e3f9e5;border:1px solid #57ae5b;border-radius:.5rem;padding:.75rem}\
.error{background:#ffe3e3;border:1px solid #e12d39;border-radius:.5rem;padding:.75rem}";

struct View {
    env: Environment<'static>,
    csp: HeaderValue,
}

fn view() -> &'static View {
    static VIEW: OnceLock<View> = OnceLock::new();
    VIEW.get_or_init(|| {
        let mut env = Environment::new();
        // A compile error here is a bug in a file embedded in the binary; it
        // shows as the plain-text fallback of `render`, never as a panic.
        if let Err(err) = env.add_template("page.html", PAGE) {
            tracing::error!(%err, "survey template does not compile");
        }
        let hash = STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        let csp = format!(
            "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        );
        View {
            env,
            csp: HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static("default-src 'none'")),
        }
    })
}

/// What a survey page shows besides the invitation itself.
pub(crate) struct PageState<'a> {
    pub desk_name: &'a str,
    pub token: &'a str,
    /// The rating to pre-select.
    pub rating: Option<u8>,
    pub comment: Option<&'a str>,
    /// An answer is on record: the page thanks the customer.
    pub answered: bool,
    /// Why the last post was refused.
    pub error: Option<String>,
}

/// One `{value, label}` per rating of the scale.
fn choices(survey: Survey) -> Vec<Value> {
    helpdesk_channels::survey::scale(survey)
        .map(|value| {
            let label = match (survey, value) {
                (Survey::Csat, 1) => "1 · Very dissatisfied".to_owned(),
                (Survey::Csat, 3) => "3 · Neutral".to_owned(),
                (Survey::Csat, 5) => "5 · Very satisfied".to_owned(),
                (Survey::Nps, 0) => "0 · Not at all likely".to_owned(),
                (Survey::Nps, 10) => "10 · Extremely likely".to_owned(),
                _ => value.to_string(),
            };
            Value::from_pairs([("value", Value::from(value)), ("label", Value::from(label))])
        })
        .collect()
}

/// The survey page for `page`, with `status`.
pub(crate) fn survey(status: StatusCode, page: &SurveyPage, s: PageState<'_>) -> Response {
    let survey = page.invitation.survey;
    let (title, question) = match survey {
        Survey::Csat => (
            "How did we do?",
            "How satisfied are you with the help you got? (1 = very dissatisfied, 5 = very satisfied)",
        ),
        Survey::Nps => (
            "Would you recommend us?",
            "How likely are you to recommend us to a friend or colleague? (0 = not at all, 10 = extremely)",
        ),
    };
    let ctx = context! {
        survey => true,
        style => Value::from_safe_string(STYLE.to_owned()),
        desk_name => s.desk_name,
        title => title,
        question => question,
        ticket_number => page.ticket_number,
        subject => page.ticket_subject.as_str(),
        token => s.token,
        ratings => Value::from(choices(survey)),
        rating => s.rating,
        comment => s.comment.unwrap_or_default(),
        answered => s.answered,
        error => s.error,
        comment_max => COMMENT_MAX,
    };
    render(status, ctx, None)
}

/// A short page saying why there is no survey to show (unknown or expired
/// link, a post without a token, too many requests).
pub(crate) fn notice(status: StatusCode, desk_name: &str, title: &str, message: &str) -> Response {
    notice_with(status, desk_name, title, message, None)
}

/// [`notice`] with a `Retry-After` of `seconds`.
pub(crate) fn notice_with(
    status: StatusCode,
    desk_name: &str,
    title: &str,
    message: &str,
    retry_after: Option<u64>,
) -> Response {
    let ctx = context! {
        survey => false,
        style => Value::from_safe_string(STYLE.to_owned()),
        desk_name => desk_name,
        title => title,
        message => message,
    };
    render(status, ctx, retry_after)
}

fn render(status: StatusCode, ctx: Value, retry_after: Option<u64>) -> Response {
    let view = view();
    let html = view.env.get_template("page.html").and_then(|t| t.render(ctx));
    let mut response = match html {
        Ok(html) => (status, html).into_response(),
        Err(err) => {
            tracing::error!(%err, "survey page did not render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The survey page is unavailable; please try again later.",
            )
                .into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(CONTENT_SECURITY_POLICY, view.csp.clone());
    // The page carries the token in its form: keep it out of caches.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        headers.insert(RETRY_AFTER, value);
    }
    response
}
