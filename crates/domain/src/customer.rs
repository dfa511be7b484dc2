//! Customers and the identities by which channels recognise them.

use crate::macros::named_enum;

named_enum! {
    /// How a channel recognises a customer. One customer may have several
    /// identities; each identity belongs to exactly one customer.
    IdentityKind as "identity kind" {
        Email => "EMAIL",
        ChatVisitor => "CHAT_VISITOR",
        Phone => "PHONE",
    }
}
