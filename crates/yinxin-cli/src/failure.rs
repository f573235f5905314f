//! How the CLI reports a failure: the stable code, a message, and the exit status.

use std::fmt::Display;
use std::process::ExitCode;

use yinxin::ErrorCode;

/// Exit status when a verification or validation failed.
pub const EXIT_INVALID: u8 = 1;
/// Exit status for bad usage or unreadable input.
pub const EXIT_UNREADABLE: u8 = 2;

/// A failure the CLI reports as `error[<code>]: <message>` on stderr.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
    pub exit: u8,
}

impl Failure {
    /// A library error that makes the input unusable (exit 2).
    pub fn unreadable<E: ErrorCode + Display>(error: &E, context: impl Display) -> Self {
        Self { code: error.code(), message: format!("{error} ({context})"), exit: EXIT_UNREADABLE }
    }

    /// A library error that means "verified, and it failed" (exit 1).
    pub fn invalid<E: ErrorCode + Display>(error: &E, context: impl Display) -> Self {
        Self { code: error.code(), message: format!("{error} ({context})"), exit: EXIT_INVALID }
    }

    /// A file that could not be read or written (exit 2).
    pub fn io(error: &std::io::Error, path: impl Display) -> Self {
        Self { code: "io.error", message: format!("{path}: {error}"), exit: EXIT_UNREADABLE }
    }

    /// A usage error found after argument parsing (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self { code: "cli.usage", message: message.into(), exit: EXIT_UNREADABLE }
    }

    /// Prints the failure and returns its exit code.
    pub fn report(self) -> ExitCode {
        eprintln!("error[{}]: {}", self.code, self.message);
        ExitCode::from(self.exit)
    }
}
