//! The county's clock. "Today", due dates, overdue, reporting due and lock days and periods are the
//! county's: between 00:00 and 08:00 in China, UTC still lives on yesterday. A clock can also be
//! fixed at an instant, so tests (and demonstrations) can stand on any day of the year.

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};

/// The instant a county's `date` starts: its midnight in `zone`.
pub fn midnight(date: NaiveDate, zone: FixedOffset) -> DateTime<Utc> {
    (date.and_time(chrono::NaiveTime::MIN) - chrono::Duration::seconds(i64::from(zone.local_minus_utc()))).and_utc()
}

/// China's standard time, UTC+8, all year (no daylight saving).
pub const CHINA: i32 = 8 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    zone: FixedOffset,
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    /// A clock in `zone`, running, or standing still at `fixed`.
    pub fn new(zone: FixedOffset, fixed: Option<DateTime<Utc>>) -> Self {
        Self { zone, fixed }
    }

    /// The instant, to the microsecond: what PostgreSQL and SQLite keep, so that a row a mutation
    /// answers from memory shows the same instant as the row read back later.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now).trunc_subsecs(6)
    }

    /// The county's date now.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.zone).date_naive()
    }

    /// The county's time zone.
    pub fn zone(&self) -> FixedOffset {
        self.zone
    }

    /// The county's day now: its date and the zone its days and months are reckoned in.
    pub fn day(&self) -> Day {
        Day { date: self.today(), zone: self.zone }
    }
}

/// A county day: its date, and the zone in which it and its month begin and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Day {
    pub date: NaiveDate,
    pub zone: FixedOffset,
}

/// China's zone as an offset.
pub fn china() -> FixedOffset {
    use chrono::Offset;
    FixedOffset::east_opt(CHINA).unwrap_or_else(|| Utc.fix())
}

impl Default for Clock {
    /// Running, in China's time.
    fn default() -> Self {
        Self::new(china(), None)
    }
}

/// Reads a time zone: `Asia/Shanghai` (and China's other zone names), `UTC`, or an offset `+08:00`.
pub fn parse_zone(raw: &str) -> Option<FixedOffset> {
    let raw = raw.trim();
    match raw {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Urumqi" | "PRC" | "CST" => {
            return FixedOffset::east_opt(CHINA);
        }
        "UTC" | "Etc/UTC" | "Z" => return FixedOffset::east_opt(0),
        _ => {}
    }
    let (sign, rest) = match raw.as_bytes().first()? {
        b'+' => (1, &raw[1..]),
        b'-' => (-1, &raw[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_kept_to_the_microsecond() -> Result<(), Box<dyn std::error::Error>> {
        let running = Clock::new(FixedOffset::east_opt(CHINA).ok_or("zone")?, None);
        for _ in 0..100 {
            assert_eq!(running.now().timestamp_subsec_nanos() % 1000, 0);
        }
        let fixed =
            Clock::new(FixedOffset::east_opt(CHINA).ok_or("zone")?, Some("2026-03-10T15:59:00.123456789Z".parse()?));
        assert_eq!(fixed.now().to_rfc3339(), "2026-03-10T15:59:00.123456+00:00");
        Ok(())
    }

    #[test]
    fn the_county_day_starts_at_its_own_midnight() -> Result<(), Box<dyn std::error::Error>> {
        let zone = parse_zone("Asia/Shanghai").ok_or("zone")?;
        // 23:59 on 10 March in the county is 15:59 UTC; one minute later it is 11 March there.
        let before = Clock::new(zone, Some("2026-03-10T15:59:00Z".parse()?));
        let after = Clock::new(zone, Some("2026-03-10T16:00:00Z".parse()?));
        assert_eq!(before.today().to_string(), "2026-03-10");
        assert_eq!(after.today().to_string(), "2026-03-11");
        assert_eq!(after.now().date_naive().to_string(), "2026-03-10", "UTC still says yesterday");
        assert_eq!(parse_zone("+05:30").map(|z| z.local_minus_utc()), Some(19_800));
        assert_eq!(parse_zone("UTC").map(|z| z.local_minus_utc()), Some(0));
        assert!(parse_zone("Mars/Olympus").is_none() && parse_zone("+15:00").is_none());
        Ok(())
    }
}
