//! A minimal RFC 4180 writer: fields separated by commas, records ended by
//! CRLF, a field quoted (with its quotes doubled) only when it holds a comma,
//! a quote or a line break.

#[derive(Debug, Default)]
pub(crate) struct CsvWriter {
    out: String,
}

impl CsvWriter {
    /// Appends one record.
    pub fn record<S: AsRef<str>>(&mut self, fields: impl IntoIterator<Item = S>) {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.field(field.as_ref());
        }
        self.out.push_str("\r\n");
    }

    fn field(&mut self, value: &str) {
        if value.contains([',', '"', '\r', '\n']) {
            self.out.push('"');
            self.out.push_str(&value.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(value);
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::CsvWriter;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut csv = CsvWriter::default();
        csv.record(["a", "", "1.5"]);
        csv.record(["x,y", "say \"hi\"", "two\nlines"]);
        assert_eq!(csv.finish(), "a,,1.5\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }
}
