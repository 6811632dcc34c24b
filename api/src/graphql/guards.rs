//! Request-wide guard rails that async-graphql does not have built in (root-field and alias caps),
//! and a stable `code` on every error (the HTTP layer adds the request id).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Response, ServerError, ServerResult, Value as ConstValue, Variables};
use async_graphql_value::Value as GqlValue;

use crate::error::code;

/// The request-wide limits, checked by [`RequestGuards::prepare`] before async-graphql sees a
/// request. They are applied around execution rather than as a schema extension: an installed
/// extension wraps the resolution of every field of every response in a boxed future of its own,
/// which a page of fifty projects pays a thousand times.
#[derive(Clone)]
pub struct RequestGuards {
    pub max_root_fields: usize,
    pub max_aliases: usize,
    /// Most fields an operation may select once every fragment spread is expanded.
    pub max_selections: usize,
    /// Longest string, in characters, any argument or variable may carry.
    pub max_string_chars: usize,
}

/// Fragments spreading fragments deeper than this are refused before anything expands them.
const MAX_FRAGMENT_NESTING: usize = 32;

impl RequestGuards {
    /// The guards of `config`.
    pub fn of(config: &crate::config::Config) -> Self {
        let limits = &config.limits;
        Self {
            max_root_fields: limits.max_root_fields,
            max_aliases: limits.max_aliases,
            max_selections: limits.max_selections,
            max_string_chars: limits.max_string_chars,
        }
    }

    /// Parses the document here, before async-graphql's own parse step: that step walks fragment
    /// spreads (for the recursion depth) without remembering what it has walked, so a fragment bomb
    /// would cost exponential time before any later step saw it. The checks below are linear in the
    /// document; the parsed document is handed on so nothing is parsed twice. A document that does
    /// not parse is left to async-graphql, which says why.
    ///
    /// A request made with an integration key (`key`) is also held to the key's scopes here.
    ///
    /// A document `parsed` already holds passed these limits before and is not parsed again; one
    /// parsed here is kept there once it passes them.
    pub fn prepare(
        &self,
        mut request: async_graphql::Request,
        key: Option<(&super::scopes::TypeMap, &crate::service::keys::Grant)>,
        parsed: &super::parsed::ParsedDocuments,
    ) -> ServerResult<async_graphql::Request> {
        let document = match parsed.get(&request.query) {
            Some(document) => Some(document),
            None => match async_graphql::parser::parse_query(&request.query) {
                Ok(document) => {
                    self.check(&document)?;
                    parsed.put(&request.query, &document);
                    Some(document)
                }
                Err(_) => None,
            },
        };
        if let Some(document) = document {
            check_strings(&document, &request.variables, self.max_string_chars)?;
            if let Some((types, grant)) = key {
                super::scopes::check(types, &document, grant)?;
            }
            request.set_parsed_query(document);
        }
        Ok(request)
    }

    fn check(&self, doc: &ExecutableDocument) -> ServerResult<()> {
        let Self { max_root_fields, max_aliases, max_selections, .. } = *self;
        let aliases = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .chain(doc.fragments.values().map(|f| count_aliases(&f.node.selection_set.node)))
            .sum::<usize>();
        if aliases > max_aliases {
            return Err(ServerError::new(
                format!("the query uses {aliases} aliases; at most {max_aliases} are allowed"),
                None,
            ));
        }
        let mut sizes = FragmentSizes::default();
        for (_, op) in doc.operations.iter() {
            let selected = sizes.of_set(doc, &op.node.selection_set.node, 0)?;
            if selected > max_selections as u64 {
                return Err(ServerError::new(
                    format!(
                        "the operation selects {selected} fields once its fragments are expanded; at most \
                         {max_selections} are allowed"
                    ),
                    None,
                ));
            }
            let mut seen = HashSet::new();
            let roots = count_root_fields(doc, &op.node.selection_set.node, &mut seen);
            if roots > max_root_fields {
                return Err(ServerError::new(
                    format!("an operation selects {roots} root fields; at most {max_root_fields} are allowed"),
                    None,
                ));
            }
        }
        Ok(())
    }
}

