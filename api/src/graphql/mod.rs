//! The GraphQL schema: one Query and one Mutation struct per domain, merged here. A new domain is a
//! folder beside the others (see the README's "Adding a domain") and one entry in each list below.

pub mod account;
pub mod assessment;
pub mod audit;
pub mod case;
pub mod children;
pub mod columns;
pub mod context;
pub mod dashboard;
pub mod documents;
pub mod evaluation;
pub mod exports;
pub mod funding;
pub(crate) mod guards;
pub mod inspection;
pub mod issue;
pub mod keys;
pub mod lean;
pub mod loaders;
pub mod meeting;
pub mod obstruction;
pub mod pagination;
pub mod pairing;
pub mod parsed;
pub mod photo;
pub mod prefetch;
pub mod project;
pub mod report;
pub mod scalars;
pub mod schedule;
pub mod scopes;
pub mod settings;
pub mod subscriptions;
pub mod supervision;
pub mod webhooks;

use async_graphql::{MergedObject, Schema, SchemaBuilder};

pub use subscriptions::Subscription;

use crate::config::Config;

/// Everything a client can read.
#[derive(MergedObject, Default)]
pub struct Query(
    account::AccountQuery,
    project::ProjectQuery,
    report::ReportQuery,
    settings::SettingsQuery,
    dashboard::DashboardQuery,
    issue::IssueQuery,
    case::CaseQuery,
    meeting::MeetingQuery,
    inspection::InspectionQuery,
    supervision::SupervisionQuery,
    funding::FundingQuery,
    pairing::PairingQuery,
    obstruction::ObstructionQuery,
    evaluation::EvaluationQuery,
    assessment::AssessmentQuery,
    photo::PhotoQuery,
    audit::AuditQuery,
    keys::KeyQuery,
    webhooks::WebhookQuery,
    exports::ExportQuery,
);

/// Everything a client can change. Every change is recorded in the audit trail.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::AccountMutation,
    project::ProjectMutation,
    schedule::ScheduleMutation,
    report::ReportMutation,
    settings::SettingsMutation,
    issue::IssueMutation,
    case::CaseMutation,
    meeting::MeetingMutation,
    inspection::InspectionMutation,
    supervision::SupervisionMutation,
    funding::FundingMutation,
    pairing::PairingMutation,
    obstruction::ObstructionMutation,
    evaluation::EvaluationMutation,
    assessment::AssessmentMutation,
    photo::PhotoMutation,
    keys::KeyMutation,
    webhooks::WebhookMutation,
    documents::DocumentMutation,
);

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// The schema with the configured limits; the caller adds shared data and calls `finish`.
pub fn schema_builder(config: &Config) -> SchemaBuilder<Query, Mutation, Subscription> {
    let limits = &config.limits;
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription)
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .limit_directives(16);
    if !config.introspection {
        builder = builder.disable_introspection();
    }
    if !config.field_suggestions {
        builder = builder.disable_suggestions();
    }
    builder
}

/// The schema in SDL, as committed in `schema.graphql`. It does not depend on configuration.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), Subscription).finish().sdl()
}
