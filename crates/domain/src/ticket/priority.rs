use crate::macros::named_enum;

named_enum! {
    /// How urgent a ticket is.
    Priority as "priority" {
        Low => "LOW",
        Normal => "NORMAL",
        High => "HIGH",
        Urgent => "URGENT",
    }
}
