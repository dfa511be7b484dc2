//! The one place errors become GraphQL errors.

use async_graphql::ErrorExtensions;
use helpdesk_channels::chat::ChatError;
use helpdesk_channels::email::IngestError;
use helpdesk_channels::survey::SurveyError;
use helpdesk_domain::DomainError;
use helpdesk_metrics::MetricsError;
use helpdesk_persistence::StoreError;

/// The code of [`ApiError::RateLimited`]; `/graphql` answers 429 when an
/// error carries it.
pub(crate) const RATE_LIMITED: &str = "RATE_LIMITED";
/// The code of [`ApiError::Unavailable`]; `/graphql` answers 503 when an
/// error carries it.
pub(crate) const UNAVAILABLE: &str = "UNAVAILABLE";

/// How long a client is asked to wait when the store is unreachable: about
/// what a database restart takes.
pub(crate) const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// Every error a client can see, each with a stable `extensions.code`.
///
/// Deliberately not `Display`: async-graphql converts any `Display` error
/// into a GraphQL error without extensions, and every error we send must
/// carry its code, which only the `From` impl below adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    Unauthenticated(&'static str),
    Forbidden(&'static str),
    NotFound(&'static str),
    BadUserInput(String),
    Conflict(String),
    /// Too many requests from one client or for one account; carries
    /// `extensions.retryAfter` (seconds), and over HTTP a 429 with `Retry-After`.
    RateLimited {
        retry_after_secs: u64,
    },
    /// The request ran past the statement timeout (or waited that long for
    /// a report slot) and was abandoned: ask for less, or later.
    Timeout,
    /// The store cannot be reached; worth retrying after
    /// `extensions.retryAfter` seconds (over HTTP a 503 with `Retry-After`).
    Unavailable {
        retry_after_secs: u64,
    },
    /// Details are logged where the error happens, never sent.
    Internal,
}

impl ApiError {
    /// The message sent to the client.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated(m) | ApiError::Forbidden(m) => (*m).to_owned(),
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::BadUserInput(m) | ApiError::Conflict(m) => m.clone(),
            ApiError::RateLimited { .. } => "too many requests; retry later".to_owned(),
            ApiError::Timeout => {
                "the request took longer than the server allows; ask for less (a shorter range, fewer buckets) or retry later"
                    .to_owned()
            }
            ApiError::Unavailable { .. } => "the store is unavailable; retry later".to_owned(),
            ApiError::Internal => "internal error".to_owned(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadUserInput(_) => "BAD_USER_INPUT",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::RateLimited { .. } => RATE_LIMITED,
            ApiError::Timeout => "TIMEOUT",
            ApiError::Unavailable { .. } => UNAVAILABLE,
            ApiError::Internal => "INTERNAL",
        }
    }

    pub(crate) fn rate_limited(wait: std::time::Duration) -> Self {
        ApiError::RateLimited {
            retry_after_secs: crate::http::rate_limit::retry_after_secs(wait),
        }
    }

    pub(crate) fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        ApiError::Internal
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let retry_after = match err {
            ApiError::RateLimited { retry_after_secs } | ApiError::Unavailable { retry_after_secs } => {
                Some(retry_after_secs)
            }
            _ => None,
        };
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(seconds) = retry_after {
                ext.set("retryAfter", seconds);
            }
        })
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::MacroNotEditable => {
                ApiError::Forbidden("only admins change shared macros, and only its owner a personal one")
            }
            other => ApiError::BadUserInput(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Rule(rule) => rule.into(),
            StoreError::NotFound { what } => ApiError::NotFound(what),
            StoreError::Conflict(message) => ApiError::Conflict(message),
            StoreError::Timeout { what } => {
                tracing::warn!(what, "abandoned past the statement timeout");
                ApiError::Timeout
            }
            StoreError::Unavailable(err) => {
                tracing::warn!(%err, "store unavailable");
                ApiError::Unavailable {
                    retry_after_secs: UNAVAILABLE_RETRY_SECS,
                }
            }
            other => ApiError::internal("store error", other),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(err: ChatError) -> Self {
        match err {
            ChatError::Invalid(rule) => rule.into(),
            ChatError::UnknownToken => ApiError::Unauthenticated("unknown chat token"),
            ChatError::Expired => ApiError::Unauthenticated("chat token expired; start a new chat"),
            ChatError::Store(store) => store.into(),
        }
    }
}

impl From<SurveyError> for ApiError {
    fn from(err: SurveyError) -> Self {
        match err {
            SurveyError::UnknownToken => ApiError::NotFound("survey"),
            SurveyError::Expired => ApiError::BadUserInput(err.to_string()),
            SurveyError::Invalid(rule) => rule.into(),
            SurveyError::Store(store) => store.into(),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> Self {
        match err {
            IngestError::Unavailable(store) | IngestError::Store(store) => store.into(),
            IngestError::TooLarge { .. } | IngestError::Unparseable(_) => ApiError::BadUserInput(err.to_string()),
            IngestError::Refused(message) => ApiError::Conflict(message),
        }
    }
}

impl From<MetricsError> for ApiError {
    fn from(err: MetricsError) -> Self {
        match err {
            MetricsError::Plan(_) | MetricsError::UnknownTimeZone(_) => ApiError::BadUserInput(err.to_string()),
            MetricsError::Store(store) => store.into(),
        }
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;
