//! Listing survey responses for the desk: the derived `survey_responses`
//! rows (one per response, live and imported alike, carrying their
//! ticket's current channel, team and assignee), newest first.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AgentId, SurveyInvitationId, TeamId, TicketId};
use helpdesk_domain::ticket::{Channel, Survey};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select};

use crate::entity::survey_response;
use crate::error::parse_column;
use crate::tickets::ScopedStore;
use crate::{Store, StoreError};

/// Which responses to list. Empty lists and `None` match everything.
#[derive(Debug, Clone, Default)]
pub struct SurveyResponseFilter {
    pub surveys: Vec<Survey>,
    /// Inclusive bounds on the score.
    pub min_score: Option<u8>,
    pub max_score: Option<u8>,
    pub team_ids: Vec<TeamId>,
    pub assignee_ids: Vec<AgentId>,
    pub channels: Vec<Channel>,
    /// Inclusive lower bound on when the response was (first) given.
    pub answered_from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub answered_to: Option<DateTime<Utc>>,
}

/// A position in the listing: the last response seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyResponseCursor {
    pub answered_at: DateTime<Utc>,
    pub ticket_id: TicketId,
    pub seq: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponseRecord {
    pub ticket_id: TicketId,
    pub seq: i32,
    pub survey: Survey,
    pub score: u8,
    pub comment: Option<String>,
    pub answered_at: DateTime<Utc>,
    pub channel: Channel,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<AgentId>,
    /// `None` for imported answers.
    pub invitation_id: Option<SurveyInvitationId>,
}

impl SurveyResponseRecord {
    pub fn cursor(&self) -> SurveyResponseCursor {
        SurveyResponseCursor {
            answered_at: self.answered_at,
            ticket_id: self.ticket_id,
            seq: self.seq,
        }
    }
}

impl TryFrom<survey_response::Model> for SurveyResponseRecord {
    type Error = StoreError;

    fn try_from(m: survey_response::Model) -> Result<Self, StoreError> {
        Ok(Self {
            ticket_id: TicketId::from_uuid(m.ticket_id),
            seq: m.seq,
            survey: parse_column("survey_responses.survey", &m.survey)?,
            score: u8::try_from(m.score).map_err(|_| StoreError::Corrupt {
                column: "survey_responses.score",
                value: m.score.to_string(),
            })?,
            comment: m.comment,
            answered_at: m.answered_at,
            channel: parse_column("survey_responses.channel", &m.channel)?,
            team_id: m.team_id.map(TeamId::from_uuid),
            assignee_id: m.assignee_id.map(AgentId::from_uuid),
            invitation_id: m.invitation_id.map(SurveyInvitationId::from_uuid),
        })
    }
}

#[derive(Debug, Clone)]
pub struct SurveyResponsePage {
    pub responses: Vec<SurveyResponseRecord>,
    pub has_next_page: bool,
    pub total_count: u64,
}

fn filtered(filter: &SurveyResponseFilter, access: &TicketAccess) -> Select<survey_response::Entity> {
    use survey_response::Column as C;
    // Merged tickets' answers count nowhere, as in the KPIs.
    let mut select = survey_response::Entity::find().filter(C::Merged.eq(false));
    if !filter.surveys.is_empty() {
        select = select.filter(C::Survey.is_in(filter.surveys.iter().map(|s| s.as_str())));
    }
    if let Some(min) = filter.min_score {
        select = select.filter(C::Score.gte(i16::from(min)));
    }
    if let Some(max) = filter.max_score {
        select = select.filter(C::Score.lte(i16::from(max)));
    }
    if !filter.team_ids.is_empty() {
        select = select.filter(C::TeamId.is_in(filter.team_ids.iter().map(TeamId::as_uuid)));
    }
    if !filter.assignee_ids.is_empty() {
        select = select.filter(C::AssigneeId.is_in(filter.assignee_ids.iter().map(AgentId::as_uuid)));
    }
    if !filter.channels.is_empty() {
        select = select.filter(C::Channel.is_in(filter.channels.iter().map(|c| c.as_str())));
    }
    if let Some(from) = filter.answered_from {
        select = select.filter(C::AnsweredAt.gte(from));
    }
    if let Some(to) = filter.answered_to {
        select = select.filter(C::AnsweredAt.lt(to));
    }
    if let TicketAccess::Teams { teams, teamless } = access {
        // The rows carry their ticket's current team, so reach is checked
        // on the row itself.
        let mut reach = Condition::any();
        if !teams.is_empty() {
            reach = reach.add(C::TeamId.is_in(teams.iter().map(TeamId::as_uuid)));
        }
        if *teamless {
            reach = reach.add(C::TeamId.is_null());
        }
        if teams.is_empty() && !*teamless {
            reach = reach.add(C::TicketId.is_null());
        }
        select = select.filter(reach);
    }
    select
}

