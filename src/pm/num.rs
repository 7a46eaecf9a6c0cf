//! Integer and rational plumbing: wire bytes ↔ `U256` with length checks, `Wei`/`Ratio` (event
//! types) ↔ arithmetic types, checked operations, and Go's `big.Rat.FloatString`.
//!
//! Every conversion from untrusted bytes is checked here so that no ethers `U256` call can panic.

use super::error::NumError;
use crate::events::{strip, Address, Hash32, Ratio, Wei};
use ethers_core::types::U256;
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// Parses a big-endian unsigned integer of at most 32 bytes (Go `new(big.Int).SetBytes`).
pub fn u256_from_be(bytes: &[u8], what: &'static str) -> Result<U256, NumError> {
    if bytes.len() > 32 {
        return Err(NumError::TooLong {
            what,
            len: bytes.len(),
        });
    }
    Ok(U256::from_big_endian(bytes))
}

/// Parses a big-endian unsigned integer that must fit a `u64` (block numbers).
pub fn u64_from_be(bytes: &[u8], what: &'static str) -> Result<u64, NumError> {
    let v = u256_from_be(bytes, what)?;
    if v > U256::from(u64::MAX) {
        return Err(NumError::TooLarge { what, bits: 64 });
    }
    Ok(v.low_u64())
}

/// The 32-byte big-endian form (`uint256_be`).
pub fn be32(v: U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    v.to_big_endian(&mut out);
    out
}

/// Minimal big-endian bytes, empty for zero (Go `big.Int.Bytes()`).
pub fn min_be(v: U256) -> Vec<u8> {
    strip(&be32(v))
}

/// Minimal big-endian bytes of a `u64` (Go `big.NewInt(x).Bytes()` for x ≥ 0).
pub fn min_be_u64(v: u64) -> Vec<u8> {
    strip(&v.to_be_bytes())
}

/// A 20-byte address from wire bytes; any other length is refused.
pub fn address_from(bytes: &[u8], what: &'static str) -> Result<Address, NumError> {
    let arr: [u8; 20] = bytes.try_into().map_err(|_| NumError::BadLength {
        what,
        expected: 20,
        got: bytes.len(),
    })?;
    Ok(Address(arr))
}

/// A 32-byte hash from wire bytes; any other length is refused.
pub fn hash_from(bytes: &[u8], what: &'static str) -> Result<Hash32, NumError> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| NumError::BadLength {
        what,
        expected: 32,
        got: bytes.len(),
    })?;
    Ok(Hash32(arr))
}

/// `Wei` (stored) to `U256`.
pub fn wei_to_u256(w: &Wei) -> U256 {
    U256::from_big_endian(&w.0)
}

/// `U256` to `Wei`.
pub fn u256_to_wei(v: U256) -> Wei {
    Wei(be32(v))
}

/// `U256` to an arbitrary-precision integer.
pub fn u256_to_big(v: U256) -> BigUint {
    BigUint::from_bytes_be(&be32(v))
}

/// An arbitrary-precision integer back to `U256`, refusing values of 2^256 and more.
pub fn big_to_u256(v: &BigUint, what: &'static str) -> Result<U256, NumError> {
    let bytes = v.to_bytes_be();
    u256_from_be(&strip(&bytes), what).map_err(|_| NumError::Overflow(what))
}

/// Checked `a + b`.
pub fn add(a: U256, b: U256, what: &'static str) -> Result<U256, NumError> {
    a.checked_add(b).ok_or(NumError::Overflow(what))
}

/// Checked `a − b`.
pub fn sub(a: U256, b: U256, what: &'static str) -> Result<U256, NumError> {
    a.checked_sub(b).ok_or(NumError::Underflow(what))
}

/// Checked `a × b`.
pub fn mul(a: U256, b: U256, what: &'static str) -> Result<U256, NumError> {
    a.checked_mul(b).ok_or(NumError::Overflow(what))
}

/// Checked `a / b` (integer division).
pub fn div(a: U256, b: U256, what: &'static str) -> Result<U256, NumError> {
    a.checked_div(b).ok_or(NumError::DivisionByZero(what))
}

