//! The price an O quotes a sender (`core/orchestrator.go` `priceInfo`, facts §4): the base price
//! (per-B or `-pricePerUnit`/`-pixelsPerUnit`), with `-autoAdjustPrice` raised by the share of a
//! redemption's cost in a ticket's face value — `price × (1 + txCost / faceValue)`, the
//! reference's `1 + 1/txCostMultiplier` — then fixed to 3 decimals as `PriceToFixed` /
//! `FixedToPrice` do: `⌊price × 1000⌋ / 1000`, reduced. The quote is recorded with the params it
//! was issued with (`TicketParamsIssued.price`).

use super::issue::{face_value, IssueConfig};
use crate::events::Price;
use ethers_core::types::U256;
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

/// Digits a quoted price keeps (`PriceToFixed`'s scale, 1000).
pub const PRICE_SCALE: i64 = 1000;

fn big(v: U256) -> BigInt {
    let mut b = [0u8; 32];
    v.to_big_endian(&mut b);
    BigInt::from_bytes_be(num_bigint::Sign::Plus, &b)
}

/// `price` fixed to 3 decimals and reduced; a price whose fixed form overflows i64 keeps its
/// integer part per pixel (`PriceInfoForCaps`' fallback), a non-positive one is returned as is.
pub fn fixed(price: &BigRational) -> Price {
    if price <= &BigRational::zero() {
        return Price {
            price_per_unit: price.to_integer().to_i64().unwrap_or(0),
            pixels_per_unit: 1,
        };
    }
    let scaled = (price * BigRational::from_integer(PRICE_SCALE.into())).to_integer();
    match scaled.to_i64() {
        Some(x) => {
            let g = x.gcd(&PRICE_SCALE).max(1);
            Price {
                price_per_unit: x / g,
                pixels_per_unit: PRICE_SCALE / g,
            }
        }
        None => Price {
            price_per_unit: price.to_integer().to_i64().unwrap_or(i64::MAX),
            pixels_per_unit: 1,
        },
    }
}

/// The price quoted to a sender with max float `max_float` at gas price `gas_price`, from
/// `base`; `auto_adjust` is `-autoAdjustPrice`.
pub fn quote(
    cfg: &IssueConfig,
    base: Price,
    auto_adjust: bool,
    gas_price: U256,
    max_float: Option<U256>,
) -> Price {
    if base.pixels_per_unit <= 0 {
        return base;
    }
    let mut price = BigRational::new(base.price_per_unit.into(), base.pixels_per_unit.into());
    if auto_adjust && base.price_per_unit > 0 {
        let tx_cost = U256::from(cfg.redeem_gas).saturating_mul(gas_price);
        let fv = max_float.and_then(|m| face_value(cfg, gas_price, m).ok());
        if let Some(fv) = fv.filter(|f| !f.is_zero() && !tx_cost.is_zero()) {
            price *= BigRational::new(big(fv) + big(tx_cost), big(fv));
        }
    }
    fixed(&price)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(num: i64, den: i64) -> Price {
        Price {
            price_per_unit: num,
            pixels_per_unit: den,
        }
    }

    #[test]
    fn prices_are_fixed_to_three_decimals_and_reduced() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(fixed(&r(1, 1)), p(1, 1));
        assert_eq!(fixed(&r(1, 3)), p(333, 1000));
        assert_eq!(fixed(&r(3, 2)), p(3, 2));
        assert_eq!(
            fixed(&r(1, 2000)),
            p(0, 1),
            "below a thousandth it truncates to free"
        );
        assert_eq!(fixed(&r(1200, 1)), p(1200, 1));
    }

    #[test]
    fn auto_adjust_adds_the_redemption_cost_share_of_the_face_value() {
        let cfg = IssueConfig {
            redeem_gas: 1_000_000,
            ..IssueConfig::default()
        };
        // Gas 10 gwei: txCost 1e16, face value 100 × txCost = 1e18 → × 1.01.
        let gas = U256::from(10_000_000_000u64);
        let float = Some(U256::exp10(19));
        assert_eq!(quote(&cfg, p(1000, 1), true, gas, float), p(1010, 1));
        assert_eq!(quote(&cfg, p(1000, 1), false, gas, float), p(1000, 1));
        // A max float of 2 × txCost caps the face value: × 1.5.
        let small = Some(U256::from(20_000_000_000_000_000u64));
        assert_eq!(quote(&cfg, p(2, 1), true, gas, small), p(3, 1));
        // No max float known, or free work: only fixed.
        assert_eq!(quote(&cfg, p(1, 3), true, gas, None), p(333, 1000));
        assert_eq!(quote(&cfg, p(0, 1), true, gas, float), p(0, 1));
    }
}
