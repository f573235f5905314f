//! The holder's encrypted store (issue 19): many licenses behind the showing PIN, the durable
//! count of wrong PINs, nothing in clear on disk, damage confined to one file, backups,
//! keystore-protected keys, SM4-GCM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode as _;
use yinxin::crypto::Algorithm;
use yinxin::license::IssueOptions;
use yinxin::present::Disclosure;
use yinxin::wallet::WalletError;
use yinxin::wallet::store::{
    CreateOptions, FIRST_LOCKOUT, KdfParams, Passphrase, Pin, Protection, StorageKeyGuard, Suite, WalletStore,
};
use yinxin_test_vectors::kit;

fn pin() -> Pin {
    Pin::new("246810").unwrap()
}

fn wrong() -> Pin {
    Pin::new("135790").unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A wallet with the business license and the driving license, each with its own holder key.
fn filled(dir: &Path, options: CreateOptions) -> (WalletStore, Vec<kit::Issued>) {
    let store = WalletStore::create(dir, &pin(), options).unwrap();
    let w = store.unlock(&pin(), now()).unwrap();
    let worlds = vec![
        kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default()),
        kit::issued_to(Algorithm::Sm2Sm3, Algorithm::Sm2Sm3, "driving-license.json", IssueOptions::default()),
    ];
    for world in &worlds {
        let summary = w.add(world.license.bytes.clone(), world.wallet.signer(), now()).unwrap();
        assert_eq!(summary.identifier, world.id());
    }
    (store, worlds)
}

#[test]
fn holds_many_licenses_and_shows_each_with_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let (store, worlds) = filled(&dir.path().join("w"), CreateOptions::for_tests());
    let w = store.unlock(&pin(), now()).unwrap();
    let listing = w.licenses().unwrap();
    assert!(listing.damaged.is_empty());
    let mut ids: Vec<String> = worlds.iter().map(kit::Issued::id).collect();
    ids.sort();
    assert_eq!(listing.licenses.iter().map(|l| l.identifier.clone()).collect::<Vec<_>>(), ids);
    let business = listing.licenses.iter().find(|l| l.identifier == worlds[0].id()).unwrap();
    assert_eq!(business.holder_name.as_deref(), Some("成都天府示例科技有限公司"));
    assert_eq!(business.issuer.as_deref(), Some("成都市市场监督管理局"));
    assert_eq!(business.valid_until, None, "long-term");

    for world in &worlds {
        let at = now();
        let code = w.present(&pin(), &world.id(), Disclosure::Elements(&["holder_name"]), at).unwrap();
        let verified = world.verifier().verify_presentation(&code, at).unwrap();
        assert_eq!(
            verified.license().meta("holder_name").unwrap().as_text(),
            world.data.meta.holder_name.as_str().into()
        );
    }
    // The consent log has both, oldest first, with what was shown and to whom.
    let (log, damaged) = w.history().unwrap();
    assert!(damaged.is_empty());
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].elements, vec!["holder_name".to_owned()]);
    assert!(log.iter().all(|e| e.verifier.is_none() && e.purpose.is_none()));
    assert!(log[0].at <= log[1].at);

    // Removing one leaves the other.
    assert!(w.remove(&worlds[0].id()).unwrap());
    assert!(!w.remove(&worlds[0].id()).unwrap());
    assert_eq!(w.licenses().unwrap().licenses.len(), 1);
    assert!(matches!(
        w.present(&pin(), &worlds[0].id(), Disclosure::All, now()),
        Err(WalletError::UnknownLicense(_))
    ));
}

#[test]
fn import_checks_every_part_and_the_holder_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = WalletStore::create(dir.path().join("w"), &pin(), CreateOptions::for_tests()).unwrap();
    let w = store.unlock(&pin(), now()).unwrap();
    let a = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let b = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let e = w.add(a.license.bytes.clone(), b.wallet.signer(), now()).unwrap_err();
    assert_eq!(e.code(), "wallet.holder_key_mismatch");
    let mut tampered = a.license.bytes.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 1;
    assert!(w.add(tampered, a.wallet.signer(), now()).is_err());
    assert!(w.licenses().unwrap().licenses.is_empty());
    // The same license again replaces it.
    w.add(a.license.bytes.clone(), a.wallet.signer(), now()).unwrap();
    w.add(a.license.bytes.clone(), a.wallet.signer(), now()).unwrap();
    assert_eq!(w.licenses().unwrap().licenses.len(), 1);
}

