//! Weighted scores and the ranking: vetoed units last whatever their score, equal standing shares a
//! rank (1, 2, 2, 4).

use std::cmp::Ordering;

use super::measure::Figure;
use super::scheme::SchemeMetric;

/// The weighted score from 0 to 100 over the metrics that apply (a metric with nothing due for the
/// unit leaves its weight out); none when none applies.
pub fn score(metrics: &[SchemeMetric], figures: &[Figure]) -> Option<f64> {
    let mut weighed = 0.0;
    let mut weights = 0.0;
    for m in metrics {
        let value = figures.iter().find(|f| f.metric == m.metric).and_then(Figure::value);
        if let Some(v) = value {
            weighed += f64::from(m.weight) * v;
            weights += f64::from(m.weight);
        }
    }
    (weights > 0.0).then(|| weighed / weights * 100.0)
}

/// How two standings compare, better first: not vetoed before vetoed, then the higher score, a
/// unit without a score after those with one.
fn better(a: (bool, Option<f64>), b: (bool, Option<f64>)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| match (a.1, b.1) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    })
}

/// The rank of each standing (vetoed, score), in the order given: 1 plus the number of standings
/// strictly better.
pub fn ranks(standings: &[(bool, Option<f64>)]) -> Vec<i32> {
    let mut order: Vec<usize> = (0..standings.len()).collect();
    order.sort_by(|&i, &j| better(standings[i], standings[j]));
    let mut ranks = vec![0; standings.len()];
    for (pos, &i) in order.iter().enumerate() {
        ranks[i] = match pos.checked_sub(1).map(|p| order[p]) {
            Some(prev) if better(standings[prev], standings[i]) == Ordering::Equal => ranks[prev],
            _ => i32::try_from(pos + 1).unwrap_or(i32::MAX),
        };
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::super::scheme::AssessmentMetric as M;
    use super::*;

    #[test]
    fn vetoed_units_rank_last_and_ties_share_a_rank() {
        let s = [
            (false, Some(80.0)),
            (true, Some(99.0)),
            (false, Some(90.0)),
            (false, Some(80.0)),
            (false, None),
            (true, None),
        ];
        assert_eq!(ranks(&s), vec![2, 5, 1, 2, 4, 6]);
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn a_metric_that_does_not_apply_leaves_its_weight_out() {
        let metrics = [
            SchemeMetric { metric: M::ReportsOnTime, weight: 30 },
            SchemeMetric { metric: M::ActionItemsOnTime, weight: 10 },
        ];
        let f = |metric, numerator, denominator| Figure { metric, numerator, denominator };
        let both = [f(M::ReportsOnTime, 3.0, 4.0), f(M::ActionItemsOnTime, 1.0, 2.0)];
        assert_eq!(score(&metrics, &both), Some((30.0 * 0.75 + 10.0 * 0.5) / 40.0 * 100.0));
        assert_eq!(score(&metrics, &[f(M::ReportsOnTime, 3.0, 4.0), f(M::ActionItemsOnTime, 0.0, 0.0)]), Some(75.0));
        assert_eq!(score(&metrics, &[f(M::ReportsOnTime, 5.0, 4.0)]), Some(100.0), "a value is at most 1");
        assert_eq!(score(&metrics, &[]), None);
    }
}
