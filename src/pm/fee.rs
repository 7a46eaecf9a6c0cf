//! The B's fee estimate for a segment (`estimateFee`, facts §4): Σ over output profiles of
//! W × H × ceil(fps) × ceil(duration) × 1.02 × price. A passthrough profile (fps 0) uses the
//! probed source frame rate when it is known, instead of the reference's 60 fps placeholder that
//! overpays for 25/30 fps sources.

use super::{accounting::price_rat, error::NumError};
use crate::events::Price;
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;

/// The reference's placeholder frame rate for passthrough profiles.
pub const PASSTHROUGH_FPS: u64 = 60;

/// One output rendition as the estimate sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputProfile {
    /// Width.
    pub width: u64,
    /// Height.
    pub height: u64,
    /// Frame rate numerator (0 = passthrough).
    pub fps_num: u64,
    /// Frame rate denominator (0 reads as 1).
    pub fps_den: u64,
}

/// `pixelEstimateMultiplier` = 1.02 exactly as Go's `big.Rat.SetFloat64(1.02)` holds it.
pub fn pixel_estimate_multiplier() -> BigRational {
    BigRational::from_float(1.02f64).unwrap_or_else(|| BigRational::new(102.into(), 100.into()))
}

fn ceil_div(n: u64, d: u64) -> u64 {
    n.div_ceil(d.max(1))
}

/// Estimated output pixels of a segment of `duration_ms`.
pub fn estimate_pixels(
    profiles: &[OutputProfile],
    duration_ms: u64,
    source_fps: Option<(u64, u64)>,
) -> BigInt {
    let secs = ceil_div(duration_ms, 1000);
    profiles
        .iter()
        .map(|p| {
            let (num, den) = match (p.fps_num, source_fps) {
                (0, Some((n, d))) if n > 0 => (n, d),
                (0, _) => (PASSTHROUGH_FPS, 1),
                (n, _) => (n, p.fps_den),
            };
            let fps = ceil_div(num, den);
            BigInt::from(p.width) * p.height * fps * secs
        })
        .sum()
}

/// The fee estimate in wei (exact).
pub fn estimate_fee(
    profiles: &[OutputProfile],
    duration_ms: u64,
    price: Price,
    source_fps: Option<(u64, u64)>,
) -> Result<BigRational, NumError> {
    let pixels = BigRational::from_integer(estimate_pixels(profiles, duration_ms, source_fps));
    Ok(pixels * pixel_estimate_multiplier() * price_rat(price)?)
}

/// Ceil of a non-negative rational, for display and ticket counts.
pub fn ceil(v: &BigRational) -> BigInt {
    v.numer().div_ceil(v.denom())
}
