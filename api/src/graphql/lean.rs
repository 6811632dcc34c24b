//! Objects answered with one future for all their fields.
//!
//! async-graphql answers an object by boxing one future per selected field, running them in a
//! `FuturesUnordered` (one more allocation per field) and merging the answers in the order they
//! finish. For the objects a page repeats fifty times over (edges, projects, units, lights) that
//! machinery cost more than the fields themselves. [`Lean`] wraps an object type and answers its
//! fields with the type's own resolvers, polled together from one allocation
//! (`futures_util::future::join_all`), in the order the query selects them. The schema does not
//! change: `Lean<T>` is `T` to clients.
//!
//! What the standard path does and this one keeps: fragments (named and inline, with their type
//! conditions), aliases, `__typename`, a response key selected twice (the answers merged), a failed
//! field reported and left out while its siblings answer. `@skip` and `@include` are applied by
//! async-graphql before execution. A schema with custom directives is answered the standard way;
//! schema extensions' per-field hooks do not see these fields, and the schema registers none.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_container;
use async_graphql::{ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ServerError, ServerResult, Value};
use futures_util::future::join_all;

/// An object type `T` whose fields are answered together in one future; to clients it is `T`.
pub struct Lean<T>(pub T);

impl<T: ObjectType> OutputType for Lean<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        object(ctx, &self.0).await
    }
}

/// A list of objects of type `T`, each answered as a [`Lean<T>`], all of them polled together from
/// one allocation per thirty; to clients it is `[T!]!`. (async-graphql answers a list of more
/// than thirty items through a task of its own for each.)
pub struct LeanList<T>(pub Vec<T>);

/// How many items one join polls together; `futures_util` joins up to thirty futures in one
/// allocation and more through a task of their own each.
const JOINED: usize = 30;

impl<T: ObjectType> OutputType for LeanList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        let items = &self.0;
        let item = |index: usize| async move {
            let ctx = ctx.with_index(index);
            object(&ctx, &items[index]).await.map_err(|error| ctx.set_error_path(error))
        };
        let joins =
            (0..items.len()).step_by(JOINED).map(|start| join_all((start..items.len().min(start + JOINED)).map(item)));
        let mut values = Vec::with_capacity(items.len());
        for answer in join_all(joins).await.into_iter().flatten() {
            values.push(answer?);
        }
        Ok(Value::List(values))
    }
}

/// `root` answered the lean way, or the standard way when the schema has custom directives.
async fn object<'a, T: ObjectType>(ctx: &ContextSelectionSet<'a>, root: &'a T) -> ServerResult<Value> {
    if !ctx.schema_env.custom_directives.is_empty() {
        return resolve_container(ctx, root).await;
    }
    resolve(ctx, root).await
}

impl<T> std::ops::Deref for Lean<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Answers the fields `ctx` selects on `root`, concurrently, in the order they are selected.
async fn resolve<'a, T: ObjectType>(ctx: &ContextSelectionSet<'a>, root: &'a T) -> ServerResult<Value> {
    let items = &ctx.item.node.items;
    let answers = if items.iter().all(|s| matches!(s.node, Selection::Field(_))) {
        // No fragment to open: the selection is the list of fields (the usual case). Mapped one to
        // one, so the join knows their number and allocates once.
        join_all(items.iter().map(|selection| async move {
            match &selection.node {
                Selection::Field(field) => answer(ctx.clone(), root, field).await,
                _ => Err(ServerError::new("a fragment among plain fields", Some(selection.pos))),
            }
        }))
        .await
    } else {
        let mut fields = Vec::with_capacity(items.len());
        collect(ctx, root, items.iter(), &mut fields)?;
        join_all(fields.into_iter().map(|field| answer(ctx.clone(), root, field))).await
    };
    let mut object = IndexMap::with_capacity(answers.len());
    for answer in answers {
        match answer {
            Ok((key, value)) => merge(&mut object, key, value),
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() { Value::Null } else { Value::Object(object) })
}

