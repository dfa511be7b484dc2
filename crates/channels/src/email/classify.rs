//! Telling a person's mail from an automatic reply or a bounce.
//!
//! Only documented, widely sent signals count; a heuristic on the subject
//! ("Out of office", "Undeliverable") would misfile customers who write those
//! words themselves. Signals that a mail came through a list or asks not to
//! be answered never make it less than a person's mail: they only stop the
//! desk's automatic answers.

use helpdesk_domain::email::EmailAddress;

use super::InboundKind;

/// What classification looks at, taken from the parsed message.
pub(crate) struct Signals<'a> {
    /// Top-level header fields: (name, unfolded raw value).
    pub headers: &'a [(String, String)],
    /// The top-level `type/subtype`, lower-cased.
    pub content_type: Option<String>,
    /// The top-level content type's `report-type` parameter, lower-cased.
    pub report_type: Option<String>,
    /// `type/subtype` of every MIME part, lower-cased.
    pub part_types: Vec<String>,
    pub from: &'a EmailAddress,
}

/// The kind of a message, bounces first (a bounce often also says `Auto-Submitted`).
///
/// [`InboundKind::Bounce`] when
/// - the top-level content type is `multipart/report` (RFC 6522) with
///   `report-type=delivery-status` (RFC 3464) or `global-delivery-status`
///   (RFC 6533), or
/// - the mail comes from the mail system (a null `Return-Path: <>`, or a
///   sender whose local part is `MAILER-DAEMON` or `postmaster`, any case)
///   and some part is `message/delivery-status` or
///   `message/global-delivery-status`.
///
/// [`InboundKind::AutoReply`] when `Auto-Submitted` (RFC 3834) is present
/// with a value other than `no` (`auto-replied`, `auto-generated`,
/// `auto-notified`).
///
/// [`InboundKind::Bulk`] (a person's mail the desk must not answer
/// automatically) when
/// - `List-Id` (RFC 2919) is present, or `Precedence` is `bulk`, `junk`,
///   `list` or `auto_reply` (RFC 2076; RFC 3834 §3.1.8 tells responders not
///   to answer these): mailing lists and group aliases forward customers' mail;
/// - `X-Autoreply` or `X-Autorespond` is present (vacation responders that do
///   not say `Auto-Submitted`), or `X-Auto-Response-Suppress` names `All` or
///   `OOF` (MS-OXCMAIL 2.2.3.2.20, which Outlook also sets on mail people send);
/// - it is some other `multipart/report` (a read receipt, a feedback report).
///
/// [`InboundKind::Regular`] otherwise.
pub(crate) fn classify(signals: &Signals<'_>) -> InboundKind {
    if is_bounce(signals) {
        InboundKind::Bounce
    } else if is_auto_submitted(signals.headers) {
        InboundKind::AutoReply
    } else if asks_for_no_automatic_answer(signals.headers)
        || signals.content_type.as_deref() == Some("multipart/report")
    {
        InboundKind::Bulk
    } else {
        InboundKind::Regular
    }
}

const DELIVERY_STATUS: &[&str] = &["delivery-status", "global-delivery-status"];

fn is_bounce(signals: &Signals<'_>) -> bool {
    if signals.content_type.as_deref() == Some("multipart/report")
        && signals
            .report_type
            .as_deref()
            .is_some_and(|t| DELIVERY_STATUS.contains(&t))
    {
        return true;
    }
    let local = signals.from.as_str().rsplit_once('@').map_or("", |(local, _)| local);
    let null_return_path = signals
        .headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("Return-Path") && value.trim() == "<>");
    let from_mail_system =
        null_return_path || local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster");
    from_mail_system
        && signals
            .part_types
            .iter()
            .any(|t| t == "message/delivery-status" || t == "message/global-delivery-status")
}

/// The first token of a header value, without comments or parameters.
fn first_token(value: &str) -> &str {
    value.split([';', '(', ' ', '\t']).next().unwrap_or_default().trim()
}

fn is_auto_submitted(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("Auto-Submitted") && {
            let token = first_token(value);
            !token.is_empty() && !token.eq_ignore_ascii_case("no")
        }
    })
}

