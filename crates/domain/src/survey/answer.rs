//! What a customer's answer may hold.

use crate::DomainError;
use crate::ticket::Survey;

/// The longest comment kept, in characters.
pub const COMMENT_MAX: usize = 5_000;

/// A checked answer: a score on the survey's scale and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponse {
    pub score: u8,
    /// Trimmed; `None` when empty.
    pub comment: Option<String>,
}

/// Checks an answer to `survey`: `score` must be on its scale (1-5 for
/// CSAT, 0-10 for NPS), `comment` at most [`COMMENT_MAX`] characters.
pub fn check_answer(survey: Survey, score: i64, comment: Option<&str>) -> Result<SurveyResponse, DomainError> {
    let scale = match survey {
        Survey::Csat => "1-5",
        Survey::Nps => "0-10",
    };
    let score = u8::try_from(score)
        .ok()
        .filter(|s| survey.accepts(*s))
        .ok_or(DomainError::ScoreOutOfScale { survey, score, scale })?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if let Some(text) = comment
        && text.chars().count() > COMMENT_MAX
    {
        return Err(DomainError::TooLong {
            field: "comment",
            max: COMMENT_MAX,
        });
    }
    Ok(SurveyResponse {
        score,
        comment: comment.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_must_be_on_the_surveys_scale() {
        assert!(check_answer(Survey::Csat, 1, None).is_ok());
        assert!(check_answer(Survey::Csat, 5, None).is_ok());
        for bad in [0, 6, -1, 300] {
            assert_eq!(
                check_answer(Survey::Csat, bad, None),
                Err(DomainError::ScoreOutOfScale {
                    survey: Survey::Csat,
                    score: bad,
                    scale: "1-5"
                })
            );
        }
        assert!(check_answer(Survey::Nps, 0, None).is_ok());
        assert!(check_answer(Survey::Nps, 11, None).is_err());
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        let ok = check_answer(Survey::Csat, 4, Some("  fine  ")).unwrap();
        assert_eq!(ok.comment.as_deref(), Some("fine"));
        assert_eq!(check_answer(Survey::Csat, 4, Some("   ")).unwrap().comment, None);
        let long = "x".repeat(COMMENT_MAX + 1);
        assert!(matches!(
            check_answer(Survey::Csat, 4, Some(&long)),
            Err(DomainError::TooLong { field: "comment", .. })
        ));
        assert!(check_answer(Survey::Csat, 4, Some(&"é".repeat(COMMENT_MAX))).is_ok());
    }
}