#[test]
fn wrong_pins_are_counted_durably_and_lock_with_doubling_times() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    WalletStore::create(&path, &pin(), CreateOptions::for_tests()).unwrap();
    let t0 = now();
    for left in [4, 3, 2, 1] {
        // A fresh handle each time: the count is on disk, not in memory.
        let e = WalletStore::open(&path, None).unwrap().unlock(&wrong(), t0).unwrap_err();
        assert!(matches!(e, WalletError::PinWrong { left: l } if l == left), "{e}");
        assert_eq!(e.code(), "wallet.pin_wrong");
    }
    let store = WalletStore::open(&path, None).unwrap();
    let e = store.unlock(&wrong(), t0).unwrap_err();
    let until = t0.replace_nanosecond(0).unwrap() + FIRST_LOCKOUT;
    assert!(matches!(e, WalletError::Locked { until: u } if u == until), "{e}");
    assert_eq!(e.code(), "wallet.locked");
    // While locked even the right PIN is refused, and not counted.
    assert!(matches!(store.unlock(&pin(), t0 + Duration::seconds(30)), Err(WalletError::Locked { .. })));
    assert_eq!(store.attempts().unwrap().failed, 5);

    // Deleting the mirror, or putting back an old wallet file, resets nothing.
    let old_meta = std::fs::read(path.join("wallet.yx")).unwrap();
    std::fs::remove_file(path.join("attempts.yx")).unwrap();
    assert_eq!(WalletStore::open(&path, None).unwrap().attempts().unwrap().failed, 5);
    store.unlock(&wrong(), t0 + FIRST_LOCKOUT + Duration::seconds(1)).unwrap_err();
    std::fs::write(path.join("wallet.yx"), &old_meta).unwrap();
    let a = WalletStore::open(&path, None).unwrap().attempts().unwrap();
    assert_eq!(a.failed, 6, "the mirror keeps the higher count");
    let t1 = t0 + FIRST_LOCKOUT + Duration::seconds(1);
    assert_eq!(
        a.locked_at(t1),
        Some(t1.replace_nanosecond(0).unwrap() + FIRST_LOCKOUT * 2),
        "the lock-out doubled"
    );

    // The right PIN after the lock-out opens the wallet and resets the count.
    let t2 = t1 + FIRST_LOCKOUT * 2 + Duration::seconds(1);
    store.unlock(&pin(), t2).unwrap();
    assert_eq!(store.attempts().unwrap().failed, 0);
}

#[test]
fn every_presentation_asks_for_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let (store, worlds) = filled(&dir.path().join("w"), CreateOptions::for_tests());
    let w = store.unlock(&pin(), now()).unwrap();
    let e = w.present(&wrong(), &worlds[0].id(), Disclosure::All, now()).unwrap_err();
    assert_eq!(e.code(), "wallet.pin_wrong");
    assert_eq!(store.attempts().unwrap().failed, 1, "counted on disk like an unlock");
    assert!(w.history().unwrap().0.is_empty(), "nothing shown, nothing logged");
    w.present(&pin(), &worlds[0].id(), Disclosure::All, now()).unwrap();
    assert_eq!(store.attempts().unwrap().failed, 0);
}

/// Every file of the directory, concatenated.
fn disk(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.extend(std::fs::read(&p).unwrap());
                out.extend(p.to_string_lossy().as_bytes());
            }
        }
    }
    out
}

#[test]
fn nothing_reaches_the_disk_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    let (store, worlds) = filled(&path, CreateOptions::for_tests());
    store.unlock(&pin(), now()).unwrap().present(&pin(), &worlds[0].id(), Disclosure::All, now()).unwrap();
    let on_disk = disk(&path);
    let windows: HashSet<&[u8]> = on_disk.windows(12).collect();
    for world in &worlds {
        let key = world.wallet.signer().to_pkcs8_der().unwrap();
        for (what, secret) in
            [("credential", world.license.bytes.as_slice()), ("private key", key.as_slice())]
        {
            let leaked = secret.windows(12).filter(|w| windows.contains(w)).count();
            assert_eq!(leaked, 0, "{what}: {leaked} 12-byte windows on disk");
        }
        for text in [world.id(), world.data.meta.holder_name.clone(), world.data.meta.holder_code.clone()] {
            assert!(!on_disk.windows(text.len()).any(|w| w == text.as_bytes()), "{text} on disk");
        }
    }
}

