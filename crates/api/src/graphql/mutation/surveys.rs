//! Answering a survey (public, by token) and the desk's survey settings (admins).

use async_graphql::{Context, Object};
use helpdesk_channels::survey::{answer, page};

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::survey::SurveySubmission;
use crate::graphql::types::survey_settings::{SurveySettings, SurveySettingsInput};
use crate::graphql::types::{client_address, state};

#[derive(Default)]
pub(crate) struct SurveyMutation;

#[Object]
impl SurveyMutation {
    /// The public answer to a CSAT (`rating` 1-5) or NPS (`score` 0-10)
    /// invitation; `token` comes from the link mailed to the customer. A
    /// later answer with the same token replaces the earlier one until the
    /// link expires. Rate limited per client address. See docs/api.md#surveys.
    async fn submit_survey(
        &self,
        ctx: &Context<'_>,
        token: String,
        rating: Option<i32>,
        score: Option<i32>,
        comment: Option<String>,
    ) -> ApiResult<SurveySubmission> {
        let state = state(ctx)?;
        let client = client_address(ctx)?;
        state
            .limiters
            .survey
            .check(&client, state.clock.now())
            .map_err(ApiError::rate_limited)?;
        let now = state.clock.now();
        let invitation = page(&state.store, &token, now).await?.invitation;
        let value = match (invitation.survey, rating, score) {
            (_, Some(_), Some(_)) => {
                return Err(ApiError::BadUserInput(
                    "give rating (CSAT) or score (NPS), not both".to_owned(),
                ));
            }
            (helpdesk_domain::ticket::Survey::Csat, Some(v), None)
            | (helpdesk_domain::ticket::Survey::Nps, None, Some(v)) => v,
            (survey, _, _) => {
                let field = match survey {
                    helpdesk_domain::ticket::Survey::Csat => "rating (1-5)",
                    helpdesk_domain::ticket::Survey::Nps => "score (0-10)",
                };
                return Err(ApiError::BadUserInput(format!(
                    "this is a {survey} survey: answer with {field}"
                )));
            }
        };
        let answered = answer(&state.store, &token, i64::from(value), comment.as_deref(), now).await?;
        let invitation = answered.page.invitation;
        Ok(SurveySubmission {
            survey: invitation.survey.into(),
            rating: invitation.score.map(i32::from).unwrap_or(value),
            comment: invitation.comment,
            replaced: answered.replaced,
            expires_at: invitation.expires_at,
            ticket_number: answered.page.ticket_number,
        })
    }

    /// Changes the survey settings (admins only); a template with an
    /// unknown placeholder is refused with its name.
    async fn update_survey_settings(&self, ctx: &Context<'_>, input: SurveySettingsInput) -> ApiResult<SurveySettings> {
        viewer::admin(ctx)?;
        let store = &state(ctx)?.store;
        let settings = input.apply(store.survey_settings().await?);
        store.set_survey_settings(&settings).await?;
        Ok(settings.into())
    }
}
