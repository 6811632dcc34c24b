//! Crediting money to the units of an item by their shares, to the fen, and ranking units by how
//! much of their target they met.

use entity::funding_item_unit;
use uuid::Uuid;

use super::summary::UnitFigures;

/// Splits `fen` by `shares` (basis points adding up to 10000) to the fen: each unit its share
/// rounded down, the fen left over to the largest remainders, so the parts add up to the whole.
pub fn split(fen: i64, shares: &[funding_item_unit::Model]) -> Vec<(Uuid, i64)> {
    let whole = i128::from(fen);
    let mut parts: Vec<(Uuid, i64, i128)> = shares
        .iter()
        .map(|s| {
            let exact = whole * i128::from(s.share_bp);
            (s.unit_id, i64::try_from(exact / 10_000).unwrap_or(0), exact % 10_000)
        })
        .collect();
    let mut left = fen - parts.iter().map(|p| p.1).sum::<i64>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2).then(parts[*a].0.cmp(&parts[*b].0)));
    for i in order.into_iter().cycle().take(parts.len() * 2) {
        if left <= 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    parts.into_iter().map(|(u, f, _)| (u, f)).collect()
}

/// Units with a target by completion (received against target, compared without division), the
/// best first and ranked; then units without a target by money received.
pub(super) fn ranked(mut units: Vec<UnitFigures>) -> Vec<UnitFigures> {
    let completion = |a: &UnitFigures, b: &UnitFigures| {
        (i128::from(b.received_fen) * i128::from(a.target_fen))
            .cmp(&(i128::from(a.received_fen) * i128::from(b.target_fen)))
    };
    units.sort_by(|a, b| match (a.target_fen > 0, b.target_fen > 0) {
        (true, true) => completion(a, b).then(b.received_fen.cmp(&a.received_fen)).then(a.unit_id.cmp(&b.unit_id)),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => b.received_fen.cmp(&a.received_fen).then(a.unit_id.cmp(&b.unit_id)),
    });
    let mut rank = 0;
    for u in units.iter_mut().filter(|u| u.target_fen > 0) {
        rank += 1;
        u.rank = Some(rank);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(unit: u128, bp: i32) -> funding_item_unit::Model {
        funding_item_unit::Model { item_id: Uuid::nil(), unit_id: Uuid::from_u128(unit), share_bp: bp }
    }

    #[test]
    fn a_split_adds_up_to_the_whole_to_the_fen() {
        let thirds = [share(1, 3334), share(2, 3333), share(3, 3333)];
        for fen in [0, 1, 2, 3, 10, 99_999, 1_000_000_007] {
            let parts = split(fen, &thirds);
            assert_eq!(parts.iter().map(|p| p.1).sum::<i64>(), fen, "{fen}: {parts:?}");
            // Each part within a fen of its exact share.
            for ((_, part), s) in parts.iter().zip(&thirds) {
                let exact = i128::from(fen) * i128::from(s.share_bp);
                assert!((i128::from(*part) * 10_000 - exact).abs() < 10_000, "{fen}: {parts:?}");
            }
        }
        assert_eq!(
            split(100, &[share(1, 5000), share(2, 5000)]),
            vec![(Uuid::from_u128(1), 50), (Uuid::from_u128(2), 50)]
        );
    }
}
