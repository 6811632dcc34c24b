//! What identifies one HTTP request across the layers: the HTTP layer makes it, GraphQL resolvers and
//! services carry it into errors, logs and the audit trail.

/// The id of one HTTP request: a UUID from the client's `X-Request-Id` header, or made by the server.
/// It is in every log line of the request, in the response header, in every error and in the audit
/// trail. Anything but a UUID from the client is ignored, so nothing a client chooses freely reaches
/// the logs or the audit trail.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);
