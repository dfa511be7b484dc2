//! One raw RFC 5322 message in, one [`InboundEmail`] out.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use helpdesk_domain::email::EmailAddress;
use mail_parser::{Encoding, HeaderName, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

use super::classify::{self, Signals};
use super::text;

/// Subject given to a message whose Subject header is missing or blank.
pub const NO_SUBJECT: &str = "(no subject)";

/// Domain of the Message-IDs [`parse`] makes up for messages that have none.
pub const GENERATED_ID_DOMAIN: &str = "helpdesk.invalid";

/// Longest Message-ID taken from a header (RFC 5322 caps a line at 998 octets).
const MAX_ID_LEN: usize = 998;

/// An inbound message, decoded: every text is UTF-8, every id is bare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundEmail {
    /// The Message-ID without angle brackets. When the message has none (or an
    /// unusable one), a stable one derived from its content:
    /// `<hex sha256 of the raw bytes>@helpdesk.invalid`, so that re-delivery of the
    /// same bytes gets the same id.
    pub message_id: String,
    /// Whether [`message_id`](Self::message_id) was made up rather than read.
    pub message_id_generated: bool,
    /// `In-Reply-To` ids, without brackets.
    pub in_reply_to: Vec<String>,
    /// `References` ids, without brackets, in header order (oldest first).
    pub references: Vec<String>,
    /// Who wrote it, from the first `From` address. `Reply-To` is *not* used for
    /// identity (anyone can set it); it is in [`reply_to`](Self::reply_to).
    pub from: Sender,
    /// `To` addresses, lower-cased, in header order (groups flattened).
    pub to: Vec<String>,
    /// `Cc` addresses, lower-cased, in header order.
    pub cc: Vec<String>,
    /// The first `Reply-To` address, lower-cased: where the sender asks answers to
    /// go. Information only.
    pub reply_to: Option<String>,
    /// RFC 2047-decoded and trimmed; [`NO_SUBJECT`] when missing or blank.
    pub subject: String,
    /// The body as plain text, lines ending in `\n`: the text/plain part(s) when
    /// there are any, else the HTML rendered to text. Empty only when the message
    /// really has no body (or only attachments).
    pub text: String,
    /// The HTML body as sent, when the message has one.
    pub html: Option<String>,
    /// Files: parts with `Content-Disposition: attachment`, inline non-text parts
    /// (images in an HTML mail), non-body text parts (`text/calendar`, a `.csv`), and
    /// each nested `message/rfc822` as one attachment. Never the text/HTML body.
    pub attachments: Vec<Attachment>,
    pub kind: InboundKind,
    /// The `Date` header in UTC, when present and a real date.
    pub date: Option<DateTime<Utc>>,
}

impl InboundEmail {
    /// Every `To` and `Cc` address, in header order.
    pub fn recipients(&self) -> impl Iterator<Item = &str> {
        self.to.iter().chain(&self.cc).map(String::as_str)
    }
}

/// The author of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub address: EmailAddress,
    /// The display name, RFC 2047-decoded and trimmed; `None` when absent or blank.
    pub name: Option<String>,
}

/// A file carried by a message, decoded from its transfer encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The file name as the sender gave it (`Content-Disposition` filename, else the
    /// `Content-Type` name; RFC 2231 and RFC 2047 decoded), reduced to its last path
    /// segment and without control characters.
    pub filename: Option<String>,
    /// `type/subtype`, lower-cased, without parameters (`application/pdf`).
    pub content_type: String,
    /// `content.len()`.
    pub size: usize,
    /// The bytes of the file. Text files keep their original charset: these are the
    /// bytes the sender attached, not a UTF-8 re-encoding. A nested message is its
    /// raw RFC 5322 text.
    pub content: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Contents can be megabytes; a debug print shows what the file is.
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// What kind of mail this is, for deciding whether a person is waiting on an
/// answer and whether the desk may answer it automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboundKind {
    /// Written by a person.
    Regular,
    /// Written by a person but sent through a mailing list or group alias, or
    /// marked not to be answered automatically: filed like [`Regular`](Self::Regular),
    /// never acknowledged or auto-answered. See `classify` for the signals.
    Bulk,
    /// Sent by a program (`Auto-Submitted` other than `no`): out-of-office
    /// notices, vacation responders, notifications.
    AutoReply,
    /// A delivery failure report: a message the desk sent did not arrive.
    Bounce,
}

