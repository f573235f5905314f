//! The showing PIN (亮证密码) and the count of wrong attempts.
//!
//! A PIN is six digits. It is never stored: in the software fallback it derives the key that
//! unwraps the wallet's data key (Argon2id), with a platform keystore it is checked against a
//! keyed hash that only the unwrapped data key can compute. Wrong attempts are counted on disk
//! *before* a PIN is checked, so killing the app mid-check does not lose one; five wrong PINs
//! lock the wallet for one minute, and each further wrong PIN doubles the lock-out (at most one
//! day). The count lives in two files (the wallet file and a mirror), and the higher count wins:
//! deleting or rolling back either one resets nothing.

use std::fmt;

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::wallet::WalletError;

/// Digits of a showing PIN.
pub const PIN_DIGITS: usize = 6;
/// Wrong PINs allowed before the first lock-out.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first lock-out; each further wrong PIN doubles it.
pub const FIRST_LOCKOUT: Duration = Duration::minutes(1);
/// The longest lock-out.
pub const MAX_LOCKOUT: Duration = Duration::days(1);

/// A showing PIN: six ASCII digits, zeroized on drop, never printed.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// A PIN from what the holder typed; anything but six digits is [`WalletError::PinFormat`].
    pub fn new(text: &str) -> Result<Self, WalletError> {
        if text.len() != PIN_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WalletError::PinFormat);
        }
        Ok(Self(Zeroizing::new(text.to_owned())))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(******)")
    }
}

/// The durable count of wrong PINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    /// Wrong PINs since the last right one.
    pub failed: u32,
    /// Unix seconds until which the wallet is locked (0: not locked).
    pub locked_until: i64,
}

impl Attempts {
    /// The later of two records (the count can only be reset by a right PIN).
    pub(crate) fn max(self, other: Self) -> Self {
        Self {
            failed: self.failed.max(other.failed),
            locked_until: self.locked_until.max(other.locked_until),
        }
    }

    /// When the wallet is locked at `now`: until when.
    pub fn locked_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        (self.locked_until > now.unix_timestamp())
            .then(|| OffsetDateTime::from_unix_timestamp(self.locked_until).ok())
            .flatten()
    }

    /// The count after one more wrong PIN at `now` (the lock-out starts with the fifth).
    pub(crate) fn after_wrong(self, now: OffsetDateTime) -> Self {
        let failed = self.failed.saturating_add(1);
        let mut locked_until = self.locked_until;
        if failed >= FREE_ATTEMPTS {
            let doublings = failed - FREE_ATTEMPTS;
            let lockout = 2i64
                .checked_pow(doublings)
                .and_then(|m| FIRST_LOCKOUT.checked_mul(i32::try_from(m).ok()?))
                .map_or(MAX_LOCKOUT, |d| d.min(MAX_LOCKOUT));
            locked_until = now.unix_timestamp().saturating_add(lockout.whole_seconds());
        }
        Self { failed, locked_until }
    }

    /// Wrong PINs left before the next lock-out.
    pub(crate) fn left(&self) -> u32 {
        FREE_ATTEMPTS.saturating_sub(self.failed).max(1)
    }
}

/// The keyed hash a PIN is checked against once the data key is known: HMAC-SHA-256 under the
/// data key, over a per-wallet salt and the PIN.
fn pin_mac(data_key: &[u8], salt: &[u8], pin: &Pin) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(data_key).ok()?;
    mac.update(b"yinxin wallet showing PIN\0");
    mac.update(salt);
    mac.update(pin.bytes());
    Some(mac)
}

/// The PIN's tag, to store (keystore mode) or keep in memory (an unlocked wallet).
pub(crate) fn pin_tag(data_key: &[u8], salt: &[u8], pin: &Pin) -> Result<[u8; 32], WalletError> {
    let mac = pin_mac(data_key, salt, pin).ok_or_else(|| WalletError::Io("bad key".into()))?;
    Ok(mac.finalize().into_bytes().into())
}

/// Whether `tag` is the PIN's tag (compared in constant time).
pub(crate) fn pin_matches(data_key: &[u8], salt: &[u8], pin: &Pin, tag: &[u8]) -> bool {
    pin_mac(data_key, salt, pin).is_some_and(|mac| mac.verify_slice(tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_six_digits() {
        assert!(Pin::new("123456").is_ok());
        for bad in ["12345", "1234567", "12345a", "", "１２３４５６", "12 456"] {
            assert!(matches!(Pin::new(bad), Err(WalletError::PinFormat)), "{bad:?}");
        }
        assert_eq!(format!("{:?}", Pin::new("123456").expect("pin")), "Pin(******)");
    }

    #[test]
    fn lockout_starts_at_five_and_doubles() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("time");
        let mut a = Attempts::default();
        for i in 1..FREE_ATTEMPTS {
            a = a.after_wrong(now);
            assert_eq!(a.failed, i);
            assert_eq!(a.locked_at(now), None, "not locked after {i}");
        }
        let mut expected = FIRST_LOCKOUT;
        for _ in 0..20 {
            a = a.after_wrong(now);
            assert_eq!(a.locked_at(now), Some(now + expected.min(MAX_LOCKOUT)));
            assert_eq!(a.locked_at(now + expected.min(MAX_LOCKOUT)), None, "open again at the end");
            expected *= 2;
        }
        // The count never wraps: thousands of wrong PINs keep the longest lock-out.
        let far = Attempts { failed: u32::MAX - 1, locked_until: 0 }.after_wrong(now);
        assert_eq!(far.locked_at(now), Some(now + MAX_LOCKOUT));
        assert_eq!(far.after_wrong(now).failed, u32::MAX);
    }

    #[test]
    fn the_higher_record_wins() {
        let a = Attempts { failed: 3, locked_until: 10 };
        let b = Attempts { failed: 1, locked_until: 20 };
        assert_eq!(a.max(b), Attempts { failed: 3, locked_until: 20 });
    }

    #[test]
    fn tags_depend_on_key_salt_and_pin() {
        let pin = Pin::new("123456").expect("pin");
        let tag = pin_tag(&[1; 32], b"salt", &pin).expect("tag");
        assert!(pin_matches(&[1; 32], b"salt", &pin, &tag));
        assert!(!pin_matches(&[2; 32], b"salt", &pin, &tag));
        assert!(!pin_matches(&[1; 32], b"salu", &pin, &tag));
        assert!(!pin_matches(&[1; 32], b"salt", &Pin::new("123457").expect("pin"), &tag));
    }
}
