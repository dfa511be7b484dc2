//! Surveys, from the desk's side: sending due invitations
//! (`sender.rs`, the one [`crate::worker::Job`] that does), the words and
//! links they carry (`compose.rs`), and filing a customer's answer by its
//! token (`answer.rs`). Tokens are made like chat tokens and only their
//! SHA-256 is stored.

mod answer;
mod compose;
mod error;
mod sender;

pub use answer::{answer, page};
pub use compose::{rating_link, scale};
pub use error::SurveyError;
pub use sender::SurveySender;
