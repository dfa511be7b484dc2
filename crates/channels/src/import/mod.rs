//! History from another desk, as JSON Lines (`docs/import-format.md`), or generated for demos and benchmarks.
//!
//! [`Lines`] streams a file a line at a time into checked tickets,
//! [`Importer`] writes them to the store in batches, and
//! [`import_stream`] joins the two. A bad line is reported with its number
//! and skipped; only a store failure stops an import. [`seed()`] generates
//! tickets that go through the same [`Importer`].

mod error;
mod event;
mod importer;
mod line;
mod reader;
pub mod seed;

pub use error::{EventError, LineError};
pub use event::LineEvent;
pub use importer::{
    ImportAborted, ImportOptions, ImportProgress, ImportStreamError, ImportSummary, Importer, import_stream,
};
pub use line::{EXTERNAL_ID_MAX, Line, LineCustomer, parse_line};
pub use reader::{Lines, MAX_LINE_BYTES, NumberedLine, ReadError};
pub use seed::{SEED_POLICY_NAME, Seeded, seed, seed_sla_policy};
