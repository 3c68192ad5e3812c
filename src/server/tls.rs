//! HTTPS for `jzz serve --tls-cert FILE --tls-key FILE`: rustls (the aws-lc-rs provider that
//! the S3 client already links), HTTP/1.1 and HTTP/2 by ALPN, the same router and graceful
//! shutdown as plain HTTP. Plain HTTP stays the choice behind a proxy that terminates TLS.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// How long a client may take over its TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// How long the connections in flight may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(30);

/// The certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}：{reason}", path.display())]
pub struct TlsError {
    /// The file.
    pub path: PathBuf,
    /// Why, in Chinese.
    pub reason: String,
}

/// The server configuration from a PEM certificate chain and a PEM private key (PKCS#8, PKCS#1
/// or SEC1).
pub fn config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let err = |path: &Path, reason: String| TlsError {
        path: path.to_path_buf(),
        reason,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| err(cert, format!("无法读取证书（PEM）：{e}")))?
        .collect::<Result<_, _>>()
        .map_err(|e| err(cert, format!("证书不是有效的 PEM：{e}")))?;
    if certs.is_empty() {
        return Err(err(cert, "文件中没有证书（CERTIFICATE）".into()));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| err(key, format!("无法读取私钥（PEM）：{e}")))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| err(cert, format!("TLS 设置有误：{e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| err(key, format!("私钥与证书不配（或不受支持）：{e}")))?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// Serves `app` over TLS on `listener` until `stop` completes, then lets the connections in
/// flight finish (at most [`DRAIN`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    cfg: Arc<rustls::ServerConfig>,
    stop: impl Future<Output = ()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    tokio::pin!(stop);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let acceptor = acceptor.clone();
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let conn = builder
                .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after {DRAIN:?}; closing them");
    }
}
