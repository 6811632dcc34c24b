//! Which columns of a unit and of an account a selection of [`super::Unit`] or [`super::User`]
//! reads, so that a page of projects reads its units' and leaders' with its own statement (see
//! [`crate::service::columns`]).

use async_graphql::Lookahead;
use entity::unit::{self, Column as U};
use entity::user::{self, Column as P};

use crate::graphql::columns::Reads;
use crate::service::account::{UnitColumns, UserColumns};

/// The columns each field of `Unit` reads beyond the id. A field missing here makes the unit read
/// whole; the test `each_field_of_a_page_reads_what_the_whole_row_shows` checks every field.
const UNIT_READS: &Reads<unit::Model> = &[
    ("__typename", &[]),
    ("id", &[]),
    ("name", &[U::Name]),
    ("kind", &[U::Kind]),
    ("hasFundingTargets", &[U::HasFundingTargets]),
    ("head", &[U::HeadUserId]),
    ("projects", &[]),
];

/// The columns each field of `User` reads beyond the id (as [`UNIT_READS`]).
const USER_READS: &Reads<user::Model> = &[
    ("__typename", &[]),
    ("id", &[]),
    ("username", &[P::Username]),
    ("displayName", &[P::DisplayName]),
    ("role", &[P::Role]),
    ("active", &[P::Active]),
    ("unit", &[P::UnitId]),
    ("createdAt", &[P::CreatedAt]),
    ("projects", &[]),
];

/// The columns every selection `field` of a unit reads.
pub fn unit_read_by(field: &Lookahead<'_>) -> UnitColumns {
    crate::graphql::columns::read_by(UNIT_READS, field.selection_fields().iter().flat_map(|f| f.selection_set()))
}

/// The columns every selection `field` of an account reads.
pub fn user_read_by(field: &Lookahead<'_>) -> UserColumns {
    crate::graphql::columns::read_by(USER_READS, field.selection_fields().iter().flat_map(|f| f.selection_set()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_field_is_listed_once() {
        assert!(crate::graphql::columns::each_listed_once(super::UNIT_READS));
        assert!(crate::graphql::columns::each_listed_once(super::USER_READS));
    }
}
