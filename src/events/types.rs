//! Fixed-width value types used inside events: `Wei`, `Address`, `Hash32`, `Ratio`, `Price`.
//!
//! They serialise as raw bytes (never as hex strings) so that records stay small and replay never
//! parses text. Conversions to arithmetic types live with the code that does arithmetic (pm).

use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

// Binary formats (postcard) store raw bytes; human-readable ones (JSON dumps) get decimal wei,
// 0x-hex addresses and hashes, and `n/d` ratios. JSON is an output format only.
impl Serialize for Wei {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_newtype_struct("Wei", &self.0)
        }
    }
}
impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_newtype_struct("Address", &self.0)
        }
    }
}
impl Serialize for Hash32 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_newtype_struct("Hash32", &self.0)
        }
    }
}
impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            negative: bool,
            numer: &'a [u8],
            denom: &'a [u8],
        }
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            Repr {
                negative: self.negative,
                numer: &self.numer,
                denom: &self.denom,
            }
            .serialize(s)
        }
    }
}

/// An amount of wei: an unsigned 256-bit integer, big-endian.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Wei(pub [u8; 32]);

/// A 20-byte Ethereum address.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Address(pub [u8; 20]);

/// A 32-byte hash (keccak256 or blake3, as the field says).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Hash32(pub [u8; 32]);

/// An exact signed rational: sign plus big-endian magnitudes with no leading zeros.
/// A canonical value is reduced, with a positive denominator (`denom` never empty).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Ratio {
    /// True for values below zero.
    pub negative: bool,
    /// Magnitude of the numerator, big-endian, no leading zero bytes (empty = 0).
    pub numer: Vec<u8>,
    /// Denominator, big-endian, no leading zero bytes (empty means 1).
    pub denom: Vec<u8>,
}

/// A price in wei per pixel, as the wire carries it: `price_per_unit / pixels_per_unit`.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Price {
    /// Wei per unit (go-livepeer `pricePerUnit`).
    pub price_per_unit: i64,
    /// Pixels per unit (go-livepeer `pixelsPerUnit`).
    pub pixels_per_unit: i64,
}

impl Wei {
    /// Zero wei.
    pub const ZERO: Wei = Wei([0; 32]);

    /// Wei from a u128.
    pub fn from_u128(v: u128) -> Self {
        let mut b = [0u8; 32];
        b[16..].copy_from_slice(&v.to_be_bytes());
        Wei(b)
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|b| *b == 0)
    }
}

impl Ratio {
    /// The rational `n / 1` for a small non-negative integer.
    pub fn from_u128(n: u128) -> Self {
        Ratio {
            negative: false,
            numer: strip(&n.to_be_bytes()),
            denom: vec![1],
        }
    }
}

/// Removes leading zero bytes from a big-endian magnitude.
pub fn strip(bytes: &[u8]) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).map(<[u8]>::to_vec).unwrap_or_default()
}

/// Decimal digits of a big-endian unsigned magnitude (schoolbook division by 10).
pub fn be_to_decimal(bytes: &[u8]) -> String {
    let mut digits = Vec::new();
    let mut n = strip(bytes);
    while !n.is_empty() {
        let mut rem: u32 = 0;
        let mut q = Vec::with_capacity(n.len());
        for b in &n {
            let cur = (rem << 8) | u32::from(*b);
            q.push((cur / 10) as u8);
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        n = strip(&q);
    }
    if digits.is_empty() {
        return "0".to_string();
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

impl fmt::Display for Wei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&be_to_decimal(&self.0))
    }
}
impl fmt::Debug for Wei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self} wei")
    }
}
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}
impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}
impl fmt::Debug for Hash32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.negative { "-" } else { "" };
        let num = be_to_decimal(&self.numer);
        let den = if self.denom.is_empty() {
            "1".to_string()
        } else {
            be_to_decimal(&self.denom)
        };
        if den == "1" {
            write!(f, "{sign}{num}")
        } else {
            write!(f, "{sign}{num}/{den}")
        }
    }
}
impl fmt::Debug for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} wei/pixel",
            self.price_per_unit, self.pixels_per_unit
        )
    }
}
impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rendering() {
        assert_eq!(Wei::from_u128(0).to_string(), "0");
        assert_eq!(Wei::from_u128(8_000_000_000).to_string(), "8000000000");
        assert_eq!(
            Wei([0xff; 32]).to_string(),
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        );
        let r = Ratio {
            negative: true,
            numer: vec![3],
            denom: vec![4],
        };
        assert_eq!(r.to_string(), "-3/4");
    }
}
