//! The holder wallet's files: wallet file, sealed-record wrapper, records, log entries, settings, backups.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| yinxin::fuzzing::wallet_files(data));
