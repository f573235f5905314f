//! One module per subcommand.

pub mod authority;
pub mod batch;
pub mod batch_tally;
pub mod demo;
pub mod digest;
pub mod id;
pub mod issue;
pub mod key;
pub mod license;
pub mod license_file;
pub mod mdoc;
pub mod ofd_sign;
pub mod output;
pub mod present;
pub mod qr_image;
pub mod registry;
pub mod replay_cache;
pub mod seal;
pub mod seal_picture;
pub mod seal_verify;
pub mod serve;
pub mod status;
pub mod time_arg;
pub mod trust_list;
pub mod verdict;
pub mod verifying;
