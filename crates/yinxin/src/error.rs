//! The stable error-code convention shared by every error type of the crate.

/// An error that has a stable, machine-readable code.
///
/// Codes are dotted lowercase strings such as `id.uscc.check` or `crypto.signature_invalid`.
/// They never change once published: the CLI prints them, scripts and the language bindings
/// match on them. Messages (the `Display` text) may be reworded at any time.
pub trait ErrorCode {
    /// The stable code of this error.
    fn code(&self) -> &'static str;
}
