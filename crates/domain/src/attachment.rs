//! Files on a message: how many and how large an agent may attach to one
//! reply, and the name and media type a file is kept under whoever sent it.
//!
//! Limits are the operator's (configuration); a file's name and type come
//! from a client or a mail and are only ever kept in a form that is safe to
//! put back into a header.

use crate::DomainError;

/// The longest file name kept, in characters (most file systems allow 255).
pub const FILE_NAME_MAX: usize = 255;

/// What a file is kept under when its sender named it badly or not at all.
pub const UNNAMED: &str = "attachment";

/// The media type of a file whose sender gave none, or none well formed.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// How much an agent may attach to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// Files on one message.
    pub max_files: usize,
    /// Bytes in one file.
    pub max_file_bytes: u64,
    /// Bytes in all of one message's files together. Mail carries them in
    /// base64, a third larger, and many mail servers refuse messages over
    /// 25 MB: the default stays under that.
    pub max_total_bytes: u64,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self {
            max_files: 10,
            max_file_bytes: 10 * 1024 * 1024,
            max_total_bytes: 18 * 1024 * 1024,
        }
    }
}

impl AttachmentLimits {
    /// Checks `files` (each a name and a size in bytes) against the limits,
    /// naming the first file that breaks one.
    pub fn check<'a>(&self, files: impl IntoIterator<Item = (&'a str, u64)>) -> Result<(), DomainError> {
        let mut count = 0usize;
        let mut total = 0u64;
        for (name, size) in files {
            count += 1;
            if count > self.max_files {
                return Err(DomainError::TooManyFiles { max: self.max_files });
            }
            if size > self.max_file_bytes {
                return Err(DomainError::FileTooLarge {
                    name: name.to_owned(),
                    size,
                    max: self.max_file_bytes,
                });
            }
            total = total.saturating_add(size);
            if total > self.max_total_bytes {
                return Err(DomainError::FilesTooLarge {
                    max: self.max_total_bytes,
                });
            }
        }
        Ok(())
    }
}

/// The name a file is kept under: the last segment of what the sender gave
/// (some clients send a whole path), without control characters, trimmed,
/// at most [`FILE_NAME_MAX`] characters; [`UNNAMED`] when nothing usable is
/// left.
pub fn file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    let name = cleaned.trim();
    if name.is_empty() || name == "." || name == ".." {
        return UNNAMED.to_owned();
    }
    name.chars().take(FILE_NAME_MAX).collect()
}

/// Whether `raw` is a well-formed media type: a type and subtype of RFC
/// 6838's characters, then parameters as a header value allows (visible
/// ASCII and spaces, so it can never break out of its header).
pub fn is_media_type(raw: &str) -> bool {
    let raw = raw.trim();
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let name = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let essence_ok = essence
        .split_once('/')
        .is_some_and(|(kind, subtype)| name(kind) && name(subtype));
    essence_ok && raw.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
}

/// The media type a file is kept under: what the sender gave when it is
/// well formed, else [`OCTET_STREAM`].
pub fn media_type(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(given) if is_media_type(given) => given.to_owned(),
        _ => OCTET_STREAM.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn limits() -> AttachmentLimits {
        AttachmentLimits {
            max_files: 2,
            max_file_bytes: 3 * MIB,
            max_total_bytes: 5 * MIB,
        }
    }

    #[test]
    fn files_within_every_limit_pass() {
        assert_eq!(limits().check([]), Ok(()));
        assert_eq!(limits().check([("a.pdf", 3 * MIB), ("b.png", 2 * MIB)]), Ok(()));
    }

    #[test]
    fn each_limit_names_what_broke_it() {
        assert_eq!(
            limits().check([("a", 1), ("b", 1), ("c", 1)]),
            Err(DomainError::TooManyFiles { max: 2 })
        );
        assert_eq!(
            limits().check([("small.txt", 1), ("huge.iso", 3 * MIB + 1)]),
            Err(DomainError::FileTooLarge {
                name: "huge.iso".to_owned(),
                size: 3 * MIB + 1,
                max: 3 * MIB
            })
        );
        assert_eq!(
            limits().check([("a", 3 * MIB), ("b", 2 * MIB + 1)]),
            Err(DomainError::FilesTooLarge { max: 5 * MIB })
        );
    }

    #[test]
    fn a_file_name_is_its_last_segment_without_controls() {
        assert_eq!(file_name("report.pdf"), "report.pdf");
        assert_eq!(file_name("C:\\Users\\ann\\Desktop\\scan 1.jpg"), "scan 1.jpg");
        assert_eq!(file_name("../../etc/passwd"), "passwd");
        assert_eq!(file_name("a\r\nb.txt"), "ab.txt");
        assert_eq!(file_name("  Grüße.pdf "), "Grüße.pdf");
        for nothing in ["", "  ", "dir/", "..", ".", "\u{0}"] {
            assert_eq!(file_name(nothing), UNNAMED, "{nothing:?}");
        }
        assert_eq!(file_name(&"é".repeat(300)).chars().count(), FILE_NAME_MAX);
    }

    #[test]
    fn only_well_formed_media_types_are_kept() {
        assert_eq!(media_type(Some("application/pdf")), "application/pdf");
        assert_eq!(
            media_type(Some(" text/plain; charset=utf-8 ")),
            "text/plain; charset=utf-8"
        );
        for odd in [
            "",
            "pdf",
            "text/",
            "/html",
            "text/html\r\nSet-Cookie: a=b",
            "täxt/plain",
            "a/b c",
            "text/plain; name=\"\u{7f}\"",
        ] {
            assert_eq!(media_type(Some(odd)), OCTET_STREAM, "{odd:?}");
        }
        assert_eq!(media_type(None), OCTET_STREAM);
    }
}