fn asks_for_no_automatic_answer(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(name, value)| {
        if name.eq_ignore_ascii_case("List-Id")
            || name.eq_ignore_ascii_case("X-Autoreply")
            || name.eq_ignore_ascii_case("X-Autorespond")
        {
            true
        } else if name.eq_ignore_ascii_case("Precedence") {
            ["bulk", "junk", "list", "auto_reply"]
                .iter()
                .any(|p| first_token(value).eq_ignore_ascii_case(p))
        } else if name.eq_ignore_ascii_case("X-Auto-Response-Suppress") {
            value
                .split([',', ' ', '\t'])
                .any(|v| v.eq_ignore_ascii_case("All") || v.eq_ignore_ascii_case("OOF"))
        } else {
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::parse;

    fn kind_of(headers: &str) -> InboundKind {
        let raw = format!("From: Ana <ana@example.com>\r\n{headers}\r\nSubject: hi\r\n\r\nbody\r\n");
        parse(raw.as_bytes()).expect("test message parses").kind
    }

    #[test]
    fn plain_mail_is_regular() {
        assert_eq!(kind_of("To: support@desk.example"), InboundKind::Regular);
        assert_eq!(kind_of("Auto-Submitted: no"), InboundKind::Regular);
        assert_eq!(
            kind_of("Auto-Submitted: No (a person wrote this)"),
            InboundKind::Regular
        );
        assert_eq!(kind_of("Precedence: first-class"), InboundKind::Regular);
        assert_eq!(kind_of("X-Auto-Response-Suppress: DR, RN"), InboundKind::Regular);
        assert_eq!(kind_of("X-Auto-Response-Suppress-Other: All"), InboundKind::Regular);
    }

    #[test]
    fn auto_submitted_other_than_no_is_automatic() {
        for value in [
            "auto-replied",
            "auto-generated",
            "Auto-Notified; owner-email=\"a@example.com\"",
            "auto-replied (vacation)",
        ] {
            assert_eq!(
                kind_of(&format!("Auto-Submitted: {value}")),
                InboundKind::AutoReply,
                "{value}"
            );
        }
    }

    #[test]
    fn vendor_auto_reply_headers_only_stop_automatic_answers() {
        assert_eq!(kind_of("X-Autoreply: yes"), InboundKind::Bulk);
        assert_eq!(kind_of("x-autorespond: Vacation"), InboundKind::Bulk);
        assert_eq!(kind_of("X-Auto-Response-Suppress: All"), InboundKind::Bulk);
        assert_eq!(
            kind_of("X-Auto-Response-Suppress: DR, OOF, AutoReply"),
            InboundKind::Bulk
        );
        assert_eq!(
            kind_of("X-Autoreply: yes\r\nAuto-Submitted: auto-replied"),
            InboundKind::AutoReply
        );
    }

    #[test]
    fn list_and_bulk_mail_is_a_persons_mail_not_to_be_answered() {
        for value in ["bulk", "junk", "list", "auto_reply", "BULK"] {
            assert_eq!(kind_of(&format!("Precedence: {value}")), InboundKind::Bulk, "{value}");
        }
        assert_eq!(
            kind_of("List-Id: Customers of Example <customers.example.com>"),
            InboundKind::Bulk
        );
        assert!(!InboundKind::Bulk.may_be_answered_automatically());
        assert!(InboundKind::Bulk.is_a_persons_mail());
    }

    #[test]
    fn only_a_delivery_status_report_is_a_bounce() {
        let raw = |report: &str| {
            format!(
                "From: postmaster@example.org\r\n\
                 Content-Type: multipart/report; report-type={report}; boundary=b\r\n\r\n\
                 --b\r\nContent-Type: text/plain\r\n\r\nreport\r\n--b--\r\n"
            )
        };
        assert_eq!(
            parse(raw("delivery-status").as_bytes()).expect("parses").kind,
            InboundKind::Bounce
        );
        assert_eq!(
            parse(raw("Delivery-Status").as_bytes()).expect("parses").kind,
            InboundKind::Bounce
        );
        // A read receipt is not a bounce: filed, never answered.
        assert_eq!(
            parse(raw("disposition-notification").as_bytes()).expect("parses").kind,
            InboundKind::Bulk
        );
    }

    #[test]
    fn a_null_return_path_with_a_delivery_status_part_is_a_bounce() {
        let raw = "Return-Path: <>\r\nFrom: Mail System <notices@mx.example.org>\r\n\
                   Content-Type: multipart/mixed; boundary=b\r\n\r\n\
                   --b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n\
                   --b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n";
        assert_eq!(parse(raw.as_bytes()).expect("parses").kind, InboundKind::Bounce);
    }

    #[test]
    fn mailer_daemon_with_a_delivery_status_part_is_a_bounce() {
        let raw = |from: &str| {
            format!(
                "From: {from}\r\nAuto-Submitted: auto-replied\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
                 --b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n\
                 --b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
            )
        };
        assert_eq!(
            parse(raw("MAILER-DAEMON@mx.example.org").as_bytes()).expect("ok").kind,
            InboundKind::Bounce
        );
        assert_eq!(
            parse(raw("Postmaster@example.org").as_bytes()).expect("ok").kind,
            InboundKind::Bounce
        );
        // The same structure from anyone else is not a bounce; its Auto-Submitted still counts.
        assert_eq!(
            parse(raw("ana@example.com").as_bytes()).expect("ok").kind,
            InboundKind::AutoReply
        );
    }

    #[test]
    fn mailer_daemon_without_a_report_is_not_a_bounce() {
        let raw = "From: MAILER-DAEMON@mx.example.org\r\nSubject: hello\r\n\r\nplain words\r\n";
        assert_eq!(parse(raw.as_bytes()).expect("ok").kind, InboundKind::Regular);
    }
}
