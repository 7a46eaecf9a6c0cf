//! The one table from the core's refusals to HTTP: every [`Rejected`] variant, every payment
//! refusal and the node's own failures get the status and the text go-livepeer sends (facts
//! §2.2, §2.4). The match is exhaustive, so a new refusal cannot go out without a status.

use crate::commands::Rejected;
use crate::pm::PaymentError;

/// An HTTP answer to a refused request: status and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub text: String,
}

impl Refusal {
    /// A refusal with `status` and `text`.
    pub fn new(status: u16, text: impl std::fmt::Display) -> Self {
        Refusal {
            status,
            text: text.to_string(),
        }
    }

    /// The node could not do its part (its event log refused an append, a task died): 500.
    pub fn internal(text: impl std::fmt::Display) -> Self {
        Refusal::new(500, text)
    }
}

impl From<&Rejected> for Refusal {
    fn from(r: &Rejected) -> Self {
        let status = match r {
            Rejected::PaymentHeader(_) => 402,
            Rejected::SegmentHeader(_)
            | Rejected::SegmentSignature
            | Rejected::IncompatibleCapabilities
            | Rejected::AuthToken(_)
            | Rejected::OrchestratorCapped
            | Rejected::HashMismatch
            | Rejected::StreamForbidden { .. } => 403,
            Rejected::BodyUnreachable => 400,
            Rejected::BodyTooLarge { .. } | Rejected::StreamUnusable { .. } => 500,
            Rejected::NoOrchestrator => 503,
            Rejected::TooManyStreams => 503,
        };
        Refusal::new(status, r)
    }
}

impl From<Rejected> for Refusal {
    fn from(r: Rejected) -> Self {
        Refusal::from(&r)
    }
}

impl From<&PaymentError> for Refusal {
    /// `ProcessPayment` failures are 400 with the error's text.
    fn from(e: &PaymentError) -> Self {
        Refusal::new(400, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::auth_token::AuthError;

    #[test]
    fn statuses_and_texts_are_the_references() {
        let cases: Vec<(Rejected, u16, &str)> = vec![
            (
                Rejected::PaymentHeader("illegal base64 data at input byte 4".into()),
                402,
                "illegal base64 data at input byte 4",
            ),
            (
                Rejected::SegmentHeader("ErrorSegEncoding".into()),
                403,
                "ErrorSegEncoding",
            ),
            (
                Rejected::SegmentHeader("invalid duration".into()),
                403,
                "invalid duration",
            ),
            (Rejected::SegmentSignature, 403, "ErrSegSig"),
            (
                Rejected::IncompatibleCapabilities,
                403,
                "incompatible capabilities",
            ),
            (
                Rejected::AuthToken(AuthError::Missing),
                403,
                "missing auth token",
            ),
            (
                Rejected::AuthToken(AuthError::Invalid),
                403,
                "invalid auth token",
            ),
            (
                Rejected::AuthToken(AuthError::Expired),
                403,
                "expired auth token",
            ),
            (Rejected::OrchestratorCapped, 403, "OrchestratorCapped"),
            (Rejected::BodyUnreachable, 400, "BadRequest"),
            (Rejected::HashMismatch, 403, "Forbidden"),
            (Rejected::NoOrchestrator, 503, "No sessions available"),
            (
                Rejected::StreamForbidden {
                    url: "http://h/live/m/0.ts".into(),
                },
                403,
                "Could not create stream ID: url=http://h/live/m/0.ts",
            ),
            (
                Rejected::StreamUnusable {
                    url: "http://h/live/m/0.ts".into(),
                },
                500,
                "Could not create stream ID: url=http://h/live/m/0.ts",
            ),
        ];
        for (r, status, text) in cases {
            assert_eq!(Refusal::from(&r), Refusal::new(status, text), "{r:?}");
        }
        let p = PaymentError::InvalidExpectedPrice("nil".into());
        assert_eq!(Refusal::from(&p).status, 400);
        assert_eq!(Refusal::from(&p).text, p.to_string());
    }
}
