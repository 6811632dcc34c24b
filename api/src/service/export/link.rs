//! Signed export links: `exportUrl` hands a browser a link it can open without a token (a download
//! started from a page cannot send one). The link names the sheet, its parameters and the user whose
//! visibility applies, and works for a quarter of an hour.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::{Params, Sheet};
use crate::service::text::hex;

/// How long a link works.
const LINK_TTL: Duration = Duration::minutes(15);

fn mac(secret: &str, sheet: Sheet, params: &Params, user: Uuid, exp: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    let period = params.period.as_deref().unwrap_or_default();
    mac.update(format!("export:{}:{period}:{user}:{exp}", sheet.name()).as_bytes());
    Some(mac)
}

/// The link to `sheet` with `params` for `user`.
pub fn signed_path(secret: &str, sheet: Sheet, params: &Params, user: Uuid, now: DateTime<Utc>) -> String {
    let exp = (now + LINK_TTL).timestamp();
    let sig = mac(secret, sheet, params, user, exp).map(|m| hex(&m.finalize().into_bytes())).unwrap_or_default();
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(period) = &params.period {
        query.push(("period", period.clone()));
    }
    query.extend([("uid", user.to_string()), ("exp", exp.to_string()), ("sig", sig)]);
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    format!("/exports/{}.xlsx?{query}", sheet.name())
}

/// Whether `sig` signs the link and `exp` has not passed.
pub fn verify(
    secret: &str,
    sheet: Sheet,
    params: &Params,
    user: Uuid,
    exp: i64,
    sig: &str,
    now: DateTime<Utc>,
) -> bool {
    let Some(bytes) = crate::service::text::unhex(sig, 32).filter(|_| exp >= now.timestamp()) else {
        return false;
    };
    mac(secret, sheet, params, user, exp).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}
