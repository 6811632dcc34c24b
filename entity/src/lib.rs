//! Database entities, one module a table. Enums that clients see derive `async_graphql::Enum` here so
//! that the stored value, the Rust value and the GraphQL value are one thing.

pub mod audit_event;
pub mod login_failure;
pub mod unit;
pub mod user;

pub mod prelude {
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::login_failure::Entity as LoginFailure;
    pub use super::unit::Entity as Unit;
    pub use super::user::Entity as User;
}
