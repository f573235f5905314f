//! The holder's store (issue 19): unlock and present from a wallet of 50 licenses with the
//! Argon2id fallback at [`KdfParams::PIN`] (target under 300 ms) and with a keystore-protected
//! key (under 20 ms); listing 50 licenses (under 10 ms); the key derivation alone. Figures in
//! BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::id::LicenseIdentifier;
use yinxin::license::{IssueOptions, LicenseData};
use yinxin::present::Disclosure;
use yinxin::wallet::store::{CreateOptions, KdfParams, Pin, Protection, StorageKeyGuard, WalletStore};
use yinxin_test_vectors::kit;

const LICENSES: usize = 50;

/// The keystore's work stands in as an XOR: the figure is the wallet's own cost.
struct Keystore;
impl StorageKeyGuard for Keystore {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, String> {
        Ok(key.iter().map(|b| b ^ 0x5a).collect())
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        self.wrap(wrapped)
    }
}

fn bench(c: &mut Criterion) {
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let pin = Pin::new("246810").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("wallet");
    g.sample_size(10).measurement_time(StdDuration::from_secs(8));
    for (label, protection) in [
        ("argon2id", Protection::Pin(KdfParams::PIN)),
        ("keystore", Protection::Keystore(Arc::new(Keystore))),
    ] {
        let path = dir.path().join(label);
        let keystore = matches!(protection, Protection::Keystore(_))
            .then(|| Arc::new(Keystore) as Arc<dyn StorageKeyGuard>);
        let store =
            WalletStore::create(&path, &pin, CreateOptions { protection, ..CreateOptions::default() })
                .unwrap();
        let w = store.unlock(&pin, now).unwrap();
        let mut last = String::new();
        for i in 0..LICENSES {
            let mut data: LicenseData = world.data.clone();
            let id = LicenseIdentifier::parse(&data.meta.license_identifier).unwrap();
            let serial = format!("5101002024112{i:05}");
            data.meta.license_identifier =
                LicenseIdentifier::new(id.type_code().clone(), id.issuer().clone(), &serial, "001")
                    .unwrap()
                    .to_string();
            let holder = SoftwareKey::generate(Algorithm::Es256).unwrap();
            let license =
                world.authority.issue(&data, holder.public_key(), &IssueOptions::default()).unwrap();
            w.add(license.bytes, &holder, now).unwrap();
            last = data.meta.license_identifier.clone();
        }
        assert_eq!(w.licenses().unwrap().licenses.len(), LICENSES);
        let store = WalletStore::open(&path, keystore).unwrap();
        g.bench_function(format!("{label}/unlock+present/{LICENSES}"), |b| {
            b.iter(|| {
                let w = store.unlock(&pin, now).unwrap();
                w.present(&pin, &last, Disclosure::Elements(&["holder_name", "valid_until"]), now).unwrap()
            });
        });
        let w = store.unlock(&pin, now).unwrap();
        g.bench_function(format!("{label}/list/{LICENSES}"), |b| b.iter(|| w.licenses().unwrap()));
    }
    g.bench_function("argon2id/derive", |b| {
        b.iter(|| {
            let p = argon2::Params::new(
                KdfParams::PIN.memory_kib,
                KdfParams::PIN.iterations,
                KdfParams::PIN.lanes,
                Some(32),
            )
            .unwrap();
            let mut out = [0u8; 32];
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p)
                .hash_password_into(b"246810", b"0123456789abcdef", &mut out)
                .unwrap();
            out
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