/// The fields of `selections` that apply to `root`, fragments opened.
fn collect<'a, T: ObjectType>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    selections: impl Iterator<Item = &'a Positioned<Selection>>,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<()> {
    for selection in selections {
        let (condition, set) = match &selection.node {
            Selection::Field(field) => {
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(format!(r#"Unknown fragment "{name}"."#), Some(spread.pos)));
                };
                (Some(&fragment.node.type_condition), &fragment.node.selection_set)
            }
            Selection::InlineFragment(fragment) => {
                (fragment.node.type_condition.as_ref(), &fragment.node.selection_set)
            }
        };
        if condition.is_none_or(|c| applies(ctx, root, c.node.on.node.as_str())) {
            collect(ctx, root, set.node.items.iter(), fields)?;
        }
    }
    Ok(())
}

/// Whether a fragment on `condition` applies to `root`: its own type or an interface it implements.
fn applies<T: ObjectType>(ctx: &ContextSelectionSet<'_>, root: &T, condition: &str) -> bool {
    let name = root.introspection_type_name();
    name == condition
        || T::type_name() == condition
        || ctx.schema_env.registry.implements.get(name.as_ref()).is_some_and(|set| set.contains(condition))
}

/// One field's response key and value.
async fn answer<'a, T: ObjectType>(
    ctx: ContextSelectionSet<'a>,
    root: &'a T,
    field: &'a Positioned<Field>,
) -> ServerResult<(Name, Value)> {
    let key = field.node.response_key().node.clone();
    if field.node.name.node == "__typename" {
        return Ok((key, Value::String(root.introspection_type_name().into_owned())));
    }
    let value = root.resolve_field(&ctx.with_field(field)).await?;
    Ok((key, value.unwrap_or_default()))
}

/// Puts `value` under `key`; a key answered twice (selected in two places) has its objects merged.
fn merge(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    let previous = match object.entry(key) {
        Entry::Vacant(entry) => {
            entry.insert(value);
            return;
        }
        Entry::Occupied(entry) => entry.into_mut(),
    };
    match (previous, value) {
        (Value::Object(previous), Value::Object(value)) => merge_all(previous, value),
        (Value::List(previous), Value::List(value)) => {
            for (previous, value) in previous.iter_mut().zip(value) {
                if let (Value::Object(previous), Value::Object(value)) = (previous, value) {
                    merge_all(previous, value);
                }
            }
        }
        _ => {}
    }
}

