//! Photos taken as evidence. Who may see a photo is decided by [`visibility`]; who may upload, by
//! [`upload`]. A photo is acknowledged only once its bytes and its row are both durable; objects a
//! crash left without a row are swept by [`sweep_orphans`].

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use entity::photo;
use entity::user::Role;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::page::{Page, PageRequest};
use crate::auth::Caller;
use crate::config::Limits;
use crate::error::{AppError, AppResult};
use crate::media::{self, ExifData, Format, Rejection};
use crate::storage::Storage;

/// Thumbnail sizes (longest side, pixels).
pub const THUMBNAIL_SIZES: [u32; 2] = [256, 1024];
/// How long a signed photo link stays valid.
pub const LINK_TTL: Duration = Duration::hours(1);
/// The UTC offset assumed for a capture time whose EXIF states none (the county's).
const LOCAL_OFFSET_SECS: i32 = 8 * 3600;

/// A position reported by the phone.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeviceLocation {
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: Option<f64>,
    /// The phone says the position was simulated.
    pub mocked: bool,
}

/// What [`upload`] needs besides the bytes.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub id: Uuid,
    pub project_id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub checklist_item_key: Option<String>,
    pub caption: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
    pub device: Option<DeviceLocation>,
}

/// Where a photo's position comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum LocationSource {
    /// The photo's own EXIF GPS.
    Exif,
    /// The phone's position at upload, when the photo has no GPS.
    Device,
    /// Neither.
    None,
}

/// One reason behind a trust score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct TrustReason {
    /// Stable code, e.g. `OFF_SITE`.
    pub code: String,
    /// Points added (positive) or taken off (negative).
    pub points: i32,
    /// What was found, for a supervisor to read.
    pub detail: String,
}

/// The visibility rule as a query condition: DEPARTMENT users see the photos of projects their unit
/// is responsible for and the photos of issues they may see (the evidence of work given to them);
/// every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(super::issue::scope(caller))
}

/// [`visibility`] for a scope (see [`super::issue::scope`]), for loaders keyed by it.
pub fn scoped_visibility(scope: Option<Uuid>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    let owned = Query::select()
        .column(entity::project::Column::Id)
        .from(entity::project::Entity)
        .and_where(entity::project::Column::ResponsibleUnitId.eq(unit))
        .to_owned();
    let issues = Query::select()
        .column(entity::issue::Column::Id)
        .from(entity::issue::Entity)
        .cond_where(super::issue::scoped_visibility(scope))
        .to_owned();
    Condition::any().add(photo::Column::ProjectId.in_subquery(owned)).add(photo::Column::IssueId.in_subquery(issues))
}

/// One photo as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<photo::Model> {
    super::find_visible::<photo::Entity>(db, actor, id, visibility, "photo").await
}

/// Great-circle distance in metres.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlng) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// The position a photo is judged by, and where it came from.
pub fn position(p: &photo::Model) -> (LocationSource, Option<(f64, f64, Option<f64>)>) {
    match (p.exif_lat, p.exif_lng, p.device_lat, p.device_lng) {
        (Some(lat), Some(lng), _, _) => (LocationSource::Exif, Some((lat, lng, p.exif_accuracy_m))),
        (_, _, Some(lat), Some(lng)) => (LocationSource::Device, Some((lat, lng, p.device_accuracy_m))),
        _ => (LocationSource::None, None),
    }
}

/// Distance to the project's site and whether that is on site (within the site radius, allowing for
/// the stated accuracy).
pub fn site_check(p: &photo::Model, project: &entity::project::Model) -> Option<(f64, bool)> {
    let (_, pos) = position(p);
    let (lat, lng, accuracy) = pos?;
    let d = distance_m((lat, lng), (project.lat, project.lng));
    Some((d, d <= f64::from(project.site_radius_m) + accuracy.unwrap_or(0.0).min(500.0)))
}

/// Capture time in UTC: EXIF's clock with its stated offset (or the county's), else the phone's.
pub fn taken_utc(p: &photo::Model) -> Option<DateTime<Utc>> {
    let offset = FixedOffset::east_opt(p.taken_offset.unwrap_or(LOCAL_OFFSET_SECS))?;
    match p.taken_at {
        Some(t) => t.and_local_timezone(offset).single().map(|t| t.with_timezone(&Utc)),
        None => p.captured_at,
    }
}