/// A stored `Ratio` as an exact rational. Stored ratios are canonical (reduced) by
/// construction, so no gcd is taken here; a zero or empty denominator reads as 1 (never panics).
pub fn ratio_to_big(r: &Ratio) -> BigRational {
    let numer = BigUint::from_bytes_be(&r.numer);
    let mut denom = BigUint::from_bytes_be(&r.denom);
    if denom.is_zero() {
        denom = BigUint::from(1u8);
    }
    let sign = if r.negative { Sign::Minus } else { Sign::Plus };
    BigRational::new_raw(
        BigInt::from_biguint(sign, numer),
        BigInt::from_biguint(Sign::Plus, denom),
    )
}

/// An exact rational in the canonical stored form: reduced, positive denominator, no leading
/// zero bytes, zero as an empty numerator over 1. `BigRational` values made by its constructors
/// and operators are already reduced with a positive denominator.
pub fn ratio_from_big(v: &BigRational) -> Ratio {
    let (n, d) = (v.numer(), v.denom());
    if n.is_zero() {
        return Ratio {
            negative: false,
            numer: Vec::new(),
            denom: vec![1],
        };
    }
    Ratio {
        negative: n.is_negative() != d.is_negative(),
        numer: strip(&n.magnitude().to_bytes_be()),
        denom: strip(&d.magnitude().to_bytes_be()),
    }
}

/// An integer as a rational.
pub fn big_int(v: U256) -> BigRational {
    BigRational::from_integer(BigInt::from_biguint(Sign::Plus, u256_to_big(v)))
}

/// Go's `big.Rat.FloatString(prec)`: decimal with `prec` digits, the last rounded half away
/// from zero.
pub fn float_string(v: &BigRational, prec: usize) -> String {
    let scale = BigInt::from(10u8).pow(prec as u32);
    let n = v.numer().abs() * &scale;
    let d = v.denom().abs();
    let (mut q, r) = n.div_rem(&d);
    if r * 2u8 >= d {
        q += 1u8;
    }
    let digits = q.to_string();
    let sign = if v.is_negative() && !q.is_zero() {
        "-"
    } else {
        ""
    };
    if prec == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = prec + 1);
    let (int, frac) = padded.split_at(padded.len() - prec);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_three_bytes_is_an_error_not_a_panic() {
        let err = u256_from_be(&[1u8; 33], "faceValue").unwrap_err();
        assert_eq!(
            err.to_string(),
            "faceValue is 33 bytes long; at most 32 bytes fit a uint256"
        );
        assert_eq!(u256_from_be(&[0xff; 32], "x").unwrap(), U256::MAX);
        assert_eq!(u256_from_be(&[], "x").unwrap(), U256::zero());
        assert!(matches!(
            u64_from_be(&[1, 0, 0, 0, 0, 0, 0, 0, 0], "block"),
            Err(NumError::TooLarge { bits: 64, .. })
        ));
    }

    #[test]
    fn checked_ops_are_typed() {
        assert_eq!(
            add(U256::MAX, U256::one(), "a"),
            Err(NumError::Overflow("a"))
        );
        assert_eq!(
            sub(U256::zero(), U256::one(), "b"),
            Err(NumError::Underflow("b"))
        );
        assert_eq!(
            div(U256::one(), U256::zero(), "c"),
            Err(NumError::DivisionByZero("c"))
        );
        assert_eq!(
            mul(U256::MAX, U256::from(2), "d"),
            Err(NumError::Overflow("d"))
        );
    }

    #[test]
    fn minimal_bytes_match_go() {
        assert!(min_be(U256::zero()).is_empty());
        assert_eq!(min_be(U256::from(256)), vec![1, 0]);
        assert_eq!(min_be_u64(5), vec![5]);
    }

    #[test]
    fn ratio_round_trip_is_canonical() {
        let r = BigRational::new(BigInt::from(-6), BigInt::from(8));
        let stored = ratio_from_big(&r);
        assert_eq!(stored.to_string(), "-3/4");
        assert_eq!(ratio_to_big(&stored), r);
        assert_eq!(ratio_from_big(&BigRational::zero()), Ratio::from_u128(0));
        assert_eq!(
            ratio_from_big(&BigRational::from_integer(7.into())),
            Ratio::from_u128(7)
        );
    }

    #[test]
    fn float_string_rounds_like_go() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert_eq!(float_string(&r(1, 3), 5), "0.33333");
        assert_eq!(float_string(&r(2, 3), 5), "0.66667");
        assert_eq!(float_string(&r(1, 200000), 5), "0.00001");
        assert_eq!(float_string(&r(-1, 2), 0), "-1");
        assert_eq!(
            float_string(&r(3_000_000_000_000, 1), 5),
            "3000000000000.00000"
        );
    }
}
