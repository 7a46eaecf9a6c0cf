//! Local verification of a transcode result (`-localVerify`, facts §1.4): the O signs
//! keccak256(keccak256(rendition₁) ‖ keccak256(rendition₂) ‖ …) with personal-sign, and the B
//! checks that signature against the O's address (`OrchestratorInfo.address`, or the ticket
//! recipient when the address is empty) over the renditions it downloaded.

use super::sig;
use crate::events::Address;
use ethers_core::utils::keccak256;

/// Why a result failed verification.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No signature came with the result.
    #[error("segment verification failed: no signature")]
    Unsigned,
    /// The signature is not the O's over these renditions.
    #[error("segment verification failed: signature does not match {0}")]
    BadSignature(Address),
}

/// The hash the O signs over the renditions, in the order asked for.
pub fn renditions_hash<'a>(renditions: impl IntoIterator<Item = &'a [u8]>) -> [u8; 32] {
    let mut all = Vec::new();
    for r in renditions {
        all.extend_from_slice(&keccak256(r));
    }
    keccak256(all)
}

/// Checks `sig` over `renditions` against the O's `address`.
pub fn verify_renditions<'a>(
    address: &Address,
    sig_bytes: &[u8],
    renditions: impl IntoIterator<Item = &'a [u8]>,
) -> Result<(), VerifyError> {
    if sig_bytes.is_empty() {
        return Err(VerifyError::Unsigned);
    }
    if sig::verify(address, &renditions_hash(renditions), sig_bytes) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature(*address))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ethers_signers::{LocalWallet, Signer};

    #[test]
    fn the_os_signature_over_its_renditions_verifies_and_nothing_else_does() {
        let o: LocalWallet = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
            .parse()
            .unwrap();
        let addr = Address(o.address().0);
        let (a, b) = (b"rendition one".as_slice(), b"rendition two".as_slice());
        let s = sig::sign(&o, &renditions_hash([a, b])).unwrap();
        assert_eq!(verify_renditions(&addr, &s, [a, b]), Ok(()));
        assert_eq!(
            verify_renditions(&addr, &s, [b, a]),
            Err(VerifyError::BadSignature(addr)),
            "order matters"
        );
        assert_eq!(
            verify_renditions(&addr, &s, [a, b"tampered".as_slice()]),
            Err(VerifyError::BadSignature(addr))
        );
        assert_eq!(
            verify_renditions(&Address([1; 20]), &s, [a, b]),
            Err(VerifyError::BadSignature(Address([1; 20])))
        );
        assert_eq!(
            verify_renditions(&addr, &[], [a, b]),
            Err(VerifyError::Unsigned)
        );
    }
}
