//! The `Livepeer-Payment` header (facts §2.2, §4): base64 (standard alphabet, padded) of a
//! protobuf `net.Payment`. The O decodes it (base64 → `net::Payment` → `pm::wire::WirePayment`,
//! then `pm::decide_payment` does the typed checks); the B encodes the reverse. Offchain, the
//! header is the empty string, which decodes to an empty payment — exactly what an all-default
//! payment encodes to. No input panics: bad base64 and bad protobuf are typed errors, answered
//! with HTTP 402 and the error text, as go-livepeer does.

use super::proto::net;
use crate::pm::wire::WirePayment;
use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine,
};
use prost::Message;

/// The header's name.
pub const PAYMENT_HEADER: &str = "Livepeer-Payment";

/// Go's `base64.StdEncoding`: standard alphabet, padding written and required, and (unlike the
/// `base64` crate's default) non-zero trailing bits in the last symbol accepted on decode.
pub(crate) const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Why a `Livepeer-Payment` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentHeaderError {
    /// Not base64 (standard alphabet, padded).
    #[error("invalid base64 in payment header: {0}")]
    Base64(#[from] base64::DecodeError),
    /// Base64, but not a protobuf `net.Payment`.
    #[error("invalid protobuf in payment header: {0}")]
    Protobuf(#[from] prost::DecodeError),
}

impl PaymentHeaderError {
    /// The HTTP status go-livepeer answers a payment it cannot decode with (402).
    pub const fn http_status(&self) -> u16 {
        402
    }
}

/// `net::Payment` → the core's mirror (moves the byte fields, copies nothing else).
pub fn payment_from_proto(p: net::Payment) -> WirePayment {
    WirePayment {
        ticket_params: p.ticket_params.map(Into::into),
        sender: p.sender,
        expiration_params: p.expiration_params.map(Into::into),
        ticket_sender_params: p.ticket_sender_params.into_iter().map(Into::into).collect(),
        expected_price: p.expected_price.map(Into::into),
    }
}

/// The core's mirror → `net::Payment`.
pub fn payment_to_proto(p: WirePayment) -> net::Payment {
    net::Payment {
        ticket_params: p.ticket_params.map(Into::into),
        sender: p.sender,
        expiration_params: p.expiration_params.map(Into::into),
        ticket_sender_params: p.ticket_sender_params.into_iter().map(Into::into).collect(),
        expected_price: p.expected_price.map(Into::into),
    }
}

/// Decodes the raw protobuf bytes of a `net.Payment`.
pub fn decode_payment_bytes(bytes: &[u8]) -> Result<WirePayment, PaymentHeaderError> {
    Ok(payment_from_proto(net::Payment::decode(bytes)?))
}

/// Decodes a `Livepeer-Payment` header value. The empty string (offchain) is the empty payment.
/// As with Go's decoder, `\r` and `\n` are skipped.
pub fn decode_payment_header(value: &str) -> Result<WirePayment, PaymentHeaderError> {
    let bytes = if value.contains(['\r', '\n']) {
        let cleaned: String = value
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n'))
            .collect();
        GO_STD.decode(cleaned)?
    } else {
        GO_STD.decode(value)?
    };
    decode_payment_bytes(&bytes)
}

/// The raw protobuf bytes of a payment.
pub fn encode_payment_bytes(p: &WirePayment) -> Vec<u8> {
    payment_to_proto(p.clone()).encode_to_vec()
}

/// Encodes a payment as a `Livepeer-Payment` header value (the B side). An empty payment
/// (offchain) encodes to the empty string.
pub fn encode_payment_header(p: &WirePayment) -> String {
    GO_STD.encode(encode_payment_bytes(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offchain_is_the_empty_string_both_ways() {
        assert_eq!(encode_payment_header(&WirePayment::default()), "");
        assert_eq!(decode_payment_header(""), Ok(WirePayment::default()));
    }

    #[test]
    fn go_std_padding_and_trailing_bits() {
        // "AA==" is one zero byte: an unknown field 0 is invalid protobuf, but valid base64.
        assert!(matches!(
            decode_payment_header("AA=="),
            Err(PaymentHeaderError::Protobuf(_))
        ));
        // Missing padding is refused (StdEncoding, not RawStdEncoding).
        assert!(matches!(
            decode_payment_header("EgA"),
            Err(PaymentHeaderError::Base64(_))
        ));
        // "EgA=" is field 2 (sender), length 0; "EgB=" has non-zero trailing bits, which Go
        // accepts outside strict mode.
        assert_eq!(decode_payment_header("EgA="), Ok(WirePayment::default()));
        assert_eq!(decode_payment_header("EgB="), Ok(WirePayment::default()));
        // URL-safe alphabet is not standard base64.
        assert!(matches!(
            decode_payment_header("-_-_"),
            Err(PaymentHeaderError::Base64(_))
        ));
    }

    #[test]
    fn newlines_are_skipped_like_go() {
        assert_eq!(
            decode_payment_header("Eg\r\nA="),
            Ok(WirePayment::default())
        );
    }

    #[test]
    fn errors_answer_402() {
        let e = decode_payment_header("!").err();
        assert_eq!(e.map(|e| e.http_status()), Some(402));
    }
}
