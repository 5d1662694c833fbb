//! The per-attempt inputs of a signature: the signing time and the nonce.
//!
//! Production code takes a fresh context for every attempt ([`SigningContext::now`]); tests fix
//! both to reproduce a known signature ([`SigningContext::new`]).

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{SigningError, SigningErrorKind};
use crate::inline::InlineStr;

/// A signature nonce: 1 to 64 characters from `[A-Za-z0-9._~-]`.
///
/// ```
/// use acs_signer::Nonce;
/// let fixed = Nonce::new("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf")?;
/// assert_eq!(fixed.as_str(), "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
/// let random = Nonce::random()?;
/// assert_eq!(random.as_str().len(), 32);
/// assert_ne!(random, Nonce::random()?);
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Nonce(InlineStr<64>);

impl Nonce {
    /// A nonce from a caller-chosen string (for tests and replaying known signatures).
    pub fn new(value: &str) -> Result<Self, SigningError> {
        let valid = !value.is_empty()
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.~".contains(&b));
        match InlineStr::from_parts(&[value]) {
            Some(inline) if valid => Ok(Self(inline)),
            _ => Err(SigningError::new(
                SigningErrorKind::InvalidNonce,
                "a nonce is 1 to 64 characters from [A-Za-z0-9._~-]",
            )),
        }
    }

    /// 128 bits from the operating system's CSPRNG, as 32 lower-case hex digits.
    pub fn random() -> Result<Self, SigningError> {
        let mut bytes = [0u8; 16];
        SystemRandom::new().fill(&mut bytes).map_err(|_| {
            SigningError::new(SigningErrorKind::Random, "could not read 16 random bytes")
        })?;
        let mut hex = InlineStr::new();
        let _ = hex.push_hex(&bytes);
        Ok(Self(hex))
    }

    /// The nonce as sent.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The time and nonce of one signing attempt.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use acs_signer::{Nonce, SigningContext};
///
/// // Production: a fresh context for every attempt, never reused.
/// let live = SigningContext::now()?;
/// // Tests: fixed inputs reproduce a known signature.
/// let fixed = SigningContext::new(
///     SystemTime::UNIX_EPOCH + Duration::from_secs(1_456_231_584),
///     Nonce::new("3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf")?,
/// );
/// assert_eq!(fixed.iso8601()?, "2016-02-23T12:46:24Z");
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigningContext {
    time: SystemTime,
    nonce: Nonce,
}

impl SigningContext {
    /// A context with a fixed time and nonce.
    pub fn new(time: SystemTime, nonce: Nonce) -> Self {
        Self { time, nonce }
    }

    /// The system clock's time and a fresh random nonce.
    pub fn now() -> Result<Self, SigningError> {
        Ok(Self {
            time: SystemTime::now(),
            nonce: Nonce::random()?,
        })
    }

    /// A fresh random nonce with the given time (for a clock corrected for skew).
    pub fn at(time: SystemTime) -> Result<Self, SigningError> {
        Ok(Self {
            time,
            nonce: Nonce::random()?,
        })
    }

    /// The signing time.
    pub fn time(&self) -> SystemTime {
        self.time
    }

    /// The nonce.
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }

    /// The signing time as `yyyy-MM-ddTHH:mm:ssZ` (UTC), as RPC v1 and V3 send it.
    pub fn iso8601(&self) -> Result<String, SigningError> {
        Ok(iso8601(self.time)?.as_str().to_owned())
    }

    pub(crate) fn iso8601_inline(&self) -> Result<InlineStr<32>, SigningError> {
        iso8601(self.time)
    }

    pub(crate) fn http_date_inline(&self) -> Result<InlineStr<32>, SigningError> {
        http_date(self.time)
    }
}

