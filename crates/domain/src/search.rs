//! Full-text search: what an agent types, read once into a query both
//! stores understand, and the snippet shown with each hit.
//!
//! The syntax is PostgreSQL's `websearch_to_tsquery`, the one web search
//! engines taught everyone: words must all appear, `"a phrase"` must appear
//! as written, `or` between words takes either side, and `-word` excludes.
//! [`SearchQuery`] parses it once, so that SQLite's FTS5 (which has a
//! syntax of its own) and PostgreSQL answer the same question: each store
//! gets the parsed query in its own words ([`SearchQuery::websearch`],
//! [`SearchQuery::fts5`]).
//!
//! One part of websearch syntax is left out on purpose: a group made only of
//! exclusions (`-spam` alone, or `refund or -spam`) would match nearly every
//! ticket, which no one searching means, and FTS5 cannot say it; such a group
//! is dropped, and a query left with nothing to look for is refused.

use crate::DomainError;

/// Longest query accepted, in characters: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 256;

/// Marks where a hit starts and ends in a snippet as the store returns it:
/// characters of Unicode's private use area, removed from every text before
/// it is indexed, so no customer's text can forge one.
pub const HIT_START: char = '\u{E000}';
pub const HIT_END: char = '\u{E001}';

/// How much of a ticket's messages is indexed, in characters: the first
/// 200,000 (about 30,000 words). PostgreSQL refuses a document of more than
/// a megabyte of lexemes, so a ticket carrying a huge mail would otherwise
/// refuse its next message; no one searches the hundredth page of a log.
pub const MAX_INDEXED_BODY_CHARS: usize = 200_000;

/// The most hits a search lists. A query matching more tickets lists the
/// `MAX_HITS` newest of them (the latest to reach the desk), most relevant
/// first: ranking every one of half a million matches of a common word
/// cannot answer while an agent waits, nobody reads past the thousandth
/// hit, and a broader query is most often after recent tickets.
pub const MAX_HITS: usize = 1000;

/// One thing to look for: a word or a phrase, wanted or excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub phrase: bool,
    pub excluded: bool,
}

/// A parsed query: tickets matching any of the groups, a group matching when
/// all its wanted terms appear and none of its excluded ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    any_of: Vec<Vec<Term>>,
}

