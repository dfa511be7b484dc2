//! Customer surveys: CSAT about one solved ticket, NPS about the desk.
//!
//! The domain decides what an invitation's state is, what a desk's survey
//! settings may be, what a mail template may say and what an answer may
//! hold. When invitations are queued, sent and answered is the store's and
//! the channels' business; the token a customer answers with needs
//! randomness, so it is made in `channels`, never here.

mod answer;
mod invitation;
mod link;
mod settings;
mod template;

pub use answer::{COMMENT_MAX, SurveyResponse, check_answer};
pub use invitation::InvitationState;
pub use link::{REDACTED_TOKEN, redact_survey_tokens};
pub use settings::SurveySettings;
pub use template::{PLACEHOLDERS, Template, TemplateValues};
