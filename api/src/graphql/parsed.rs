//! Documents this instance has parsed and checked before, by their text.
//!
//! Apps send the same few documents again and again with new variables; parsing one (pest, with a
//! stack check per rule) was about a twentieth of a page of fifty projects. What is kept here is
//! what the text alone decides: the parsed document, and that it passed the request-wide limits.
//! What depends on the request (its variables' strings, an integration key's scopes) is checked on
//! every request. The memo is this instance's own and changes nothing another instance sees.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::ExecutableDocument;

/// How many documents are kept; the set is emptied when it is full.
const KEPT: usize = 256;
/// Longer documents are parsed every time (a bound on what the memo holds).
const LONGEST: usize = 4096;

/// Parsed documents that passed the request-wide limits, by text.
#[derive(Default)]
pub struct ParsedDocuments {
    known: Mutex<HashMap<Box<str>, Arc<ExecutableDocument>>>,
}

impl ParsedDocuments {
    /// The document `text` parsed to, if it was parsed and passed the limits before.
    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        if text.len() > LONGEST {
            return None;
        }
        let known = self.known.lock().unwrap_or_else(PoisonError::into_inner).get(text).cloned()?;
        Some(ExecutableDocument::clone(&known))
    }

    /// Keeps `document` as what `text` parses to; call only once it passed the limits.
    pub fn put(&self, text: &str, document: &ExecutableDocument) {
        if text.len() > LONGEST {
            return;
        }
        let document = Arc::new(document.clone());
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= KEPT {
            known.clear();
        }
        known.insert(text.into(), document);
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.known.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(text).expect("the document parses")
    }

    #[test]
    fn a_kept_document_comes_back_as_parsed_and_the_memo_stays_bounded() {
        let memo = ParsedDocuments::default();
        let text = "{ projects(first: 2) { edges { node { name } } } }";
        assert!(memo.get(text).is_none());
        memo.put(text, &parse(text));
        let again = memo.get(text).expect("kept");
        assert_eq!(format!("{:?}", again.operations), format!("{:?}", parse(text).operations));
        assert!(memo.get("{ projects(first: 3) { edges { node { name } } } }").is_none(), "another text");

        let long = format!("{{ __typename }} # {}", "x".repeat(LONGEST));
        memo.put(&long, &parse(&long));
        assert!(memo.get(&long).is_none(), "a document past LONGEST is not kept");

        for i in 0..KEPT * 2 {
            let text = format!("{{ a{i}: __typename }}");
            memo.put(&text, &parse(&text));
            assert!(memo.len() <= KEPT);
        }
        assert!(!memo.is_empty());
    }
}
