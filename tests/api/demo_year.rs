//! The demo county stays realistic on every day of the year: whatever day it is seeded on, leaders
//! see a programme where most projects are on track and some are slipping and some seriously behind,
//! never a red column emptied by the calendar.

use chrono::NaiveDate;
use entity::project::Light;
use migration::MigratorTrait;
use sea_orm::EntityTrait;

use crate::helpers::TestResult;

/// (green, yellow, red) of the demo county seeded on `day` and judged that day.
async fn lights_on(day: NaiveDate, hashes: Vec<String>) -> TestResult<(usize, usize, usize)> {
    let db = sea_orm::Database::connect("sqlite::memory:").await?;
    migration::Migrator::up(&db, None).await?;
    api::seed::demo::load_hashed(&db, hashes, day).await?.ok_or("not empty")?;
    let projects = entity::project::Entity::find().all(&db).await?;
    // Nothing has happened after the day it is: a demo project must take any change a user makes,
    // and the API refuses actual dates in the future.
    let future: Vec<&str> = projects
        .iter()
        .filter(|p| p.actual_start.is_some_and(|d| d > day) || p.actual_completion.is_some_and(|d| d > day))
        .map(|p| p.name.as_str())
        .collect();
    if !future.is_empty() {
        return Err(format!("{day}: actual dates after the day on {future:?}").into());
    }
    let ids: Vec<uuid::Uuid> = projects.iter().map(|p| p.id).collect();
    let health = api::service::health::compute(&db, &ids, crate::helpers::county_day(day)).await?;
    let count = |l: Light| health.values().filter(|h| h.light == l).count();
    Ok((count(Light::Green), count(Light::Yellow), count(Light::Red)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_light_shows_whatever_day_the_county_is_seeded() -> TestResult {
    // The edges of the reporting month (due on the 5th, locked after the 10th), the turn of the
    // year, February's end in a common and a leap year, and the middle of every month.
    let mut days: Vec<NaiveDate> = ["2026-01-01", "2026-02-05", "2026-02-06", "2026-02-28", "2026-03-01", "2026-03-10"]
        .into_iter()
        .chain(["2026-03-11", "2026-03-24", "2026-03-25", "2028-02-29", "2026-12-31"])
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    days.extend((1..=12).filter_map(|m| NaiveDate::from_ymd_opt(2026, m, 15)));
    let hashes = api::seed::demo::hash_demo_passwords(&api::auth::PasswordHasher::new(1)).await?;
    let mut seeded = tokio::task::JoinSet::new();
    for day in days {
        let hashes = hashes.clone();
        seeded
            .spawn(async move { lights_on(day, hashes).await.map(|lights| (day, lights)).map_err(|e| e.to_string()) });
    }
    let mut unrealistic = Vec::new();
    while let Some(done) = seeded.join_next().await {
        let (day, (green, yellow, red)) = done??;
        let total = green + yellow + red;
        // Most on track; a slipping minority; a few seriously behind.
        if green * 2 < total || yellow * 20 < total || red * 40 < total {
            unrealistic.push(format!("{day}: green {green}, yellow {yellow}, red {red}"));
        }
    }
    assert!(unrealistic.is_empty(), "the demo county looks wrong on:\n{}", unrealistic.join("\n"));
    Ok(())
}