/// The evidence trust score (0–100) and its reasons, most serious first.
pub fn trust(p: &photo::Model, project: &entity::project::Model, reused_elsewhere: bool) -> (i32, Vec<TrustReason>) {
    let mut reasons = Vec::new();
    let mut add =
        |code: &str, points: i32, detail: String| reasons.push(TrustReason { code: code.into(), points, detail });
    let (source, pos) = position(p);
    match site_check(p, project) {
        Some((d, true)) => add(
            "ON_SITE",
            0,
            format!("taken {d:.0} m from the site centre, within its {} m radius", project.site_radius_m),
        ),
        Some((d, false)) => add(
            "OFF_SITE",
            -40,
            format!("taken {d:.0} m from the site centre, outside its {} m radius", project.site_radius_m),
        ),
        None => add("NO_LOCATION", -30, "neither the photo nor the phone gave a position".into()),
    }
    if source == LocationSource::Device {
        add("NO_EXIF_GPS", -10, "the photo has no GPS of its own; the phone's position at upload is used".into());
    }
    if let Some((_, _, Some(acc))) = pos
        && acc > 50.0
    {
        add("POOR_ACCURACY", if acc > 200.0 { -20 } else { -10 }, format!("position accurate to only {acc:.0} m"));
    }
    if p.device_mocked {
        add("MOCKED_LOCATION", -50, "the phone reported a simulated (mocked) location".into());
    }
    if let (Some(lat), Some(lng), Some(dlat), Some(dlng)) = (p.exif_lat, p.exif_lng, p.device_lat, p.device_lng) {
        let gap = distance_m((lat, lng), (dlat, dlng));
        if gap > 200.0 {
            add("EXIF_DEVICE_MISMATCH", -20, format!("the photo's GPS and the phone's position are {gap:.0} m apart"));
        }
    }
    match (p.taken_at, taken_utc(p)) {
        (None, _) => add("NO_CAPTURE_TIME", -15, "the photo carries no capture time".into()),
        (Some(_), Some(taken)) => {
            let hours = (p.received_at - taken).num_hours();
            if hours > 24 * 7 {
                add("OLD_PHOTO", -25, format!("uploaded {} days after it was taken", hours / 24));
            } else if hours > 24 {
                add("LATE_UPLOAD", -10, format!("uploaded {hours} hours after it was taken"));
            } else if hours < -1 {
                add("FUTURE_CAPTURE_TIME", -15, "the capture time is after the upload".into());
            }
        }
        (Some(_), None) => {}
    }
    if reused_elsewhere {
        add("REUSED_ELSEWHERE", -40, "the same bytes were uploaded for another project".into());
    }
    let score = (100 + reasons.iter().map(|r| r.points).sum::<i32>()).clamp(0, 100);
    reasons.sort_by_key(|r| r.points);
    (score, reasons)
}

/// What the CPU work found in an upload.
struct Processed {
    bytes: Bytes,
    format: Format,
    sha256: String,
    exif: ExifData,
    size: (u32, u32),
    thumbnails: Result<Vec<(u32, Vec<u8>)>, String>,
}

fn rejection(r: Rejection) -> AppError {
    match r {
        Rejection::UnsupportedType => AppError::bad_input(
            "file",
            "not a JPEG, PNG, WebP or HEIC/HEIF image (judged by its content, not its name)",
        ),
        Rejection::Unreadable(why) => AppError::bad_input("file", format!("the image is truncated or damaged: {why}")),
        Rejection::TooManyPixels { width, height, max } => {
            AppError::PayloadTooLarge(format!("{width}×{height} is more than the {max} pixels a photo may have"))
        }
    }
}

/// Reads at most `max` bytes of an upload; more is `PAYLOAD_TOO_LARGE`.
fn read_limited(mut file: impl Read, max: usize) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    file.by_ref()
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::internal(format!("reading the upload: {e}")))?;
    if bytes.len() > max {
        return Err(AppError::PayloadTooLarge(format!("a photo has at most {max} bytes")));
    }
    Ok(bytes)
}

