//! Who is calling: password hashing, tokens, and the caller attached to each request.

mod caller;
mod lookup;
mod password;
mod token;

pub use caller::{Caller, TokenRejected, authenticate};

/// What a refused token is told, wherever it is refused.
pub const BAD_TOKEN_MESSAGE: &str = caller::BAD_TOKEN;
pub use lookup::AccountLookup;
pub use password::{PasswordHasher, validate_new_password};
pub use token::{Claims, JwtKeys};
