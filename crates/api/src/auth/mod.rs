//! Who is calling: passwords, access tokens and the viewer of a request.

pub(crate) mod jwt;
pub mod password;
pub(crate) mod viewer;
