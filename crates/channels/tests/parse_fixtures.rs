//! Every fixture in `tests/fixtures/email/` parsed, with the decoded values a
//! person reading the mail would expect.

use std::path::PathBuf;

use helpdesk_channels::email::{InboundEmail, InboundKind, parse, ticket_token};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/email")
}

fn raw(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

fn fixture(name: &str) -> InboundEmail {
    parse(&raw(name)).unwrap_or_else(|e| panic!("parse {name}: {e}"))
}

fn date(mail: &InboundEmail) -> Option<String> {
    mail.date.map(|d| d.to_rfc3339())
}

/// The fixtures this file tests, one test each below.
const FIXTURES: &[&str] = &[
    "attachment_pdf.eml",
    "attachment_text_iso_8859_1.eml",
    "auto_reply_out_of_office.eml",
    "bounce_delivery_status.eml",
    "encoded_subject_utf8.eml",
    "html_only.eml",
    "inline_image_related.eml",
    "iso_8859_1_quoted_printable.eml",
    "koi8_r.eml",
    "multipart_alternative.eml",
    "nested_message_rfc822.eml",
    "no_message_id.eml",
    "plain.eml",
    "reply_with_quoted_history.eml",
    "shift_jis.eml",
    "windows_1252.eml",
];

#[test]
fn every_fixture_is_tested_and_uses_crlf() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8 name"))
        .filter(|n| n.ends_with(".eml"))
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, FIXTURES, "add a test for each new fixture");
    for name in FIXTURES {
        let bytes = raw(name);
        let bare_lf = bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'));
        assert_eq!(bare_lf.count(), 0, "{name} has bare LF line endings");
        assert!(bytes.ends_with(b"\r\n"), "{name} ends mid-line");
    }
}

#[test]
fn plain() {
    let mail = fixture("plain.eml");
    assert_eq!(mail.message_id, "CAH7x9=plain-0001@mail.example.com");
    assert!(!mail.message_id_generated);
    assert_eq!(
        mail.from.address.as_str(),
        "ana.lopez@example.com",
        "address is lower-cased"
    );
    assert_eq!(mail.from.name.as_deref(), Some("Ana Lopez"));
    assert_eq!(mail.to, ["support@desk.example"]);
    assert_eq!(mail.subject, "Card declined at checkout");
    assert!(
        mail.text
            .starts_with("Hello,\n\nMy card was declined when I tried to pay for order 88231")
    );
    assert!(mail.text.ends_with("Thanks,\nAna"));
    assert!(!mail.text.contains('\r'));
    assert_eq!(mail.html, None);
    assert!(mail.attachments.is_empty());
    assert!(mail.in_reply_to.is_empty() && mail.references.is_empty());
    assert_eq!(mail.kind, InboundKind::Regular);
    assert_eq!(date(&mail).as_deref(), Some("2024-03-12T08:14:58+00:00"));
    assert_eq!(ticket_token(&mail.subject), None);
}

#[test]
fn multipart_alternative() {
    let mail = fixture("multipart_alternative.eml");
    assert_eq!(mail.from.address.as_str(), "ben.carter@example.org");
    assert_eq!(mail.from.name.as_deref(), Some("Ben Carter"));
    assert_eq!(mail.cc, ["dana@example.org"]);
    assert_eq!(mail.subject, "Export to CSV does nothing");
    // The text/plain alternative wins over the HTML one.
    assert_eq!(
        mail.text,
        "Hi team,\n\nThe export to CSV button does *nothing* since the last update.\n\nRegards,\nBen"
    );
    let html = mail.html.as_deref().expect("html alternative kept");
    assert!(html.contains("<b>nothing</b>"), "{html}");
    assert!(mail.attachments.is_empty(), "alternatives are not attachments");
    assert_eq!(mail.kind, InboundKind::Regular);
    assert_eq!(date(&mail).as_deref(), Some("2024-03-13T18:02:11+00:00"));
}

#[test]
fn html_only() {
    let mail = fixture("html_only.eml");
    assert_eq!(mail.from.name.as_deref(), Some("Chloé Martin"));
    assert_eq!(mail.subject, "Cannot log in");
    assert_eq!(
        mail.text,
        "Hello support,\nI can't log in since Monday — the page says \"session expired\".\nSteps:\n1. open the app\n\
         2. enter my password\nCheers & thanks,\nChloé"
    );
    assert!(
        !mail.text.contains("ignored title") && !mail.text.contains("font-family") && !mail.text.contains("trackOpen")
    );
    assert!(
        mail.html
            .as_deref()
            .is_some_and(|h| h.contains("<p>Hello support,</p>"))
    );
    assert!(mail.attachments.is_empty());
}

