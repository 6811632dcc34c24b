//! Database entities, one module a table. Enums that clients see derive `async_graphql::Enum` here so
//! that the stored value, the Rust value and the GraphQL value are one thing.

pub mod action_item;
pub mod action_item_event;
pub mod action_item_unit;
pub mod audit_event;
pub mod bulletin;
pub mod case;
pub mod case_link;
pub mod case_measure;
pub mod case_unit;
pub mod checklist_template;
pub mod client_payload;
pub mod funding_campaign;
pub mod funding_entry;
pub mod funding_item;
pub mod funding_item_unit;
pub mod funding_stage;
pub mod funding_target;
pub mod geo;
pub mod inspection;
pub mod inspection_issue;
pub mod inspection_target;
pub mod integration_key;
pub mod integration_key_unit;
pub mod issue;
pub mod issue_counter;
pub mod issue_event;
pub mod issue_unit;
pub mod known_sign_in_address;
pub mod meeting;
pub mod meeting_agenda;
pub mod meeting_attendee;
pub mod meeting_decision;
pub mod meeting_minutes;
pub mod meeting_unit;
pub mod milestone;
pub mod monthly_report;
pub mod noted_fact;
pub mod office_setting;
pub mod persisted_document;
pub mod photo;
pub mod project;
pub mod project_light;
pub mod project_paired_unit;
pub mod project_year_plan;
pub mod reporting_period;
pub mod schedule_plan;
pub mod supervision_target;
pub mod supervision_task;
pub mod supervision_task_inspector;
pub mod supervision_task_project;
pub mod supervision_task_target;
pub mod unit;
pub mod unit_rollup_mark;
pub mod user;
pub mod user_credential;
pub mod webhook;
pub mod webhook_attempt;
pub mod webhook_delivery;

pub mod prelude {
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::unit::Entity as Unit;
    pub use super::user::Entity as User;
}
