//! Schema migrations. Append-only: a landed migration is never edited; a change is a new file.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261126_000001_foundation;
mod m20261126_000002_projects;
mod m20261126_000003_issues;
mod m20261126_000004_cases;
mod m20261126_000005_issue_order;
mod m20261126_000006_inspections;
mod m20261126_000007_photos;
mod m20261126_000008_sign_in_limits;
mod m20261126_000009_office_settings;
mod m20261127_000010_issue_deadlines;
mod m20261127_000011_unit_heads;
mod m20261127_000012_user_credentials;
mod m20261127_000013_client_payloads;
mod m20261127_000014_project_lights;
mod m20261127_000015_integration_keys;
mod m20261127_000016_webhooks;
mod m20261127_000017_persisted_documents;
mod m20261127_000018_noted_facts;
mod m20261127_000019_integration_key_units;
mod m20261127_000020_unit_rollups;
mod m20261128_000021_light_names;
mod m20261128_000022_datums;
mod m20261128_000023_meetings;
mod m20261128_000024_supervision;
mod m20261128_000025_funding;
mod m20261128_000026_pairing_obstruction;
mod m20261128_000027_evaluations;
mod m20261128_000028_assessments;
mod m20261129_000029_project_order_indexes;
mod m20261130_000030_carried_lights;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_foundation::Migration),
            Box::new(m20261126_000002_projects::Migration),
            Box::new(m20261126_000003_issues::Migration),
            Box::new(m20261126_000004_cases::Migration),
            Box::new(m20261126_000005_issue_order::Migration),
            Box::new(m20261126_000006_inspections::Migration),
            Box::new(m20261126_000007_photos::Migration),
            Box::new(m20261126_000008_sign_in_limits::Migration),
            Box::new(m20261126_000009_office_settings::Migration),
            Box::new(m20261127_000010_issue_deadlines::Migration),
            Box::new(m20261127_000011_unit_heads::Migration),
            Box::new(m20261127_000012_user_credentials::Migration),
            Box::new(m20261127_000013_client_payloads::Migration),
            Box::new(m20261127_000014_project_lights::Migration),
            Box::new(m20261127_000015_integration_keys::Migration),
            Box::new(m20261127_000016_webhooks::Migration),
            Box::new(m20261127_000017_persisted_documents::Migration),
            Box::new(m20261127_000018_noted_facts::Migration),
            Box::new(m20261127_000019_integration_key_units::Migration),
            Box::new(m20261127_000020_unit_rollups::Migration),
            Box::new(m20261128_000021_light_names::Migration),
            Box::new(m20261128_000022_datums::Migration),
            Box::new(m20261128_000023_meetings::Migration),
            Box::new(m20261128_000024_supervision::Migration),
            Box::new(m20261128_000025_funding::Migration),
            Box::new(m20261128_000026_pairing_obstruction::Migration),
            Box::new(m20261128_000027_evaluations::Migration),
            Box::new(m20261128_000028_assessments::Migration),
            Box::new(m20261129_000029_project_order_indexes::Migration),
            Box::new(m20261130_000030_carried_lights::Migration),
        ]
    }
}
