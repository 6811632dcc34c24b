//! A workflow described once: its actions, where each takes a record, and who may take it. From that
//! description come the caller's `availableActions` and the one check every step passes.

use std::fmt::Debug;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;

/// The description a domain gives of its workflow.
pub trait Workflow {
    /// What moves through it.
    type Record;
    /// Its steps.
    type Action: Copy + Debug + Eq + 'static;
    /// Where a record stands.
    type Status: Copy + Debug;

    /// The record's name in messages, e.g. `"issue"`.
    const NOUN: &'static str;
    /// Every action, in the order clients list them.
    const ACTIONS: &'static [Self::Action];

    /// Where `action` takes `record`, or `None` when it cannot be taken from where the record stands.
    fn next(record: &Self::Record, action: Self::Action) -> Option<Self::Status>;
    /// Whether `caller`'s role and unit allow `action` on `record`, wherever it stands.
    fn permits(caller: &Caller, record: &Self::Record, action: Self::Action) -> bool;
    /// How the record's state reads in a refusal, in the schema's spelling, e.g. `"OPEN"`.
    fn state(record: &Self::Record) -> String;
}

/// An action's name in messages and audit events: `AddMeasure` → `add_measure`.
pub fn action_name<A: Debug>(action: A) -> String {
    let mut out = String::new();
    for (i, c) in format!("{action:?}").chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// A value as the schema spells it: `InProgress` → `IN_PROGRESS`.
pub fn graphql_name<A: Debug>(value: A) -> String {
    action_name(value).to_uppercase()
}

/// Actions the workflow allows from where `record` stands, whoever asks.
pub fn allowed_from<W: Workflow>(record: &W::Record) -> Vec<W::Action> {
    W::ACTIONS.iter().copied().filter(|a| W::next(record, *a).is_some()).collect()
}

/// Actions `caller` may take on `record` now (`availableActions`).
pub fn available<W: Workflow>(caller: &Caller, record: &W::Record) -> Vec<W::Action> {
    allowed_from::<W>(record).into_iter().filter(|a| W::permits(caller, record, *a)).collect()
}

/// The check every step passes: the workflow must allow it from here (else `BAD_USER_INPUT` listing
/// what this caller may do from here, in the schema's spelling) and the caller's role and unit must
/// allow it (else `FORBIDDEN`). The system itself passes the second.
pub fn authorize<W: Workflow>(actor: &Actor, record: &W::Record, action: W::Action) -> AppResult<W::Status> {
    let name = action_name(action).replace('_', " ");
    let next = W::next(record, action).ok_or_else(|| {
        let open = match actor.caller() {
            Ok(caller) => available::<W>(caller, record),
            Err(_) => allowed_from::<W>(record),
        };
        let allowed: Vec<String> = open.iter().map(|a| graphql_name(*a)).collect();
        AppError::BadUserInput {
            field: None,
            message: format!(
                "cannot {name} {} {} that is {}; allowed from here: {}",
                if W::NOUN.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                W::NOUN,
                W::state(record),
                if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") }
            ),
        }
    })?;
    if let Ok(caller) = actor.caller()
        && !W::permits(caller, record, action)
    {
        return Err(AppError::Forbidden(format!("your role or unit may not {name} this {}", W::NOUN)));
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::action_name;

    #[derive(Debug)]
    enum A {
        AddMeasure,
        Close,
    }

    #[test]
    fn action_names_are_snake_case() {
        assert_eq!(action_name(A::AddMeasure), "add_measure");
        assert_eq!(action_name(A::Close), "close");
    }
}
