//! Fast exact rational arithmetic for the hot payment path. num-rational reduces every result
//! with num-bigint's binary gcd, which reallocates its operands on every step (hundreds of times
//! for 256-bit values: the largest cost of a payment after signature recovery). The functions
//! here compute the *same* reduced results — a reduced fraction with a positive denominator is
//! unique, so equal values have equal representations — with a gcd on fixed-width integers
//! once both operands fit 256 bits, and with fewer gcds where the operands' structure allows.
//! Property tests check each against num-rational on random inputs.

use ethers_core::types::U256;
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// gcd of two 128-bit integers (binary; gcd(0, b) = b).
fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

fn fits_u128(v: &U256) -> bool {
    v.0[2] == 0 && v.0[3] == 0
}

/// gcd of two 256-bit integers (binary, allocation-free; gcd(0, b) = b).
pub fn gcd_u256(mut a: U256, mut b: U256) -> U256 {
    if a.is_zero() {
        return b;
    }
    if b.is_zero() {
        return a;
    }
    let shift = a.trailing_zeros().min(b.trailing_zeros());
    a >>= a.trailing_zeros() as usize;
    loop {
        if fits_u128(&a) && fits_u128(&b) {
            return U256::from(gcd_u128(a.low_u128(), b.low_u128())) << shift as usize;
        }
        b >>= b.trailing_zeros() as usize;
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b.is_zero() {
            return a << shift as usize;
        }
    }
}

/// A `BigUint` as a `U256`, when it fits.
fn to_u256(v: &BigUint) -> Option<U256> {
    if v.bits() > 256 {
        return None;
    }
    let mut limbs = [0u64; 4];
    for (l, d) in limbs.iter_mut().zip(v.iter_u64_digits()) {
        *l = d;
    }
    Some(U256(limbs))
}

fn from_u256(v: U256) -> BigUint {
    let digits: Vec<u32> =
        v.0.iter()
            .flat_map(|l| [*l as u32, (l >> 32) as u32])
            .collect();
    BigUint::new(digits)
}

/// gcd of two arbitrary-precision integers, equal to `a.gcd(b)`: one Euclid step brings the
/// larger below the smaller, then 256-bit operands go to [`gcd_u256`].
pub fn gcd(a: &BigUint, b: &BigUint) -> BigUint {
    if a.is_zero() {
        return b.clone();
    }
    if b.is_zero() {
        return a.clone();
    }
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    let Some(s) = to_u256(small) else {
        return a.gcd(b);
    };
    let r = if big.bits() > 256 {
        match to_u256(&(big % small)) {
            Some(r) => r,
            None => return a.gcd(b),
        }
    } else {
        match to_u256(big) {
            Some(r) => r,
            None => return a.gcd(b),
        }
    };
    from_u256(gcd_u256(r, s))
}

/// gcd(n, d) when `d` divides 2^256 − 1 (every EV denominator and every sum of EVs' does):
/// the product of its primes that divide `n` (`max_divisors`); `None` for any other `d`.
fn divisor_gcd(n: &BigUint, d: &BigUint) -> Option<BigUint> {
    let mask = super::max_divisors::divisor_mask(to_u256(d)?)?;
    let mut limbs = [0u64; 16];
    let mut len = 0;
    for l in n.iter_u64_digits() {
        *limbs.get_mut(len)? = l;
        len += 1;
    }
    let g = super::max_divisors::gcd_with_divisor(limbs.get(..len)?, mask);
    Some(if g == U256::one() {
        BigUint::one()
    } else {
        from_u256(g)
    })
}

/// `n / d` reduced, with `d > 0` (as `BigRational::new`, which also makes zero `0/1`).
fn reduce(n: BigInt, d: BigUint) -> BigRational {
    if n.is_zero() {
        return BigRational::zero();
    }
    let g = divisor_gcd(n.magnitude(), &d).unwrap_or_else(|| gcd(n.magnitude(), &d));
    let (n, d) = if g.is_one() {
        (n, d)
    } else {
        (n / BigInt::from(g.clone()), d / g)
    };
    BigRational::new_raw(n, BigInt::from_biguint(Sign::Plus, d))
}

/// `a + b`, equal to num-rational's `a + b` for rationals with positive denominators (as every
/// `BigRational` made by its constructors and operators, and every stored `Ratio`, has).
pub fn add(a: &BigRational, b: &BigRational) -> BigRational {
    let (ad, bd) = (a.denom(), b.denom());
    if !ad.is_positive() || !bd.is_positive() {
        return a + b;
    }
    if ad == bd {
        return reduce(a.numer() + b.numer(), ad.magnitude().clone());
    }
    // Over the lcm of the denominators, as num-rational does, then reduced.
    let g = gcd(ad.magnitude(), bd.magnitude());
    let l = ad.magnitude() / &g * bd.magnitude();
    let an = a.numer() * BigInt::from_biguint(Sign::Plus, &l / ad.magnitude());
    let bn = b.numer() * BigInt::from_biguint(Sign::Plus, &l / bd.magnitude());
    reduce(an + bn, l)
}

