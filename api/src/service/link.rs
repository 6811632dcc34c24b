//! Signed links to the plain GET resources (spreadsheets, map feeds): a browser's download or a map
//! library's fetch cannot send a bearer token, so the API hands out a link that names the resource,
//! its query exactly as given, the user whose visibility applies and when it stops working, signed
//! with the server's secret. Whoever holds the link sees what that user sees, for a quarter of an
//! hour; changing any byte of the path or query breaks the signature.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::service::text::{hex, unhex};

/// How long a link works.
pub const TTL: Duration = Duration::minutes(15);

fn mac(secret: &str, path: &str, query: &str, user: Uuid, exp: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(format!("link\n{path}\n{query}\n{user}\n{exp}").as_bytes());
    Some(mac)
}

/// The link to `path` with the resource's own `query` (raw, as the route will receive it) for `user`.
pub fn sign(secret: &str, path: &str, query: &str, user: Uuid, now: DateTime<Utc>) -> String {
    let exp = (now + TTL).timestamp();
    let sig = mac(secret, path, query, user, exp).map(|m| hex(&m.finalize().into_bytes())).unwrap_or_default();
    let sep = if query.is_empty() { "" } else { "&" };
    format!("{path}?{query}{sep}uid={user}&exp={exp}&sig={sig}")
}

/// What a link adds to a query, as received.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parts {
    uid: Option<String>,
    exp: Option<String>,
    sig: Option<String>,
}

/// A raw query split into the resource's own part (in its order, untouched) and the link's parts
/// when it carries any.
pub fn split(query: &str) -> (String, Option<Parts>) {
    let mut parts = Parts::default();
    let mut signed = false;
    let own: Vec<&str> = query
        .split('&')
        .filter(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            let slot = match name {
                "uid" => &mut parts.uid,
                "exp" => &mut parts.exp,
                "sig" => &mut parts.sig,
                _ => return !piece.is_empty(),
            };
            signed = true;
            *slot = Some(value.to_owned());
            false
        })
        .collect();
    (own.join("&"), signed.then_some(parts))
}

/// The user a valid, unexpired link to `path` with `query` (its own part, from [`split`]) was made for.
pub fn verify(secret: &str, path: &str, query: &str, parts: &Parts, now: DateTime<Utc>) -> Option<Uuid> {
    let user: Uuid = parts.uid.as_deref()?.parse().ok()?;
    let exp: i64 = parts.exp.as_deref()?.parse().ok()?;
    if exp < now.timestamp() {
        return None;
    }
    let sig = unhex(parts.sig.as_deref()?, 32)?;
    mac(secret, path, query, user, exp)?.verify_slice(&sig).ok()?;
    Some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `link` with its last character (a hex digit of the signature) changed.
    fn flip_last(link: &str) -> String {
        let last = if link.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &link[..link.len() - 1])
    }

    fn verified(link: &str, now: DateTime<Utc>) -> Option<Uuid> {
        let (path, query) = link.split_once('?').expect("a query");
        let (own, parts) = split(query);
        verify("secret", path, &own, &parts?, now)
    }

    #[test]
    fn a_link_opens_for_its_user_until_it_expires_and_not_once_altered() {
        let now = Utc::now();
        let user = Uuid::new_v4();
        for query in ["", "period=2026-03", "light=RED&datum=gcj02&bbox=1%2C2%2C3%2C4"] {
            let link = sign("secret", "/geo/projects.geojson", query, user, now);
            assert_eq!(verified(&link, now), Some(user), "{link}");
            assert_eq!(verified(&link, now + TTL), Some(user));
            assert_eq!(verified(&link, now + TTL + Duration::seconds(1)), None, "expired");
            let (path, rest) = link.split_once('?').expect("a query");
            for altered in [
                format!("/geo/photos.geojson?{rest}"),
                format!("{path}?x=1&{rest}"),
                link.replace(&user.to_string(), &Uuid::new_v4().to_string()),
                link.replacen("exp=", "exp=9", 1),
                flip_last(&link),
            ] {
                assert_eq!(verified(&altered, now), None, "{altered}");
            }
            let other = sign("other secret", "/geo/projects.geojson", query, user, now);
            assert_eq!(verified(&other, now), None);
        }
    }

    #[test]
    fn splitting_keeps_the_resources_own_query_in_order() {
        let (own, parts) = split("b=2&uid=u&a=1&exp=3&sig=ff");
        assert_eq!(own, "b=2&a=1");
        assert_eq!(parts, Some(Parts { uid: Some("u".into()), exp: Some("3".into()), sig: Some("ff".into()) }));
        assert_eq!(split("a=1&b=2"), ("a=1&b=2".to_owned(), None));
        assert_eq!(split(""), (String::new(), None));
    }
}
