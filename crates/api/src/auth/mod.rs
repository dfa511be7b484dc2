//! Who is calling: passwords, access tokens, attachment links and the viewer
//! of a request.

pub(crate) mod attachment_link;
pub(crate) mod jwt;
pub mod password;
pub(crate) mod viewer;
