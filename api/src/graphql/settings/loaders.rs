//! The office's rules, read at most once per request.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::error::AppError;
use crate::graphql::loaders::pool_loader;

pool_loader!(
    /// The office's rules, read at most once per request.
    HealthRulesLoader
);

impl Loader<()> for HealthRulesLoader {
    type Value = entity::office_setting::Model;
    type Error = AppError;

    async fn load(&self, _: &[()]) -> Result<HashMap<(), Self::Value>, Self::Error> {
        Ok(HashMap::from([((), crate::service::settings::rules(&self.0).await?)]))
    }
}
