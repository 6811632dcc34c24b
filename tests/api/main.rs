//! Integration tests: each one drives its own server over HTTP.

mod accounts;
mod audit;
mod auth;
#[path = "../support/bombs.rs"]
mod bombs;
mod browsers;
mod cases;
mod changes;
mod cli;
mod clock;
mod datums;
mod demo_year;
mod documents;
mod evaluation;
mod export_sheets;
mod exports;
#[path = "../support/fixtures.rs"]
mod fixtures;
mod funding;
mod hardening;
mod health;
mod helpers;
mod inspections;
mod issues;
mod jobs;
mod keys;
mod layers;
mod lights;
mod limits;
mod maps;
mod media_fixtures;
mod meetings;
mod navigation;
mod noted;
mod obstruction;
mod pairing;
mod photos;
mod projects;
mod promises;
mod reports;
mod schedules;
mod schema;
mod subscriptions;
mod supervision;
mod upgrade;
mod webhooks;
