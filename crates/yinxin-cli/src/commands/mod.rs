//! One module per subcommand.

pub mod demo;
pub mod digest;
pub mod id;
pub mod key;