#[test]
fn a_damaged_file_takes_no_other_license_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    let (store, worlds) = filled(&path, CreateOptions::for_tests());
    let files: Vec<_> =
        std::fs::read_dir(path.join("licenses")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 2);
    let w = store.unlock(&pin(), now()).unwrap();
    let original = std::fs::read(&files[0]).unwrap();
    // Every flipped byte, and a cut, of one file: that file is named damaged, the other opens.
    for i in (0..original.len()).step_by(97).chain([original.len() - 1]) {
        let mut t = original.clone();
        t[i] ^= 0x01;
        std::fs::write(&files[0], &t).unwrap();
        let listing = w.licenses().unwrap();
        assert_eq!(listing.licenses.len(), 1, "byte {i}");
        assert_eq!(listing.damaged.len(), 1, "byte {i}");
        let other = &listing.licenses[0].identifier;
        let world = worlds.iter().find(|w| w.id() == *other).unwrap();
        let code = w.present(&pin(), other, Disclosure::Elements(&["holder_name"]), now()).unwrap();
        world.verifier().verify_presentation(&code, now()).unwrap();
    }
    std::fs::write(&files[0], &original[..original.len() / 2]).unwrap();
    assert_eq!(w.licenses().unwrap().damaged.len(), 1);
    // Two files swapped by name: both refused (the record id is bound to its content).
    std::fs::write(&files[0], &original).unwrap();
    let second = std::fs::read(&files[1]).unwrap();
    std::fs::write(&files[0], &second).unwrap();
    std::fs::write(&files[1], &original).unwrap();
    let listing = w.licenses().unwrap();
    assert_eq!((listing.licenses.len(), listing.damaged.len()), (0, 2));
    assert_eq!(WalletError::RecordDamaged(listing.damaged[0].clone()).code(), "wallet.record_damaged");

    // A damaged wallet file is refused with its own code.
    let meta = std::fs::read(path.join("wallet.yx")).unwrap();
    let mut t = meta.clone();
    t[meta.len() / 2] ^= 0x10;
    std::fs::write(path.join("wallet.yx"), &t).unwrap();
    assert_eq!(WalletStore::open(&path, None).unwrap_err().code(), "wallet.damaged");
    std::fs::write(path.join("wallet.yx"), b"").unwrap();
    assert_eq!(WalletStore::open(&path, None).unwrap_err().code(), "wallet.damaged");
    std::fs::remove_file(path.join("wallet.yx")).unwrap();
    assert_eq!(WalletStore::open(&path, None).unwrap_err().code(), "wallet.not_found");
}

#[test]
fn a_record_of_another_wallet_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = filled(&dir.path().join("a"), CreateOptions::for_tests());
    let b = WalletStore::create(dir.path().join("b"), &pin(), CreateOptions::for_tests()).unwrap();
    for e in std::fs::read_dir(a.dir().join("licenses")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, b.dir().join("licenses").join(p.file_name().unwrap())).unwrap();
    }
    let listing = b.unlock(&pin(), now()).unwrap().licenses().unwrap();
    assert_eq!((listing.licenses.len(), listing.damaged.len()), (0, 2));
}

#[test]
fn oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    WalletStore::create(&path, &pin(), CreateOptions::for_tests()).unwrap();
    std::fs::write(path.join("wallet.yx"), vec![0u8; (1 << 20) + 1]).unwrap();
    assert_eq!(WalletStore::open(&path, None).unwrap_err().code(), "wallet.too_large");
}

