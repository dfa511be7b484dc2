//! Feeding tickets to the store a batch at a time, and counting what
//! happened to each.
//!
//! A bad line never stops an import: it is counted, kept (up to a cap) with
//! its reason, and skipped. A store failure does stop it; every batch
//! written before stays written, and running the import again skips those
//! tickets by their `external_id`.

use std::io::BufRead;

use crate::clock::Clock;
use helpdesk_domain::import::ImportedTicket;
use helpdesk_persistence::{Store, StoreError};

use super::error::LineError;
use super::reader::{Lines, ReadError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// Tickets per store transaction.
    pub batch_size: usize,
    /// How many rejected lines keep their reason; all are counted.
    pub keep_rejected: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            batch_size: 2000,
            keep_rejected: 100,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Tickets offered: non-blank lines read, or tickets generated.
    pub lines: u64,
    pub imported: u64,
    /// Skipped because their `external_id` was imported before (or earlier
    /// in the same file).
    pub already_imported: u64,
    pub rejected_count: u64,
    /// The first rejected lines (see [`ImportOptions::keep_rejected`]).
    pub rejected: Vec<(u64, LineError)>,
}

/// How far a streamed import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub bytes_read: u64,
    pub lines: u64,
}

/// Why an import stopped before the end of its input.
#[derive(Debug, thiserror::Error)]
pub enum ImportStreamError {
    #[error(transparent)]
    Read(ReadError),
    #[error("the store failed: {0}")]
    Store(StoreError),
}

/// An import that stopped early, with what it had done until then.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct ImportAborted {
    pub error: ImportStreamError,
    pub done: ImportSummary,
}

/// Collects tickets into batches for [`Store::import_tickets`].
pub struct Importer<'s> {
    store: &'s Store,
    /// SLA targets of imported tickets are judged as of its now.
    clock: Clock,
    options: ImportOptions,
    batch: Vec<ImportedTicket>,
    summary: ImportSummary,
}

impl<'s> Importer<'s> {
    pub fn new(store: &'s Store, options: ImportOptions, clock: Clock) -> Self {
        let options = ImportOptions {
            batch_size: options.batch_size.max(1),
            ..options
        };
        Self {
            store,
            clock,
            options,
            batch: Vec::with_capacity(options.batch_size),
            summary: ImportSummary::default(),
        }
    }

    /// Counts so far; `imported` and `already_imported` cover written batches only.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Takes one line's outcome; writes a batch when one is full.
    pub async fn push(&mut self, line: u64, parsed: Result<ImportedTicket, LineError>) -> Result<(), StoreError> {
        self.summary.lines += 1;
        // The store needs checked tickets; checking again costs little and
        // covers tickets that did not come from a file (seeding).
        match parsed.and_then(|t| t.check().map(|()| t).map_err(LineError::from)) {
            Ok(ticket) => {
                self.batch.push(ticket);
                if self.batch.len() >= self.options.batch_size {
                    self.flush().await?;
                }
            }
            Err(reason) => {
                self.summary.rejected_count += 1;
                if self.summary.rejected.len() < self.options.keep_rejected {
                    self.summary.rejected.push((line, reason));
                }
            }
        }
        Ok(())
    }

    /// Writes what is left and returns the counts.
    pub async fn finish(mut self) -> Result<ImportSummary, StoreError> {
        self.flush().await?;
        self.settle().await?;
        Ok(self.summary)
    }

    /// Leaves the store as fast to read as if it had been written slowly
    /// (see [`Store::settle_after_bulk_write`]), once something was written.
    async fn settle(&self) -> Result<(), StoreError> {
        if self.summary.imported > 0 {
            self.store.settle_after_bulk_write().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        // SLA targets are decided as of the moment each batch is written.
        let outcome = self.store.import_tickets(&self.batch, self.clock.now()).await?;
        self.batch.clear();
        self.summary.imported += outcome.imported as u64;
        self.summary.already_imported += outcome.already_imported as u64;
        Ok(())
    }

    fn abort(self, error: ImportStreamError) -> ImportAborted {
        ImportAborted {
            error,
            done: self.summary,
        }
    }
}

/// Imports every line of `reader` (JSON Lines, see
/// `docs/import-format.md`), calling `progress` after each line.
///
/// Reading is blocking: meant for a command-line import, not for a server's
/// request handlers.
pub async fn import_stream<R: BufRead>(
    store: &Store,
    clock: Clock,
    reader: R,
    options: ImportOptions,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportSummary, ImportAborted> {
    let mut importer = Importer::new(store, options, clock);
    let mut lines = Lines::new(reader);
    while let Some(next) = lines.next() {
        let (number, parsed) = match next {
            Ok(line) => line,
            Err(err) => {
                // What was read before the failure is good: keep it.
                if let Err(store_err) = importer.flush().await {
                    return Err(importer.abort(ImportStreamError::Store(store_err)));
                }
                return Err(importer.abort(ImportStreamError::Read(err)));
            }
        };
        if let Err(err) = importer.push(number, parsed).await {
            return Err(importer.abort(ImportStreamError::Store(err)));
        }
        progress(ImportProgress {
            bytes_read: lines.bytes_read(),
            lines: importer.summary().lines,
        });
    }
    match importer.flush().await {
        Ok(()) => match importer.settle().await {
            Ok(()) => Ok(importer.summary),
            Err(err) => Err(importer.abort(ImportStreamError::Store(err))),
        },
        Err(err) => Err(importer.abort(ImportStreamError::Store(err))),
    }
}