/// Gives every error of `response` a stable code: only our own errors carry one; anything else came
/// from parsing, validation or variable coercion, which is the client's input.
pub fn coded(response: &mut Response) {
    for error in &mut response.errors {
        let ext = error.extensions.get_or_insert_with(ErrorExtensionValues::default);
        if ext.get("code").is_none() {
            ext.set("code", code::BAD_USER_INPUT);
        }
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

/// The number of fields each fragment selects once expanded, each fragment counted once however
/// often it is spread: linear in the document, so a chain of fragments that each spread the previous
/// one twice is measured (2^n fields) without being expanded.
#[derive(Default)]
struct FragmentSizes<'a> {
    known: HashMap<&'a str, u64>,
    /// Fragments being measured; spreading one of them again is a cycle, refused by validation.
    open: HashSet<&'a str>,
}

impl<'a> FragmentSizes<'a> {
    fn of_set(&mut self, doc: &'a ExecutableDocument, set: &'a SelectionSet, nesting: usize) -> ServerResult<u64> {
        let mut total = 0u64;
        for item in &set.items {
            let n = match &item.node {
                Selection::Field(f) => 1u64.saturating_add(self.of_set(doc, &f.node.selection_set.node, nesting)?),
                Selection::InlineFragment(i) => self.of_set(doc, &i.node.selection_set.node, nesting)?,
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    self.of_fragment(doc, name, nesting + 1)?
                }
            };
            total = total.saturating_add(n);
        }
        Ok(total)
    }

    fn of_fragment(&mut self, doc: &'a ExecutableDocument, name: &'a str, nesting: usize) -> ServerResult<u64> {
        if let Some(n) = self.known.get(name) {
            return Ok(*n);
        }
        if nesting > MAX_FRAGMENT_NESTING {
            return Err(ServerError::new(
                format!("fragments spread fragments more than {MAX_FRAGMENT_NESTING} levels deep"),
                None,
            ));
        }
        let Some(fragment) = doc.fragments.get(name) else { return Ok(0) };
        if !self.open.insert(name) {
            return Ok(0);
        }
        let n = self.of_set(doc, &fragment.node.selection_set.node, nesting)?;
        self.open.remove(name);
        self.known.insert(name, n);
        Ok(n)
    }
}

/// Refuses, before any resolver runs, strings longer than `max_chars` and strings carrying NUL,
/// other control characters than tab and line breaks, or bidirectional overrides (which make text
/// read differently from what it stores), in inline arguments and in variables alike.
fn check_strings(doc: &ExecutableDocument, variables: &Variables, max_chars: usize) -> ServerResult<()> {
    fn check_value(v: &ConstValue, max_chars: usize) -> ServerResult<()> {
        match v {
            ConstValue::String(s) => check_str(s, max_chars),
            ConstValue::List(items) => items.iter().try_for_each(|i| check_value(i, max_chars)),
            ConstValue::Object(fields) => fields.values().try_for_each(|i| check_value(i, max_chars)),
            _ => Ok(()),
        }
    }
    fn check_inline(v: &GqlValue, max_chars: usize) -> ServerResult<()> {
        match v {
            GqlValue::String(s) => check_str(s, max_chars),
            GqlValue::List(items) => items.iter().try_for_each(|i| check_inline(i, max_chars)),
            GqlValue::Object(fields) => fields.values().try_for_each(|i| check_inline(i, max_chars)),
            _ => Ok(()),
        }
    }
    fn check_set(set: &SelectionSet, max_chars: usize) -> ServerResult<()> {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    for (_, arg) in &f.node.arguments {
                        check_inline(&arg.node, max_chars)?;
                    }
                    check_set(&f.node.selection_set.node, max_chars)?;
                }
                Selection::InlineFragment(i) => check_set(&i.node.selection_set.node, max_chars)?,
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }
    for (_, value) in variables.iter() {
        check_value(value, max_chars)?;
    }
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            if let Some(default) = &var.node.default_value {
                check_value(&default.node, max_chars)?;
            }
        }
        check_set(&op.node.selection_set.node, max_chars)?;
    }
    for fragment in doc.fragments.values() {
        check_set(&fragment.node.selection_set.node, max_chars)?;
    }
    Ok(())
}

fn check_str(s: &str, max_chars: usize) -> ServerResult<()> {
    // Bytes bound characters from above: most strings pass without counting.
    if s.len() > max_chars && s.chars().count() > max_chars {
        return Err(ServerError::new(format!("a string argument has at most {max_chars} characters"), None));
    }
    if let Some(c) = s.chars().find(|c| crate::service::text::forbidden(*c)) {
        return Err(ServerError::new(
            format!("strings may not contain the control or direction-override character U+{:04X}", u32::from(c)),
            None,
        ));
    }
    Ok(())
}
