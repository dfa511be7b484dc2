//! Which mailbox the desk fetches mail from: `HELPDESK_IMAP_URL`, e.g.
//! `imaps://support%40example.com:secret@imap.example.com/INBOX`.

use std::fmt;

use percent_encoding::percent_decode_str;
use reqwest::Url;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `imaps://`: TLS from the first byte (port 993 by default).
    Tls,
    /// `imap://`: no TLS (port 143 by default). For a server on the same
    /// host or a private link only: the password crosses in the clear.
    Plain,
}

/// A mailbox to fetch from, parsed once from its URL.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapMailbox {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// The folder to read (`INBOX` when the URL names none).
    pub folder: String,
}

/// Never prints the password.
impl fmt::Debug for ImapMailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapMailbox")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("folder", &self.folder)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImapUrlError {
    #[error("HELPDESK_IMAP_URL is not a URL: {0}")]
    Malformed(String),
    #[error("HELPDESK_IMAP_URL must start with imaps:// (or imap:// for a server without TLS)")]
    Scheme,
    #[error("HELPDESK_IMAP_URL names no host")]
    Host,
    #[error("HELPDESK_IMAP_URL needs a user and a password (imaps://user:password@host/INBOX)")]
    Credentials,
    #[error("HELPDESK_IMAP_URL: {0} is not valid UTF-8 once percent-decoded")]
    Encoding(&'static str),
}

impl std::str::FromStr for ImapMailbox {
    type Err = ImapUrlError;

    fn from_str(raw: &str) -> Result<Self, ImapUrlError> {
        let url = Url::parse(raw.trim()).map_err(|e| ImapUrlError::Malformed(e.to_string()))?;
        let (security, default_port) = match url.scheme() {
            "imaps" => (Security::Tls, 993),
            "imap" => (Security::Plain, 143),
            _ => return Err(ImapUrlError::Scheme),
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(ImapUrlError::Host)?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |part: &str, what: &'static str| {
            percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| ImapUrlError::Encoding(what))
        };
        let user = decode(url.username(), "the user")?;
        let password = decode(url.password().unwrap_or_default(), "the password")?;
        if user.is_empty() || password.is_empty() {
            return Err(ImapUrlError::Credentials);
        }
        let folder = decode(url.path().trim_start_matches('/'), "the folder")?;
        Ok(Self {
            security,
            host,
            port: url.port().unwrap_or(default_port),
            user,
            password,
            folder: if folder.is_empty() { "INBOX".to_owned() } else { folder },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_the_server_the_account_and_the_folder() {
        let mailbox: ImapMailbox = "imaps://support%40example.com:s%3Acret@imap.example.com/Support/Inbound"
            .parse()
            .unwrap();
        assert_eq!(mailbox.security, Security::Tls);
        assert_eq!((mailbox.host.as_str(), mailbox.port), ("imap.example.com", 993));
        assert_eq!(mailbox.user, "support@example.com");
        assert_eq!(mailbox.password, "s:cret");
        assert_eq!(mailbox.folder, "Support/Inbound");
        assert!(
            !format!("{mailbox:?}").contains("s:cret"),
            "the password is never printed"
        );

        let plain: ImapMailbox = "imap://desk:secret@127.0.0.1:10143".parse().unwrap();
        assert_eq!(plain.security, Security::Plain);
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 10143));
        assert_eq!(plain.folder, "INBOX");
    }

    #[test]
    fn a_url_without_what_it_needs_is_refused() {
        for (raw, error) in [
            ("https://u:p@host/INBOX", ImapUrlError::Scheme),
            ("imaps://host/INBOX", ImapUrlError::Credentials),
            ("imaps://user@host/INBOX", ImapUrlError::Credentials),
        ] {
            assert_eq!(raw.parse::<ImapMailbox>(), Err(error), "{raw}");
        }
        assert!(matches!(
            "not a url".parse::<ImapMailbox>(),
            Err(ImapUrlError::Malformed(_))
        ));
    }
}
