//! The spreadsheet route: `GET /exports/{name}.xlsx`, by bearer token (a user's, or an integration
//! key's with the scope to read what the sheet holds), the sheet read as that caller may see it.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::integration_key::Scope;

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
    let scope = match sheet {
        Sheet::MonthlyReport => Scope::ProjectsRead,
        Sheet::Issues => Scope::IssuesRead,
    };
    let (params, link) = match params(sheet, query.as_deref().unwrap_or_default()) {
        Ok(parsed) => parsed,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e, &request_id),
    };
    let caller = match link {
        Some(link) if !headers.contains_key(header::AUTHORIZATION) => {
            match linked(state, sheet, &params, &link).await {
                Some(caller) => caller,
                None => {
                    let err = AppError::Unauthenticated("this link has expired or is not valid; ask for a new one");
                    return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
                }
            }
        }
        _ => match bearer(state, &headers, &request_id, scope).await {
            Ok(caller) => caller,
            Err(response) => return response,
        },
    };
    let built = match export::build(&state.db, &caller, sheet, &params, &state.config.clock).await {
        Ok(table) => {
            // Writing the workbook is CPU work: off the async threads.
            tokio::task::spawn_blocking(move || export::workbook(&table))
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

/// What a signed link adds to the query.
#[derive(Default)]
struct Link {
    uid: Option<String>,
    exp: Option<String>,
    sig: Option<String>,
}

/// The sheet's parameters from the query (`period=YYYY-MM` for the monthly report; nothing else),
/// and the signed link's parts when it is one.
fn params(sheet: Sheet, query: &str) -> Result<(Params, Option<Link>), AppError> {
    let mut params = Params::default();
    let mut link = Link::default();
    for (name, value) in super::geo_route::pairs(query)? {
        match (sheet, name.as_str()) {
            (Sheet::MonthlyReport, "period") => params.period = Some(value),
            (_, "uid") => link.uid = Some(value),
            (_, "exp") => link.exp = Some(value),
            (_, "sig") => link.sig = Some(value),
            _ => return Err(AppError::bad_input(name, "not a parameter of this sheet")),
        }
    }
    let signed = link.uid.is_some() || link.exp.is_some() || link.sig.is_some();
    Ok((params, signed.then_some(link)))
}

/// The user a valid, unexpired link was made for, while the account is active.
async fn linked(state: &AppState, sheet: Sheet, params: &Params, link: &Link) -> Option<crate::auth::Caller> {
    let user: Uuid = link.uid.as_deref()?.parse().ok()?;
    let exp: i64 = link.exp.as_deref()?.parse().ok()?;
    let now = state.config.clock.now();
    if !export::verify(state.config.jwt_secret.expose(), sheet, params, user, exp, link.sig.as_deref()?, now) {
        return None;
    }
    let user = state.accounts.get(user).await.ok()??;
    user.active.then_some(crate::auth::Caller { user, key: None })
}
