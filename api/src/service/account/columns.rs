//! Units and accounts read with some of their columns (see [`crate::service::columns`]): a page of
//! projects reads the names of their units and leaders with its own statement. Which columns each
//! field of `Unit` and `User` reads is `graphql::account::columns`.

use entity::unit::{self, Column as U, UnitKind};
use entity::user::{self, Column as P, Role};
use sea_orm::DbErr;

use crate::service::columns::{Partial, Pick};

/// A set of a unit's columns.
pub type UnitColumns = crate::service::columns::Columns<unit::Model>;
/// A set of an account's columns.
pub type UserColumns = crate::service::columns::Columns<user::Model>;

impl Partial for unit::Model {
    type Column = U;
    const ID: U = U::Id;

    fn position(column: U) -> u32 {
        column as u32
    }

    /// Placeholders: empty, the first variant, false, none, 1970.
    fn pick(pick: &Pick<'_, Self>) -> Result<Self, DbErr> {
        Ok(unit::Model {
            id: pick.get(U::Id)?,
            name: pick.or(U::Name, String::new())?,
            kind: pick.or(U::Kind, UnitKind::Department)?,
            has_funding_targets: pick.or(U::HasFundingTargets, false)?,
            head_user_id: pick.or(U::HeadUserId, None)?,
            created_at: pick.or(U::CreatedAt, chrono::DateTime::UNIX_EPOCH)?,
        })
    }
}

impl Partial for user::Model {
    type Column = P;
    const ID: P = P::Id;

    fn position(column: P) -> u32 {
        column as u32
    }

    /// Placeholders: empty, the lowest role, the nil id, false, 0, 1970.
    fn pick(pick: &Pick<'_, Self>) -> Result<Self, DbErr> {
        Ok(user::Model {
            id: pick.get(P::Id)?,
            username: pick.or(P::Username, String::new())?,
            display_name: pick.or(P::DisplayName, String::new())?,
            role: pick.or(P::Role, Role::Integration)?,
            unit_id: pick.or(P::UnitId, uuid::Uuid::nil())?,
            active: pick.or(P::Active, false)?,
            session_epoch: pick.or(P::SessionEpoch, 0)?,
            created_at: pick.or(P::CreatedAt, chrono::DateTime::UNIX_EPOCH)?,
            updated_at: pick.or(P::UpdatedAt, chrono::DateTime::UNIX_EPOCH)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn every_column_has_a_bit_of_its_own() {
        for (i, c) in U::iter().enumerate() {
            assert_eq!(unit::Model::position(c), i as u32);
            assert!(UnitColumns::id().with(c).has(c));
        }
        for (i, c) in P::iter().enumerate() {
            assert_eq!(user::Model::position(c), i as u32);
            assert!(UserColumns::id().with(c).has(c));
        }
        assert!(!UnitColumns::id().has(U::Name));
        assert!(!UserColumns::id().has(P::DisplayName));
    }
}