impl SearchQuery {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(DomainError::Empty { field: "query" });
        }
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(DomainError::TooLong {
                field: "query",
                max: MAX_QUERY_CHARS,
            });
        }
        let mut groups: Vec<Vec<Term>> = vec![Vec::new()];
        let mut rest = input;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let excluded = rest.len() > 1 && rest.starts_with('-');
            if excluded {
                rest = &rest[1..];
            }
            let (text, phrase) = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').unwrap_or(quoted.len());
                let text = &quoted[..end];
                rest = quoted.get(end + 1..).unwrap_or("");
                (text, true)
            } else {
                let end = rest.find(|c: char| c.is_whitespace() || c == '"').unwrap_or(rest.len());
                let text = &rest[..end];
                rest = &rest[end..];
                (text, false)
            };
            let current_has_terms = groups.last().is_some_and(|g| !g.is_empty());
            if !phrase && !excluded && text.eq_ignore_ascii_case("or") && current_has_terms {
                groups.push(Vec::new());
                continue;
            }
            // Only letters and digits are indexed; "..." or "-" alone is
            // nothing to look for.
            let text: String = text.chars().filter(|c| *c != HIT_START && *c != HIT_END).collect();
            if !text.chars().any(char::is_alphanumeric) {
                continue;
            }
            if let Some(group) = groups.last_mut() {
                group.push(Term {
                    text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                    phrase,
                    excluded,
                });
            }
        }
        groups.retain(|g| g.iter().any(|t| !t.excluded));
        if groups.is_empty() {
            return Err(DomainError::NothingToSearch);
        }
        Ok(Self { any_of: groups })
    }

    /// The groups, for callers that render the query themselves.
    pub fn groups(&self) -> &[Vec<Term>] {
        &self.any_of
    }

    /// The query in websearch syntax again, normalised, for PostgreSQL's
    /// `websearch_to_tsquery`.
    pub fn websearch(&self) -> String {
        self.any_of
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|t| {
                        let minus = if t.excluded { "-" } else { "" };
                        if t.phrase || t.text.eq_ignore_ascii_case("or") {
                            format!("{minus}\"{}\"", t.text)
                        } else {
                            format!("{minus}{}", t.text)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" or ")
    }

    /// The query as an FTS5 match expression: every term a quoted string
    /// (which FTS5 reads as the phrase of its tokens, so punctuation inside
    /// a word or an address cannot be read as an operator).
    pub fn fts5(&self) -> String {
        let quoted = |t: &Term| format!("\"{}\"", t.text.replace('"', "\"\""));
        self.any_of
            .iter()
            .map(|group| {
                let wanted: Vec<String> = group.iter().filter(|t| !t.excluded).map(quoted).collect();
                let mut expression = format!("({})", wanted.join(" AND "));
                for t in group.iter().filter(|t| t.excluded) {
                    expression.push_str(" NOT ");
                    expression.push_str(&quoted(t));
                }
                format!("({expression})")
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    }
}

/// A snippet as the store returns it (hits between [`HIT_START`] and
/// [`HIT_END`]) made safe to show as HTML: everything escaped, each hit in
/// `<mark>`, every `<mark>` closed.
pub fn snippet_html(raw: &str) -> String {
    let mut html = String::with_capacity(raw.len() + 16);
    let mut open = false;
    for c in raw.chars() {
        match c {
            HIT_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            HIT_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            HIT_START | HIT_END => {}
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            // A snippet is one line of a result list.
            '\r' | '\n' | '\t' => html.push(' '),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str) -> Term {
        Term {
            text: text.into(),
            phrase: false,
            excluded: false,
        }
    }

    #[test]
    fn words_phrases_or_and_exclusions_are_read_as_web_search_reads_them() {
        let q = SearchQuery::parse(r#"refund "credit card" -paypal or invoice"#).unwrap();
        assert_eq!(
            q.groups(),
            [
                vec![
                    word("refund"),
                    Term {
                        text: "credit card".into(),
                        phrase: true,
                        excluded: false
                    },
                    Term {
                        text: "paypal".into(),
                        phrase: false,
                        excluded: true
                    },
                ],
                vec![word("invoice")],
            ]
        );
        assert_eq!(q.websearch(), r#"refund "credit card" -paypal or invoice"#);
        assert_eq!(
            q.fts5(),
            r#"(("refund" AND "credit card") NOT "paypal") OR (("invoice"))"#
        );
    }

    #[test]
    fn fts5_gets_each_term_quoted_so_punctuation_is_no_operator() {
        let q = SearchQuery::parse(r#"alice@example.com NEAR(x) "say  hi"#).unwrap();
        assert_eq!(q.fts5(), r#"(("alice@example.com" AND "NEAR(x)" AND "say hi"))"#);
        let q = SearchQuery::parse("a -b -c").unwrap();
        assert_eq!(q.fts5(), r#"(("a") NOT "b" NOT "c")"#);
    }

    #[test]
    fn or_at_the_edges_and_in_quotes_is_a_word() {
        let q = SearchQuery::parse(r#"or cats "or""#).unwrap();
        assert_eq!(q.groups().len(), 1);
        assert_eq!(q.websearch(), r#""or" cats "or""#);
    }

    #[test]
    fn a_query_with_nothing_to_look_for_is_refused() {
        assert_eq!(SearchQuery::parse("  "), Err(DomainError::Empty { field: "query" }));
        assert_eq!(SearchQuery::parse("-spam"), Err(DomainError::NothingToSearch));
        assert_eq!(SearchQuery::parse("... --"), Err(DomainError::NothingToSearch));
        // The group of exclusions alone is dropped; the rest stands.
        let q = SearchQuery::parse("refund or -spam").unwrap();
        assert_eq!(q.groups(), [vec![word("refund")]]);
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(matches!(SearchQuery::parse(&long), Err(DomainError::TooLong { .. })));
    }

    #[test]
    fn markers_typed_into_a_query_are_ignored() {
        let q = SearchQuery::parse("re\u{E000}fund").unwrap();
        assert_eq!(q.groups(), [vec![word("refund")]]);
    }

    #[test]
    fn snippets_escape_everything_and_mark_only_hits() {
        let raw = "<b>Refund</b> for \u{E000}order\u{E001} #12 & \"more\"\nsoon \u{E000}open";
        assert_eq!(
            snippet_html(raw),
            "&lt;b&gt;Refund&lt;/b&gt; for <mark>order</mark> #12 &amp; &quot;more&quot; soon <mark>open</mark>"
        );
        assert_eq!(snippet_html("a\u{E001}b"), "ab");
    }
}
