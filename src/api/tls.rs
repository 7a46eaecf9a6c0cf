//! TLS as go-livepeer does it (facts §1.1 "Transport"): the O makes a self-signed ECDSA P-256
//! certificate on every start (`cert.pem` / `key.pem` in its datadir, one-year validity, the
//! service host as its name, marked CA), and clients skip certificate verification — every Go
//! client uses `InsecureSkipVerify`, since O certificates are self-signed by design. The
//! handshake itself is still checked (signatures over the transcript), so the peer proves it
//! holds the certificate's key.

use rustls::{
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider},
    pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime},
    DigitallySignedStruct, SignatureScheme,
};
use std::{path::Path, sync::Arc};

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Certificate generation failed.
    #[error("cannot make the TLS certificate: {0}")]
    Cert(#[from] rcgen::Error),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
    /// Writing cert.pem / key.pem failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// A fresh self-signed certificate for `host`, written to `dir/cert.pem` and `dir/key.pem`.
pub fn self_signed(
    host: &str,
    dir: &Path,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), TlsError> {
    let mut params = rcgen::CertificateParams::new(vec![host.to_string()])?;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now;
    params.not_after = now + time::Duration::days(365);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let cert = params.self_signed(&key)?;
    for (name, pem) in [("cert.pem", cert.pem()), ("key.pem", key.serialize_pem())] {
        let path = dir.join(name);
        write_private(&path, pem.as_bytes()).map_err(|source| TlsError::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    let der = PrivatePkcs8KeyDer::from(key.serialize_der());
    Ok((cert.der().clone(), PrivateKeyDer::Pkcs8(der)))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    std::io::Write::write_all(&mut f, bytes)
}

/// The server side: HTTP/2 (gRPC and HTTP) and HTTP/1.1 on the same port.
pub fn server_config(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// The client side of Go's `InsecureSkipVerify`: any certificate, but a valid handshake.
pub fn insecure_client_config(alpn_h2: bool) -> Result<Arc<rustls::ClientConfig>, TlsError> {
    let provider = provider();
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    if alpn_h2 {
        cfg.alpn_protocols = vec![b"h2".to_vec()];
    }
    Ok(Arc::new(cfg))
}

#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
