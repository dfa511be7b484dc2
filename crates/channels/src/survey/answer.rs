//! A customer's answer, by the token from their link.

use chrono::{DateTime, Utc};
use helpdesk_persistence::Store;
use helpdesk_persistence::surveys::{AnsweredSurvey, SurveyPage};

use super::SurveyError;
use crate::chat::token::hash;

/// The invitation behind `token`, for its page. Unknown: `UnknownToken`;
/// ran out (and never answered, or answered: either way no longer open):
/// `Expired`.
pub async fn page(store: &Store, token: &str, now: DateTime<Utc>) -> Result<SurveyPage, SurveyError> {
    let page = store
        .survey_by_token_hash(&hash(token))
        .await?
        .ok_or(SurveyError::UnknownToken)?;
    if page.invitation.expires_at.is_none_or(|expiry| expiry <= now) {
        return Err(SurveyError::Expired);
    }
    Ok(page)
}

/// Records `score` (and `comment`) for the invitation behind `token`;
/// answering again before the link expires replaces the earlier answer.
pub async fn answer(
    store: &Store,
    token: &str,
    score: i64,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<AnsweredSurvey, SurveyError> {
    Ok(store.answer_survey(&hash(token), score, comment, now).await?)
}