/// Parses `yyyy-MM-ddTHH:mm:ssZ` (UTC), the form Alibaba Cloud uses for timestamps and
/// credential expirations; `None` for anything else.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// let t = acs_signer::parse_iso8601("2016-02-23T12:46:24Z");
/// assert_eq!(t, Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_456_231_584)));
/// assert_eq!(acs_signer::parse_iso8601("2016-02-23 12:46:24"), None);
/// ```
pub fn parse_iso8601(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    let separators = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    if b.len() != 20 || separators.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u64> {
        let digits = text.get(r)?;
        digits
            .bytes()
            .all(|d| d.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    if y < 1970 || !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60
    {
        return None;
    }
    // Days from civil (Howard Hinnant), on the era starting 0000-03-01.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(UNIX_EPOCH + std::time::Duration::from_secs(days * 86_400 + hh * 3600 + mm * 60 + ss))
}

/// A UTC calendar time, to the second.
struct Civil {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// 0 = Monday.
    weekday: u32,
}

/// Splits `time` into UTC calendar fields, for the years 1970 to 9999.
fn utc(time: SystemTime) -> Result<Civil, SigningError> {
    const LAST_SECOND_OF_9999: u64 = 253_402_300_799;
    let bad = || {
        SigningError::new(
            SigningErrorKind::InvalidTime,
            "outside the years 1970 to 9999",
        )
    };
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| bad())?
        .as_secs();
    if secs > LAST_SECOND_OF_9999 {
        return Err(bad());
    }
    // Both fit in u32: at most 2,932,896 days, and seconds of a day.
    let days = (secs / 86_400) as u32;
    let of_day = (secs % 86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Ok(Civil {
        year,
        month,
        day,
        hour: of_day / 3600,
        minute: of_day / 60 % 60,
        second: of_day % 60,
        // 1970-01-01 was a Thursday.
        weekday: (days + 3) % 7,
    })
}

/// (year, month, day) of a day counted from 1970-01-01, up to the year 9999.
///
/// Neri and Schneider's formulation (Euclidean affine functions, 2022): count from 0000-03-01
/// so the leap day ends the year, split into centuries and years of 1461 days (four years), and
/// read month and day off one multiplication instead of a table, with no dependent divisions by
/// 365 or 153.
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    let n = days + 719_468; // days since 0000-03-01
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let of_century = n1 % 146_097 / 4;
    let n2 = 4 * of_century + 3;
    let year_of_century = n2 / 1461;
    let of_year = n2 % 1461 / 4; // 0 = 1 March
    let n3 = 2141 * of_year + 197_913;
    let month = n3 >> 16; // 3 = March .. 14 = February
    let day = (n3 & 0xffff) / 2141 + 1;
    let january_or_later = u32::from(of_year >= 306);
    (
        100 * century + year_of_century + january_or_later,
        month - 12 * january_or_later,
        day,
    )
}

/// `00` to `99`.
const PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// The last `N` (2 or 4) decimal digits of `n`, two at a time from a table.
fn digits<const N: usize>(mut n: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for pair in out.rchunks_exact_mut(2) {
        pair.copy_from_slice(&PAIRS[(n % 100) as usize]);
        n /= 100;
    }
    out
}

fn iso8601(time: SystemTime) -> Result<InlineStr<32>, SigningError> {
    let t = utc(time)?;
    let mut text = *b"0000-00-00T00:00:00Z";
    text[0..4].copy_from_slice(&digits::<4>(t.year));
    text[5..7].copy_from_slice(&digits::<2>(t.month));
    text[8..10].copy_from_slice(&digits::<2>(t.day));
    text[11..13].copy_from_slice(&digits::<2>(t.hour));
    text[14..16].copy_from_slice(&digits::<2>(t.minute));
    text[17..19].copy_from_slice(&digits::<2>(t.second));
    finish(&text)
}

/// `Tue, 04 Dec 2018 03:55:31 GMT` (RFC 7231 IMF-fixdate), as ROA sends in `Date`.
fn http_date(time: SystemTime) -> Result<InlineStr<32>, SigningError> {
    const DAYS: &[u8; 21] = b"MonTueWedThuFriSatSun";
    const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";
    let t = utc(time)?;
    let weekday = t.weekday as usize * 3;
    let month = (t.month as usize).saturating_sub(1) * 3;
    let mut text = *b"Mon, 00 Jan 0000 00:00:00 GMT";
    text[0..3].copy_from_slice(&DAYS[weekday..weekday + 3]);
    text[5..7].copy_from_slice(&digits::<2>(t.day));
    text[8..11].copy_from_slice(&MONTHS[month..month + 3]);
    text[12..16].copy_from_slice(&digits::<4>(t.year));
    text[17..19].copy_from_slice(&digits::<2>(t.hour));
    text[20..22].copy_from_slice(&digits::<2>(t.minute));
    text[23..25].copy_from_slice(&digits::<2>(t.second));
    finish(&text)
}

fn finish(text: &[u8]) -> Result<InlineStr<32>, SigningError> {
    let mut out = InlineStr::new();
    out.push_ascii(text)
        .ok_or(SigningError::new(SigningErrorKind::InvalidTime, "format"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// Howard Hinnant's civil-from-days, the reference for `civil_from_days`.
    fn reference_civil(days: u64) -> (u32, u32, u32) {
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        (year as u32, month as u32, day as u32)
    }

    #[test]
    fn civil_dates_match_the_reference_on_every_day_to_9999() {
        for days in 0..=2_932_896u32 {
            assert_eq!(
                civil_from_days(days),
                reference_civil(u64::from(days)),
                "day {days}"
            );
        }
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn formats_both_date_styles() {
        // 2018-12-04T03:55:31Z was a Tuesday.
        assert_eq!(
            iso8601(at(1_543_895_731))
                .map(|s| s.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("2018-12-04T03:55:31Z")
        );
        assert_eq!(
            http_date(at(1_543_895_731))
                .map(|s| s.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("Tue, 04 Dec 2018 03:55:31 GMT")
        );
        assert_eq!(
            iso8601(at(0))
                .map(|s| s.as_str().to_owned())
                .ok()
                .as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
    }

    #[test]
    fn parsing_inverts_formatting() {
        for secs in [
            0,
            951_782_400,
            1_456_231_584,
            4_107_542_399,
            253_402_300_799,
        ] {
            let formatted = iso8601(at(secs))
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            assert_eq!(parse_iso8601(&formatted), Some(at(secs)), "{formatted}");
        }
        for bad in [
            "",
            "2016-02-23T12:46:24",
            "2016-13-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2016-02-23T12:46:2xZ",
            "+016-02-23T12:46:24Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_dates_match_known_days() {
        // (unix seconds, ISO 8601, HTTP date), across leap days, century rules and year ends.
        let cases = [
            (
                951_782_400,
                "2000-02-29T00:00:00Z",
                "Tue, 29 Feb 2000 00:00:00 GMT",
            ),
            (
                1_709_164_800,
                "2024-02-29T00:00:00Z",
                "Thu, 29 Feb 2024 00:00:00 GMT",
            ),
            (
                4_107_542_399,
                "2100-02-28T23:59:59Z",
                "Sun, 28 Feb 2100 23:59:59 GMT",
            ),
            (
                4_107_542_400,
                "2100-03-01T00:00:00Z",
                "Mon, 01 Mar 2100 00:00:00 GMT",
            ),
            (
                1_735_689_599,
                "2024-12-31T23:59:59Z",
                "Tue, 31 Dec 2024 23:59:59 GMT",
            ),
            (
                253_402_300_799,
                "9999-12-31T23:59:59Z",
                "Fri, 31 Dec 9999 23:59:59 GMT",
            ),
        ];
        for (secs, iso, http) in cases {
            assert_eq!(
                iso8601(at(secs))
                    .map(|s| s.as_str().to_owned())
                    .ok()
                    .as_deref(),
                Some(iso)
            );
            assert_eq!(
                http_date(at(secs))
                    .map(|s| s.as_str().to_owned())
                    .ok()
                    .as_deref(),
                Some(http)
            );
        }
    }

    #[test]
    fn rejects_times_outside_four_digit_years() {
        assert!(iso8601(UNIX_EPOCH - Duration::from_secs(1)).is_err());
        assert!(iso8601(at(253_402_300_800)).is_err()); // year 10000
        assert!(iso8601(at(253_402_300_799)).is_ok()); // 9999-12-31T23:59:59Z
    }

    #[test]
    fn nonce_rules() {
        assert!(Nonce::new("").is_err());
        assert!(Nonce::new(&"a".repeat(65)).is_err());
        assert!(Nonce::new(&"a".repeat(64)).is_ok());
        assert!(Nonce::new("a\r\nb").is_err());
        let n = Nonce::random()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        assert!(n.len() == 32 && n.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
