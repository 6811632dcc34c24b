//! Webhooks (事件推送): made, changed, tested and watched by ADMIN or by an integration key holding
//! `WEBHOOKS_MANAGE`.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::webhook::{self, EventType, Target};
use entity::webhook_attempt;
use entity::webhook_delivery::DeliveryStatus;
use uuid::Uuid;

use super::account::{Unit, User};
use super::context::{ContextExt, load, load_opt};
use super::pagination::{ListSpec, Prefetch, connection, deferred, list};
use super::prefetch::Wanted;
use crate::error::{AppError, AppResult};
use crate::service::page::PageRequest;
use crate::service::webhooks::{self, DeliveryLog, NewWebhook, WebhookChange};

/// Where the office's events are pushed as they happen.
pub struct Webhook(pub webhook::Model);

/// Where the office's events are pushed as they happen: a system (signed by the Standard Webhooks
/// scheme) or a DingTalk or WeCom group robot.
#[Object]
impl Webhook {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// What the webhook is for, e.g. "项目办钉钉群".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Where messages are posted.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// Who receives the messages, and so their form.
    async fn target(&self) -> Target {
        self.0.target
    }

    /// The events sent (pings are sent whatever this says).
    async fn event_types(&self) -> Vec<EventType> {
        self.0.event_type_list()
    }

    /// The unit the webhook is narrowed to: only events a user of that unit may see are sent.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?.map(Unit))
    }

    /// Whether messages go out. A webhook whose every attempt failed for three days is turned off.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Why the webhook was turned off.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Since when every attempt has failed; none while deliveries succeed.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }

    /// Who made the webhook (a person, or an integration key's account): events are sent as that
    /// account may see them.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.created_by, "user").await?))
    }

    /// When the webhook was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the webhook was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(WebhookConnection, WebhookEdge, Webhook, "A page of webhooks.", "A webhook in a page.");

impl Prefetch for webhook::Model {
    async fn prefetch(ctx: &Context<'_>, node: async_graphql::Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("createdBy"), rows.iter().map(|w| w.created_by));
        users.prime::<entity::user::Entity>(ctx).await?;
        let mut units = Wanted::default();
        units.when(node.field("unit"), rows.iter().filter_map(|w| w.unit_id));
        units.prime::<entity::unit::Entity>(ctx).await
    }
}

/// A new webhook and its signing secret.
pub struct CreatedWebhook {
    webhook: webhook::Model,
    secret: String,
}

/// A new webhook and its signing secret.
#[Object]
impl CreatedWebhook {
    /// The webhook.
    async fn webhook(&self) -> Webhook {
        Webhook(self.webhook.clone())
    }

    /// The secret messages are signed with: for STANDARD the `whsec_` secret to verify
    /// `webhook-signature` with (shown this once; set a new one with `updateWebhook`), for DINGTALK
    /// the robot's secret as given, empty for WECOM.
    async fn secret(&self) -> &str {
        &self.secret
    }
}

/// One message for one webhook.
pub struct WebhookDelivery(pub DeliveryLog);

/// One message for one webhook: queued when its event was recorded, sent in order, retried until
/// answered with a 2xx or until its retries (about a day) run out.
#[Object]
impl WebhookDelivery {
    /// Identifier (pass it to `redeliver`).
    async fn id(&self) -> ID {
        ID(self.0.delivery.id.to_string())
    }

    /// The webhook it is for.
    async fn webhook_id(&self) -> Uuid {
        self.0.delivery.webhook_id
    }

    /// The event's type as sent, e.g. `issue.assigned`, or `webhook.ping`.
    async fn event_type(&self) -> &str {
        &self.0.delivery.event_type
    }

    /// The audit event it carries (its sequence number, as in the change feed); none for a ping.
    async fn seq(&self) -> Option<String> {
        self.0.delivery.seq.map(|s| s.to_string())
    }

    /// The `webhook-id` header: the same for every attempt and redelivery of one event.
    async fn message_id(&self) -> String {
        webhooks::message_id(&self.0.delivery)
    }

    /// The body sent, exactly.
    async fn payload(&self) -> &str {
        &self.0.delivery.payload
    }

    /// Where the delivery stands.
    async fn status(&self) -> DeliveryStatus {
        self.0.delivery.status
    }

    /// When the next attempt is due (for a PENDING delivery).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.delivery.status == DeliveryStatus::Pending).then_some(self.0.delivery.next_attempt_at)
    }

    /// When it was answered with a 2xx.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivery.delivered_at
    }

    /// When it was queued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.delivery.created_at
    }

    /// Every attempt so far, oldest first (at most eight).
    async fn attempts(&self) -> Vec<WebhookAttempt> {
        self.0.attempts.iter().cloned().map(WebhookAttempt).collect()
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery,
    "A page of a webhook's deliveries, newest first.",
    "A delivery in a page."
);

impl Prefetch for DeliveryLog {
    async fn prefetch(_: &Context<'_>, _: async_graphql::Lookahead<'_>, _: &[Self]) -> AppResult<()> {
        // A delivery's attempts come with its page; it points at nothing else.
        Ok(())
    }
}

/// One try at sending a delivery.
pub struct WebhookAttempt(webhook_attempt::Model);

