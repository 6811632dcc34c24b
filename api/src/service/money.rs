//! Money and percentages as exact integers. Investment figures are 万元 with up to six decimals
//! (i.e. to the fen); the database keeps fen in a BIGINT so that sums are exact everywhere.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::error::{AppError, AppResult};

const FEN_PER_WAN: i64 = 1_000_000;

/// 万元 → fen. Rejects negatives, more than six decimals and absurd sizes, naming `field`.
pub fn wan_to_fen(field: &str, wan: Decimal) -> AppResult<i64> {
    if wan.is_sign_negative() && !wan.is_zero() {
        return Err(AppError::bad_input(field, "an amount cannot be negative"));
    }
    let fen = wan
        .checked_mul(Decimal::from(FEN_PER_WAN))
        .ok_or_else(|| AppError::bad_input(field, "the amount is too large"))?;
    if !fen.fract().is_zero() {
        return Err(AppError::bad_input(field, "amounts are in 万元 with at most six decimal places"));
    }
    fen.to_i64().filter(|f| *f < i64::MAX / 1000).ok_or_else(|| AppError::bad_input(field, "the amount is too large"))
}

/// fen → 万元, without trailing zeros.
pub fn fen_to_wan(fen: i64) -> Decimal {
    Decimal::new(fen, 6).normalize()
}

/// A percentage 0–100 with at most two decimals → hundredths of a percent.
pub fn percent_to_bp(field: &str, percent: Decimal) -> AppResult<i32> {
    let bp = percent.checked_mul(Decimal::from(100)).unwrap_or(Decimal::MAX);
    if percent < Decimal::ZERO || percent > Decimal::from(100) || !bp.fract().is_zero() {
        return Err(AppError::bad_input(field, "a percentage is between 0 and 100 with at most two decimals"));
    }
    bp.to_i32().ok_or_else(|| AppError::bad_input(field, "not a percentage"))
}

pub fn bp_to_percent(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2).normalize()
}

/// `part / whole` as a percentage with two decimals; `None` when `whole` is zero.
pub fn ratio_percent(part: i64, whole: i64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let r = Decimal::from(part).checked_mul(Decimal::from(100))?.checked_div(Decimal::from(whole))?;
    Some(r.round_dp(2).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn wan_and_fen_round_trip_exactly() -> AppResult<()> {
        let d = Decimal::from_str("12345.678901").map_err(AppError::internal)?;
        assert_eq!(wan_to_fen("x", d)?, 12_345_678_901);
        assert_eq!(fen_to_wan(12_345_678_901), d);
        assert_eq!(fen_to_wan(1_500_000).to_string(), "1.5");
        Ok(())
    }

    #[test]
    fn bad_amounts_name_the_field() {
        let seven = Decimal::from_str("0.0000001").unwrap_or_default();
        assert!(matches!(wan_to_fen("plan", seven), Err(AppError::BadUserInput { field: Some(f), .. }) if f == "plan"));
        assert!(wan_to_fen("plan", Decimal::from(-1)).is_err());
        assert!(percent_to_bp("p", Decimal::from(101)).is_err());
        assert!(percent_to_bp("p", Decimal::MAX).is_err(), "no overflow panic");
        assert!(wan_to_fen("p", Decimal::MAX).is_err());
        assert!(ratio_percent(i64::MAX, 1).is_some());
        assert_eq!(ratio_percent(1, 3), Decimal::from_str("33.33").ok());
        assert_eq!(ratio_percent(1, 0), None);
    }
}