/// `a × m`, equal to num-rational's `a * BigRational::from_integer(m)` for a reduced `a` with a
/// positive denominator: gcd(n·m, d) = gcd(m, d) when gcd(n, d) = 1.
pub fn mul_u64(a: &BigRational, m: u64) -> BigRational {
    if m == 1 {
        return a.clone();
    }
    if m == 0 || a.is_zero() {
        return BigRational::zero();
    }
    let d = a.denom();
    if !d.is_positive() {
        return a * BigRational::from_integer(m.into());
    }
    let d_mod_m = (d.magnitude() % m).iter_u64_digits().next().unwrap_or(0);
    let g = m.gcd(&d_mod_m);
    let n = a.numer() * BigInt::from(m / g);
    let d = if g == 1 {
        d.clone()
    } else {
        BigInt::from_biguint(Sign::Plus, d.magnitude() / g)
    };
    BigRational::new_raw(n, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn big(bytes: &[u8]) -> BigUint {
        BigUint::from_bytes_be(bytes)
    }

    fn rat(neg: bool, n: &[u8], d: &[u8]) -> BigRational {
        let d = big(d);
        let d = if d.is_zero() { BigUint::one() } else { d };
        let n = BigInt::from_biguint(if neg { Sign::Minus } else { Sign::Plus }, big(n));
        BigRational::new(n, BigInt::from_biguint(Sign::Plus, d))
    }

    /// Bytes of up to `max` length, often sharing factors (small values, powers of two, and
    /// divisors of 2^256 − 1 as ticket EV denominators are).
    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..=max),
            (1u64..1000).prop_map(|v| v.to_be_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..=max).prop_map(|mut v| {
                v.extend_from_slice(&[0; 5]);
                v
            }),
            (0usize..11).prop_map(|i| {
                let p: [u128; 11] = [
                    3,
                    5,
                    17,
                    257,
                    641,
                    65537,
                    274_177,
                    6_700_417,
                    67_280_421_310_721,
                    59_649_589_127_497_217,
                    5_704_689_200_685_129_054_721,
                ];
                (BigUint::from_bytes_be(&[0xff; 32]) / p[i]).to_bytes_be()
            }),
        ]
    }

    #[test]
    fn gcd_edges() {
        let m = BigUint::from_bytes_be(&[0xff; 32]);
        for (a, b) in [
            (BigUint::zero(), BigUint::zero()),
            (BigUint::zero(), m.clone()),
            (m.clone(), BigUint::zero()),
            (m.clone(), m.clone()),
            (m.clone() * 3u8, m.clone()),
            (BigUint::from(1u8) << 300, BigUint::from(1u8) << 200),
            (BigUint::from(1u8) << 600, BigUint::from(3u8) << 400),
        ] {
            assert_eq!(gcd(&a, &b), a.gcd(&b), "gcd({a}, {b})");
        }
        assert!(mul_u64(&BigRational::zero(), 7).is_zero());
    }

    proptest! {
        #[test]
        fn gcd_equals_num_bigint(a in bytes(80), b in bytes(40)) {
            let (a, b) = (big(&a), big(&b));
            prop_assert_eq!(gcd(&a, &b), a.gcd(&b));
            prop_assert_eq!(gcd(&b, &a), b.gcd(&a));
        }

        #[test]
        fn add_equals_num_rational(
            (an, ad, bn, bd) in (bytes(48), bytes(33), bytes(48), bytes(33)),
            (na, nb, same) in (any::<bool>(), any::<bool>(), any::<bool>()),
        ) {
            let a = rat(na, &an, &ad);
            let b = if same {
                // Often equal denominators (the common case: credits of one ticket EV).
                rat(nb, &bn, &ad)
            } else {
                rat(nb, &bn, &bd)
            };
            let exact = &a + &b;
            let fast = add(&a, &b);
            prop_assert_eq!(fast.numer(), exact.numer());
            prop_assert_eq!(fast.denom(), exact.denom());
        }

        #[test]
        fn ticket_ev_equals_the_plain_reduction(fv in bytes(32), wp in bytes(32)) {
            let (fv, wp) = (U256::from_big_endian(&fv[..fv.len().min(32)]), U256::from_big_endian(&wp[..wp.len().min(32)]));
            let plain = BigRational::new(
                BigInt::from_biguint(Sign::Plus, crate::pm::num::u256_to_big(fv) * crate::pm::num::u256_to_big(wp)),
                BigInt::from_biguint(Sign::Plus, BigUint::from_bytes_be(&[0xff; 32])),
            );
            let ev = crate::pm::ticket_ev(fv, wp);
            prop_assert_eq!(ev.numer(), plain.numer());
            prop_assert_eq!(ev.denom(), plain.denom());
        }

        #[test]
        fn mul_u64_equals_num_rational(an in bytes(48), ad in bytes(33), neg in any::<bool>(), m in prop_oneof![0u64..20, any::<u64>()]) {
            let a = rat(neg, &an, &ad);
            let exact = &a * BigRational::from_integer(m.into());
            let fast = mul_u64(&a, m);
            prop_assert_eq!(fast.numer(), exact.numer());
            prop_assert_eq!(fast.denom(), exact.denom());
        }
    }
}