#[test]
fn attachment_pdf() {
    let mail = fixture("attachment_pdf.eml");
    assert_eq!(mail.subject, "Wrong VAT on invoice 2024-113");
    assert_eq!(
        mail.text,
        "Hello, the attached invoice shows 19% VAT but we are VAT exempt.\nPlease send a corrected one."
    );
    assert_eq!(mail.attachments.len(), 1);
    let pdf = &mail.attachments[0];
    assert_eq!(pdf.filename.as_deref(), Some("invoice-2024-113.pdf"));
    assert_eq!(pdf.content_type, "application/pdf");
    assert_eq!(pdf.size, 439);
    assert_eq!(pdf.content.len(), pdf.size);
    assert!(pdf.content.starts_with(b"%PDF-1.4\n"));
    assert!(pdf.content.ends_with(b"%%EOF\n"));
}

#[test]
fn attachment_text_iso_8859_1() {
    let mail = fixture("attachment_text_iso_8859_1.eml");
    assert_eq!(mail.text, "The import rejects the rows with accents, file attached.");
    assert_eq!(mail.attachments.len(), 1);
    let csv = &mail.attachments[0];
    assert_eq!(csv.filename.as_deref(), Some("export.csv"));
    assert_eq!(csv.content_type, "text/csv");
    // The file as attached: ISO-8859-1 bytes and CRLF, not re-encoded to UTF-8.
    assert_eq!(csv.content, b"name;city\r\nJos\xe9;M\xe1laga\r\nRen\xe9e;Gen\xe8ve\r\n");
    assert_eq!(csv.size, 38);
}

#[test]
fn iso_8859_1_quoted_printable() {
    let mail = fixture("iso_8859_1_quoted_printable.eml");
    assert_eq!(mail.subject, "Commande non reçue");
    assert_eq!(mail.from.name.as_deref(), Some("François Müller"));
    assert!(
        mail.text
            .contains("Ma commande n°4521 n'est toujours pas arrivée après trois semaines.")
    );
    // A soft line break (`=` at the end of a line) joins the line.
    assert!(
        mail.text.contains("Le colis était adressé à Besançon.\n"),
        "{}",
        mail.text
    );
    assert!(mail.text.ends_with("Merci d'avance,\nFrançois Müller"));
}

#[test]
fn encoded_subject_utf8() {
    let mail = fixture("encoded_subject_utf8.eml");
    // Two adjacent encoded words, folded onto two lines, make one subject.
    assert_eq!(mail.subject, "Problème de paiement 💳 — commande bloquée");
    assert_eq!(mail.from.name.as_deref(), Some("Zoë Åkesson"));
    assert_eq!(mail.to, ["support@desk.example"], "recipient lower-cased");
    assert_eq!(
        mail.text,
        "Bonjour, le paiement par carte échoue à l'étape 3. Merci ! 🙏"
    );
}

#[test]
fn windows_1252() {
    let mail = fixture("windows_1252.eml");
    assert_eq!(mail.from.name.as_deref(), Some("Greg O'Neil"));
    assert_eq!(mail.message_id, "000001da7a3b$1c2d3e40$@example.com");
    // 0x80 is € and 0x93/0x94/0x92/0x97 are typographic quotes and a dash in
    // windows-1252 (they are control characters in ISO-8859-1).
    assert!(
        mail.text
            .contains("The price shows €49 but I was charged €59 — that’s “not what I agreed to”.")
    );
    assert_eq!(date(&mail).as_deref(), Some("2024-03-20T18:22:09+00:00"));
}

#[test]
fn reply_with_quoted_history() {
    let mail = fixture("reply_with_quoted_history.eml");
    assert_eq!(mail.subject, "Re: [#1] Card declined at checkout");
    assert_eq!(ticket_token(&mail.subject), Some(1));
    assert_eq!(
        mail.in_reply_to,
        ["outbox.0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@desk.example"]
    );
    assert_eq!(
        mail.references,
        [
            "CAH7x9=plain-0001@mail.example.com",
            "outbox.0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@desk.example"
        ]
    );
    assert!(mail.text.starts_with("It worked with the other card, thank you!\n"));
    // Quoted history is kept as sent; trimming it is the reader's business.
    assert!(
        mail.text
            .contains("\n> We reset the payment session. Could you try again?\n")
    );
    assert!(
        mail.text
            .ends_with("> > My card was declined when I tried to pay for order 88231 this morning.")
    );
    assert_eq!(mail.kind, InboundKind::Regular);
}

#[test]
fn nested_message_rfc822() {
    let mail = fixture("nested_message_rfc822.eml");
    assert_eq!(mail.subject, "Fwd: Your subscription renewal failed");
    // The forwarded mail's body is not the forwarder's text.
    assert_eq!(mail.text, "Is this email really from you? I paid last week.");
    assert_eq!(
        mail.attachments.len(),
        1,
        "the forwarded message is one attachment, not its parts"
    );
    let forwarded = &mail.attachments[0];
    assert_eq!(forwarded.content_type, "message/rfc822");
    assert_eq!(forwarded.filename, None);
    assert_eq!(forwarded.size, 331);
    assert!(
        forwarded
            .content
            .starts_with(b"From: Billing Robot <billing@example.net>\r\n")
    );
    assert!(forwarded.content.ends_with(b"Please update your card.\r\n"));
    // The attachment is a message of its own.
    let inner = parse(&forwarded.content).expect("forwarded message parses");
    assert_eq!(inner.subject, "Your subscription renewal failed");
    assert_eq!(inner.message_id, "renewal-fail-42@example.net");
    assert_eq!(inner.from.address.as_str(), "billing@example.net");
}