/// The first, cheap pass: hash, type, EXIF, size from the header, and what decoding would cost.
fn inspect(bytes: Vec<u8>, max_pixels: u64, hash_only: bool) -> AppResult<(Processed, u64)> {
    let sha256 = hex(&Sha256::digest(&bytes));
    let format = media::sniff(&bytes).ok_or_else(|| rejection(Rejection::UnsupportedType))?;
    let bytes = Bytes::from(bytes);
    let mut processed =
        Processed { bytes, format, sha256, exif: ExifData::default(), size: (0, 0), thumbnails: Err(String::new()) };
    if hash_only {
        return Ok((processed, 0));
    }
    processed.exif = media::read_exif(&processed.bytes);
    processed.size = media::dimensions(format, &processed.bytes, &processed.exif, max_pixels).map_err(rejection)?;
    let largest = THUMBNAIL_SIZES.iter().copied().max().unwrap_or(1024);
    let cost = media::decode_cost(format, &processed.bytes, processed.size, largest);
    Ok((processed, cost))
}

/// The second pass, within a memory grant: the thumbnails.
fn make_thumbnails(mut processed: Processed, max_alloc: u64) -> Processed {
    processed.thumbnails =
        media::thumbnails(processed.format, &processed.bytes, processed.exif.orientation, &THUMBNAIL_SIZES, max_alloc)
            .map(|t| t.images);
    processed
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The object key of a photo's original; thumbnails are `{key}.{size}.jpg`. Each attempt gets keys of
/// its own, so two uploads racing under one id never write over, or clean up, each other's bytes.
fn object_key(id: Uuid, at: DateTime<Utc>) -> String {
    let attempt = Uuid::new_v4().simple().to_string();
    format!("photos/{}/{id}-{}", at.format("%Y-%m-%d"), &attempt[..8])
}

pub fn thumbnail_key(p: &photo::Model, size: u32) -> String {
    format!("{}.{size}.jpg", p.object_key)
}

fn check_input(input: &NewPhoto) -> AppResult<()> {
    if input.caption.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(AppError::bad_input("caption", "at most 500 characters"));
    }
    if input.checklist_item_key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 64) {
        return Err(AppError::bad_input("checklistItemKey", "1 to 64 characters"));
    }
    if let Some(d) = input.device {
        if !(-90.0..=90.0).contains(&d.lat) || !(-180.0..=180.0).contains(&d.lng) {
            return Err(AppError::bad_input("deviceLocation", "latitude -90..90, longitude -180..180"));
        }
        if d.accuracy_m.is_some_and(|a| !a.is_finite() || a < 0.0) {
            return Err(AppError::bad_input("deviceLocation.accuracyM", "accuracy is metres, 0 or more"));
        }
    }
    Ok(())
}

/// What taking a photo needs: the database, the object store, the limits, and this process's gates
/// on photo work (how many at once, and how much decoding memory).
pub struct PhotoDeps<'a> {
    pub db: &'a DatabaseConnection,
    pub storage: &'a Storage,
    pub limits: &'a Limits,
    pub workers: &'a tokio::sync::Semaphore,
    pub memory: &'a tokio::sync::Semaphore,
}

/// Whether a caller's role may upload photos to any project at all: checked from the headers,
/// before a byte of the upload is read.
pub fn may_upload_at_all(caller: &Caller) -> bool {
    caller.role() != Role::Integration
}

