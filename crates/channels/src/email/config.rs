use helpdesk_domain::email::EmailAddress;

/// The desk's mail identity and limits.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// The desk's own address: replies go out from it, and mail from it is
    /// never treated as a customer's.
    pub desk_address: EmailAddress,
    /// The domain of the Message-IDs the desk generates.
    pub message_id_domain: String,
    /// Largest raw message accepted, in bytes.
    pub max_message_bytes: usize,
}

impl EmailConfig {
    pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;

    pub fn new(desk_address: EmailAddress, max_message_bytes: usize) -> Self {
        let domain = desk_address
            .as_str()
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
            .to_owned();
        Self {
            desk_address,
            message_id_domain: domain,
            max_message_bytes,
        }
    }
}