impl Store {
    async fn survey_responses_within(
        &self,
        filter: &SurveyResponseFilter,
        access: &TicketAccess,
        first: u64,
        after: Option<SurveyResponseCursor>,
    ) -> Result<SurveyResponsePage, StoreError> {
        use survey_response::Column as C;
        let base = filtered(filter, access);
        let total_count = base.clone().count(self.db()).await?;
        let mut page = base;
        if let Some(c) = after {
            page = page.filter(
                Condition::any().add(C::AnsweredAt.lt(c.answered_at)).add(
                    Condition::all().add(C::AnsweredAt.eq(c.answered_at)).add(
                        Condition::any().add(C::TicketId.lt(c.ticket_id.as_uuid())).add(
                            Condition::all()
                                .add(C::TicketId.eq(c.ticket_id.as_uuid()))
                                .add(C::Seq.lt(c.seq)),
                        ),
                    ),
                ),
            );
        }
        let mut rows = page
            .order_by_desc(C::AnsweredAt)
            .order_by_desc(C::TicketId)
            .order_by_desc(C::Seq)
            .limit(first + 1)
            .all(self.db())
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        Ok(SurveyResponsePage {
            responses: rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?,
            has_next_page,
            total_count,
        })
    }
}

impl ScopedStore {
    /// A page of the responses about tickets within reach that match
    /// `filter`, newest first.
    pub async fn survey_responses(
        &self,
        filter: &SurveyResponseFilter,
        first: u64,
        after: Option<SurveyResponseCursor>,
    ) -> Result<SurveyResponsePage, StoreError> {
        self.store()
            .survey_responses_within(filter, self.access(), first, after)
            .await
    }

    /// The invitations about these tickets, those within reach.
    pub async fn survey_invitations_of_tickets(
        &self,
        tickets: &[TicketId],
    ) -> Result<Vec<super::SurveyInvitationRecord>, StoreError> {
        let invitations = self.store().survey_invitations_of_tickets(tickets).await?;
        self.within_reach(invitations).await
    }

    /// The invitations sent (or due) to these customers about tickets within reach.
    pub async fn survey_invitations_of_customers(
        &self,
        customers: &[helpdesk_domain::ids::CustomerId],
    ) -> Result<Vec<super::SurveyInvitationRecord>, StoreError> {
        let invitations = self.store().survey_invitations_of_customers(customers).await?;
        self.within_reach(invitations).await
    }

    async fn within_reach(
        &self,
        mut invitations: Vec<super::SurveyInvitationRecord>,
    ) -> Result<Vec<super::SurveyInvitationRecord>, StoreError> {
        if self.access().is_everything() {
            return Ok(invitations);
        }
        let mut ids: Vec<TicketId> = invitations.iter().map(|i| i.ticket_id).collect();
        ids.sort_by_key(|t| t.as_uuid());
        ids.dedup();
        let reachable: std::collections::HashSet<TicketId> =
            self.tickets_by_ids(&ids).await?.into_iter().map(|t| t.id).collect();
        invitations.retain(|i| reachable.contains(&i.ticket_id));
        Ok(invitations)
    }
}
