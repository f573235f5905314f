//! HTTPS: a rustls server configuration (ring) from PEM files.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use crate::{ServeError, TlsFiles};

/// PEM files larger than this are refused.
const MAX_PEM: u64 = 1 << 20;

fn read(path: &std::path::Path) -> Result<Vec<u8>, ServeError> {
    let meta = std::fs::metadata(path).map_err(|e| ServeError::Tls(format!("{}: {e}", path.display())))?;
    if meta.len() > MAX_PEM {
        return Err(ServeError::Tls(format!("{}: larger than {MAX_PEM} bytes", path.display())));
    }
    std::fs::read(path).map_err(|e| ServeError::Tls(format!("{}: {e}", path.display())))
}

/// The acceptor for `files`.
pub fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, ServeError> {
    let cert_pem = read(&files.cert)?;
    let key_pem = read(&files.key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.cert.display())))?;
    if chain.is_empty() {
        return Err(ServeError::Tls(format!("{}: no CERTIFICATE block", files.cert.display())));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", files.key.display())))?;
    // ring, as everywhere in yinxin (and in ureq's rustls): aws-lc-rs would add post-quantum
    // key exchange but needs a C/cmake build for every target (decision 0015).
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            ServeError::Tls(format!(
                "{} / {}: {e} (rustls takes ECDSA P-256/P-384, Ed25519 or RSA keys, not SM2)",
                files.cert.display(),
                files.key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
