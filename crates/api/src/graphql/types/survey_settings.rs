//! The desk's survey settings, for admins.

use async_graphql::{InputObject, SimpleObject};
use helpdesk_domain::survey::SurveySettings as Settings;

/// How and when the desk asks customers for CSAT and NPS. Templates may use
/// `{customer_name}`, `{ticket_number}` and `{subject}`; the rating links
/// follow the body. See docs/api.md#surveys.
#[derive(SimpleObject)]
pub(crate) struct SurveySettings {
    pub csat_enabled: bool,
    /// Minutes after a solve before the CSAT invitation goes out; a reopen in between cancels it.
    pub csat_delay_minutes: u32,
    /// No CSAT invitation to a customer invited within this many days (0: no quiet period).
    pub quiet_period_days: u32,
    pub nps_enabled: bool,
    /// Days between a customer's NPS invitations, from their first solved ticket.
    pub nps_interval_days: u32,
    /// Days an invitation's link works after it is sent.
    pub expiry_days: u32,
    /// Shown on the survey page and under the mail.
    pub desk_name: String,
    pub csat_subject: String,
    pub csat_body: String,
    pub nps_subject: String,
    pub nps_body: String,
}

impl From<Settings> for SurveySettings {
    fn from(s: Settings) -> Self {
        Self {
            csat_enabled: s.csat_enabled,
            csat_delay_minutes: s.csat_delay_minutes,
            quiet_period_days: s.quiet_period_days,
            nps_enabled: s.nps_enabled,
            nps_interval_days: s.nps_interval_days,
            expiry_days: s.expiry_days,
            desk_name: s.desk_name,
            csat_subject: s.csat_subject,
            csat_body: s.csat_body,
            nps_subject: s.nps_subject,
            nps_body: s.nps_body,
        }
    }
}

/// Changes to the survey settings; fields left out keep their value.
#[derive(InputObject, Default)]
pub(crate) struct SurveySettingsInput {
    csat_enabled: Option<bool>,
    csat_delay_minutes: Option<u32>,
    quiet_period_days: Option<u32>,
    nps_enabled: Option<bool>,
    nps_interval_days: Option<u32>,
    expiry_days: Option<u32>,
    desk_name: Option<String>,
    csat_subject: Option<String>,
    csat_body: Option<String>,
    nps_subject: Option<String>,
    nps_body: Option<String>,
}

impl SurveySettingsInput {
    /// `current` with this input's fields applied (checked by the store).
    pub(crate) fn apply(self, mut current: Settings) -> Settings {
        macro_rules! take {
            ($($field:ident),+) => {$(
                if let Some(v) = self.$field {
                    current.$field = v;
                }
            )+};
        }
        take!(
            csat_enabled,
            csat_delay_minutes,
            quiet_period_days,
            nps_enabled,
            nps_interval_days,
            expiry_days,
            desk_name,
            csat_subject,
            csat_body,
            nps_subject,
            nps_body
        );
        current
    }
}
