//! Why an inbound mail was held for review instead of being filed.
//!
//! Refusing mail makes the sending server bounce it back, which loops with
//! other robots and loses what a person wrote; so the desk accepts every
//! well-formed mail and files it, except these, which it keeps in a list an
//! admin can review, release into a ticket, or delete.

use crate::macros::named_enum;

named_enum! {
    /// Why a mail was held rather than filed.
    HeldMailReason as "held mail reason" {
        /// A delivery status notification (RFC 3464): a report that mail
        /// the desk sent did not arrive, which belongs to no open ticket.
        Bounce => "BOUNCE",
        /// `Auto-Submitted` (RFC 3834) other than `no`: written by a
        /// program, not a person, and belonging to no open ticket.
        AutoSubmitted => "AUTO_SUBMITTED",
        /// From the desk's own address yet belonging to no open ticket: a
        /// loop or a forgery, never a customer.
        OwnAddress => "OWN_ADDRESS",
    }
}