fn merge_all(object: &mut IndexMap<Name, Value>, values: IndexMap<Name, Value>) {
    for (key, value) in values {
        merge(object, key, value);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use async_graphql::{Context, EmptyMutation, EmptySubscription, Interface, Object, Schema};
    use serde_json::Value as Json;
    use tokio::sync::Barrier;

    use super::{Lean, LeanList};

    /// More items than one join polls together.
    const MANY: i32 = 75;

    /// A barrier for every item of a long list.
    struct Everyone(Barrier);

    /// An object with every kind of field the standard path treats in its own way.
    #[derive(Clone)]
    struct Item(i32);

    #[Object]
    impl Item {
        async fn n(&self) -> i32 {
            self.0
        }
        async fn name(&self) -> String {
            format!("item {}", self.0)
        }
        async fn fails(&self) -> async_graphql::Result<i32> {
            Err("this field fails".into())
        }
        async fn child(&self) -> Item {
            Item(self.0 + 1)
        }
        async fn lean_child(&self) -> Lean<Leaf> {
            Lean(Leaf(self.0 + 10))
        }
        async fn list(&self) -> Vec<Item> {
            vec![Item(self.0 * 2), Item(self.0 * 3)]
        }
        /// Finishes only when `meet` is being answered at the same time (a barrier of two).
        async fn meet(&self, ctx: &Context<'_>) -> bool {
            ctx.data_unchecked::<Arc<Barrier>>().wait().await;
            true
        }
        /// Finishes only when every item of a long list is being answered at the same time.
        async fn gather(&self, ctx: &Context<'_>) -> bool {
            ctx.data_unchecked::<Arc<Everyone>>().0.wait().await;
            true
        }
        async fn slow(&self) -> i32 {
            for _ in 0..3 {
                tokio::task::yield_now().await;
            }
            self.0
        }
    }

    /// A lean object inside another (a `Lean<Item>` field of `Item` would be a future of infinite size).
    struct Leaf(i32);

    #[Object]
    impl Leaf {
        async fn n(&self) -> i32 {
            self.0
        }
        async fn slow(&self) -> i32 {
            tokio::task::yield_now().await;
            self.0
        }
        async fn meet(&self, ctx: &Context<'_>) -> bool {
            ctx.data_unchecked::<Arc<Barrier>>().wait().await;
            true
        }
        async fn parent(&self) -> Item {
            Item(self.0 - 10)
        }
    }

    #[derive(Interface)]
    #[graphql(field(name = "name", ty = "String"))]
    enum Named {
        Item(Item),
    }

    struct Root;

    #[Object]
    impl Root {
        async fn plain(&self) -> Item {
            Item(1)
        }
        async fn lean(&self) -> Lean<Item> {
            Lean(Item(1))
        }
        async fn plains(&self) -> Vec<Item> {
            (1..=3).map(Item).collect()
        }
        async fn leans(&self) -> Vec<Lean<Item>> {
            (1..=3).map(|n| Lean(Item(n))).collect()
        }
        async fn many(&self) -> Vec<Item> {
            (1..=MANY).map(Item).collect()
        }
        async fn lean_many(&self) -> LeanList<Item> {
            LeanList((1..=MANY).map(Item).collect())
        }
    }

    async fn run(query: &str) -> Json {
        let schema = Schema::build(Root, EmptyMutation, EmptySubscription)
            .register_output_type::<Named>()
            .data(Arc::new(Barrier::new(2)))
            .data(Arc::new(Everyone(Barrier::new(MANY as usize))))
            .finish();
        let answer = tokio::time::timeout(Duration::from_secs(5), schema.execute(query)).await;
        serde_json::to_value(answer.expect("the query finished")).expect("a response is JSON")
    }

    /// Every selection a client can write answers the same through `Lean` as the standard way.
    #[tokio::test]
    async fn a_lean_object_answers_as_the_standard_one() {
        let fragment = "fragment F on Item { n child { n } list { n } }";
        let selections = [
            "n name",
            "a: n b: n name __typename",
            "...F child { name } list { name }",
            "... on Named { name } ... on Item { n } ... { __typename }",
            "fails n name",
            "n @skip(if: true) name @include(if: false) child @include(if: true) { n fails }",
            "slow n child { slow name } leanChild { slow n parent { ...F } }",
            "a: meet b: meet n",
            "leanChild { meet parent { n } } meet",
            "x: child { n } x: child { name }",
        ];
        for selection in selections {
            let fragments = if selection.contains("...F") { fragment } else { "" };
            for (plain, lean) in [("plain", "lean"), ("plains", "leans"), ("many", "leanMany")] {
                let standard = run(&format!("{{ x: {plain:8} {{ {selection} }} }} {fragments}")).await;
                let ours = run(&format!("{{ x: {lean:8} {{ {selection} }} }} {fragments}")).await;
                assert_eq!(ours, standard, "{selection}");
                assert!(standard["data"]["x"].is_object() || standard["data"]["x"].is_array(), "{standard}");
            }
        }
    }

    /// Every item of a long list is answered at the same time (so their loads are batched), across
    /// the joins that poll them, and the items come back in order.
    #[tokio::test]
    async fn a_lean_list_answers_its_items_together_and_in_order() {
        let answer = run("{ leanMany { gather n } }").await;
        let items = answer["data"]["leanMany"].as_array().expect("a list");
        let ns: Vec<i64> = items.iter().map(|i| i["n"].as_i64().expect("n")).collect();
        assert_eq!(ns, (1..=i64::from(MANY)).collect::<Vec<_>>(), "{answer}");
        assert!(items.iter().all(|i| i["gather"] == true), "{answer}");
    }

    /// The fields come back in the order they were selected, whichever finished first.
    #[tokio::test]
    async fn a_lean_object_keeps_the_selection_order() {
        let schema = Schema::build(Root, EmptyMutation, EmptySubscription).finish();
        let answer = schema.execute("{ lean { slow name n __typename } }").await;
        let text = serde_json::to_string(&answer.data).expect("a response is JSON");
        assert_eq!(text, r#"{"lean":{"slow":1,"name":"item 1","n":1,"__typename":"Item"}}"#);
    }
}