/// Takes a photo: checks it by its content and header, hashes it, reads its EXIF, makes thumbnails,
/// stores the original byte for byte and the thumbnails, then the row. The same id with the same
/// bytes returns the stored photo; with other bytes, `CONFLICT`. ADMIN, INSPECTOR, LEADER, or the
/// project's responsible unit.
pub async fn upload(
    deps: &PhotoDeps<'_>,
    actor: &Actor,
    input: NewPhoto,
    file: std::fs::File,
) -> AppResult<photo::Model> {
    let caller = actor.caller()?.clone();
    check_input(&input)?;
    let db = deps.db;
    let project = super::project::find(db, input.project_id)
        .await
        .map_err(|_| AppError::bad_input("projectId", "no project has this id"))?;
    let may = match caller.role() {
        Role::Admin | Role::Inspector | Role::Leader => true,
        Role::Department => project.responsible_unit_id == caller.unit_id(),
        Role::Integration => false,
    };
    if !may {
        return Err(AppError::Forbidden("your role or unit may not add photos to this project".into()));
    }
    check_evidence_targets(db, actor, &input).await?;
    let existing = photo::Entity::find_by_id(input.id).one(db).await?;
    if let Some(existing) = &existing
        && existing.uploaded_by != caller.id()
    {
        // Only its uploader may replay a photo: to anyone else the id is as unknown as a hidden photo.
        return Err(AppError::NotFound("photo"));
    }
    let limits = deps.limits;
    let (max_bytes, max_pixels, budget) = (limits.max_photo_bytes, limits.max_photo_pixels, limits.photo_memory_bytes);
    let processed = {
        let _permit = deps.workers.acquire().await.map_err(|_| AppError::ServiceUnavailable)?;
        let hash_only = existing.is_some();
        let mut file = file;
        let (processed, cost) = tokio::task::spawn_blocking(move || {
            // The same file may be named by several operations of one request: each reads it whole.
            file.seek(SeekFrom::Start(0)).map_err(|e| AppError::internal(format!("rewinding the upload: {e}")))?;
            inspect(read_limited(file, max_bytes)?, max_pixels, hash_only)
        })
        .await??;
        if cost > budget {
            let (w, h) = processed.size;
            return Err(AppError::PayloadTooLarge(format!(
                "decoding this {w}×{h} {} image needs about {} MiB, more than the {} MiB a photo may use; send it as \
                 an 8-bit JPEG",
                processed.format.mime(),
                cost.div_ceil(1 << 20),
                budget >> 20
            )));
        }
        if hash_only {
            processed
        } else {
            // Photos decoding at once share one memory budget: a big one waits for room.
            let mib = u32::try_from(cost.div_ceil(1 << 20)).unwrap_or(u32::MAX);
            let _memory = deps.memory.acquire_many(mib).await.map_err(|_| AppError::ServiceUnavailable)?;
            tokio::task::spawn_blocking(move || make_thumbnails(processed, budget)).await?
        }
    };
    if let Some(existing) = existing {
        return replay(existing, &processed.sha256);
    }
    let received_at = Utc::now();
    let key = object_key(input.id, received_at);
    let e = &processed.exif;
    let mut model = photo::Model {
        id: input.id,
        project_id: input.project_id,
        inspection_id: input.inspection_id,
        issue_id: input.issue_id,
        checklist_item_key: input.checklist_item_key,
        caption: super::text::optional("caption", input.caption.as_deref(), 500)?,
        uploaded_by: caller.id(),
        sha256: processed.sha256.clone(),
        format: format!("{:?}", processed.format).to_uppercase(),
        byte_size: processed.bytes.len() as i64,
        width: processed.size.0 as i32,
        height: processed.size.1 as i32,
        object_key: key.clone(),
        thumbnails: processed.thumbnails.is_ok(),
        thumbnail_note: processed.thumbnails.as_ref().err().map(|why| format!("no thumbnail could be made: {why}")),
        taken_at: e.taken_at,
        taken_offset: e.offset.map(|o| o.local_minus_utc()),
        exif_lat: e.lat,
        exif_lng: e.lng,
        exif_altitude: e.altitude,
        exif_accuracy_m: e.accuracy_m,
        direction: e.direction,
        camera_make: e.make.clone().map(|m| m.chars().take(100).collect()),
        camera_model: e.model.clone().map(|m| m.chars().take(100).collect()),
        orientation: e.orientation.map(|o| o as i16),
        captured_at: input.captured_at,
        device_lat: input.device.map(|d| d.lat),
        device_lng: input.device.map(|d| d.lng),
        device_accuracy_m: input.device.and_then(|d| d.accuracy_m),
        device_mocked: input.device.is_some_and(|d| d.mocked),
        received_at,
        trust_score: 0,
        trust_reasons: json!([]),
    };
    let reused_elsewhere = photo::Entity::find()
        .filter(photo::Column::Sha256.eq(&model.sha256))
        .filter(photo::Column::ProjectId.ne(model.project_id))
        .one(db)
        .await?
        .is_some();
    let (score, reasons) = trust(&model, &project, reused_elsewhere);
    model.trust_score = score;
    model.trust_reasons = serde_json::to_value(&reasons).map_err(AppError::internal)?;

    // Bytes first, then the row: a photo is acknowledged only when both are durable.
    let mut keys = vec![key.clone()];
    deps.storage.put(&key, processed.bytes).await?;
    if let Ok(thumbs) = processed.thumbnails {
        for (size, jpeg) in thumbs {
            let k = thumbnail_key(&model, size);
            deps.storage.put(&k, Bytes::from(jpeg)).await?;
            keys.push(k);
        }
    }
    let stored = async {
        let txn = crate::db::begin_write(db).await?;
        photo::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
        audit::record(
            &txn,
            actor,
            Change {
                action: "photo.upload",
                entity_type: "photo",
                entity_id: model.id.to_string(),
                changes: json!({ "sha256": { "after": model.sha256 }, "project_id": { "after": model.project_id }, "trust_score": { "after": score } }),
            },
        )
        .await?;
        txn.commit().await?;
        AppResult::Ok(())
    }
    .await;
    if let Err(err) = stored {
        for k in &keys {
            if let Err(e) = deps.storage.delete(k).await {
                tracing::warn!(key = %k, error = %e, "could not remove the bytes of a photo whose row failed; the sweep will");
            }
        }
        // The same id raced in from a retry: answer as a replay would.
        if let Some(existing) = photo::Entity::find_by_id(input.id).one(db).await? {
            if existing.uploaded_by != caller.id() {
                return Err(AppError::NotFound("photo"));
            }
            return replay(existing, &model.sha256);
        }
        return Err(err);
    }
    Ok(model)
}

