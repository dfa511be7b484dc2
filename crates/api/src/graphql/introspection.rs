//! With GraphiQL off, introspection is refused with an error, not answered
//! with a silent `null` (what async-graphql's own switch does), so a client
//! knows why it got nothing.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};

pub(crate) const REFUSED: &str = "introspection is turned off on this server";

/// Refuses any operation that asks for `__schema` or `__type`.
pub(crate) struct RefuseIntrospection;

impl ExtensionFactory for RefuseIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

#[async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let asks = document
            .operations
            .iter()
            .any(|(_, op)| introspects(&op.node.selection_set.node))
            || document
                .fragments
                .values()
                .any(|f| introspects(&f.node.selection_set.node));
        if asks {
            return Err(ServerError::new(REFUSED, None));
        }
        Ok(document)
    }
}

/// Whether a selection, at any depth, names an introspection root field.
fn introspects(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            let name = field.node.name.node.as_str();
            name == "__schema" || name == "__type" || introspects(&field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => introspects(&fragment.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn asks(query: &str) -> bool {
        let document = parse_query(query).unwrap();
        document
            .operations
            .iter()
            .any(|(_, op)| introspects(&op.node.selection_set.node))
            || document
                .fragments
                .values()
                .any(|f| introspects(&f.node.selection_set.node))
    }

    #[test]
    fn finds_introspection_however_it_is_wrapped() {
        assert!(asks("{ __schema { types { name } } }"));
        assert!(asks("query { ... on Query { __type(name: \"Ticket\") { name } } }"));
        assert!(asks(
            "query { ...F } fragment F on Query { __schema { queryType { name } } }"
        ));
        assert!(!asks("{ me { email } }"));
        assert!(
            !asks("{ tickets { nodes { __typename } } }"),
            "__typename is no map of the API"
        );
    }
}
