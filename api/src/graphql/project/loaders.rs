//! Loaders of what a project shows: paired units, the year's figures, the light.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::loaders::{keyed_loader, pool_loader};

keyed_loader!(
    /// Paired service units of each project.
    PairedUnits, Vec<entity::unit::Model>, |db, keys| crate::service::project::paired_units(db, keys).await
);
pool_loader!(
    /// Each project's light on a day (the county's today, from its clock); keyed by (project, day).
    ProjectHealth
);

impl Loader<(Uuid, chrono::NaiveDate)> for ProjectHealth {
    type Value = crate::service::health::Health;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[(Uuid, chrono::NaiveDate)],
    ) -> Result<HashMap<(Uuid, chrono::NaiveDate), Self::Value>, Self::Error> {
        let mut by_day: HashMap<chrono::NaiveDate, Vec<Uuid>> = HashMap::new();
        for (id, day) in keys {
            by_day.entry(*day).or_default().push(*id);
        }
        let mut out = HashMap::new();
        for (day, ids) in by_day {
            let found = crate::service::health::compute(&self.0, &ids, day).await?;
            out.extend(found.into_iter().map(|(id, h)| ((id, day), h)));
        }
        Ok(out)
    }
}
pool_loader!(
    /// Planned and reported investment of a project in a year: (planned, reported that year, reported
    /// in all years), in fen.
    YearFigures
);

impl Loader<(Uuid, i32)> for YearFigures {
    type Value = (i64, i64, i64);
    type Error = AppError;

    async fn load(&self, keys: &[(Uuid, i32)]) -> Result<HashMap<(Uuid, i32), Self::Value>, Self::Error> {
        let mut years: HashMap<i32, Vec<Uuid>> = HashMap::new();
        for (id, year) in keys {
            years.entry(*year).or_default().push(*id);
        }
        let mut out = HashMap::new();
        for (year, ids) in years {
            let plans = crate::service::project::year_plans(&self.0, &ids, year).await?;
            let reported = crate::service::report::reported_investment(&self.0, &ids, year).await?;
            for id in ids {
                let (this_year, total) = reported.get(&id).copied().unwrap_or_default();
                out.insert((id, year), (plans.get(&id).copied().unwrap_or(0), this_year, total));
            }
        }
        Ok(out)
    }
}
