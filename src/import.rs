//! `helpdesk import FILE`: historical tickets from JSON Lines, with what the
//! import commands share (opening the store, progress, the summary, exit codes).

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use helpdesk_channels::clock::Clock;
use helpdesk_channels::import::{ImportOptions, ImportStreamError, ImportSummary, import_stream};
use helpdesk_persistence::{Store, StoreError, StoreOptions};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::ImportArgs;

/// sysexits.h: an internal error (a store failure that retrying won't fix).
pub const EX_SOFTWARE: u8 = 70;
/// sysexits.h: the input file did not exist or was not readable.
const EX_NOINPUT: u8 = 66;
/// sysexits.h: reading the input failed part-way.
const EX_IOERR: u8 = 74;
/// sysexits.h: the store is unavailable; trying again later may work.
pub const EX_TEMPFAIL: u8 = 75;

/// Rejected lines printed with their reasons; all are counted.
const SHOWN_REJECTED: usize = 100;

pub async fn run(database_url: &str, args: &ImportArgs) -> ExitCode {
    let (reader, size) = match open(&args.file) {
        Ok(opened) => opened,
        Err(err) => {
            return fail(
                "import",
                EX_NOINPUT,
                &format!("cannot open {}: {err}", args.file.display()),
            );
        }
    };
    let store = match open_store(database_url).await {
        Ok(store) => store,
        Err(err) => return store_failed("import", &err, false),
    };
    let bar = progress_bar(size, "{wide_bar} {bytes}/{total_bytes} {elapsed} (eta {eta})");
    let options = ImportOptions {
        batch_size: usize::try_from(args.batch_size).unwrap_or(usize::MAX),
        keep_rejected: SHOWN_REJECTED,
    };
    let result = import_stream(&store, Clock::system(), reader, options, |p| {
        bar.set_position(p.bytes_read)
    })
    .await;
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            print_summary(&summary);
            ExitCode::SUCCESS
        }
        Err(aborted) => {
            print_summary(&aborted.done);
            match aborted.error {
                ImportStreamError::Read(err) => fail("import", EX_IOERR, &format!("{err}; {RESUME}")),
                ImportStreamError::Store(err) => store_failed("import", &err, true),
            }
        }
    }
}

/// The file (or stdin for `-`) and its size when known.
fn open(path: &Path) -> std::io::Result<(Box<dyn BufRead>, Option<u64>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    // Large reads: the file is read once, front to back.
    Ok((Box::new(BufReader::with_capacity(1 << 20, file)), Some(size)))
}

pub async fn open_store(database_url: &str) -> Result<Store, StoreError> {
    let store = Store::connect_with(database_url, StoreOptions::command()).await?;
    store.migrate().await?;
    Ok(store)
}

/// A bar drawn on stderr when a person watches it; hidden otherwise, so
/// logs and pipes stay clean.
pub fn progress_bar(len: Option<u64>, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let Some(len) = len else {
        return ProgressBar::new_spinner();
    };
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

pub fn print_summary(summary: &ImportSummary) {
    println!(
        "{} imported, {} already imported, {} rejected ({} read)",
        summary.imported, summary.already_imported, summary.rejected_count, summary.lines
    );
    for (line, reason) in &summary.rejected {
        println!("line {line}: {reason}");
    }
    let unshown = summary.rejected_count.saturating_sub(summary.rejected.len() as u64);
    if unshown > 0 {
        println!("... and {unshown} more rejected lines");
    }
}

const RESUME: &str = "tickets written before stay written; run it again to go on";

/// `resumable`: some batches may have been written before the failure.
pub fn store_failed(command: &str, err: &StoreError, resumable: bool) -> ExitCode {
    let code = match err {
        StoreError::Unavailable(_) => EX_TEMPFAIL,
        _ => EX_SOFTWARE,
    };
    if resumable {
        fail(command, code, &format!("the store failed: {err}; {RESUME}"))
    } else {
        fail(command, code, &format!("the store failed: {err}"))
    }
}

pub fn fail(command: &str, code: u8, reason: &str) -> ExitCode {
    eprintln!("helpdesk {command}: {reason}");
    ExitCode::from(code)
}
