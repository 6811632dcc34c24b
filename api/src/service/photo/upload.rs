//! Taking a photo: checks, hashing, EXIF, thumbnails, storage, then the row.

use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use entity::photo;
use entity::user::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::*;
use crate::auth::Caller;
use crate::config::Limits;
use crate::error::{AppError, AppResult};
use crate::media::{self, ExifData, Format, Rejection};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::text::hex;
use crate::storage::Storage;

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

/// The object key of a photo's original; thumbnails are `{key}.{size}.jpg`. Each attempt gets keys of
/// its own, so two uploads racing under one id never write over, or clean up, each other's bytes.
fn object_key(id: Uuid, at: DateTime<Utc>) -> String {
    let attempt = Uuid::new_v4().simple().to_string();
    format!("photos/{}/{id}-{}", at.format("%Y-%m-%d"), &attempt[..8])
}

pub fn thumbnail_key(p: &photo::Model, size: u32) -> String {
    format!("{}.{size}.jpg", p.object_key)
}

/// Checks what the phone sent, and puts its position in WGS-84.
fn check_input(input: &mut NewPhoto) -> AppResult<()> {
    if input.caption.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(AppError::bad_input("caption", "at most 500 characters"));
    }
    if input.checklist_item_key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 64) {
        return Err(AppError::bad_input("checklistItemKey", "1 to 64 characters"));
    }
    if let Some(d) = input.device.as_mut() {
        let p = crate::service::geo::received("deviceLocation", d.lat, d.lng, d.datum)?;
        (d.lat, d.lng) = (p.lat, p.lng);
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
    mut input: NewPhoto,
    file: std::fs::File,
) -> AppResult<photo::Model> {
    let caller = actor.caller()?.clone();
    check_input(&mut input)?;
    let db = deps.db;
    let project = crate::service::project::find(db, input.project_id)
        .await
        .map_err(|_| AppError::bad_input("projectId", "no project has this id"))?;
    if !crate::service::pairing::serves(db, &caller, &project).await? {
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
        caption: crate::service::text::optional("caption", input.caption.as_deref(), 500)?,
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
        device_datum: input.device.map(|d| d.datum),
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
        match crate::service::issue::find_for(db, actor, id).await {
            Ok(issue) if issue.project_id != input.project_id => {
                return Err(AppError::bad_input("issueId", "the issue belongs to another project"));
            }
            Ok(_) => {}
            Err(AppError::NotFound(_)) if entity::issue::Entity::find_by_id(id).one(db).await?.is_none() => {}
            Err(e) => return Err(e),
        }
    }
    if let Some(id) = input.inspection_id {
        match crate::service::inspection::find_for(db, actor, id).await {
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