impl InboundKind {
    /// A person wrote it: it is a customer's message, and opens a ticket when
    /// it threads to none.
    pub fn is_a_persons_mail(self) -> bool {
        matches!(self, InboundKind::Regular | InboundKind::Bulk)
    }

    /// The desk may send an automatic answer (an acknowledgement, an
    /// auto-reply) to it. Never to list or bulk mail, robots or bounces
    /// (RFC 3834 §2), which would loop or spam a whole list.
    pub fn may_be_answered_automatically(self) -> bool {
        self == InboundKind::Regular
    }
}

/// Why a raw message could not be turned into an [`InboundEmail`]. The text is
/// meant for the sender of the request (an HTTP 400, exit code 65).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is empty")]
    Empty,
    #[error("not an email message: it does not start with a header field (`Name: value`)")]
    NotAMessage,
    #[error("the message has no From address")]
    MissingFrom,
    #[error("the From address {0:?} is not a valid email address")]
    InvalidFrom(String),
    #[error("the message's MIME structure is too damaged to read")]
    Unreadable,
}

/// Parses one raw RFC 5322 message (CRLF or bare LF line endings).
///
/// Never panics. A leading mbox `From ` envelope line is skipped. Anything that
/// does not start with a header field, or has no usable `From` address, is an
/// error: garbage is never turned into a message.
pub fn parse(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    // mail-parser checks its own bookkeeping with `debug_assert!`, and some broken
    // MIME trips those checks in debug builds (release builds recover and go on).
    // Whatever panics in here, the caller gets an error for this one message.
    std::panic::catch_unwind(|| parse_message(raw)).unwrap_or(Err(ParseError::Unreadable))
}

fn parse_message(raw: &[u8]) -> Result<InboundEmail, ParseError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let content = skip_mbox_envelope(raw);
    if !starts_with_header_field(content) {
        return Err(ParseError::NotAMessage);
    }
    let content = with_header_end(content);
    let message = MessageParser::default()
        .parse(content.as_ref())
        .ok_or(ParseError::NotAMessage)?;
    if message.parts.is_empty() || message.headers().is_empty() {
        return Err(ParseError::NotAMessage);
    }

    let from = sender(&message)?;
    let (message_id, message_id_generated) = match message_ids(message.header(HeaderName::MessageId)).into_iter().next()
    {
        Some(id) => (id, false),
        None => (
            format!("{}@{GENERATED_ID_DOMAIN}", hex::encode(Sha256::digest(raw))),
            true,
        ),
    };
    let subject = message
        .subject()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(NO_SUBJECT);
    let parts = body_parts(&message);
    let kind = classify::classify(&Signals {
        headers: &raw_headers(&message),
        content_type: message
            .root_part()
            .content_type()
            .map(|ct| mime_type(ct.ctype(), ct.subtype())),
        report_type: message
            .root_part()
            .content_type()
            .and_then(|ct| ct.attribute("report-type"))
            .map(|t| t.trim().to_ascii_lowercase()),
        part_types: message
            .parts
            .iter()
            .filter_map(|p| p.content_type().map(|ct| mime_type(ct.ctype(), ct.subtype())))
            .collect(),
        from: &from.address,
    });

    Ok(InboundEmail {
        message_id,
        message_id_generated,
        in_reply_to: message_ids(message.header(HeaderName::InReplyTo)),
        references: message_ids(message.header(HeaderName::References)),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        reply_to: addresses(message.reply_to()).into_iter().next(),
        from,
        subject: subject.to_owned(),
        text: parts.text,
        html: parts.html,
        attachments: parts.attachments,
        kind,
        date: message.date().and_then(to_utc),
    })
}

/// mbox files and some delivery agents put a `From sender date` envelope line
/// before the headers; it is not a header field.
fn skip_mbox_envelope(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        match raw.iter().position(|&b| b == b'\n') {
            Some(end) => &raw[end + 1..],
            None => &[],
        }
    } else {
        raw
    }
}

