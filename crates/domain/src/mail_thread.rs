//! How a mail the desk sends joins its ticket's thread: the ticket token in
//! its subject line (`[#1234]`), and the earlier Message-IDs its
//! `References` names.
//!
//! Outgoing mail carries the ticket number in its subject so that a reply can be
//! matched to its ticket even when the customer's client drops `In-Reply-To` and
//! `References` (or the customer starts a new mail and pastes the subject).

/// How many earlier Message-IDs a reply's `References` names at most (the
/// first and the latest ones, as RFC 5322 suggests for long threads).
pub const MAX_REFERENCES: usize = 20;

/// The `References` of a mail in a thread of `thread` (Message-IDs, oldest
/// first): all of them, or the first and the latest when there are many.
pub fn bounded_references(mut thread: Vec<String>) -> Vec<String> {
    if thread.len() > MAX_REFERENCES {
        let tail = thread.split_off(thread.len() - (MAX_REFERENCES - 1));
        thread.truncate(1);
        thread.extend(tail);
    }
    thread
}

/// The subject of a reply on a ticket with `subject` and `number`:
/// `Re: ` once, and the ticket's token.
pub fn reply_subject(subject: &str, number: i64) -> String {
    let subject = if subject.to_ascii_lowercase().starts_with("re:") {
        subject.to_owned()
    } else {
        format!("Re: {subject}")
    };
    subject_with_token(&subject, number)
}

/// Finds a ticket token like `[#1234]` in a subject.
///
/// The token may stand anywhere (`[#12] Card declined`, `Re: [#12] Card
/// declined`, `Card declined [#12]`); the first valid one wins. A token is `[#`,
/// one or more ASCII digits and `]`, nothing else inside the brackets: `[#abc]`,
/// `[#]`, `[# 12]` and `[#12a]` are not tokens. Numbers must be at least 1 and
/// fit an `i64`; larger ones (and `[#0]`) are skipped, not truncated.
pub fn ticket_token(subject: &str) -> Option<i64> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after.as_bytes().get(digits) == Some(&b']') {
            // `digits` counts ASCII bytes, so this slice is on a char boundary.
            if let Ok(number) = after[..digits].parse::<i64>()
                && number > 0
            {
                return Some(number);
            }
        }
        rest = after;
    }
    None
}

