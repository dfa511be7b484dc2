//! Reading an import file a line at a time.
//!
//! Only the current line is ever in memory, so a file of any size streams
//! through; a line longer than [`MAX_LINE_BYTES`] is skipped (and reported)
//! without being buffered.

use std::io::{self, BufRead};

use helpdesk_domain::import::ImportedTicket;

use super::error::LineError;
use super::line::parse_line;

/// The longest line read: far beyond any real ticket, small enough that a
/// file without line breaks cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// A line number (from 1, counting blank lines) and what it held.
pub type NumberedLine = (u64, Result<ImportedTicket, LineError>);

/// The file could not be read any further.
#[derive(Debug, thiserror::Error)]
#[error("cannot read line {line}: {source}")]
pub struct ReadError {
    pub line: u64,
    #[source]
    pub source: io::Error,
}

/// The tickets of an import file, line by line; blank lines are skipped.
pub struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    line: u64,
    bytes_read: u64,
    max: usize,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Self {
        Self::with_max_line(reader, MAX_LINE_BYTES)
    }

    pub fn with_max_line(reader: R, max: usize) -> Self {
        Self {
            reader,
            buf: Vec::new(),
            line: 0,
            bytes_read: 0,
            max,
        }
    }

    /// Bytes consumed so far, line breaks included (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads the next physical line into `buf`; `Ok(None)` at the end,
    /// `Ok(Some(false))` when it was longer than `max` (and `buf` is empty).
    fn read_raw(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut started = false;
        let mut too_long = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if available.is_empty() {
                return Ok(started.then_some(!too_long));
            }
            started = true;
            let (len, ends) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if !too_long {
                // +2 leaves room for a "\r\n" after a line of exactly `max`.
                if self.buf.len() + len > self.max + 2 {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&available[..len]);
                }
            }
            self.reader.consume(len);
            self.bytes_read += len as u64;
            if ends {
                return Ok(Some(!too_long));
            }
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<NumberedLine, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let fits = match self.read_raw() {
                Ok(None) => return None,
                Ok(Some(fits)) => fits,
                Err(source) => {
                    return Some(Err(ReadError {
                        line: self.line + 1,
                        source,
                    }));
                }
            };
            self.line += 1;
            if !fits {
                return Some(Ok((self.line, Err(LineError::TooLong { max: self.max }))));
            }
            let mut raw = self.buf.as_slice();
            if self.line == 1 {
                raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                return Some(Ok((self.line, Err(LineError::NotUtf8))));
            };
            let text = text.trim();
            if !text.is_empty() {
                return Some(Ok((self.line, parse_line(text))));
            }
        }
    }
}