/// A message that is all headers, cut off without the empty line that ends them,
/// gets that line, or its last field would be lost.
fn with_header_end(raw: &[u8]) -> Cow<'_, [u8]> {
    let has_header_end = raw.windows(2).any(|w| w == b"\n\n") || raw.windows(3).any(|w| w == b"\n\r\n");
    if has_header_end {
        Cow::Borrowed(raw)
    } else {
        let mut owned = raw.to_vec();
        owned.extend_from_slice(if raw.ends_with(b"\n") { b"\r\n" } else { b"\r\n\r\n" });
        Cow::Owned(owned)
    }
}

/// Whether the first line is a header field: a name, optional blanks (obsolete
/// syntax), then `:`. RFC 5322 allows any printable ASCII in a name, but real
/// field names are letters, digits, `-` and `_`; asking for those on the first
/// line keeps HTML and JSON documents from passing for headers.
fn starts_with_header_field(raw: &[u8]) -> bool {
    let name_len = raw
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .count();
    let after_blanks = raw[name_len..].iter().position(|&b| b != b' ' && b != b'\t');
    name_len > 0 && after_blanks.and_then(|i| raw.get(name_len + i)) == Some(&b':')
}

fn sender(message: &Message<'_>) -> Result<Sender, ParseError> {
    let addr = message
        .from()
        .and_then(|a| a.iter().find(|a| a.address.is_some()))
        .ok_or(ParseError::MissingFrom)?;
    let raw_address = addr.address().unwrap_or_default();
    if raw_address.trim().is_empty() {
        return Err(ParseError::MissingFrom);
    }
    let address = EmailAddress::parse(raw_address).map_err(|_| ParseError::InvalidFrom(raw_address.to_owned()))?;
    let name = addr
        .name()
        .map(|n| single_line(n.trim()))
        .filter(|n| !n.is_empty() && *n != address.as_str());
    Ok(Sender { address, name })
}

