//! A project read with some of its columns (see [`crate::service::columns`]); which columns each
//! field of `Project` reads is `graphql::project::columns`.

use entity::project::{self, Column as C, Industry, ProjectCategory, ProjectStatus};
use sea_orm::DbErr;

use crate::service::columns::{Partial, Pick};

/// A set of a project's columns.
pub type Columns = crate::service::columns::Columns<project::Model>;

impl Partial for project::Model {
    type Column = C;
    const ID: C = C::Id;

    fn position(column: C) -> u32 {
        column as u32
    }

    /// Placeholders: empty, zero, none, the first variant, 1970.
    fn pick(pick: &Pick<'_, Self>) -> Result<Self, DbErr> {
        Ok(project::Model {
            id: pick.get(C::Id)?,
            code: pick.or(C::Code, None)?,
            name: pick.or(C::Name, String::new())?,
            category: pick.or(C::Category, ProjectCategory::KeyConstruction)?,
            industry: pick.or(C::Industry, Industry::Other)?,
            status: pick.or(C::Status, ProjectStatus::Planned)?,
            responsible_unit_id: pick.or(C::ResponsibleUnitId, uuid::Uuid::nil())?,
            leader_id: pick.or(C::LeaderId, uuid::Uuid::nil())?,
            total_investment_fen: pick.or(C::TotalInvestmentFen, 0)?,
            prior_completed_fen: pick.or(C::PriorCompletedFen, 0)?,
            progress_bp: pick.or(C::ProgressBp, 0)?,
            planned_start: pick.or(C::PlannedStart, None)?,
            planned_completion: pick.or(C::PlannedCompletion, None)?,
            actual_start: pick.or(C::ActualStart, None)?,
            actual_completion: pick.or(C::ActualCompletion, None)?,
            lat: pick.or(C::Lat, 0.0)?,
            lng: pick.or(C::Lng, 0.0)?,
            site_radius_m: pick.or(C::SiteRadiusM, 0)?,
            boundary: pick.or(C::Boundary, None)?,
            address: pick.or(C::Address, None)?,
            description: pick.or(C::Description, None)?,
            created_at: pick.or(C::CreatedAt, chrono::DateTime::UNIX_EPOCH)?,
            location_datum: pick.or(C::LocationDatum, entity::geo::Datum::default())?,
            updated_at: pick.or(C::UpdatedAt, chrono::DateTime::UNIX_EPOCH)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn every_column_has_a_bit_of_its_own() {
        let columns: Vec<C> = C::iter().collect();
        assert!(columns.len() <= 64, "a project has more columns than Columns can tell apart");
        for (i, c) in columns.iter().enumerate() {
            assert_eq!(project::Model::position(*c), i as u32);
            assert!(Columns::id().with(*c).has(*c));
        }
        assert!(!Columns::id().has(C::Name));
        assert!(Columns::id().is_all() == (columns.len() == 1));
        assert!(columns.iter().fold(Columns::id(), |s, c| s.with(*c)).is_all());
    }
}
