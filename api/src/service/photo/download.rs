//! Downloads: who may have a photo's bytes, by token or by signed link.

use chrono::{DateTime, Utc};
use entity::photo;
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, EntityTrait};
use sha2::Sha256;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::text::hex;

/// How a download is authorised: the caller's bearer token (checked against who may see the photo),
/// or a link signed by [`signed_path`].
pub enum Pass<'a> {
    Bearer(Actor),
    SignedLink { secret: &'a str, exp: Option<i64>, sig: Option<&'a str> },
}

/// What to send for a download: the object, its media type and its ETag.
pub struct Download {
    pub key: String,
    pub content_type: &'static str,
    pub etag: String,
}

/// The object behind `/photos/{id}/{variant}`, if `pass` lets its bearer have it: `NOT_FOUND` for a
/// photo that is missing, hidden or has no such thumbnail; `UNAUTHENTICATED` for a bad link.
pub async fn download(
    db: &impl ConnectionTrait,
    pass: Pass<'_>,
    id: Uuid,
    variant: Variant,
    now: DateTime<Utc>,
) -> AppResult<Download> {
    let photo = match pass {
        Pass::Bearer(actor) => find_for(db, &actor, id).await?,
        Pass::SignedLink { secret, exp, sig } => {
            let signed = match (exp, sig) {
                (Some(exp), Some(sig)) => verify_link(secret, id, variant, exp, sig, now),
                _ => false,
            };
            if !signed {
                return Err(AppError::Unauthenticated("a bearer token or a valid, unexpired signed link is needed"));
            }
            photo::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("photo"))?
        }
    };
    match variant {
        Variant::Original => Ok(Download {
            key: photo.object_key.clone(),
            content_type: mime(&photo.format),
            etag: format!("\"{}\"", photo.sha256),
        }),
        Variant::Thumbnail(size) if photo.thumbnails => Ok(Download {
            key: thumbnail_key(&photo, size),
            content_type: "image/jpeg",
            etag: format!("\"{}-{size}\"", photo.sha256),
        }),
        Variant::Thumbnail(_) => Err(AppError::NotFound("photo")),
    }
}

/// The media type of a stored format name.
pub fn mime(format: &str) -> &'static str {
    match format {
        "PNG" => "image/png",
        "WEBP" => "image/webp",
        "HEIF" => "image/heic",
        _ => "image/jpeg",
    }
}

/// A photo's original or a thumbnail, for the download route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumbnail(u32),
}

impl Variant {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "original" => Some(Self::Original),
            _ => s.parse::<u32>().ok().filter(|n| THUMBNAIL_SIZES.contains(n)).map(Self::Thumbnail),
        }
    }

    fn name(self) -> String {
        match self {
            Self::Original => "original".into(),
            Self::Thumbnail(n) => n.to_string(),
        }
    }
}

fn mac(secret: &str, id: Uuid, variant: Variant, exp: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(format!("photo:{id}:{}:{exp}", variant.name()).as_bytes());
    Some(mac)
}

/// A link to a photo that works without a token until `exp` (for `<img>` tags).
pub fn signed_path(secret: &str, id: Uuid, variant: Variant, now: DateTime<Utc>) -> String {
    // Links are valid to the end of the next hour, so the same photo keeps the same URL for a while
    // and browsers can cache it.
    let exp = (now + LINK_TTL).timestamp() / 3600 * 3600 + 3600;
    let sig = mac(secret, id, variant, exp).map(|m| hex(&m.finalize().into_bytes())).unwrap_or_default();
    format!("/photos/{id}/{}?exp={exp}&sig={sig}", variant.name())
}

/// Whether `sig` signs (`id`, `variant`, `exp`) and `exp` has not passed.
pub fn verify_link(secret: &str, id: Uuid, variant: Variant, exp: i64, sig: &str, now: DateTime<Utc>) -> bool {
    let Some(bytes) = crate::service::text::unhex(sig, 32).filter(|_| exp >= now.timestamp()) else {
        return false;
    };
    mac(secret, id, variant, exp).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links_verify_only_unchanged_and_unexpired() {
        let now = Utc::now();
        let id = Uuid::new_v4();
        let path = signed_path("secret", id, Variant::Thumbnail(256), now);
        let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let mut exp = 0;
        let mut sig = "";
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("exp", v)) => exp = v.parse().unwrap_or(0),
                Some(("sig", v)) => sig = v,
                _ => {}
            }
        }
        assert!(verify_link("secret", id, Variant::Thumbnail(256), exp, sig, now));
        assert!(!verify_link("secret", id, Variant::Original, exp, sig, now), "another variant");
        assert!(!verify_link("other", id, Variant::Thumbnail(256), exp, sig, now), "another key");
        assert!(!verify_link("secret", id, Variant::Thumbnail(256), exp, sig, now + Duration::hours(3)), "expired");
        assert!(!verify_link("secret", Uuid::new_v4(), Variant::Thumbnail(256), exp, sig, now), "another photo");
    }
}
