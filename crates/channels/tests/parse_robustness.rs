//! `parse` never panics: truncated fixtures, mutated fixtures and noise all
//! come back as `Ok` or `Err`, and what comes back `Ok` keeps its promises.

use std::path::PathBuf;
use std::sync::{Mutex, Once};

use helpdesk_channels::email::{InboundEmail, ParseError, parse};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/email");
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect();
    all.sort();
    assert!(all.len() >= 12, "fixtures missing");
    all
}

/// Where panics caught inside `parse` happened. mail-parser's `debug_assert!`s
/// may fire (debug builds only; `parse` turns them into `Unreadable`); a panic
/// in our own code is a bug even though `parse` contains it.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map_or_else(|| "unknown".to_owned(), |l| l.file().to_owned());
            if location.contains("mail-parser") {
                PANICS.lock().unwrap_or_else(|e| e.into_inner()).push(location);
            } else {
                default(info);
                PANICS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(format!("OURS: {location}: {info}"));
            }
        }));
    });
}

fn assert_no_panics_of_ours() {
    let panics = PANICS.lock().unwrap_or_else(|e| e.into_inner());
    let ours: Vec<&String> = panics.iter().filter(|p| p.starts_with("OURS")).collect();
    assert!(ours.is_empty(), "{ours:#?}");
}

/// Parses, and checks what an `Ok` promises to its users.
fn check(input: &[u8]) -> Result<InboundEmail, ParseError> {
    record_panics();
    let result = parse(input);
    if let Ok(mail) = &result {
        assert!(!mail.message_id.is_empty());
        assert!(!mail.message_id.contains(['<', '>']) && !mail.message_id.contains(char::is_whitespace));
        assert!(!mail.subject.is_empty() && mail.subject.trim() == mail.subject);
        assert!(!mail.text.contains('\r'));
        assert!(mail.from.address.as_str().contains('@'));
        assert!(mail.attachments.iter().all(|a| a.size == a.content.len()));
        assert!(mail.to.iter().chain(&mail.cc).all(|a| *a == a.to_lowercase()));
    }
    result
}

#[test]
fn every_prefix_of_every_fixture() {
    for (name, raw) in fixtures() {
        let mut ok = 0;
        for len in 0..=raw.len() {
            ok += usize::from(check(&raw[..len]).is_ok());
        }
        assert!(check(&raw).is_ok(), "{name} parses whole");
        assert!(ok > 0, "{name}: no prefix parsed");
    }
}

#[test]
fn fixtures_with_bare_lf_line_endings_parse_alike() {
    for (name, raw) in fixtures() {
        let lf: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\r').collect();
        let (crlf, lf) = (parse(&raw).expect("crlf parses"), parse(&lf).expect("lf parses"));
        assert_eq!(crlf.subject, lf.subject, "{name}");
        assert_eq!(crlf.text, lf.text, "{name}");
        assert_eq!(crlf.kind, lf.kind, "{name}");
        assert_eq!(crlf.attachments.len(), lf.attachments.len(), "{name}");
    }
}

/// Mutations per fixture; `PARSE_FUZZ_ROUNDS=20000 cargo test …` digs deeper.
fn rounds() -> usize {
    std::env::var("PARSE_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(250)
}

#[test]
fn mutated_fixtures() {
    const SPICE: &[&[u8]] = &[
        b"\r\n",
        b"\n",
        b"\r\n\r\n",
        b":",
        b"<",
        b">",
        b"=?",
        b"?=",
        b"=?UTF-8?B?",
        b"=?x?Q?=FF",
        b"--",
        b"\"",
        b";",
        b"=",
        b"=\r\n",
        b"&#",
        b"&#x1F4A9;",
        b"<br>",
        b"</div>",
        b"\xff",
        b"\x00",
        b"\xc3",
        b"boundary=",
        b"--b\r\n",
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b"Content-Type: message/rfc822\r\n\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Type: text/html; charset=shift_jis\r\n",
        b"From: a@b.c\r\n",
        b"filename*0*=utf-8''%e2%98",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut unreadable = 0;
    for (name, raw) in fixtures() {
        for round in 0..rounds() {
            let mut data = raw.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(data.len() + 1);
                match rng.below(4) {
                    0 if at < data.len() => data[at] = rng.next() as u8,
                    1 if at < data.len() => {
                        let end = (at + rng.below(64)).min(data.len());
                        data.drain(at..end);
                    }
                    _ => {
                        let spice = SPICE[rng.below(SPICE.len())];
                        data.splice(at..at, spice.iter().copied());
                    }
                }
            }
            let result = std::panic::catch_unwind(|| check(&data));
            assert!(
                result.is_ok(),
                "{name}, round {round}: {:?}",
                String::from_utf8_lossy(&data)
            );
            if let Ok(Err(ParseError::Unreadable)) = result {
                unreadable += 1;
            }
        }
    }
    eprintln!("{unreadable} mutated messages were unreadable");
    assert_no_panics_of_ours();
}

/// Found by `mutated_fixtures`: a nested message whose own body claims to be a
/// message again trips a `debug_assert!` in mail-parser 0.11 ("Invalid part ID,
/// could not find multipart"). Release builds read it; debug builds must not crash.
#[test]
fn mail_parser_debug_assertion_is_contained() {
    let raw = b"From: Eve Park <eve.park@example.com>\r\nSubject: Fwd: renewal\r\n\
        Content-Type: multipart/mixed; boundary=\"fwd-boundary-01\"\r\n\r\n\
        --fwd-boundary-01\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIs this really from you?\r\n\r\n\
        --fwd-boundary-01\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n\
        From: Billing Robot <billing@example.net>\r\nTo: Eve Paple.com>\r\nContent-Type: message/rfc822\r\n\r\n\
        Subject: Your subscription renewal failed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
        We could not renew your subscription.\r\n\r\n--fwd-boundary-01--\r\n";
    match check(raw) {
        Ok(mail) => assert_eq!(mail.from.address.as_str(), "eve.park@example.com"),
        Err(err) => assert_eq!(err, ParseError::Unreadable),
    }
    assert_no_panics_of_ours();
}

#[test]
fn noise_is_rejected_without_panicking() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for i in 0..3000 {
        let len = rng.below(600);
        let data: Vec<u8> = if i % 2 == 0 {
            (0..len).map(|_| rng.next() as u8).collect()
        } else {
            // Mail-ish noise: header characters, separators and line breaks.
            const ALPHABET: &[u8] = b"From:To<>@.abcz -=?\r\n\t\";/";
            (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect()
        };
        let result = check(&data);
        let starts_like_a_field = data
            .first()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
        if !starts_like_a_field && !data.starts_with(b"From ") {
            assert!(
                matches!(result, Err(ParseError::Empty | ParseError::NotAMessage)),
                "noise {i} parsed: {result:?}"
            );
        }
    }
}

#[test]
fn documents_that_are_not_mail_are_rejected() {
    for doc in [
        &b"hello"[..],
        b"{\"jsonrpc\":\"2.0\",\"method\":\"send\",\"params\":{\"from\":\"ana@example.com\"}}",
        b"[1, 2, 3]",
        b"<?xml version=\"1.0\"?><mail><from>ana@example.com</from></mail>",
        b"%PDF-1.4\n1 0 obj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"GET / HTTP/1.1\r\nHost: desk.example\r\n\r\n",
    ] {
        let result = parse(doc);
        assert!(result.is_err(), "{:?} parsed: {result:?}", String::from_utf8_lossy(doc));
    }
}
