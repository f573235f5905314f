//! ISO/IEC 7064 MOD 37,36 (hybrid system) over the alphabet `0-9A-Z`.

const M: u32 = 36;

fn value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

fn character(v: u32) -> Option<u8> {
    let v = u8::try_from(v).ok()?;
    match v {
        0..=9 => Some(b'0' + v),
        10..=35 => Some(b'A' + v - 10),
        _ => None,
    }
}

/// The check character for `data`, or `None` when `data` holds a character outside `0-9A-Z`.
pub(crate) fn check_character(data: impl IntoIterator<Item = u8>) -> Option<u8> {
    let mut p = M;
    for c in data {
        let mut s = (p + value(c)?) % M;
        if s == 0 {
            s = M;
        }
        p = (s * 2) % (M + 1);
    }
    // The check value c makes (p + c) mod M == 1.
    character((M + 1 - p % M) % M)
}

#[cfg(test)]
mod tests {
    use super::check_character;

    #[test]
    fn iso_7064_annex_example() {
        // ISO/IEC 7064 MOD 37,36 worked example: "A12425GABC1234002" has check character "M".
        assert_eq!(check_character(*b"A12425GABC1234002"), Some(b'M'));
    }

    #[test]
    fn refuses_characters_outside_the_alphabet() {
        assert_eq!(check_character(*b"12a4"), None);
        assert_eq!(check_character(*b"12.4"), None);
    }
}
