//! Units, users and sign-in. Who may do what with accounts is decided here and nowhere else.

mod columns;
mod credentials;
mod login;
mod units;
mod users;

pub use columns::{UnitColumns, UserColumns};
pub use credentials::{set_hash, stored_hash};
pub use login::{change_password, login};
pub use units::{
    NewUnit, UnitFilter, count_units, create_units, find_unit, find_unit_by_name, list_units, set_unit_head,
};
pub use users::{NewUser, UserFilter, count_users, create_user, deactivate_user, find_user, list_users};

use chrono::{DateTime, Utc};
use entity::user;

use crate::error::{AppError, AppResult};

const BAD_CREDENTIALS: &str = "wrong username or password";

/// A successful sign-in.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
}

/// Usernames are compared without case and surrounding spaces.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

fn validate_username(username: &str) -> AppResult<()> {
    let ok_len = (3..=64).contains(&username.len());
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(AppError::bad_input("username", "a username has 3 to 64 characters: a-z, 0-9, '.', '_' or '-'"))
    }
}

/// Where a sign-in comes from: the client's address (from the socket, or from the header a trusted
/// proxy sets), or `None` when unknown (the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<String>);
