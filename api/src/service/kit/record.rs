//! Saving a changed record together with the audit event that describes the change, in one
//! transaction.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::Value;

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
    save_audited_with(
        txn,
        actor,
        Change { action, entity_type, entity_id: entity_id.to_string(), changes: Value::Null },
        before,
        after,
    )
    .await
}

/// [`save_audited`] when the change also wrote rows of other tables: `change.changes` holds what
/// they were (`{ field: { before, after } }`), added to the record's own diff.
pub async fn save_audited_with<M, A>(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    change: Change<'_>,
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
        if let Value::Object(more) = change.changes {
            o.extend(more);
        }
    }
    audit::record(txn, actor, Change { changes, ..change }).await?;
    Ok(())
}
