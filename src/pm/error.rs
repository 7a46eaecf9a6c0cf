//! Typed errors of the pure payment arithmetic and wire parsing: oversized integers, bad lengths,
//! overflow, underflow and division by zero (ethers' `U256` would panic on all of them).

/// A value from the wire or the chain that cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumError {
    /// A big-endian integer longer than 32 bytes (ethers' `from_big_endian` would panic).
    #[error("{what} is {len} bytes long; at most 32 bytes fit a uint256")]
    TooLong {
        /// Which field.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// An integer that does not fit the narrower type it is used as.
    #[error("{what} does not fit in {bits} bits")]
    TooLarge {
        /// Which field.
        what: &'static str,
        /// The width it must fit.
        bits: u32,
    },
    /// A fixed-width field (address, hash) of the wrong length.
    #[error("{what} must be {expected} bytes, got {got}")]
    BadLength {
        /// Which field.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The length received.
        got: usize,
    },
    /// A negative value where only non-negative ones make sense.
    #[error("{what} is negative")]
    Negative {
        /// Which field.
        what: &'static str,
    },
    /// An addition or multiplication overflowed 256 bits.
    #[error("overflow computing {0}")]
    Overflow(&'static str),
    /// A subtraction went below zero.
    #[error("underflow computing {0}")]
    Underflow(&'static str),
    /// A division by zero.
    #[error("division by zero computing {0}")]
    DivisionByZero(&'static str),
}
