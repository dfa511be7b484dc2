//! Survey invitations and responses as agents see them.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use helpdesk_persistence::surveys::{
    SentBy, SurveyInvitationRecord, SurveyResponseCursor, SurveyResponseFilter as StoreFilter, SurveyResponseRecord,
};

use super::agent::Agent;
use super::connection::PageInfo;
use super::enums::{Channel, SurveyInvitationState, SurveyKind};
use super::team::Team;
use super::ticket::Ticket;
use super::{enum_list, id_list, loader, state};
use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;

/// One invitation to answer a survey, and the answer if there is one.
pub(crate) struct SurveyInvitation(pub SurveyInvitationRecord);

#[Object]
impl SurveyInvitation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn survey(&self) -> SurveyKind {
        self.0.survey.into()
    }

    /// As of now: a SENT invitation whose link ran out is EXPIRED.
    async fn state(&self, ctx: &Context<'_>) -> ApiResult<SurveyInvitationState> {
        Ok(self.0.state_at(state(ctx)?.clock.now()).into())
    }

    /// The ticket asked about (for NPS, the solved ticket that brought the invitation).
    async fn ticket(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        let viewer = viewer::agent(ctx)?;
        Ok(viewer.tickets(state(ctx)?).ticket(self.0.ticket_id).await?.map(Ticket))
    }

    /// When it is (or was) due to be sent.
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }

    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }

    /// MAIL or CHAT, once sent.
    async fn sent_by(&self) -> Option<&'static str> {
        self.0.sent_by.map(SentBy::as_str)
    }

    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// The first answer's time; a later answer changes only the rating and comment.
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }

    /// The latest answer: 1-5 for CSAT, 0-10 for NPS.
    async fn rating(&self) -> Option<i32> {
        self.0.score.map(i32::from)
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
}

/// One response to a survey (live or imported), counted once in `kpis`.
pub(crate) struct SurveyResponse(pub SurveyResponseRecord);

#[Object]
impl SurveyResponse {
    async fn survey(&self) -> SurveyKind {
        self.0.survey.into()
    }

    /// 1-5 for CSAT, 0-10 for NPS.
    async fn rating(&self) -> i32 {
        i32::from(self.0.score)
    }

    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }

    /// When the response was first given (the instant `kpis` counts it at).
    async fn answered_at(&self) -> DateTime<Utc> {
        self.0.answered_at
    }

    /// The ticket's channel.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    async fn ticket(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        let viewer = viewer::agent(ctx)?;
        Ok(viewer.tickets(state(ctx)?).ticket(self.0.ticket_id).await?.map(Ticket))
    }

    /// The ticket's assignee.
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let Some(id) = self.0.assignee_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Agent))
    }

    /// The ticket's team.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Some(id) = self.0.team_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Team))
    }

    /// The invitation answered; null for imported answers.
    async fn invitation_id(&self) -> Option<ID> {
        self.0.invitation_id.map(|i| ID(i.to_string()))
    }
}

/// Which survey responses to list. Each list matches any of its values.
#[derive(InputObject, Default)]
pub(crate) struct SurveyResponseFilter {
    surveys: Option<Vec<SurveyKind>>,
    /// Lowest rating, inclusive.
    min_rating: Option<i32>,
    /// Highest rating, inclusive.
    max_rating: Option<i32>,
    team_ids: Option<Vec<ID>>,
    /// The tickets' assignees.
    agent_ids: Option<Vec<ID>>,
    channels: Option<Vec<Channel>>,
    /// Answered at or after (inclusive).
    from: Option<DateTime<Utc>>,
    /// Answered before (exclusive).
    to: Option<DateTime<Utc>>,
}

impl SurveyResponseFilter {
    pub(crate) fn into_store(self) -> Result<StoreFilter, ApiError> {
        let rating = |value: Option<i32>, what: &str| {
            value
                .map(|v| {
                    u8::try_from(v)
                        .ok()
                        .filter(|v| *v <= 10)
                        .ok_or_else(|| ApiError::BadUserInput(format!("{what} must be between 0 and 10")))
                })
                .transpose()
        };
        Ok(StoreFilter {
            surveys: enum_list(self.surveys),
            min_score: rating(self.min_rating, "minRating")?,
            max_score: rating(self.max_rating, "maxRating")?,
            team_ids: id_list(self.team_ids, "teamIds")?,
            assignee_ids: id_list(self.agent_ids, "agentIds")?,
            channels: enum_list(self.channels),
            answered_from: self.from,
            answered_to: self.to,
        })
    }
}

pub(crate) fn encode_cursor(c: SurveyResponseCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", c.answered_at.to_rfc3339(), c.ticket_id, c.seq))
}

pub(crate) fn decode_cursor(raw: &str) -> Result<SurveyResponseCursor, ApiError> {
    let invalid = || ApiError::BadUserInput(format!("invalid cursor {raw:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '|');
    let (Some(at), Some(ticket), Some(seq)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    Ok(SurveyResponseCursor {
        answered_at: DateTime::parse_from_rfc3339(at)
            .map_err(|_| invalid())?
            .with_timezone(&Utc),
        ticket_id: ticket.parse().map_err(|_| invalid())?,
        seq: seq.parse().map_err(|_| invalid())?,
    })
}

pub(crate) struct SurveyResponseEdge {
    pub cursor: String,
    pub node: SurveyResponseRecord,
}

#[Object]
impl SurveyResponseEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> SurveyResponse {
        SurveyResponse(self.node.clone())
    }
}

/// A page of survey responses, newest first.
pub(crate) struct SurveyResponseConnection {
    pub edges: Vec<SurveyResponseEdge>,
    pub has_next_page: bool,
    pub total_count: u64,
}

#[Object]
impl SurveyResponseConnection {
    async fn edges(&self) -> &[SurveyResponseEdge] {
        &self.edges
    }

    async fn nodes(&self) -> Vec<SurveyResponse> {
        self.edges.iter().map(|e| SurveyResponse(e.node.clone())).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.edges.first().map(|e| e.cursor.clone()),
            self.edges.last().map(|e| e.cursor.clone()),
        )
    }

    /// Every response matching the filter, on all pages.
    async fn total_count(&self) -> u64 {
        self.total_count
    }
}

/// What `submitSurvey` recorded.
#[derive(SimpleObject)]
pub(crate) struct SurveySubmission {
    pub survey: SurveyKind,
    /// The rating now on record (1-5 for CSAT, 0-10 for NPS).
    pub rating: i32,
    pub comment: Option<String>,
    /// True when this answer replaced an earlier one to the same invitation.
    pub replaced: bool,
    /// Until when the answer can still be changed.
    pub expires_at: Option<DateTime<Utc>>,
    /// The number of the ticket asked about.
    pub ticket_number: i64,
}
