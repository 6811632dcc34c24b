//! Request-wide guard rails that async-graphql does not have built in (root-field and alias caps),
//! and a stable `code` on every error (the HTTP layer adds the request id).

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Response, ServerError, ServerResult, Variables};

use crate::error::code;

/// Installs [`RequestGuard`] on the schema.
pub struct RequestGuards {
    pub max_root_fields: usize,
    pub max_aliases: usize,
}

impl ExtensionFactory for RequestGuards {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestGuard { max_root_fields: self.max_root_fields, max_aliases: self.max_aliases })
    }
}

struct RequestGuard {
    max_root_fields: usize,
    max_aliases: usize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestGuard {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            let ext = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
            // Only our own errors carry a code; anything else came from parsing, validation or
            // variable coercion, which is the client's input.
            if ext.get("code").is_none() {
                ext.set("code", code::BAD_USER_INPUT);
            }
        }
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.check(&document)?;
        Ok(document)
    }
}

impl RequestGuard {
    fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let aliases = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .chain(doc.fragments.values().map(|f| count_aliases(&f.node.selection_set.node)))
            .sum::<usize>();
        if aliases > self.max_aliases {
            return Err(ServerError::new(
                format!("the query uses {aliases} aliases; at most {} are allowed", self.max_aliases),
                None,
            ));
        }
        for (_, op) in doc.operations.iter() {
            let mut seen = HashSet::new();
            let roots = count_root_fields(doc, &op.node.selection_set.node, &mut seen);
            if roots > self.max_root_fields {
                return Err(ServerError::new(
                    format!("an operation selects {roots} root fields; at most {} are allowed", self.max_root_fields),
                    None,
                ));
            }
        }
        Ok(())
    }
}

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node),
            Selection::InlineFragment(i) => count_aliases(&i.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Root fields of one operation, looking through fragments. Each fragment is expanded once, which
/// also keeps a cyclic fragment (rejected later by validation) from looping here.
fn count_root_fields<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, seen: &mut HashSet<&'a str>) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(i) => count_root_fields(doc, &i.node.selection_set.node, seen),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match doc.fragments.get(name) {
                    Some(fragment) if seen.insert(name) => {
                        count_root_fields(doc, &fragment.node.selection_set.node, seen)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}