/// One try at sending a delivery: what the receiver answered, and how long it took.
#[Object]
impl WebhookAttempt {
    /// When it was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.attempted_at
    }

    /// The HTTP status answered; none when no answer came.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }

    /// How long the exchange took, in milliseconds.
    async fn duration_ms(&self) -> i32 {
        self.0.duration_ms
    }

    /// The answer's first bytes (at most 1,000), as text.
    async fn response(&self) -> Option<&str> {
        self.0.response.as_deref()
    }

    /// Why it failed, when it failed without an answer or with a refusal in the answer.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

/// A new webhook.
#[derive(InputObject)]
pub struct CreateWebhookInput {
    /// What the webhook is for, 1 to 100 characters.
    pub name: String,
    /// Where to post: http or https, at most 2,048 characters; private and loopback addresses are
    /// refused unless the server allows them.
    pub url: String,
    /// Who receives the messages (STANDARD when omitted).
    #[graphql(default_with = "Target::Standard")]
    pub target: Target,
    /// The events to send; at least one.
    pub event_types: Vec<EventType>,
    /// STANDARD: a `whsec_` secret (a new one is made when omitted); DINGTALK: the robot's `SEC…`
    /// secret, if it signs; WECOM: none.
    pub secret: Option<String>,
    /// The unit to narrow the webhook to (at most one): only what a user of that unit may see.
    #[graphql(default)]
    pub unit_ids: Vec<Uuid>,
}

/// Changes to a webhook; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateWebhookInput {
    /// A new name, 1 to 100 characters.
    pub name: Option<String>,
    /// A new URL.
    pub url: Option<String>,
    /// The events to send from now on.
    pub event_types: Option<Vec<EventType>>,
    /// A new secret (see `CreateWebhookInput.secret`).
    pub secret: Option<String>,
    /// Turn the webhook off, or on again (which clears why it was turned off).
    pub active: Option<bool>,
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Webhooks, newest first: every one for ADMIN, its own for an integration key.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<WebhookConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let count =
            deferred(
                (state.db.clone(), actor.clone()),
                |(db, actor)| async move { webhooks::count(&db, &actor).await },
            );
        let fetch = |page: PageRequest| async move { webhooks::list(&state.db, &actor, &page).await };
        let key = |w: &webhook::Model| w.id.to_string();
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: Webhook }).await?)
    }

    /// A webhook's deliveries, newest first, each with its attempts.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] webhook_id: Uuid,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<WebhookDeliveryConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let count = deferred((state.db.clone(), actor.clone(), webhook_id), |(db, actor, id)| async move {
            webhooks::delivery_count(&db, &actor, id).await
        });
        let fetch = |page: PageRequest| async move { webhooks::deliveries(&state.db, &actor, webhook_id, &page).await };
        let key = |d: &DeliveryLog| d.delivery.id.to_string();
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: WebhookDelivery }).await?)
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Makes a webhook; it is sent the events recorded from now on. The answer holds the signing
    /// secret.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new webhook.")] input: CreateWebhookInput,
    ) -> async_graphql::Result<CreatedWebhook> {
        let state = ctx.state()?;
        let new = NewWebhook {
            name: input.name,
            url: input.url,
            target: input.target,
            event_types: input.event_types,
            secret: input.secret,
            unit_ids: input.unit_ids,
        };
        let allow_private = state.config.webhooks.allow_private;
        let (webhook, secret) =
            webhooks::create(&state.db, &ctx.actor()?, new, state.config.clock.now(), allow_private).await?;
        Ok(CreatedWebhook { webhook, secret })
    }

    /// Changes a webhook, or turns it off or on again.
    async fn update_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: Uuid,
        #[graphql(desc = "What to change.")] input: UpdateWebhookInput,
    ) -> async_graphql::Result<Webhook> {
        let state = ctx.state()?;
        let change = WebhookChange {
            name: input.name,
            url: input.url,
            event_types: input.event_types,
            secret: input.secret,
            active: input.active,
        };
        let allow_private = state.config.webhooks.allow_private;
        let now = state.config.clock.now();
        Ok(Webhook(webhooks::update(&state.db, &ctx.actor()?, id, change, now, allow_private).await?))
    }

    /// Deletes a webhook with its deliveries; returns its id.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: Uuid,
    ) -> async_graphql::Result<Uuid> {
        Ok(webhooks::delete(&ctx.state()?.db, &ctx.actor()?, id).await?)
    }

    /// Sends a delivery's message again, as a new delivery at the end of its webhook's queue.
    async fn redeliver(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery (`WebhookDelivery.id`).")] delivery_id: ID,
    ) -> async_graphql::Result<WebhookDelivery> {
        let state = ctx.state()?;
        let id: i64 = delivery_id.parse().map_err(|_| AppError::bad_input("deliveryId", "not a delivery id"))?;
        let delivery = webhooks::redeliver(&state.db, &ctx.actor()?, id, state.config.clock.now()).await?;
        Ok(WebhookDelivery(DeliveryLog { delivery, attempts: Vec::new() }))
    }

    /// Queues a test message (`webhook.ping`) to a webhook, whatever it subscribes to.
    async fn ping_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook.")] id: Uuid,
    ) -> async_graphql::Result<WebhookDelivery> {
        let state = ctx.state()?;
        let delivery = webhooks::ping(&state.db, &ctx.actor()?, id, state.config.clock.now()).await?;
        Ok(WebhookDelivery(DeliveryLog { delivery, attempts: Vec::new() }))
    }
}
