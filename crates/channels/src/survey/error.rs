use helpdesk_domain::DomainError;
use helpdesk_persistence::StoreError;

/// Why an answer was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// No sent invitation has this token.
    #[error("unknown survey link")]
    UnknownToken,
    /// The invitation's link ran out.
    #[error("this survey link has expired")]
    Expired,
    /// A score off the scale, a comment too long.
    #[error(transparent)]
    Invalid(DomainError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for SurveyError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { .. } => SurveyError::UnknownToken,
            StoreError::Rule(DomainError::SurveyExpired) => SurveyError::Expired,
            StoreError::Rule(rule) => SurveyError::Invalid(rule),
            other => SurveyError::Store(other),
        }
    }
}
