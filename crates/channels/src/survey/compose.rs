//! The words and links of an invitation.

use helpdesk_domain::survey::{SurveySettings, TemplateValues};
use helpdesk_domain::ticket::Survey;

/// The ratings a survey's links offer, in the order shown.
pub fn scale(survey: Survey) -> std::ops::RangeInclusive<u8> {
    match survey {
        Survey::Csat => 1..=5,
        Survey::Nps => 0..=10,
    }
}

/// The link that records `rating` with one click.
pub fn rating_link(public_url: &str, token: &str, rating: u8) -> String {
    format!("{}/survey/{token}?rating={rating}", public_url.trim_end_matches('/'))
}

/// What a CSAT rating means, next to its link.
fn label(survey: Survey, rating: u8) -> String {
    match (survey, rating) {
        (Survey::Csat, 1) => "1 - very dissatisfied".to_owned(),
        (Survey::Csat, 2) => "2 - dissatisfied".to_owned(),
        (Survey::Csat, 3) => "3 - neutral".to_owned(),
        (Survey::Csat, 4) => "4 - satisfied".to_owned(),
        (Survey::Csat, _) => "5 - very satisfied".to_owned(),
        (Survey::Nps, n) => n.to_string(),
    }
}

/// The subject and text of an invitation: the desk's templates filled in,
/// then one link per rating and the desk's name.
pub(crate) fn invitation_text(
    settings: &SurveySettings,
    survey: Survey,
    values: &TemplateValues<'_>,
    public_url: &str,
    token: &str,
) -> (String, String) {
    let (subject, body) = match settings.templates(survey) {
        Ok((s, b)) => (s.render(values), b.render(values)),
        // Settings are checked when saved; stored ones that no longer
        // parse fall back to the defaults rather than send nothing.
        Err(_) => {
            let defaults = SurveySettings::default();
            match defaults.templates(survey) {
                Ok((s, b)) => (s.render(values), b.render(values)),
                Err(_) => (String::new(), String::new()),
            }
        }
    };
    let mut text = body;
    text.push_str("\n\n");
    for rating in scale(survey) {
        text.push_str(&format!(
            "{}: {}\n",
            label(survey, rating),
            rating_link(public_url, token, rating)
        ));
    }
    text.push_str(&format!("\n{}\n", settings.desk_name));
    (subject, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_link_per_rating_after_the_filled_template() {
        let values = TemplateValues {
            customer_name: "Ana",
            ticket_number: 7,
            subject: "Card declined",
        };
        let (subject, text) = invitation_text(
            &SurveySettings::default(),
            Survey::Csat,
            &values,
            "https://desk.example/",
            "tok",
        );
        assert!(
            subject.contains("[#7]") && subject.contains("Card declined"),
            "{subject}"
        );
        assert!(text.starts_with("Hello Ana,"), "{text}");
        for n in 1..=5 {
            assert!(
                text.contains(&format!("https://desk.example/survey/tok?rating={n}\n")),
                "{text}"
            );
        }
        assert!(!text.contains("rating=0") && !text.contains("rating=6"));
        let (_, nps) = invitation_text(&SurveySettings::default(), Survey::Nps, &values, "http://x", "t");
        assert!(nps.contains("http://x/survey/t?rating=0\n") && nps.contains("http://x/survey/t?rating=10\n"));
    }
}
