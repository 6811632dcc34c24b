//! Saving a changed record together with the audit event that describes the change, in one
//! transaction.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};

use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::{self, Change};

/// Writes `after` over the stored row and records `{ field: { before, after } }` for every field
/// that changed (the bookkeeping `updated_at` aside) under `action`. Call it inside the transaction
/// that makes the change.
pub async fn save_audited<M, A>(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: impl std::fmt::Display,
    before: &M,
    after: &M,
) -> AppResult<()>
where
    M: serde::Serialize + Clone + IntoActiveModel<A>,
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    after.clone().into_active_model().reset_all().update(txn).await?;
    let mut changes = audit::diff(Some(before), Some(after))?;
    if let Some(o) = changes.as_object_mut() {
        o.remove("updated_at");
    }
    audit::record(txn, actor, Change { action, entity_type, entity_id: entity_id.to_string(), changes }).await?;
    Ok(())
}
