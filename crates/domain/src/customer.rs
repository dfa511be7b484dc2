//! Customers and the identities by which channels recognise them.

use crate::DomainError;
use crate::ids::CustomerId;
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

/// Whether `source` may be merged into `target`: two customers, neither
/// merged already (a merged customer owns nothing to move, and merging into
/// one would hand its new things to a customer nobody lists).
pub fn check_customer_merge(
    source: CustomerId,
    target: CustomerId,
    source_merged: bool,
    target_merged: bool,
) -> Result<(), DomainError> {
    if source == target {
        return Err(DomainError::MergeCustomerIntoSelf);
    }
    if source_merged || target_merged {
        return Err(DomainError::CustomerMerged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_live_customers_merge() {
        let (a, b) = (CustomerId::new(), CustomerId::new());
        assert_eq!(check_customer_merge(a, b, false, false), Ok(()));
        assert_eq!(
            check_customer_merge(a, a, false, false),
            Err(DomainError::MergeCustomerIntoSelf)
        );
        assert_eq!(
            check_customer_merge(a, b, true, false),
            Err(DomainError::CustomerMerged)
        );
        assert_eq!(
            check_customer_merge(a, b, false, true),
            Err(DomainError::CustomerMerged)
        );
    }
}
