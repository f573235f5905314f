//! Why the server could not start.

use yinxin::ErrorCode;

/// Why `yinxin serve` could not start (once serving, bad requests are answered, never fatal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The publication directory is missing or not a directory.
    #[error("publication directory {0}")]
    Directory(String),
    /// The address cannot be bound.
    #[error("cannot listen on {0}")]
    Bind(String),
    /// The TLS certificate or key cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    /// The runtime could not start, or accepting failed.
    #[error("server: {0}")]
    Runtime(String),
}

impl ErrorCode for ServeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Directory(_) => "serve.directory",
            Self::Bind(_) => "serve.bind",
            Self::Tls(_) => "serve.tls",
            Self::Runtime(_) => "serve.runtime",
        }
    }
}
