use crate::macros::named_enum;

named_enum! {
    /// The way a ticket (or one of its messages) reached the desk. A ticket's
    /// channel is set when it is created and never changes.
    Channel as "channel" {
        Email => "EMAIL",
        WebForm => "WEB_FORM",
        Chat => "CHAT",
        Phone => "PHONE",
        Social => "SOCIAL",
        Api => "API",
    }
}
