//! gcds against divisors of maxWinProb = 2^256 − 1, without a gcd loop. Every ticket EV is
//! `faceValue × winProb / (2^256 − 1)` reduced, so every EV denominator and every sum of EVs'
//! denominator divides 2^256 − 1, which is squarefree with eleven known prime factors (the
//! Fermat numbers F0…F7 and F5, F6, F7's factors). A gcd with such a divisor is then the product
//! of its primes that divide the other operand: a few remainders by word-sized moduli instead of
//! a binary gcd over 256 bits. Property tests check every result against num-bigint's gcd.

use ethers_core::types::U256;

/// The prime factors of 2^256 − 1, ascending; their product is 2^256 − 1.
pub const PRIMES: [u128; 11] = [
    3,
    5,
    17,
    257,
    641,
    65_537,
    274_177,
    6_700_417,
    67_280_421_310_721,
    59_649_589_127_497_217,
    5_704_689_200_685_129_054_721,
];

/// The product of the first seven primes (< 2^64): one remainder pass serves all seven.
const SMALL_PRODUCT: u64 = 3 * 5 * 17 * 257 * 641 * 65_537 * 274_177;
const SMALL: usize = 7;

/// Every prime: the mask of 2^256 − 1 itself.
pub const ALL: u16 = 0x7ff;

/// `x mod m` for `x` as little-endian u64 limbs, `m < 2^64`.
fn rem_u64(limbs: &[u64], m: u64) -> u64 {
    let m = u128::from(m);
    limbs
        .iter()
        .rev()
        .fold(0u128, |r, &l| ((r << 64) | u128::from(l)) % m) as u64
}

/// `x mod m` for `x` as little-endian u64 limbs, `m < 2^96` (32-bit steps keep `r << 32`
/// within 128 bits).
fn rem_u96(limbs: &[u64], m: u128) -> u128 {
    limbs.iter().rev().fold(0u128, |r, &l| {
        let r = ((r << 32) | u128::from(l >> 32)) % m;
        ((r << 32) | u128::from(l & 0xffff_ffff)) % m
    })
}

/// Bit `i` set when `PRIMES[i]` divides `x` (little-endian u64 limbs; zero is divisible by all).
pub fn factor_mask(limbs: &[u64]) -> u16 {
    let mut mask = 0u16;
    let small = rem_u64(limbs, SMALL_PRODUCT);
    for (i, p) in PRIMES.iter().take(SMALL).enumerate() {
        if u128::from(small) % p == 0 {
            mask |= 1 << i;
        }
    }
    for (i, &p) in PRIMES.iter().enumerate().skip(SMALL) {
        let divides = match u64::try_from(p) {
            Ok(p64) => rem_u64(limbs, p64) == 0,
            Err(_) => rem_u96(limbs, p) == 0,
        };
        if divides {
            mask |= 1 << i;
        }
    }
    mask
}

/// The product of the primes whose bits `mask` sets (1 for none, 2^256 − 1 for all).
pub fn product(mask: u16) -> U256 {
    PRIMES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .fold(U256::one(), |acc, (_, &p)| acc * U256::from(p))
}

/// The primes of `d` when `d` divides 2^256 − 1 (and is not zero), else `None`.
pub fn divisor_mask(d: U256) -> Option<u16> {
    if d.is_zero() {
        return None;
    }
    let mask = factor_mask(&d.0);
    (product(mask) == d).then_some(mask)
}

/// gcd(x, d) for `d` whose primes `d_mask` gives (`d` a divisor of 2^256 − 1): the product of
/// the primes of `d` that divide `x`.
pub fn gcd_with_divisor(x_limbs: &[u64], d_mask: u16) -> U256 {
    product(factor_mask(x_limbs) & d_mask)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use num_integer::Integer;
    use proptest::prelude::*;

    fn big(v: U256) -> BigUint {
        crate::pm::num::u256_to_big(v)
    }

    fn limbs(v: &BigUint) -> Vec<u64> {
        v.iter_u64_digits().collect()
    }

    #[test]
    fn the_primes_multiply_to_max() {
        assert_eq!(product(ALL), U256::MAX);
        assert_eq!(product(0), U256::one());
        assert_eq!(divisor_mask(U256::MAX), Some(ALL));
        assert_eq!(divisor_mask(U256::one()), Some(0));
        assert_eq!(divisor_mask(U256::zero()), None);
        assert_eq!(divisor_mask(U256::from(9u8)), None);
        assert_eq!(factor_mask(&[]), ALL);
        let f5 = U256::from(641u32) * U256::from(6_700_417u32);
        assert_eq!(divisor_mask(f5), Some((1 << 4) | (1 << 7)));
    }

    /// A divisor of 2^256 − 1 from a mask, and numbers built to share some of its primes.
    fn divisor() -> impl Strategy<Value = u16> {
        0u16..0x800
    }

    proptest! {
        #[test]
        fn gcd_with_a_divisor_equals_num_bigint(
            d_mask in divisor(),
            x_mask in divisor(),
            k in proptest::collection::vec(any::<u64>(), 0..6),
        ) {
            let d = product(d_mask);
            // x = (some primes) × k, so shared primes are common.
            let x = big(product(x_mask)) * BigUint::new(k.iter().flat_map(|l| [*l as u32, (l >> 32) as u32]).collect());
            let want = x.gcd(&big(d));
            prop_assert_eq!(big(gcd_with_divisor(&limbs(&x), d_mask)), want);
            prop_assert_eq!(divisor_mask(d), Some(d_mask));
        }

        #[test]
        fn divisor_mask_refuses_non_divisors(v in any::<[u64; 4]>()) {
            let d = U256(v);
            let divides = !d.is_zero() && (big(U256::MAX) % big(d)) == BigUint::from(0u8);
            prop_assert_eq!(divisor_mask(d).is_some(), divides);
        }
    }
}