/// The addresses of an address header, lower-cased, skipping entries without one
/// (a group's display name, `undisclosed-recipients:;`).
fn addresses(header: Option<&mail_parser::Address<'_>>) -> Vec<String> {
    header
        .into_iter()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The ids of a `Message-ID`, `In-Reply-To` or `References` header, brackets
/// dropped; ids with blanks or control characters (no real id has them) are left out.
fn message_ids(header: Option<&HeaderValue<'_>>) -> Vec<String> {
    let ids: Vec<&str> = match header {
        Some(HeaderValue::Text(id)) => vec![id.as_ref()],
        Some(HeaderValue::TextList(ids)) => ids.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    ids.into_iter()
        .map(|id| id.trim().trim_start_matches('<').trim_end_matches('>'))
        .filter(|id| {
            !id.is_empty()
                && id.len() <= MAX_ID_LEN
                && !id
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        })
        .map(str::to_owned)
        .collect()
}

/// The top-level header fields as (name, unfolded raw value), for classification.
fn raw_headers(message: &Message<'_>) -> Vec<(String, String)> {
    message
        .headers()
        .iter()
        .map(|h| {
            let value = message
                .raw_message
                .get(h.offset_start as usize..h.offset_end as usize)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            (h.name.as_str().to_owned(), single_line(value.trim()))
        })
        .collect()
}

/// Folded header text on one line: each run of CR/LF (and the blanks after it)
/// becomes one space.
fn single_line(value: &str) -> String {
    if !value.contains(['\r', '\n']) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut in_break = false;
    for c in value.chars() {
        if c == '\r' || c == '\n' || (in_break && (c == ' ' || c == '\t')) {
            if !in_break {
                out.push(' ');
            }
            in_break = true;
        } else {
            in_break = false;
            out.push(c);
        }
    }
    out
}

fn mime_type(ctype: &str, subtype: Option<&str>) -> String {
    match subtype {
        Some(subtype) if !ctype.is_empty() && !subtype.is_empty() => {
            format!("{}/{}", ctype.to_ascii_lowercase(), subtype.to_ascii_lowercase())
        }
        _ => "application/octet-stream".to_owned(),
    }
}

fn to_utc(date: &mail_parser::DateTime) -> Option<DateTime<Utc>> {
    let local = NaiveDate::from_ymd_opt(i32::from(date.year), u32::from(date.month), u32::from(date.day))?
        .and_hms_opt(u32::from(date.hour), u32::from(date.minute), u32::from(date.second))?;
    let offset = i64::from(date.tz_hour) * 3600 + i64::from(date.tz_minute) * 60;
    // `tz_before_gmt` means a negative offset (-0500): UTC is later than local time.
    let offset = if date.tz_before_gmt { -offset } else { offset };
    let utc = local.checked_sub_signed(chrono::TimeDelta::try_seconds(offset)?)?;
    Some(utc.and_utc())
}

struct BodyParts {
    text: String,
    html: Option<String>,
    attachments: Vec<Attachment>,
}

/// Splits the message the way RFC 8621 (JMAP) does, which is mail-parser's model:
/// the text body, the HTML body, and everything else as attachments.
fn body_parts(message: &Message<'_>) -> BodyParts {
    let part = |id: &u32| message.parts.get(*id as usize);

    let texts: Vec<Cow<'_, str>> = message
        .text_body
        .iter()
        .filter_map(part)
        .filter_map(|p| match &p.body {
            PartType::Text(t) => Some(Cow::Borrowed(t.as_ref())),
            PartType::Html(h) => Some(Cow::Owned(text::html_to_text(h))),
            _ => None,
        })
        .collect();
    let htmls: Vec<&str> = message
        .html_body
        .iter()
        .filter_map(part)
        .filter_map(|p| match &p.body {
            PartType::Html(h) => Some(h.as_ref()),
            _ => None,
        })
        .collect();
    let html = (!htmls.is_empty()).then(|| htmls.join("\n"));

    let mut text = trim_blank_lines(&text::normalize_newlines(&texts.join("\n")));
    if text.is_empty()
        && let Some(html) = &html
    {
        // Some clients send an empty text/plain alternative next to the real HTML.
        text = text::html_to_text(html);
    }

    let in_body = |id: &u32| message.text_body.contains(id) || message.html_body.contains(id);
    let attachments = message
        .attachments
        .iter()
        .filter_map(|id| {
            let p = part(id)?;
            let is_body_text = matches!(p.body, PartType::Text(_) | PartType::Html(_)) && in_body(id);
            (!is_body_text).then(|| attachment(&message.raw_message, p))
        })
        .flatten()
        .collect();

    BodyParts {
        text,
        html,
        attachments,
    }
}

/// Without empty (or blank) lines at either end and trailing blanks on the last
/// line; the indentation of the first line is kept.
fn trim_blank_lines(text: &str) -> String {
    let first_content = text.find(|c: char| !c.is_whitespace());
    let Some(first_content) = first_content else {
        return String::new();
    };
    let start = text[..first_content].rfind('\n').map_or(0, |nl| nl + 1);
    text[start..].trim_end().to_owned()
}

fn attachment(raw: &[u8], part: &MessagePart<'_>) -> Option<Attachment> {
    let content_type = match (part.content_type(), &part.body) {
        (Some(ct), _) => mime_type(ct.ctype(), ct.subtype()),
        (None, PartType::Text(_)) => "text/plain".to_owned(),
        (None, PartType::Html(_)) => "text/html".to_owned(),
        (None, PartType::Message(_)) => "message/rfc822".to_owned(),
        (None, _) => "application/octet-stream".to_owned(),
    };
    let content = match &part.body {
        PartType::Multipart(_) => return None,
        // mail-parser hands text over converted to UTF-8; a file should stay the
        // bytes that were attached, so undo only the transfer encoding.
        PartType::Text(_) | PartType::Html(_) => original_bytes(raw, part).unwrap_or_else(|| part.contents().to_vec()),
        PartType::Message(nested) if part.encoding == Encoding::None => {
            raw_slice(raw, part).map_or_else(|| nested.raw_message().to_vec(), <[u8]>::to_vec)
        }
        PartType::Message(nested) => nested.raw_message.to_vec(),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes.to_vec(),
    };
    let filename = part.attachment_name().and_then(clean_filename);
    Some(Attachment {
        filename,
        content_type,
        size: content.len(),
        content,
    })
}

/// The part's body as it stands in the raw message.
fn raw_slice<'r>(raw: &'r [u8], part: &MessagePart<'_>) -> Option<&'r [u8]> {
    let (start, end) = (part.offset_body as usize, part.offset_end as usize);
    raw.get(start..end.max(start))
}

/// A text part's bytes with only the transfer encoding undone (charset untouched).
fn original_bytes(raw: &[u8], part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let body = raw_slice(raw, part)?;
    let mut stream = mail_parser::parsers::MessageStream::new(body);
    let decoded = match part.encoding {
        Encoding::None => return Some(body.to_vec()),
        Encoding::Base64 => stream.decode_base64_mime(b"").1,
        Encoding::QuotedPrintable => stream.decode_quoted_printable_mime(b"").1,
    };
    Some(decoded.into_owned())
}

/// The last path segment of a sender-supplied file name, without control characters.
fn clean_filename(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(headers: &str, body: &str) -> Vec<u8> {
        format!("{headers}\r\n\r\n{body}")
            .replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes()
    }

    #[test]
    fn rejects_empty_input() {
        assert_eq!(parse(b""), Err(ParseError::Empty));
        assert_eq!(parse(b" \r\n\t\n"), Err(ParseError::Empty));
    }

    #[test]
    fn rejects_garbage_with_a_reason() {
        for garbage in [
            &b"hello"[..],
            b"hello world, this is not mail\n",
            b"{\n  \"from\": \"ana@example.com\",\n  \"subject\": \"hi\"\n}\n",
            b"\x00\x01\x02\xff\xfe binary",
            b"\r\n\r\nFrom: ana@example.com\r\n",
            b": no name\r\n",
            b"<html><body>From: ana@example.com</body></html>",
        ] {
            let err = parse(garbage).expect_err("garbage must not parse");
            assert_eq!(err, ParseError::NotAMessage, "{:?}", String::from_utf8_lossy(garbage));
        }
        assert_eq!(parse(br#"{"from":"ana@example.com"}"#), Err(ParseError::NotAMessage));
        // Looks like a header field, but is no message.
        assert_eq!(
            parse(b"Note: call Ana back\nabout the refund"),
            Err(ParseError::MissingFrom)
        );
    }

    #[test]
    fn requires_a_from_address() {
        assert_eq!(
            parse(&msg("To: support@desk.example\nSubject: hi", "body")),
            Err(ParseError::MissingFrom)
        );
        assert_eq!(parse(&msg("From:\nSubject: hi", "body")), Err(ParseError::MissingFrom));
        // A bare display name is no address.
        assert_eq!(
            parse(&msg("From: Ana Lopez\nSubject: hi", "body")),
            Err(ParseError::MissingFrom)
        );
        assert_eq!(
            parse(&msg("From: <ana@>\nSubject: hi", "body")),
            Err(ParseError::InvalidFrom("ana@".into()))
        );
        assert_eq!(
            parse(&msg("From: <@example.com>", "x")),
            Err(ParseError::InvalidFrom("@example.com".into()))
        );
        assert_eq!(parse(&msg("From: ana", "x")), Err(ParseError::MissingFrom));
    }

    #[test]
    fn error_texts_are_readable() {
        assert_eq!(ParseError::Empty.to_string(), "the message is empty");
        assert_eq!(ParseError::MissingFrom.to_string(), "the message has no From address");
        assert_eq!(
            ParseError::InvalidFrom("Ana Lopez".into()).to_string(),
            "the From address \"Ana Lopez\" is not a valid email address"
        );
    }

    #[test]
    fn a_header_only_message_has_an_empty_body() {
        let mail = parse(b"From: ana@example.com\r\nSubject: nothing else").expect("parses");
        assert_eq!(mail.subject, "nothing else");
        assert_eq!(mail.text, "");
        assert_eq!(mail.html, None);
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn minimal_message_defaults() {
        let mail = parse(&msg("From: ana@example.com", "Hi there")).expect("parses");
        assert_eq!(mail.from.address.as_str(), "ana@example.com");
        assert_eq!(mail.from.name, None);
        assert_eq!(mail.subject, NO_SUBJECT);
        assert_eq!(mail.text, "Hi there");
        assert!(mail.to.is_empty());
        assert_eq!(mail.date, None);
        assert_eq!(mail.kind, InboundKind::Regular);
        assert!(mail.message_id_generated);
    }

    #[test]
    fn blank_subject_becomes_no_subject() {
        let mail = parse(&msg("From: ana@example.com\nSubject:    ", "x")).expect("parses");
        assert_eq!(mail.subject, NO_SUBJECT);
        let mail = parse(&msg("From: ana@example.com\nSubject:  padded \t", "x")).expect("parses");
        assert_eq!(mail.subject, "padded");
    }

    #[test]
    fn generated_ids_are_stable_and_content_derived() {
        let a = msg("From: ana@example.com\nSubject: one", "same");
        let b = msg("From: ana@example.com\nSubject: two", "same");
        let (first, again, other) = (parse(&a), parse(&a), parse(&b));
        let (first, again, other) = (first.expect("a"), again.expect("a"), other.expect("b"));
        assert!(first.message_id_generated);
        assert_eq!(first.message_id, again.message_id);
        assert_ne!(first.message_id, other.message_id);
        let (hash, domain) = first.message_id.split_once('@').expect("has @");
        assert_eq!(domain, GENERATED_ID_DOMAIN);
        assert_eq!(hash.len(), 64);
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(hash, hex::encode(Sha256::digest(&a)));
    }

    #[test]
    fn unusable_message_ids_are_replaced() {
        for header in ["Message-ID:", "Message-ID: <>", "Message-ID:    "] {
            let mail = parse(&msg(&format!("From: ana@example.com\n{header}"), "x")).expect("parses");
            assert!(mail.message_id_generated, "{header:?}");
        }
        let mail = parse(&msg("From: ana@example.com\nMessage-ID: bare-id@example.com", "x")).expect("parses");
        assert_eq!(mail.message_id, "bare-id@example.com");
        assert!(!mail.message_id_generated);
    }

    #[test]
    fn skips_an_mbox_envelope_line() {
        let raw = msg(
            "From ana@example.com Tue Mar 12 09:14:58 2024\nFrom: Ana <ana@example.com>\nSubject: via mbox",
            "body",
        );
        let mail = parse(&raw).expect("parses");
        assert_eq!(mail.subject, "via mbox");
        assert_eq!(mail.from.name.as_deref(), Some("Ana"));
        assert_eq!(
            parse(b"From ana@example.com Tue Mar 12 09:14:58 2024"),
            Err(ParseError::NotAMessage)
        );
    }

    #[test]
    fn bare_lf_line_endings_work_too() {
        let mail = parse(b"From: Ana <ana@example.com>\nSubject: unix\nMessage-ID: <u@x>\n\nline one\nline two\n")
            .expect("ok");
        assert_eq!(mail.text, "line one\nline two");
        assert_eq!(mail.message_id, "u@x");
    }

    #[test]
    fn reply_to_is_not_identity() {
        let mail = parse(&msg(
            "From: Ana <ana@example.com>\nReply-To: Mallory <mallory@example.net>",
            "x",
        ))
        .expect("parses");
        assert_eq!(mail.from.address.as_str(), "ana@example.com");
        assert_eq!(mail.reply_to.as_deref(), Some("mallory@example.net"));
    }

    #[test]
    fn recipients_flatten_groups_and_lower_case() {
        let mail = parse(&msg(
            "From: ana@example.com\nTo: Team: Bo <BO@Example.org>, cy@example.org;, support@DESK.example\n\
             Cc: undisclosed-recipients:;",
            "x",
        ))
        .expect("parses");
        assert_eq!(mail.to, ["bo@example.org", "cy@example.org", "support@desk.example"]);
        assert!(mail.cc.is_empty());
        assert_eq!(mail.recipients().count(), 3);
    }

    #[test]
    fn dates_are_converted_to_utc() {
        let mail = parse(&msg(
            "From: ana@example.com\nDate: Tue, 12 Mar 2024 09:14:58 +0100",
            "x",
        ))
        .expect("ok");
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-03-12T08:14:58+00:00")
        );
        let mail = parse(&msg(
            "From: ana@example.com\nDate: Wed, 13 Mar 2024 14:02:11 -0430",
            "x",
        ))
        .expect("ok");
        assert_eq!(
            mail.date.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-03-13T18:32:11+00:00")
        );
        let mail = parse(&msg("From: ana@example.com\nDate: yesterday-ish", "x")).expect("ok");
        assert_eq!(mail.date, None);
        let mail = parse(&msg(
            "From: ana@example.com\nDate: Fri, 31 Feb 2024 10:00:00 +0000",
            "x",
        ))
        .expect("ok");
        assert_eq!(mail.date, None);
    }

    #[test]
    fn body_text_loses_blank_lines_at_the_ends_only() {
        let mail = parse(&msg("From: ana@example.com", "\n  \n   indented first\n\n\nlast  \n\n")).expect("ok");
        assert_eq!(mail.text, "   indented first\n\n\nlast");
        assert_eq!(trim_blank_lines(" \n\t\n"), "");
    }

    #[test]
    fn an_empty_text_alternative_falls_back_to_the_html() {
        let raw = msg(
            "From: ana@example.com\nContent-Type: multipart/alternative; boundary=b",
            "--b\nContent-Type: text/plain\n\n\n--b\nContent-Type: text/html\n\n<p>Only here</p>\n--b--\n",
        );
        let mail = parse(&raw).expect("ok");
        assert_eq!(mail.text, "Only here");
        assert_eq!(mail.html.as_deref().map(str::trim), Some("<p>Only here</p>"));
    }

    #[test]
    fn text_parts_that_are_files_are_attachments_not_body() {
        let raw = msg(
            "From: ana@example.com\nContent-Type: multipart/mixed; boundary=b",
            "--b\nContent-Type: text/plain\n\nSee the log.\n\
             --b\nContent-Type: text/plain; name=app.log\nContent-Disposition: attachment; filename=app.log\n\n\
             ERROR boom\n\
             --b\nContent-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\nEND:VCALENDAR\n--b--\n",
        );
        let mail = parse(&raw).expect("ok");
        assert_eq!(mail.text, "See the log.");
        let files: Vec<(Option<&str>, &str)> = mail
            .attachments
            .iter()
            .map(|a| (a.filename.as_deref(), a.content_type.as_str()))
            .collect();
        assert_eq!(files, [(Some("app.log"), "text/plain"), (None, "text/calendar")]);
        assert_eq!(mail.attachments[0].content, b"ERROR boom");
    }

    #[test]
    fn rfc2231_file_names_are_decoded() {
        let raw = msg(
            "From: ana@example.com\nContent-Type: multipart/mixed; boundary=b",
            "--b\nContent-Type: text/plain\n\nhi\n\
             --b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\
             Content-Disposition: attachment; filename*=UTF-8''Re%C3%A7u%20n%C2%B01.pdf\n\nJVBERi0=\n--b--\n",
        );
        let mail = parse(&raw).expect("ok");
        assert_eq!(mail.attachments[0].filename.as_deref(), Some("Reçu n°1.pdf"));
        assert_eq!(mail.attachments[0].content, b"%PDF-");
    }

    #[test]
    fn attachment_file_names_are_cleaned() {
        assert_eq!(clean_filename("report.pdf").as_deref(), Some("report.pdf"));
        assert_eq!(
            clean_filename("C:\\Users\\ana\\report.pdf").as_deref(),
            Some("report.pdf")
        );
        assert_eq!(clean_filename("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_filename("a\u{0}b\r\n.txt").as_deref(), Some("ab.txt"));
        assert_eq!(clean_filename("  "), None);
        assert_eq!(clean_filename("dir/"), None);
        assert_eq!(clean_filename(".."), None);
    }

    #[test]
    fn header_field_detection() {
        assert!(starts_with_header_field(b"From: x"));
        assert!(starts_with_header_field(b"Subject : x"));
        assert!(starts_with_header_field(b"X-Whatever:"));
        assert!(!starts_with_header_field(b"From x"));
        assert!(!starts_with_header_field(b" From: x"));
        assert!(!starts_with_header_field(b": x"));
        assert!(!starts_with_header_field(b"From"));
        assert!(!starts_with_header_field(b""));
    }
}
