//! `helpdesk ingest-email`: one message on stdin, filed like `POST /inbound/email`.

use std::io::Read;
use std::process::ExitCode;

use helpdesk_channels::clock::Clock;
use helpdesk_channels::email::{IngestError, IngestOutcome, ingest};
use helpdesk_persistence::{Store, StoreOptions};

use crate::cli::MailArgs;

/// sysexits.h: the input is unreadable or too large; the MTA bounces it.
const EX_DATAERR: u8 = 65;
/// sysexits.h: try again later; the MTA keeps the mail queued.
const EX_TEMPFAIL: u8 = 75;
/// sysexits.h: a configuration error.
const EX_CONFIG: u8 = 78;

pub async fn run(database_url: &str, args: &MailArgs) -> ExitCode {
    let config = match args.email_config() {
        Ok(c) => c,
        Err(err) => return fail(EX_CONFIG, &format!("{err:#}")),
    };
    // Read one byte past the limit, so an oversized message is told apart
    // without reading all of it.
    let mut raw = Vec::new();
    let limit = u64::try_from(config.max_message_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(err) = std::io::stdin().lock().take(limit).read_to_end(&mut raw) {
        return fail(EX_TEMPFAIL, &format!("cannot read stdin: {err}"));
    }
    let store = match Store::connect_with(database_url, StoreOptions::command()).await {
        Ok(store) => store,
        Err(err) => return fail(EX_TEMPFAIL, &format!("store unavailable: {err}")),
    };
    if let Err(err) = store.migrate().await {
        return fail(EX_TEMPFAIL, &format!("store unavailable: {err}"));
    }
    // A rule the mail starts may reply: with this desk's Message-IDs.
    if let Err(err) = store.record_message_id_domain(&config.message_id_domain).await {
        return fail(EX_TEMPFAIL, &format!("store unavailable: {err}"));
    }
    match ingest(&store, &config, &raw, Clock::system().now()).await {
        Ok(IngestOutcome::Filed {
            ticket_id,
            message_id,
            duplicate,
        }) => {
            println!("{{\"ticketId\":\"{ticket_id}\",\"messageId\":\"{message_id}\",\"duplicate\":{duplicate}}}");
            ExitCode::SUCCESS
        }
        // Accepted and held for review: success, so the MTA neither bounces
        // nor retries it.
        Ok(IngestOutcome::Held {
            held_id,
            reason,
            duplicate,
        }) => {
            println!("{{\"heldMailId\":\"{held_id}\",\"reason\":\"{reason}\",\"duplicate\":{duplicate}}}");
            ExitCode::SUCCESS
        }
        Err(err @ (IngestError::TooLarge { .. } | IngestError::Unparseable(_) | IngestError::Refused(_))) => {
            fail(EX_DATAERR, &err.to_string())
        }
        Err(IngestError::Unavailable(err)) => fail(EX_TEMPFAIL, &format!("store unavailable: {err}")),
        // An unexpected store failure may pass; the MTA retrying is safe
        // because filing is idempotent by Message-ID.
        Err(IngestError::Store(err)) => fail(EX_TEMPFAIL, &format!("store error: {err}")),
    }
}

fn fail(code: u8, reason: &str) -> ExitCode {
    eprintln!("helpdesk ingest-email: {reason}");
    ExitCode::from(code)
}
