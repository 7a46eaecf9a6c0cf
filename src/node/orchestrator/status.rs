//! An O's `/status`. go-livepeer's O reports no streams (its `Manifests` come from RTMP
//! connections, which only a B has); this one lists its open transcode sessions in the same
//! fields a B uses: `Manifests` and `StreamInfo` keyed by the B's manifest id (the session's
//! `IngestSource::Broadcaster`), each open session (`commands::o_sessions::open_sessions`: not
//! ended, not idle) with its renditions' sizes, and the source bytes it received and the
//! rendition bytes it returned since the node started (the B's [`Tail`], folded from the same
//! records). Sessions of one manifest (a B that opened a new one) are added together. Also
//! `BroadcasterPrices` as the reference's `GetBasePrices`: `default` and each B's price per
//! pixel as `big.Rat` marshals it.

use crate::api::cli::port::StreamStatus;
use crate::events::{IngestSource, Price};
use crate::node::broadcaster::progress::Tail;
use crate::projections::Projections;
use std::collections::BTreeMap;

/// The open sessions at `now_ms`, by the B's manifest id.
pub fn sessions(p: &Projections, tail: &Tail, now_ms: u64) -> Vec<StreamStatus> {
    let streams = &p.streams.state;
    let mut out: BTreeMap<String, (u64, StreamStatus)> = BTreeMap::new();
    for id in crate::commands::o_sessions::open_sessions(streams, now_ms) {
        let Some(s) = streams.streams.get(id) else {
            continue;
        };
        let IngestSource::Broadcaster { manifest } = &s.source else {
            continue;
        };
        let (src, out_bytes) = tail.bytes(id);
        let (last, st) = out.entry(manifest.clone()).or_insert_with(|| {
            let st = StreamStatus {
                manifest: manifest.clone(),
                ..StreamStatus::default()
            };
            (0, st)
        });
        st.source_bytes += src;
        st.transcoded_bytes += out_bytes;
        if s.last_ms >= *last && !s.variants.is_empty() {
            *last = s.last_ms;
            st.renditions = s
                .variants
                .iter()
                .map(|v| (v.profile.clone(), v.width, v.height, 0))
                .collect();
        }
    }
    out.into_values().map(|(_, st)| st).collect()
}

/// `big.Rat`'s text: reduced, the integer alone when the denominator is 1.
fn rat(p: &Price) -> String {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let (n, d) = (
        p.price_per_unit.unsigned_abs(),
        p.pixels_per_unit.unsigned_abs(),
    );
    let neg = (p.price_per_unit < 0) != (p.pixels_per_unit < 0) && n != 0;
    let g = gcd(n, d).max(1);
    let sign = if neg { "-" } else { "" };
    match d / g {
        1 => format!("{sign}{}", n / g),
        den => format!("{sign}{}/{den}", n / g),
    }
}

/// `GetBasePrices`: `default` and each B's (lower-case hex address) price per pixel.
pub fn broadcaster_prices(
    default: &Price,
    prices: &BTreeMap<crate::events::Address, Price>,
) -> Vec<(String, String)> {
    std::iter::once(("default".to_string(), rat(default)))
        .chain(prices.iter().map(|(a, p)| (a.to_string(), rat(p))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_as_big_rat_marshals_them() {
        let p = |n, d| Price {
            price_per_unit: n,
            pixels_per_unit: d,
        };
        assert_eq!(rat(&p(6, 4)), "3/2");
        assert_eq!(rat(&p(4, 2)), "2");
        assert_eq!(rat(&p(0, 5)), "0");
        let b = crate::events::Address([0xab; 20]);
        let all = broadcaster_prices(&p(1, 1), &[(b, p(1, 3))].into_iter().collect());
        assert_eq!(
            all,
            vec![
                ("default".to_string(), "1".to_string()),
                (format!("0x{}", "ab".repeat(20)), "1/3".to_string())
            ]
        );
    }
}