#[test]
fn backups_restore_everything_under_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (store, worlds) = filled(&dir.path().join("w"), CreateOptions::for_tests());
    let w = store.unlock(&pin(), now()).unwrap();
    w.present(&pin(), &worlds[1].id(), Disclosure::All, now()).unwrap();
    assert_eq!(Passphrase::new("short").unwrap_err().code(), "wallet.passphrase_too_short");
    let pass = Passphrase::new("correct horse battery").unwrap();
    let cheap = KdfParams { memory_kib: 64, iterations: 1, lanes: 1 };
    let backup = w.backup_with(&pass, cheap).unwrap();

    let new_pin = Pin::new("112233").unwrap();
    let restored =
        WalletStore::restore(dir.path().join("r"), &backup, &pass, &new_pin, Protection::Pin(cheap)).unwrap();
    assert_eq!((restored.licenses, restored.history, restored.damaged.len()), (2, 1, 0));
    let r = restored.store.unlock(&new_pin, now()).unwrap();
    assert_eq!(r.licenses().unwrap().licenses, w.licenses().unwrap().licenses);
    assert_eq!(r.history().unwrap().0, w.history().unwrap().0);
    assert!(restored.store.unlock(&pin(), now()).is_err(), "the old PIN is not the new wallet's");
    let code = r.present(&new_pin, &worlds[0].id(), Disclosure::All, now()).unwrap();
    worlds[0].verifier().verify_presentation(&code, now()).unwrap();

    // A wrong passphrase, a non-empty target, a damaged backup.
    let other = Passphrase::new("incorrect horse battery").unwrap();
    let e = WalletStore::restore(dir.path().join("x"), &backup, &other, &new_pin, Protection::Pin(cheap))
        .unwrap_err();
    assert_eq!(e.code(), "wallet.backup_invalid");
    let e = WalletStore::restore(dir.path().join("r"), &backup, &pass, &new_pin, Protection::Pin(cheap))
        .unwrap_err();
    assert_eq!(e.code(), "wallet.exists");
    for i in (0..backup.len()).step_by(backup.len() / 40) {
        let mut t = backup.clone();
        t[i] ^= 0x01;
        let target = dir.path().join(format!("t{i}"));
        match WalletStore::restore(&target, &t, &pass, &new_pin, Protection::Pin(cheap)) {
            Err(e) => {
                assert!(["wallet.backup_invalid", "wallet.too_large"].contains(&e.code()), "byte {i}: {e}")
            }
            Ok(r) => assert_eq!(r.damaged.len(), 1, "byte {i} changed a record, which must be named"),
        }
    }
}

/// A stand-in for the platform keystore: wraps with a key the test holds (as hardware would).
struct TestKeystore {
    key: [u8; 32],
    fail: AtomicBool,
}

impl StorageKeyGuard for TestKeystore {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, String> {
        Ok(key.iter().zip(self.key.iter().cycle()).map(|(a, b)| a ^ b).collect())
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, String> {
        if self.fail.load(Ordering::SeqCst) {
            return Err("user not authenticated".into());
        }
        self.wrap(wrapped)
    }
}

#[test]
fn a_keystore_protects_the_key_and_the_pin_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w");
    let keystore = Arc::new(TestKeystore { key: [0x5a; 32], fail: AtomicBool::new(false) });
    let options =
        CreateOptions { protection: Protection::Keystore(keystore.clone()), ..CreateOptions::default() };
    let (_, worlds) = filled(&path, options);
    assert_eq!(
        WalletStore::open(&path, None).unwrap().unlock(&pin(), now()).unwrap_err().code(),
        "wallet.keystore"
    );
    let store = WalletStore::open(&path, Some(keystore.clone())).unwrap();
    assert_eq!(store.unlock(&wrong(), now()).unwrap_err().code(), "wallet.pin_wrong");
    assert_eq!(store.attempts().unwrap().failed, 1);
    keystore.fail.store(true, Ordering::SeqCst);
    assert_eq!(store.unlock(&pin(), now()).unwrap_err().code(), "wallet.keystore");
    assert_eq!(store.attempts().unwrap().failed, 1, "a keystore failure is not a wrong PIN");
    keystore.fail.store(false, Ordering::SeqCst);
    let w = store.unlock(&pin(), now()).unwrap();
    let code = w.present(&pin(), &worlds[0].id(), Disclosure::All, now()).unwrap();
    worlds[0].verifier().verify_presentation(&code, now()).unwrap();
}

#[test]
fn gm_wallets_seal_with_sm4_gcm() {
    let dir = tempfile::tempdir().unwrap();
    let options = CreateOptions { suite: Suite::Sm4Gcm, ..CreateOptions::for_tests() };
    let (store, worlds) = filled(&dir.path().join("w"), options);
    let w = store.unlock(&pin(), now()).unwrap();
    assert_eq!(w.suite(), Suite::Sm4Gcm);
    let code = w.present(&pin(), &worlds[1].id(), Disclosure::All, now()).unwrap();
    worlds[1].verifier().verify_presentation(&code, now()).unwrap();
}

#[test]
fn a_wallet_is_created_only_in_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x"), b"x").unwrap();
    let e = WalletStore::create(dir.path(), &pin(), CreateOptions::for_tests()).unwrap_err();
    assert_eq!(e.code(), "wallet.exists");
}
