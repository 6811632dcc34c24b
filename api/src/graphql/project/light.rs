//! A project's light as clients read it: the light alone when that is all a page asked for, the
//! rest read when asked.

use async_graphql::{Context, Object};
use entity::project::Light;
use uuid::Uuid;

use super::loaders::ProjectHealth;
use crate::error::AppError;
use crate::graphql::context::ContextExt;
use crate::graphql::scalars::Decimal;
use crate::service::health;

/// A project's light (红黄绿灯) and the rules that set it.
pub enum Health {
    /// Everything, as read for a selection of more than the light.
    Full(health::Health),
    /// The light alone, as read for a selection of `light` only; the rest is read when asked.
    Light { key: (Uuid, crate::clock::Day), light: Light },
}

pub(super) async fn load_health(
    ctx: &Context<'_>,
    key: (Uuid, crate::clock::Day),
) -> async_graphql::Result<health::Health> {
    Ok(ctx.cached::<ProjectHealth>()?.load_one(key).await?.ok_or(AppError::NotFound("project"))?)
}

impl Health {
    /// Everything about the light, read now when only the light was.
    async fn full(&self, ctx: &Context<'_>) -> async_graphql::Result<std::borrow::Cow<'_, health::Health>> {
        match self {
            Self::Full(h) => Ok(std::borrow::Cow::Borrowed(h)),
            Self::Light { key, .. } => Ok(std::borrow::Cow::Owned(load_health(ctx, *key).await?)),
        }
    }
}

/// A project's light (红黄绿灯) and the rules that set it.
#[Object]
impl Health {
    /// GREEN, YELLOW or RED.
    async fn light(&self) -> Light {
        match self {
            Self::Full(h) => h.light,
            Self::Light { light, .. } => *light,
        }
    }

    /// Why the light is not green, one sentence per rule that fired (Chinese, for leaders).
    async fn reasons(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(self.full(ctx).await?.reasons.clone())
    }

    /// Share of this year's plan that should be done by today (序时进度), percent; null without a plan.
    async fn expected_percent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Decimal>> {
        Ok(self.full(ctx).await?.expected_percent.map(Decimal))
    }

    /// Share of this year's plan reported done, percent; null without a plan.
    async fn completed_percent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Decimal>> {
        Ok(self.full(ctx).await?.completed_percent.map(Decimal))
    }

    /// The worst milestone slip, days.
    async fn worst_slip_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        Ok(self.full(ctx).await?.worst_slip_days)
    }

    /// The closed period (`YYYY-MM`) whose report is missing, if one is.
    async fn missing_report_period(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.full(ctx).await?.missing_report.clone())
    }
}