/// Adds the ticket token to an outgoing subject unless it is already there.
///
/// The token goes after any reply or forward prefixes, so `Re: Card declined`
/// becomes `Re: [#12] Card declined` and `Card declined` becomes `[#12] Card
/// declined`. A subject that already carries `[#12]` (anywhere) is returned
/// trimmed but otherwise unchanged; a token for a *different* ticket does not
/// count, the right one is added in front. An empty subject becomes `[#12]`.
pub fn subject_with_token(subject: &str, number: i64) -> String {
    let subject = subject.trim();
    let token = format!("[#{number}]");
    if contains_token(subject, number) {
        return subject.to_owned();
    }
    let prefix_len = reply_prefix_len(subject);
    let (prefix, rest) = subject.split_at(prefix_len);
    let (prefix, rest) = (prefix.trim_end(), rest.trim_start());
    let mut out = String::with_capacity(subject.len() + token.len() + 2);
    for piece in [prefix, &token, rest] {
        if piece.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

/// Whether the exact token for `number` is in the subject (`[#12]` is not in `[#123]`).
fn contains_token(subject: &str, number: i64) -> bool {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0
            && after.as_bytes().get(digits) == Some(&b']')
            && after[..digits].parse::<i64>().ok() == Some(number)
        {
            return true;
        }
        rest = after;
    }
    false
}

/// Reply and forward markers that mail clients put in front of a subject, in the
/// languages our customers' clients most often use (English, German, Nordic,
/// Dutch, French, Spanish, Italian, Portuguese).
const REPLY_PREFIXES: &[&str] = &[
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "vl", "antw", "doorst", "tr", "rv", "rif", "enc", "res",
];

/// Length in bytes of the run of reply/forward prefixes at the start of `subject`,
/// including the space after each (`Re: Fwd: ` → 9). Handles `Re[2]:` and `RE :`.
fn reply_prefix_len(subject: &str) -> usize {
    let mut consumed = 0;
    loop {
        let rest = &subject[consumed..];
        let word_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let word = &rest[..word_len];
        if word_len == 0 || !REPLY_PREFIXES.iter().any(|p| p.eq_ignore_ascii_case(word)) {
            return consumed;
        }
        let mut at = word_len;
        // An optional counter: `Re[2]:` or `Re(2):`.
        if let Some(&open @ (b'[' | b'(')) = rest.as_bytes().get(at) {
            let close = if open == b'[' { b']' } else { b')' };
            let digits = rest.as_bytes()[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 && rest.as_bytes().get(at + 1 + digits) == Some(&close) {
                at += digits + 2;
            }
        }
        at += rest[at..].bytes().take_while(|&b| b == b' ').count();
        if rest.as_bytes().get(at) != Some(&b':') {
            return consumed;
        }
        at += 1;
        at += rest[at..].bytes().take_while(|&b| b == b' ' || b == b'\t').count();
        consumed += at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_threads_keep_the_first_and_latest_references() {
        let thread: Vec<String> = (0..30).map(|i| format!("m{i}@x")).collect();
        let refs = bounded_references(thread);
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0], "m0@x");
        assert_eq!(refs[1], "m11@x");
        assert_eq!(refs.last().map(String::as_str), Some("m29@x"));
    }

    #[test]
    fn a_reply_subject_says_re_once_and_carries_the_token() {
        assert_eq!(reply_subject("Card declined", 7), "Re: [#7] Card declined");
        assert_eq!(reply_subject("RE: Card declined", 7), "RE: [#7] Card declined");
    }

    #[test]
    fn finds_a_token_anywhere() {
        assert_eq!(ticket_token("[#1234] Card declined"), Some(1234));
        assert_eq!(ticket_token("Re: [#1234] Card declined"), Some(1234));
        assert_eq!(ticket_token("RE: AW: Card declined [#7]"), Some(7));
        assert_eq!(ticket_token("Card [#42] declined"), Some(42));
        assert_eq!(ticket_token("[#007]"), Some(7));
    }

    #[test]
    fn ignores_what_is_not_a_token() {
        for subject in [
            "",
            "Card declined",
            "[#abc] Card declined",
            "[#] Card declined",
            "[# 12] Card declined",
            "[#12a] Card declined",
            "[#12 Card declined",
            "#12 Card declined",
            "[12] Card declined",
            "[#0] zero is no ticket",
            "[#-5] negative",
            "[#+5] signed",
            "[#٣] Arabic-Indic digit",
        ] {
            assert_eq!(ticket_token(subject), None, "{subject:?}");
        }
    }

    #[test]
    fn numbers_beyond_i64_are_skipped_not_truncated() {
        assert_eq!(ticket_token("[#9223372036854775807] max"), Some(i64::MAX));
        assert_eq!(ticket_token("[#9223372036854775808] too big"), None);
        assert_eq!(ticket_token("[#99999999999999999999999] too big, then [#5]"), Some(5));
    }

    #[test]
    fn the_first_valid_token_wins() {
        assert_eq!(ticket_token("[#abc] [#] [#12] [#13]"), Some(12));
        assert_eq!(ticket_token("[#[#12]"), Some(12));
    }

    #[test]
    fn token_search_is_safe_around_multibyte_text() {
        assert_eq!(ticket_token("Übergabe 💳 [#12] é"), Some(12));
        assert_eq!(ticket_token("[#💳]"), None);
        assert_eq!(ticket_token("[#"), None);
        assert_eq!(ticket_token("[#1"), None);
    }

    #[test]
    fn adds_the_token_after_reply_prefixes() {
        assert_eq!(subject_with_token("Card declined", 12), "[#12] Card declined");
        assert_eq!(subject_with_token("Re: Card declined", 12), "Re: [#12] Card declined");
        assert_eq!(
            subject_with_token("RE: Fwd: Card declined", 12),
            "RE: Fwd: [#12] Card declined"
        );
        assert_eq!(
            subject_with_token("Re[2]: Card declined", 12),
            "Re[2]: [#12] Card declined"
        );
        assert_eq!(subject_with_token("AW: Karte abgelehnt", 3), "AW: [#3] Karte abgelehnt");
        assert_eq!(subject_with_token("  Card declined  ", 12), "[#12] Card declined");
    }

    #[test]
    fn words_that_merely_start_like_prefixes_are_not_prefixes() {
        assert_eq!(subject_with_token("Refund please", 4), "[#4] Refund please");
        assert_eq!(subject_with_token("Re: ", 4), "Re: [#4]");
        assert_eq!(subject_with_token("Tre: 3 items", 4), "[#4] Tre: 3 items");
    }

    #[test]
    fn leaves_a_subject_that_already_has_the_token() {
        assert_eq!(
            subject_with_token("Re: [#12] Card declined", 12),
            "Re: [#12] Card declined"
        );
        assert_eq!(subject_with_token("Card declined [#12]", 12), "Card declined [#12]");
        assert_eq!(subject_with_token("[#012] Card declined", 12), "[#012] Card declined");
    }

    #[test]
    fn another_ticket_token_does_not_count() {
        assert_eq!(
            subject_with_token("Re: [#123] Card declined", 12),
            "Re: [#12] [#123] Card declined"
        );
        assert_eq!(subject_with_token("Card declined", 12).as_str(), "[#12] Card declined");
    }

    #[test]
    fn an_empty_subject_becomes_the_token() {
        assert_eq!(subject_with_token("", 9), "[#9]");
        assert_eq!(subject_with_token("   ", 9), "[#9]");
    }

    #[test]
    fn round_trip() {
        for subject in ["Card declined", "Re: Card declined", "", "Fwd: [#1] other"] {
            let tagged = subject_with_token(subject, 77);
            assert!(contains_token(&tagged, 77), "{tagged:?}");
            assert_eq!(subject_with_token(&tagged, 77), tagged);
        }
    }
}
