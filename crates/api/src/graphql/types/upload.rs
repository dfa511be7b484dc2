//! The `Upload` scalar: a file sent with the operation by the GraphQL
//! multipart request spec.
//!
//! Our own scalar rather than `async_graphql::Upload`, whose parsing
//! unwraps the file's index and whose `value` indexes the request's files
//! unchecked: a JSON request naming a file that was never sent would panic
//! there. Here it is `BAD_USER_INPUT`.

use async_graphql::{Context, InputValueError, InputValueResult, Scalar, ScalarType, UploadValue, Value};
use helpdesk_domain::attachment::{file_name, media_type};
use helpdesk_persistence::tickets::NewAttachment;

use crate::ApiError;

/// How the multipart request parser names the n-th file in a variable.
const FILE_REFERENCE: &str = "#__graphql_file__:";

/// A file of this request, by its place among the request's files.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Upload(usize);

/// A file sent with the operation as a part of a `multipart/form-data`
/// request (https://github.com/jaydenseric/graphql-multipart-request-spec).
/// Only agents may send files.
#[Scalar(
    name = "Upload",
    specified_by_url = "https://github.com/jaydenseric/graphql-multipart-request-spec"
)]
impl ScalarType for Upload {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(reference) => reference
                .strip_prefix(FILE_REFERENCE)
                .and_then(|index| index.parse().ok())
                .map(Upload)
                .ok_or_else(|| InputValueError::custom("send files as parts of a multipart request")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Null
    }
}

impl Upload {
    /// The file as the desk keeps it: its name reduced to a safe last
    /// segment, its media type kept only when well formed.
    pub(crate) fn attachment(self, ctx: &Context<'_>) -> Result<NewAttachment, ApiError> {
        let file: &UploadValue = ctx
            .query_env
            .uploads
            .get(self.0)
            .ok_or_else(|| ApiError::BadUserInput("attachments: a file this request does not carry".to_owned()))?;
        Ok(NewAttachment {
            filename: Some(file_name(&file.filename)),
            content_type: media_type(file.content_type.as_deref()),
            content: file.content.to_vec(),
        })
    }
}
