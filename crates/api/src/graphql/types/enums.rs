//! GraphQL mirrors of the domain's enums; `remote` generates the conversions,
//! so the names are written once per side and checked by the compiler.

use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Channel", remote = "helpdesk_domain::ticket::Channel")]
pub(crate) enum Channel {
    Email,
    WebForm,
    Chat,
    Phone,
    Social,
    Api,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "TicketStatus", remote = "helpdesk_domain::ticket::TicketStatus")]
pub(crate) enum TicketStatus {
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Priority", remote = "helpdesk_domain::ticket::Priority")]
pub(crate) enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// How a team hands out its new and reopened tickets. See
/// docs/api.md#routing.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RoutingMode", remote = "helpdesk_domain::routing::RoutingMode")]
pub(crate) enum RoutingMode {
    /// By hand (the default).
    Off,
    /// In turn, after whoever got the last one.
    RoundRobin,
    /// To whoever has the fewest open tickets of the channel.
    LeastOpen,
}

/// Whether an agent takes routed tickets now.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Availability", remote = "helpdesk_domain::routing::Availability")]
pub(crate) enum Availability {
    Available,
    Away,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Role", remote = "helpdesk_domain::agent::Role")]
pub(crate) enum Role {
    Admin,
    Agent,
}

/// How far an agent's work reaches: ALL tickets, or only their TEAMS'
/// (and tickets with no team when the desk allows it). See
/// docs/api.md#who-sees-which-tickets.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AgentScope", remote = "helpdesk_domain::access::AgentScope")]
pub(crate) enum AgentScope {
    All,
    Teams,
}

/// Who wrote a message.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "AuthorKind", remote = "helpdesk_domain::ticket::Author")]
pub(crate) enum AuthorKind {
    Customer,
    Agent,
    /// The desk itself.
    System,
}

/// What a ticket listing is ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[allow(clippy::enum_variant_names)] // each names an instant: CREATED_AT, UPDATED_AT, SLA_DUE_AT
pub(crate) enum TicketOrderField {
    #[default]
    CreatedAt,
    UpdatedAt,
    /// The next SLA deadline (tickets without one last when ascending).
    SlaDueAt,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub(crate) enum OrderDirection {
    Asc,
    #[default]
    Desc,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SlaTarget", remote = "helpdesk_domain::sla::SlaTarget")]
pub(crate) enum SlaTarget {
    FirstResponse,
    NextReply,
    Resolution,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Clock", remote = "helpdesk_domain::sla::Clock")]
pub(crate) enum Clock {
    Calendar,
    Business,
}

/// Where an SLA target stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SlaState", remote = "helpdesk_domain::sla::TargetState")]
pub(crate) enum SlaState {
    Running,
    /// RESOLUTION while the ticket is PENDING: no deadline.
    Paused,
    /// Running, inside its warning window.
    Warning,
    Achieved,
    Breached,
}

/// The calendar period a KPI report groups by: periods start at local
/// midnight in the report's time zone, weeks on Monday (ISO).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Period", remote = "helpdesk_domain::kpi::Period")]
pub(crate) enum Period {
    /// One calendar day (23 or 25 hours on a DST change).
    Day,
    /// Monday to Sunday.
    Week,
    /// One calendar month.
    Month,
    /// January-March, April-June, July-September, October-December.
    Quarter,
    /// One calendar year.
    Year,
}

/// How a channel recognises a customer.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "IdentityKind", remote = "helpdesk_domain::customer::IdentityKind")]
pub(crate) enum IdentityKind {
    /// An email address, proved by the customer's mail (or a verified chat).
    Email,
    ChatVisitor,
    Phone,
}

/// A kind of ticket event a webhook subscription can ask for. See
/// docs/webhooks.md for each one's payload.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "WebhookEvent", remote = "helpdesk_domain::event_hook::HookEvent")]
pub(crate) enum WebhookEvent {
    /// A ticket was opened, by any channel.
    TicketCreated,
    /// A customer's or agent's message, or an internal note, was added.
    MessageAdded,
    StatusChanged,
    /// The assignee or the team changed.
    Assigned,
    SlaWarning,
    SlaBreached,
    SurveyAnswered,
}

/// Why an inbound mail was held for review instead of filed.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "HeldMailReason", remote = "helpdesk_domain::held_mail::HeldMailReason")]
pub(crate) enum HeldMailReason {
    /// A delivery status notification that belongs to no open ticket.
    Bounce,
    /// `Auto-Submitted` mail (auto-replies, notifications) that belongs to
    /// no open ticket.
    AutoSubmitted,
    /// Mail from the desk's own address that belongs to no open ticket.
    OwnAddress,
}

/// Which survey: CSAT (a rating of one ticket, 1-5) or NPS (likelihood to
/// recommend the desk, 0-10). See docs/api.md#surveys.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SurveyKind", remote = "helpdesk_domain::ticket::Survey")]
pub(crate) enum SurveyKind {
    Csat,
    Nps,
}

/// Where a survey invitation stands. Customers only ever see SENT, ANSWERED
/// and EXPIRED ones; QUEUED and CANCELLED are the desk's own.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SurveyInvitationState", remote = "helpdesk_domain::survey::InvitationState")]
pub(crate) enum SurveyInvitationState {
    /// Waiting for its due time (the configured delay after the solve).
    Queued,
    /// Sent; its link works until `expiresAt`.
    Sent,
    /// Answered; a later answer before expiry replaces the earlier one.
    Answered,
    /// Sent, never answered, and its link has run out.
    Expired,
    /// Dropped before it was sent: the ticket was reopened or merged, the survey turned off, or no address.
    Cancelled,
}
