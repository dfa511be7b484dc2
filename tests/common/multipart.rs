//! Operations that carry files, sent as a browser's upload library sends
//! them: the GraphQL multipart request spec
//! (https://github.com/jaydenseric/graphql-multipart-request-spec), one
//! `operations` part, one `map` part and a part per file.

use reqwest::multipart::{Form, Part};
use serde_json::{Map, Value, json};

use super::TestApp;

/// A file to send, and the variable it fills, e.g.
/// `variables.input.attachments.0`.
pub struct FilePart<'a> {
    pub variable: &'a str,
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: Vec<u8>,
}

impl TestApp {
    /// Posts `query` with `files` as a multipart request; returns the HTTP
    /// status and the body (`Null` when it is not JSON).
    pub async fn gql_with_files(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
        files: Vec<FilePart<'_>>,
    ) -> (u16, Value) {
        let mut map = Map::new();
        let mut form = Form::new();
        let mut parts = Vec::new();
        for (i, file) in files.into_iter().enumerate() {
            map.insert(i.to_string(), json!([file.variable]));
            let part = Part::bytes(file.bytes)
                .file_name(file.name.to_owned())
                .mime_str(file.media_type)
                .unwrap();
            parts.push((i.to_string(), part));
        }
        form = form
            .text(
                "operations",
                json!({ "query": query, "variables": variables }).to_string(),
            )
            .text("map", Value::Object(map).to_string());
        for (name, part) in parts {
            form = form.part(name, part);
        }
        let mut request = self.http().post(format!("{}/graphql", self.base_url)).multipart(form);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /graphql (multipart)");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}
