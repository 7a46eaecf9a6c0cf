//! What a demo run did, told from its logs: the B's and the O's events of this run folded into
//! the closing summary (segments, renditions and their sizes, round-trip percentiles, events
//! written, and on a chain the money: tickets sent, received, won and redeemed, credit and
//! debit). A fold over events, nothing else: the numbers are the logs' own.

use crate::events::{Event, TicketOutcome, Wei};
use crate::pm::num::{float_string, ratio_to_big};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;
use std::collections::{BTreeMap, BTreeSet};

/// One rendition profile's output over the run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProfileOut {
    /// Segments rendered.
    pub segments: u64,
    /// Σ bytes.
    pub bytes: u64,
    /// The last segment's frame size.
    pub size: (u32, u32),
}

/// The run's figures.
#[derive(Debug, Default, Clone)]
pub struct DemoReport {
    /// Segments the B cut or was pushed.
    pub segments_in: u64,
    /// Segments that came back transcoded.
    pub transcoded: u64,
    /// `SegmentFailed` records in the B's log.
    pub failed: u64,
    /// Each profile's output, by name.
    pub profiles: BTreeMap<String, ProfileOut>,
    /// Each transcoded segment's round trip as the B measured it (ms).
    pub round_trips_ms: Vec<u32>,
    /// Records the B appended.
    pub b_events: u64,
    /// Records the O appended.
    pub o_events: u64,
    /// Tickets the B signed.
    pub tickets_sent: u64,
    /// Σ their expected values.
    pub ev_sent: BigRational,
    /// Tickets the O recorded, accepted or not.
    pub tickets_received: u64,
    /// Of them, refused.
    pub tickets_refused: u64,
    /// Winning tickets queued for redemption, with their face values.
    pub winners: BTreeMap<[u8; 32], Wei>,
    /// Winners whose redemption was mined.
    pub redeemed: BTreeSet<[u8; 32]>,
    /// Redemption attempts that failed.
    pub redemption_failures: u64,
    /// Σ the O's credits.
    pub credited: BigRational,
    /// Σ the O's debits (price × pixels).
    pub debited: BigRational,
}

fn wei(w: &Wei) -> BigRational {
    BigRational::from_integer(BigInt::from_bytes_be(num_bigint::Sign::Plus, &w.0))
}

/// `v` wei in ETH with 6 decimals; below 0.000001 ETH, in wei.
pub fn eth(v: &BigRational) -> String {
    let one_eth = BigRational::from_integer(BigInt::from(10u64).pow(18));
    if v.numer().sign() == num_bigint::Sign::NoSign {
        return "0 ETH".into();
    }
    let micro_eth = BigRational::from_integer(BigInt::from(10u64).pow(12));
    if v.abs() < micro_eth {
        return format!("{} wei", float_string(v, 0));
    }
    format!("{} ETH", float_string(&(v / one_eth), 6))
}

/// The `p`-th percentile (0–100) of sorted `v`, nearest rank.
fn percentile(v: &[u32], p: usize) -> u32 {
    if v.is_empty() {
        return 0;
    }
    let rank = (p * v.len()).div_ceil(100).max(1);
    v[rank.min(v.len()) - 1]
}

impl DemoReport {
    /// Folds one of the B's records.
    pub fn add_b(&mut self, e: &Event) {
        self.b_events += 1;
        match e {
            Event::SegmentReceived(_) => self.segments_in += 1,
            Event::SegmentTranscoded(t) => {
                self.transcoded += 1;
                self.round_trips_ms.push(t.took_ms);
                for r in &t.renditions {
                    let p = self.profiles.entry(r.profile.clone()).or_default();
                    p.segments += 1;
                    p.bytes += r.bytes;
                    p.size = (r.width, r.height);
                }
            }
            Event::SegmentFailed(_) => self.failed += 1,
            Event::TicketsSent(t) => {
                self.tickets_sent += u64::from(t.count);
                self.ev_sent += ratio_to_big(&t.ev) * BigRational::from_integer(t.count.into());
            }
            _ => {}
        }
    }

