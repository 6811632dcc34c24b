//! Scalars of our own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (local to the county; no time zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (local to the county; no time zone).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parse_date(s).map(Date).ok_or_else(|| {
                InputValueError::custom(format!("a date is written YYYY-MM-DD, years {MIN_YEAR} to {MAX_YEAR}"))
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;

/// Exactly `YYYY-MM-DD` (two-digit month and day), a real date, years 1900–2200: chrono alone also
/// takes `2026-2-3`, signs and five-digit years.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| shape)?;
    (MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&date)).then_some(date)
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

/// An exact decimal number written as a string, e.g. `"12345.678901"`. Money is in 万元 (10,000
/// yuan) with at most six decimals; percentages have at most two. Integers are accepted as input;
/// floating-point numbers are not, because they cannot carry money exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number written as a string, e.g. `"12345.678901"`. Money is in 万元 (10,000
/// yuan) with at most six decimals; percentages have at most two. Integers are accepted as input;
/// floating-point numbers are not, because they cannot carry money exactly.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) if s.len() > 40 => Err(InputValueError::custom(DECIMAL_RANGE)),
            Value::String(s) => s
                .trim()
                .parse::<rust_decimal::Decimal>()
                .map_err(|_| InputValueError::custom("not a decimal number, e.g. \"1234.56\""))
                .and_then(bounded),
            Value::Number(n) if n.is_i64() => bounded(rust_decimal::Decimal::from(n.as_i64().unwrap_or_default())),
            Value::Number(_) => {
                Err(InputValueError::custom("write decimals as strings, e.g. \"1234.56\", not as floats"))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

const DECIMAL_RANGE: &str = "a decimal is less than 10^15 in size";

/// Every Decimal input is within ±10^15, so no conversion or sum of them downstream can overflow:
/// the bound is the scalar's, not each field's to remember. (How many decimals a field takes is the
/// field's own rule, which names the field.)
fn bounded(d: rust_decimal::Decimal) -> InputValueResult<Decimal> {
    let limit = rust_decimal::Decimal::from(1_000_000_000_000_000i64);
    if d.abs() >= limit {
        return Err(InputValueError::custom(DECIMAL_RANGE));
    }
    Ok(Decimal(d))
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(d: rust_decimal::Decimal) -> Self {
        Self(d)
    }
}

/// An argument validator: at most this many characters (not bytes, so 100 Chinese characters fit a
/// limit of 100), checked before the resolver runs.
pub struct MaxChars(pub usize);

impl async_graphql::CustomValidator<String> for MaxChars {
    fn check(&self, value: &String) -> Result<(), InputValueError<String>> {
        if value.len() <= self.0 || value.chars().count() <= self.0 {
            Ok(())
        } else {
            Err(InputValueError::custom(format!("at most {} characters", self.0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_exactly_iso_within_the_years() {
        let ok = |s: &str| Date::parse(Value::String(s.into())).is_ok();
        assert!(ok("2026-02-03") && ok("1900-01-01") && ok("2200-12-31"));
        for bad in [
            "2026-2-3",
            "-2026-02-03",
            "+2026-02-03",
            "12026-02-03",
            "1899-12-31",
            "2201-01-01",
            "2026-02-30",
            " 2026-02-03",
            "2026-02-03 ",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[test]
    fn decimals_are_bounded() {
        let ok = |s: &str| Decimal::parse(Value::String(s.into())).is_ok();
        assert!(ok("999999999999999.999999") && ok("0.000001") && ok("-5"));
        for bad in ["1e30", "10000000000000000000000000000", "79228162514264337593543950335", "1000000000000000"] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
