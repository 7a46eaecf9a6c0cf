//! Session auth tokens (facts §1.2 `AuthToken`, §1.4): HMAC-SHA256 over
//! `session_id ‖ minimal big-endian bytes(expiration)`, valid 30 minutes. Pure: the key and the
//! clock are inputs.
//!
//! go-livepeer draws a fresh random key per process, so every token dies with a restart and each
//! B must re-run discovery. Ours is derived from the O's persisted recipientRand secret, so a
//! restarted O still honours the tokens it issued.

use crate::pm::RandSecret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `authTokenValidPeriod`: 30 minutes.
pub const AUTH_TOKEN_VALID_S: i64 = 30 * 60;

/// An O-issued session token (`net.AuthToken`): the O's session id, its expiry, and the HMAC that
/// proves the O issued both.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AuthToken {
    /// HMAC-SHA256 over session id ‖ expiration.
    pub token: Vec<u8>,
    /// The O's session id (8 hex chars).
    pub session_id: String,
    /// Unix seconds.
    pub expiration: i64,
}

/// The key that signs auth tokens.
#[derive(Clone)]
pub struct AuthKey([u8; 32]);

impl std::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKey(..)")
    }
}

/// Why a segment's token was refused (HTTP 403 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token in the segment.
    #[error("missing auth token")]
    Missing,
    /// The HMAC does not match.
    #[error("invalid auth token")]
    Invalid,
    /// Past its expiration.
    #[error("expired auth token")]
    Expired,
}

fn mac(key: &[u8; 32]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; 32 bytes can never be refused.
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!())
}

/// Go's `big.NewInt(x).Bytes()` for x ≥ 0: minimal big-endian, empty for 0.
fn minimal_be(x: i64) -> Vec<u8> {
    let b = x.unsigned_abs().to_be_bytes();
    let first = b.iter().position(|&v| v != 0).unwrap_or(b.len());
    b[first..].to_vec()
}

impl AuthKey {
    /// Derives the token key from the O's persisted secret (domain-separated).
    pub fn derive(secret: &RandSecret) -> Self {
        let mut m = mac(&secret.0);
        m.update(b"livepeer auth token key v1");
        AuthKey(m.finalize().into_bytes().into())
    }

    fn token(&self, session_id: &str, expiration: i64) -> Vec<u8> {
        let mut m = mac(&self.0);
        m.update(session_id.as_bytes());
        m.update(&minimal_be(expiration));
        m.finalize().into_bytes().to_vec()
    }

    /// A token for `session_id`, valid for 30 minutes from `now_s` (unix seconds).
    pub fn issue(&self, session_id: &str, now_s: i64) -> AuthToken {
        let expiration = now_s.saturating_add(AUTH_TOKEN_VALID_S);
        AuthToken {
            token: self.token(session_id, expiration),
            session_id: session_id.to_string(),
            expiration,
        }
    }

    /// Checks a segment's token at `now_s`, in the reference's order (present, genuine, live).
    pub fn check(&self, token: Option<&AuthToken>, now_s: i64) -> Result<(), AuthError> {
        let t = token.ok_or(AuthError::Missing)?;
        let mut m = mac(&self.0);
        m.update(t.session_id.as_bytes());
        m.update(&minimal_be(t.expiration));
        m.verify_slice(&t.token).map_err(|_| AuthError::Invalid)?;
        if now_s > t.expiration {
            return Err(AuthError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_check_until_they_expire() {
        let k = AuthKey::derive(&RandSecret([7; 32]));
        let t = k.issue("0a1b2c3d", 1_000);
        assert_eq!(t.expiration, 1_000 + 1_800);
        assert_eq!(k.check(Some(&t), 2_800), Ok(()));
        assert_eq!(k.check(Some(&t), 2_801), Err(AuthError::Expired));
        assert_eq!(k.check(None, 0), Err(AuthError::Missing));
        let mut forged = t.clone();
        forged.expiration += 1;
        assert_eq!(k.check(Some(&forged), 0), Err(AuthError::Invalid));
        let other = AuthKey::derive(&RandSecret([8; 32]));
        assert_eq!(other.check(Some(&t), 0), Err(AuthError::Invalid));
        // The same secret (a restarted O) accepts it.
        assert_eq!(
            AuthKey::derive(&RandSecret([7; 32])).check(Some(&t), 0),
            Ok(())
        );
    }

    #[test]
    fn preimage_is_session_id_then_minimal_big_endian_expiration() {
        let k = AuthKey([1; 32]);
        let mut m = mac(&[1; 32]);
        m.update(b"abcd");
        m.update(&[0x01, 0x00]);
        assert_eq!(k.token("abcd", 256), m.finalize().into_bytes().to_vec());
        assert_eq!(minimal_be(0), Vec::<u8>::new());
    }
}