    /// Folds one of the O's records.
    pub fn add_o(&mut self, e: &Event) {
        self.o_events += 1;
        match e {
            Event::TicketReceived(t) => {
                self.tickets_received += 1;
                if matches!(t.outcome, TicketOutcome::Rejected { .. }) {
                    self.tickets_refused += 1;
                }
            }
            Event::WinningTicketQueued(w) => {
                self.winners.insert(w.ticket_hash.0, w.face_value);
            }
            Event::RedemptionConfirmed(r) => {
                self.redeemed.insert(r.ticket_hash.0);
            }
            Event::RedemptionFailed(_) => self.redemption_failures += 1,
            Event::BalanceCredited(c) => self.credited += ratio_to_big(&c.amount),
            Event::BalanceDebited(d) => self.debited += ratio_to_big(&d.amount),
            _ => {}
        }
    }

    /// Σ face values of the winners whose redemption was mined.
    pub fn redeemed_value(&self) -> BigRational {
        self.winners
            .iter()
            .filter(|(h, _)| self.redeemed.contains(*h))
            .fold(BigRational::default(), |a, (_, w)| a + wei(w))
    }

    /// The closing summary's lines about the video.
    pub fn media_lines(&self) -> Vec<String> {
        let mut out = vec![format!(
            "segments: {} in, {} transcoded, {} failed",
            self.segments_in, self.transcoded, self.failed
        )];
        for (name, p) in &self.profiles {
            out.push(format!(
                "rendition {name}: {} segments, {}x{}, {:.1} KiB ({:.0} kbit/s)",
                p.segments,
                p.size.0,
                p.size.1,
                p.bytes as f64 / 1024.0,
                // 2 s segments.
                p.bytes as f64 * 8.0 / 1000.0 / (2.0 * p.segments.max(1) as f64)
            ));
        }
        let mut rt = self.round_trips_ms.clone();
        rt.sort_unstable();
        out.push(format!(
            "round trip B→O→B: p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
            percentile(&rt, 50),
            percentile(&rt, 90),
            percentile(&rt, 99),
            rt.last().copied().unwrap_or(0)
        ));
        out.push(format!(
            "events written: {} by the B, {} by the O",
            self.b_events, self.o_events
        ));
        out
    }

    /// The closing summary's lines about the money (a paid run).
    pub fn money_lines(&self) -> Vec<String> {
        let face: BigRational = self.winners.values().map(wei).sum();
        vec![
            format!(
                "tickets: {} sent by the B (EV {}), {} received by the O ({} refused), {} won \
                 (face value {}), {} redeemed ({}), {} redemption failures",
                self.tickets_sent,
                eth(&self.ev_sent),
                self.tickets_received,
                self.tickets_refused,
                self.winners.len(),
                eth(&face),
                self.redeemed.len(),
                eth(&self.redeemed_value()),
                self.redemption_failures
            ),
            format!(
                "O's balances: credited {}, debited {} for the work (price × pixels), left {}",
                eth(&self.credited),
                eth(&self.debited),
                eth(&(&self.credited - &self.debited))
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u32> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), 5);
        assert_eq!(percentile(&v, 90), 9);
        assert_eq!(percentile(&v, 99), 10);
        assert_eq!(percentile(&[], 50), 0);
        assert_eq!(percentile(&[7], 1), 7);
    }

    #[test]
    fn eth_has_six_decimals() {
        let v = BigRational::from_integer(BigInt::from(1_500_000_000_000_000u64));
        assert_eq!(eth(&v), "0.001500 ETH");
        let small = BigRational::from_integer(BigInt::from(40_000_000u64));
        assert_eq!(eth(&small), "40000000 wei");
        assert_eq!(eth(&BigRational::default()), "0 ETH");
    }
}