#[test]
fn auto_reply_out_of_office() {
    let mail = fixture("auto_reply_out_of_office.eml");
    assert_eq!(mail.kind, InboundKind::AutoReply);
    assert_eq!(mail.subject, "Automatic reply: [#1] Card declined at checkout");
    assert_eq!(ticket_token(&mail.subject), Some(1));
    assert_eq!(
        mail.in_reply_to,
        ["outbox.0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@desk.example"]
    );
    assert_eq!(
        mail.text,
        "I am out of the office until 18 March with limited access to email."
    );
}

#[test]
fn bounce_delivery_status() {
    let mail = fixture("bounce_delivery_status.eml");
    assert_eq!(mail.kind, InboundKind::Bounce);
    assert_eq!(mail.from.address.as_str(), "mailer-daemon@mx.example.org");
    assert_eq!(mail.from.name.as_deref(), Some("Mail Delivery System"));
    assert_eq!(mail.subject, "Undelivered Mail Returned to Sender");
    // The human-readable part is the text; the MIME preamble is not.
    assert!(mail.text.starts_with("This is the mail system at host mx.example.org."));
    assert!(
        mail.text
            .contains("<no.such.user@example.org>: host mx.example.org said: 550 5.1.1 User unknown")
    );
    assert!(!mail.text.contains("MIME-encapsulated"));
    let types: Vec<&str> = mail.attachments.iter().map(|a| a.content_type.as_str()).collect();
    assert_eq!(types, ["message/delivery-status", "text/rfc822-headers"]);
    let status = String::from_utf8_lossy(&mail.attachments[0].content);
    assert!(status.contains("Status: 5.1.1"), "{status}");
    let headers = String::from_utf8_lossy(&mail.attachments[1].content);
    assert!(
        headers.contains("outbox.0190a1b2-0000-7000-8000-000000000007@desk.example"),
        "{headers}"
    );
}

#[test]
fn no_message_id() {
    let bytes = raw("no_message_id.eml");
    let mail = parse(&bytes).expect("parses");
    assert!(mail.message_id_generated);
    assert_eq!(
        mail.message_id,
        "3689623d6cc627497960a15a2731f28a6a4c7ed80a13bffce62968386eefddae@helpdesk.invalid"
    );
    assert_eq!(
        parse(&bytes).expect("parses").message_id,
        mail.message_id,
        "re-delivery gets the same id"
    );
    assert_eq!(mail.from.address.as_str(), "kiosk@example.net");
    assert_eq!(mail.from.name, None);
    assert_eq!(mail.subject, "Printer offline");
    assert_eq!(
        mail.text,
        "The receipt printer at the front desk has been offline since 05:40."
    );
}

#[test]
fn shift_jis() {
    let mail = fixture("shift_jis.eml");
    // Subject in Shift_JIS, sender name in ISO-2022-JP, body base64 Shift_JIS.
    assert_eq!(mail.subject, "請求書について");
    assert_eq!(mail.from.name.as_deref(), Some("山田太郎"));
    assert_eq!(
        mail.text,
        "サポートご担当者様\n\n請求書の金額が間違っています。\n確認をお願いします。\n\n山田太郎"
    );
    assert_eq!(date(&mail).as_deref(), Some("2024-03-24T06:00:00+00:00"));
}

#[test]
fn koi8_r() {
    let mail = fixture("koi8_r.eml");
    assert_eq!(mail.subject, "Оплата заказа");
    assert_eq!(mail.from.name.as_deref(), Some("Иван Петров"));
    assert!(
        mail.text
            .starts_with("Здравствуйте!\n\nНе могу оплатить заказ картой Мир.")
    );
    assert!(mail.text.ends_with("С уважением,\nИван Петров"));
}

#[test]
fn inline_image_related() {
    let mail = fixture("inline_image_related.eml");
    assert_eq!(mail.subject, "Error screen after upgrade");
    assert!(
        mail.text
            .starts_with("See the screenshot below: the dashboard shows error E42.")
    );
    assert!(
        mail.html
            .as_deref()
            .is_some_and(|h| h.contains("cid:shot1@example.com"))
    );
    // An inline image is not text, so it is an attachment.
    assert_eq!(mail.attachments.len(), 1);
    let png = &mail.attachments[0];
    assert_eq!(png.filename.as_deref(), Some("screenshot.png"));
    assert_eq!(png.content_type, "image/png");
    assert_eq!(png.size, 70);
    assert!(png.content.starts_with(b"\x89PNG\r\n\x1a\n"));
}
