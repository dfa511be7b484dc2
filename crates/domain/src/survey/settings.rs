//! A desk's survey settings and what they may be.

use serde::{Deserialize, Serialize};

use super::template::Template;
use crate::DomainError;

/// How and when the desk asks its customers. CSAT is on from the start
/// (no delay, no quiet period) so a new desk measures satisfaction from
/// its first solved ticket; NPS is off until an admin turns it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurveySettings {
    pub csat_enabled: bool,
    /// Minutes between a solve and its invitation; a reopen in between cancels it.
    pub csat_delay_minutes: u32,
    /// No CSAT invitation to a customer invited within this many days (0: none).
    pub quiet_period_days: u32,
    pub nps_enabled: bool,
    /// Days between a customer's NPS invitations, counted from their first solved ticket.
    pub nps_interval_days: u32,
    /// Days an invitation's link works after it is sent.
    pub expiry_days: u32,
    /// Shown on the survey page and signed under the mail.
    pub desk_name: String,
    pub csat_subject: String,
    pub csat_body: String,
    pub nps_subject: String,
    pub nps_body: String,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self {
            csat_enabled: true,
            csat_delay_minutes: 0,
            quiet_period_days: 0,
            nps_enabled: false,
            nps_interval_days: 90,
            expiry_days: 30,
            desk_name: "Support".to_owned(),
            csat_subject: "How did we do? [#{ticket_number}] {subject}".to_owned(),
            csat_body: "Hello {customer_name},\n\nyour request \"{subject}\" (#{ticket_number}) was solved. \
                        How satisfied are you with the help you got? One click records your rating:"
                .to_owned(),
            nps_subject: "Would you recommend us?".to_owned(),
            nps_body: "Hello {customer_name},\n\nhow likely are you to recommend us to a friend or colleague, \
                       from 0 (not at all) to 10 (extremely)? One click records your answer:"
                .to_owned(),
        }
    }
}

/// Longest values kept for the desk name and the templates.
pub const DESK_NAME_MAX: usize = 200;
pub const SUBJECT_MAX: usize = 998;
pub const BODY_MAX: usize = 20_000;
/// About ten years: longer settings are typos.
pub const DAYS_MAX: u32 = 3_650;
pub const DELAY_MINUTES_MAX: u32 = 60 * 24 * 365;

impl SurveySettings {
    /// Checks every field: templates name only known placeholders, counts are
    /// in range. The first problem is refused with the field's name.
    pub fn validate(&self) -> Result<(), DomainError> {
        let at_most = |field: &'static str, value: u32, max: u32| {
            if value > max {
                Err(DomainError::OutOfRange { field, min: 0, max })
            } else {
                Ok(())
            }
        };
        at_most("csatDelayMinutes", self.csat_delay_minutes, DELAY_MINUTES_MAX)?;
        at_most("quietPeriodDays", self.quiet_period_days, DAYS_MAX)?;
        if !(1..=DAYS_MAX).contains(&self.nps_interval_days) {
            return Err(DomainError::OutOfRange {
                field: "npsIntervalDays",
                min: 1,
                max: DAYS_MAX,
            });
        }
        if !(1..=DAYS_MAX).contains(&self.expiry_days) {
            return Err(DomainError::OutOfRange {
                field: "expiryDays",
                min: 1,
                max: DAYS_MAX,
            });
        }
        crate::ticket::text::bounded(&self.desk_name, "deskName", DESK_NAME_MAX)?;
        for (field, text, max) in [
            ("csatSubject", &self.csat_subject, SUBJECT_MAX),
            ("csatBody", &self.csat_body, BODY_MAX),
            ("npsSubject", &self.nps_subject, SUBJECT_MAX),
            ("npsBody", &self.nps_body, BODY_MAX),
        ] {
            Template::parse(field, text)?;
            if text.chars().count() > max {
                return Err(DomainError::TooLong { field, max });
            }
        }
        Ok(())
    }

    /// The checked templates (subject, body) of `survey`.
    pub fn templates(&self, survey: crate::ticket::Survey) -> Result<(Template, Template), DomainError> {
        Ok(match survey {
            crate::ticket::Survey::Csat => (
                Template::parse("csatSubject", &self.csat_subject)?,
                Template::parse("csatBody", &self.csat_body)?,
            ),
            crate::ticket::Survey::Nps => (
                Template::parse("npsSubject", &self.nps_subject)?,
                Template::parse("npsBody", &self.nps_body)?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_with_csat_on_and_nps_off() {
        let s = SurveySettings::default();
        s.validate().unwrap();
        assert!(s.csat_enabled && !s.nps_enabled);
        assert_eq!((s.csat_delay_minutes, s.quiet_period_days, s.expiry_days), (0, 0, 30));
    }

    #[test]
    fn refuses_unknown_placeholders_and_counts_out_of_range() {
        let s = SurveySettings {
            csat_body: "Hi {name}".to_owned(),
            ..SurveySettings::default()
        };
        assert_eq!(
            s.validate(),
            Err(DomainError::UnknownPlaceholder {
                field: "csatBody",
                name: "name".to_owned(),
                known: crate::survey::template::PLACEHOLDERS.listed,
            })
        );
        let s = SurveySettings {
            expiry_days: 0,
            ..SurveySettings::default()
        };
        assert!(matches!(
            s.validate(),
            Err(DomainError::OutOfRange {
                field: "expiryDays",
                ..
            })
        ));
    }
}
