//! Data loaded into an empty database. The demo county is deterministic (ids derive from names) and
//! grows one function per domain: later domains add their own step to [`demo::load`].

pub mod assessments;
pub mod cases;
pub mod demo;
pub mod evaluations;
pub mod evidence;
pub mod funding;
pub mod issues;
mod logins;
pub mod meetings;
pub mod pairing;
pub mod projects;
pub mod province;
pub mod templates;
