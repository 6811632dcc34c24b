//! Request bodies: JSON read whole within the body limit, and GraphQL multipart requests (uploads)
//! whose `operations` and `map` parts are held to the same limit and whose files stream to
//! temporary files. Every body must keep coming: a pause longer than the idle timeout ends it.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::{BatchRequest, UploadValue};
use axum::body::Body;
use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::config::Limits;
use crate::error::AppError;

type Refusal = (StatusCode, AppError);

/// Why a body stopped.
#[derive(Debug)]
enum Stop {
    Stalled,
    TooLarge(usize),
    Broken(String),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stalled => f.write_str("the request body stalled"),
            Self::TooLarge(max) => write!(f, "the request body exceeds {max} bytes"),
            Self::Broken(why) => write!(f, "the request body broke off: {why}"),
        }
    }
}

impl std::error::Error for Stop {}

fn refusal(stop: &Stop) -> Refusal {
    match stop {
        Stop::Stalled => {
            (StatusCode::REQUEST_TIMEOUT, AppError::BadUserInput { field: None, message: stop.to_string() })
        }
        Stop::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, AppError::PayloadTooLarge(stop.to_string())),
        Stop::Broken(_) => (StatusCode::BAD_REQUEST, AppError::BadUserInput { field: None, message: stop.to_string() }),
    }
}

/// The body's chunks, ending with an error when none comes for `idle` or more than `max` bytes came.
fn chunks(body: Body, max: usize, idle: Duration) -> impl Stream<Item = Result<Bytes, Stop>> + Send {
    futures_util::stream::unfold((body.into_data_stream(), 0usize, false), move |(mut s, seen, done)| async move {
        if done {
            return None;
        }
        match tokio::time::timeout(idle, s.next()).await {
            Err(_) => Some((Err(Stop::Stalled), (s, seen, true))),
            Ok(None) => None,
            Ok(Some(Err(e))) => Some((Err(Stop::Broken(e.to_string())), (s, seen, true))),
            Ok(Some(Ok(chunk))) => {
                let seen = seen.saturating_add(chunk.len());
                if seen > max {
                    Some((Err(Stop::TooLarge(max)), (s, seen, true)))
                } else {
                    Some((Ok(chunk), (s, seen, false)))
                }
            }
        }
    })
}

/// A whole (JSON) body of at most `max` bytes.
pub async fn read_all(body: Body, max: usize, idle: Duration) -> Result<Bytes, Refusal> {
    let mut out = BytesMut::new();
    let mut stream = std::pin::pin!(chunks(body, max, idle));
    while let Some(chunk) = stream.next().await {
        out.extend_from_slice(&chunk.map_err(|e| refusal(&e))?);
    }
    Ok(out.freeze())
}

fn bad(message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, AppError::BadUserInput { field: None, message: message.into() })
}

fn from_multer(err: multer::Error, limits: &Limits) -> Refusal {
    use multer::Error as E;
    match err {
        E::FieldSizeExceeded { field_name, .. } => {
            let max = match field_name.as_deref() {
                Some("operations" | "map") => limits.max_body_bytes,
                _ => limits.max_photo_bytes,
            };
            let name = field_name.unwrap_or_default();
            (StatusCode::PAYLOAD_TOO_LARGE, AppError::PayloadTooLarge(format!("the part `{name}` exceeds {max} bytes")))
        }
        E::StreamSizeExceeded { .. } => {
            (StatusCode::PAYLOAD_TOO_LARGE, AppError::PayloadTooLarge("the request body is too large".into()))
        }
        E::StreamReadFailed(inner) => match inner.downcast_ref::<Stop>() {
            Some(stop) => refusal(stop),
            None => bad(format!("unreadable multipart body: {inner}")),
        },
        other => bad(format!("unreadable multipart body: {other}")),
    }
}

fn set_upload(batch: &mut BatchRequest, path: &str, upload: UploadValue) {
    match batch {
        BatchRequest::Single(request) => request.set_upload(path, upload),
        BatchRequest::Batch(requests) => {
            if let Some((index, rest)) = path.split_once('.')
                && let Some(request) = index.parse::<usize>().ok().and_then(|i| requests.get_mut(i))
            {
                request.set_upload(rest, upload);
            }
        }
    }
}

/// A GraphQL multipart request: `operations`, then `map`, then the files, each held to its limit as
/// it arrives (the JSON parts to the JSON body limit, files to the photo limit and count).
pub async fn receive(body: Body, content_type: &str, limits: &Limits, idle: Duration) -> Result<BatchRequest, Refusal> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| bad(format!("bad multipart header: {e}")))?;
    let json_max = limits.max_body_bytes as u64;
    let total = limits.max_photo_bytes.saturating_mul(limits.max_photo_files).saturating_add(limits.max_body_bytes * 2);
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(total as u64)
            .per_field(limits.max_photo_bytes as u64)
            .for_field("operations", json_max)
            .for_field("map", json_max),
    );
    let mut multipart = multer::Multipart::with_constraints(chunks(body, total, idle), boundary, constraints);
    let mut batch: Option<BatchRequest> = None;
    let mut map: Option<HashMap<String, Vec<String>>> = None;
    let mut files = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| from_multer(e, limits))? {
        match field.name().map(str::to_owned).as_deref() {
            Some("operations") => {
                let text = field.text().await.map_err(|e| from_multer(e, limits))?;
                batch = Some(serde_json::from_str(&text).map_err(|e| bad(format!("`operations` is not valid: {e}")))?);
            }
            Some("map") => {
                let text = field.text().await.map_err(|e| from_multer(e, limits))?;
                map = Some(serde_json::from_str(&text).map_err(|e| bad(format!("`map` is not valid: {e}")))?);
            }
            Some(name) => {
                let (Some(batch), Some(map)) = (batch.as_mut(), map.as_ref()) else {
                    return Err(bad("`operations` and `map` come before the files"));
                };
                let Some(paths) = map.get(name) else {
                    return Err(bad(format!("the file part `{name}` is not in `map`")));
                };
                files += 1;
                if files > limits.max_photo_files {
                    return Err((
                        StatusCode::PAYLOAD_TOO_LARGE,
                        AppError::PayloadTooLarge(format!(
                            "a request carries at most {} files",
                            limits.max_photo_files
                        )),
                    ));
                }
                let filename = field.file_name().unwrap_or_default().to_owned();
                let file_type = field.content_type().map(ToString::to_string);
                let spool =
                    tempfile::tempfile().map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, AppError::internal(e)))?;
                let mut spool = tokio::fs::File::from_std(spool);
                while let Some(chunk) = field.chunk().await.map_err(|e| from_multer(e, limits))? {
                    spool
                        .write_all(&chunk)
                        .await
                        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, AppError::internal(e)))?;
                }
                spool.flush().await.map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, AppError::internal(e)))?;
                let spool = spool.into_std().await;
                for path in paths {
                    let content =
                        spool.try_clone().map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, AppError::internal(e)))?;
                    set_upload(
                        batch,
                        path,
                        UploadValue { filename: filename.clone(), content_type: file_type.clone(), content },
                    );
                }
            }
            None => {}
        }
    }
    batch.ok_or_else(|| bad("a multipart request needs an `operations` part"))
}
