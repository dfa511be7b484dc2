//! Survey links in text the desk keeps after sending it.
//!
//! A survey link carries the invitation's raw token, which the store never
//! keeps (only its hash). The mail that carried the links waits in the
//! outbox until it is sent; once it is, its copy there is all that is left,
//! and the tokens in it are blanked out so the kept copy answers nothing.

/// What a link's token is replaced with.
pub const REDACTED_TOKEN: &str = "(link-sent)";

/// `text` with the token of every `/survey/{token}` link replaced by
/// [`REDACTED_TOKEN`]; everything else, the rating parameters included, kept.
pub fn redact_survey_tokens(text: &str) -> String {
    const MARK: &str = "/survey/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let token_len = after.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(after.len());
        if token_len > 0 {
            out.push_str(REDACTED_TOKEN);
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_goes_and_the_rest_stays() {
        let mail = "How did we do?\n1 - very dissatisfied: https://help.example.com/survey/Xq3aZ9?rating=1\n\
                    5 - very satisfied: https://help.example.com/survey/Xq3aZ9?rating=5\nAcme";
        let kept = redact_survey_tokens(mail);
        assert!(!kept.contains("Xq3aZ9"), "{kept}");
        assert_eq!(kept.matches("/survey/(link-sent)?rating=").count(), 2, "{kept}");
        assert!(kept.starts_with("How did we do?\n") && kept.ends_with("\nAcme"));
    }

    #[test]
    fn text_without_links_is_unchanged() {
        for text in ["", "no links here", "a bare /survey/ path", "é/survey/"] {
            assert_eq!(redact_survey_tokens(text), text);
        }
    }
}
