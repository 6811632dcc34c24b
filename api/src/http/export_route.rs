//! The spreadsheet route: `GET /exports/{name}.xlsx`, by bearer token (a user's, or an integration
//! key's with the scope to read what the sheet holds) or by a signed link (`exportUrl`), the sheet
//! read as that caller may see it.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::*;
use crate::error::AppError;
use crate::service::export::{self, Params, Sheet};

pub(super) async fn export(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let state = &server.state;
    let Some(sheet) = file.strip_suffix(".xlsx").and_then(Sheet::parse) else {
        return error_response(StatusCode::NOT_FOUND, &AppError::NotFound("sheet"), &request_id);
    };
    let (caller, own) =
        match caller_of(state, &headers, &request_id, sheet.scope(), &sheet.path(), query.as_deref()).await {
            Ok(found) => found,
            Err(response) => return response,
        };
    let params = match crate::service::text::query_pairs(&own).and_then(|pairs| Params::from_pairs(sheet, pairs)) {
        Ok(params) => params,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e, &request_id),
    };
    let built = match export::build(&state.db, &caller, sheet, &params, &state.config.clock).await {
        Ok(tables) => {
            // Writing the workbook is CPU work: off the async threads.
            tokio::task::spawn_blocking(move || export::workbook(tables))
                .await
                .unwrap_or_else(|e| Err(AppError::internal(e)))
        }
        Err(e) => Err(e),
    };
    match built {
        Ok(bytes) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.xlsx\"", sheet.name())) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            r
        }
        Err(e @ AppError::BadUserInput { .. }) => error_response(StatusCode::BAD_REQUEST, &e, &request_id),
        Err(e) => {
            if let AppError::Internal(detail) = &e {
                tracing::error!(detail = %detail, "export");
            }
            error_response(StatusCode::SERVICE_UNAVAILABLE, &e, &request_id)
        }
    }
}