/// The issue and inspection a photo names must be ones the caller may see (`NOT_FOUND` otherwise)
/// and of the photo's project. One not stored yet (a phone's offline sync sends them in any order)
/// is checked when it arrives: lists of evidence only show photos of the same project.
async fn check_evidence_targets(db: &DatabaseConnection, actor: &Actor, input: &NewPhoto) -> AppResult<()> {
    // One query when the target is there and visible (the usual case); telling "hidden" from "not
    // stored yet" costs a second only when it is not.
    if let Some(id) = input.issue_id {
        match super::issue::find_for(db, actor, id).await {
            Ok(issue) if issue.project_id != input.project_id => {
                return Err(AppError::bad_input("issueId", "the issue belongs to another project"));
            }
            Ok(_) => {}
            Err(AppError::NotFound(_)) if entity::issue::Entity::find_by_id(id).one(db).await?.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(id) = input.inspection_id {
        match super::inspection::find_for(db, actor, id).await {
            Ok(inspection) if inspection.project_id != input.project_id => {
                return Err(AppError::bad_input("inspectionId", "the inspection belongs to another project"));
            }
            Ok(_) => {}
            Err(AppError::NotFound(_)) if entity::inspection::Entity::find_by_id(id).one(db).await?.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn replay(existing: photo::Model, sha256: &str) -> AppResult<photo::Model> {
    if existing.sha256 == sha256 {
        Ok(existing)
    } else {
        Err(AppError::Conflict("a photo with this id is already stored with different bytes".into()))
    }
}

/// Removes stored objects that have no photo row and are older than `grace` (left by a crash between
/// storing the bytes and the row), however old they are. Returns how many went.
pub async fn sweep_orphans(db: &impl ConnectionTrait, storage: &Storage, grace: Duration) -> AppResult<usize> {
    let now = Utc::now();
    let listed = storage.list("photos").await?;
    let old: Vec<(String, Uuid)> = listed
        .into_iter()
        .filter(|(_, at)| now - *at > grace)
        .filter_map(|(key, _)| {
            let name = key.rsplit('/').next()?;
            let id = name.get(..36)?.parse::<Uuid>().ok()?;
            Some((key, id))
        })
        .collect();
    let mut removed = 0;
    // Bounded batches keep each lookup's parameter list within what every database takes.
    for batch in old.chunks(500) {
        let ids: Vec<Uuid> = batch.iter().map(|(_, id)| *id).collect();
        // A row owns the objects under its own key; anything else (no row, or a lost race) goes.
        let owned: HashMap<Uuid, String> = photo::Entity::find()
            .select_only()
            .column(photo::Column::Id)
            .column(photo::Column::ObjectKey)
            .filter(photo::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (key, id) in batch {
            let kept = owned.get(id).is_some_and(|k| key == k || key.starts_with(&format!("{k}.")));
            if !kept {
                storage.delete(key).await?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

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
    if exp < now.timestamp() || sig.len() != 64 {
        return false;
    }
    let Some(bytes) =
        (0..32).map(|i| u8::from_str_radix(sig.get(i * 2..i * 2 + 2)?, 16).ok()).collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    mac(secret, id, variant, exp).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct PhotoFilter {
    pub project_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
}

fn matching(caller: &Caller, f: &PhotoFilter) -> Select<photo::Entity> {
    let mut q = photo::Entity::find().filter(visibility(caller));
    if let Some(v) = f.project_id {
        q = q.filter(photo::Column::ProjectId.eq(v));
    }
    if let Some(v) = f.inspection_id {
        q = q.filter(photo::Column::InspectionId.eq(v));
    }
    if let Some(v) = f.issue_id {
        q = q.filter(photo::Column::IssueId.eq(v));
    }
    q
}

/// Photos the caller can see, newest received first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &PhotoFilter,
    page: &PageRequest,
) -> AppResult<Page<photo::Model>> {
    use photo::Column as C;
    let q = matching(actor.caller()?, f);
    let rows = super::page::newest_first(q, C::ReceivedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(p: &photo::Model) -> String {
    super::page::time_id_key(p.received_at, p.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &PhotoFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(matching(actor.caller()?, f).count(db).await?)
}

/// Of `ids`, those that name a stored photo.
pub async fn existing(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<std::collections::HashSet<Uuid>> {
    Ok(photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .filter(photo::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Photos uploaded naming each of `ids` in `column` (`InspectionId` or `IssueId`), oldest first, and
/// of the same project as what they name (`owner`'s project), so a photo cannot be slipped into
/// another project's evidence by naming its issue or inspection.
async fn linked_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: photo::Column,
    ids: &[Uuid],
    link: fn(&photo::Model) -> Option<Uuid>,
    owner: (E, E::Column, E::Column),
) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use sea_orm::sea_query::Expr;
    let (table, id, project) = owner;
    let same_project = Query::select()
        .column((table, project))
        .from(table)
        .and_where(Expr::col((table, id)).equals((photo::Entity, column)))
        .to_owned();
    let rows = photo::Entity::find()
        .filter(column.is_in(ids.iter().copied()))
        .filter(photo::Column::ProjectId.in_subquery(same_project))
        .order_by_asc(photo::Column::ReceivedAt)
        .all(db)
        .await?;
    Ok(super::grouped(rows.into_iter().filter_map(|p| Some((link(&p)?, p)))))
}

/// Photos uploaded for each of `inspection_ids`, oldest first.
pub async fn of_inspections(
    db: &impl ConnectionTrait,
    inspection_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use entity::inspection::{Column, Entity};
    linked_to(
        db,
        photo::Column::InspectionId,
        inspection_ids,
        |p| p.inspection_id,
        (Entity, Column::Id, Column::ProjectId),
    )
    .await
}

/// Photos documenting each of `issue_ids`, oldest first.
pub async fn of_issues(db: &impl ConnectionTrait, issue_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use entity::issue::{Column, Entity};
    linked_to(db, photo::Column::IssueId, issue_ids, |p| p.issue_id, (Entity, Column::Id, Column::ProjectId)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_metres_on_the_earth() {
        // One degree of latitude is about 111.2 km.
        let d = distance_m((29.0, 111.0), (30.0, 111.0));
        assert!((d - 111_195.0).abs() < 100.0, "{d}");
        assert!(distance_m((29.6, 111.88), (29.6, 111.88)) < 1e-6);
    }

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
