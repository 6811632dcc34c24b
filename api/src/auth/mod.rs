//! Who is calling: password hashing, tokens, and the caller attached to each request.

mod caller;
mod lookup;
mod password;
mod token;

pub use caller::{Caller, authenticate};
pub use lookup::AccountLookup;
pub use password::{PasswordHasher, validate_new_password};
pub use token::{Claims, JwtKeys};
