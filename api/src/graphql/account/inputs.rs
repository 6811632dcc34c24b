//! Filters of the account lists and a new account.

use async_graphql::InputObject;
use entity::unit::UnitKind;
use entity::user::Role;
use uuid::Uuid;

/// Narrows `users`; every field set must match.
#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only users of this unit.
    pub unit_id: Option<Uuid>,
    /// Only active (`true`) or deactivated (`false`) accounts.
    pub active: Option<bool>,
    /// Part of the username or display name (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

/// Narrows `units`; every field set must match.
#[derive(InputObject, Default)]
pub struct UnitFilter {
    /// Only units of this kind.
    pub kind: Option<UnitKind>,
    /// Only units that do (`true`) or do not (`false`) carry yearly funding targets.
    pub has_funding_targets: Option<bool>,
    /// Part of the unit's name, e.g. `自然资源` (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

/// A new account.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Sign-in name: 3 to 64 characters of a-z, 0-9, `.`, `_`, `-` (stored in lower case).
    pub username: String,
    /// Name shown to other users, e.g. `张伟（自然资源局）`.
    pub display_name: String,
    /// Initial password: 10 to 128 characters, not a commonly guessed one, not containing the username.
    pub password: String,
    /// What the account may do.
    pub role: Role,
    /// The unit the account belongs to.
    pub unit_id: Uuid,
}
