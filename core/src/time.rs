//! Time as Motus stores it. `core` never reads the OS clock: callers inject a [`Clock`].
//!
//! One format is written everywhere: UTC `YYYY-MM-DD HH:MM:SS.mmm`. It sorts as text, and it
//! compares correctly against SQLite's `datetime('now')` (which the schema's defaults and
//! triggers use), unlike the original's `…T…Z` strings. Both of the original's formats are read.

use std::cell::Cell;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn plus_seconds(self, s: i64) -> Self {
        Timestamp(self.0.saturating_add(s.saturating_mul(1000)))
    }
    /// Whole seconds from `self` until `later` (negative if `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(1000)
    }
    /// The one format Motus writes: `2026-11-26 07:08:12.345`.
    pub fn to_db(self) -> String {
        let c = Civil::of(self);
        format!(
            "{}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
            year_text(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            c.milli
        )
    }
    /// RFC 3339 with a `Z`, for JSON output meant for people and other tools.
    pub fn to_rfc3339(self) -> String {
        let c = Civil::of(self);
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year_text(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            c.milli
        )
    }
    /// `YYYYMMDD`, used in lease ids.
    pub fn yyyymmdd(self) -> String {
        let c = Civil::of(self);
        format!("{}{:02}{:02}", year_text(c.year), c.month, c.day)
    }
    /// Parses any timestamp format found in Motus databases: ours, SQLite's
    /// `datetime('now')`, the lease store's `…T…Z`, and Python's `isoformat()` with an offset.
    ///
    /// Exactly what chrono's `DateTime::parse_from_rfc3339` and `NaiveDateTime::parse_from_str`
    /// with `%Y-%m-%d %H:%M:%S%.f`, `%Y-%m-%dT%H:%M:%S%.f`, `%Y-%m-%d %H:%M` (then
    /// `NaiveDate` with `%Y-%m-%d`) accepted, written out so the browser viewer does not carry
    /// chrono's format-string machinery (14 KB gzip); a test compares the two on generated text.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        if let Some(ts) = parse::rfc3339(t) {
            return Some(ts);
        }
        let t = t.strip_suffix('Z').unwrap_or(t);
        parse::date_time(t, Some(" "), true)
            .or_else(|| parse::date_time(t, Some("T"), true))
            .or_else(|| parse::date_time(t, Some(" "), false))
            .or_else(|| parse::date_time(t, None, false))
    }
}

/// The smallest and largest years chrono represents (a timestamp outside them is written as
/// the epoch, as chrono's `from_timestamp_millis(…).unwrap_or_default()` did).
const MIN_YEAR: i64 = -262_143;
const MAX_YEAR: i64 = 262_142;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A year as chrono's `%Y` writes it: four digits, or a sign and at least four.
fn year_text(y: i64) -> String {
    if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{y:+05}")
    }
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    milli: i64,
}

impl Civil {
    fn of(ts: Timestamp) -> Civil {
        let days = ts.0.div_euclid(86_400_000);
        let ms = ts.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Civil::of(Timestamp(0));
        }
        Civil {
            year,
            month,
            day,
            hour: ms / 3_600_000,
            minute: ms / 60_000 % 60,
            second: ms / 1000 % 60,
            milli: ms % 1000,
        }
    }
}

/// The two grammars [`Timestamp::parse`] reads, as chrono reads them.
mod parse {
    use super::*;

    /// Up to `max` ASCII digits (at least one), as chrono's `scan::number`.
    fn number(s: &str, max: usize) -> Option<(&str, i64)> {
        let b = s.as_bytes();
        let n = b
            .iter()
            .take(max)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 0 {
            return None;
        }
        let mut v = 0i64;
        for c in &b[..n] {
            v = v.checked_mul(10)?.checked_add((c - b'0') as i64)?;
        }
        Some((&s[n..], v))
    }

    /// A fraction after its dot: 1–9 digits count, more are skipped; nanoseconds.
    fn fraction(s: &str) -> Option<(&str, i64)> {
        let (rest, v) = number(s, 9)?;
        let digits = s.len() - rest.len();
        let v = v * 10i64.pow(9 - digits as u32);
        Some((rest.trim_start_matches(|c: char| c.is_ascii_digit()), v))
    }

    fn millis(y: i64, mo: i64, d: i64, h: i64, mi: i64, sec: i64, nano: i64) -> i64 {
        (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec) * 1000 + nano / 1_000_000
    }

    fn valid_date(y: i64, m: i64, d: i64) -> bool {
        (MIN_YEAR..=MAX_YEAR).contains(&y)
            && (1..=12).contains(&m)
            && d >= 1
            && d <= days_in_month(y, m)
    }

    /// chrono's `parse_rfc3339`: fixed positions, `T`/`t`/space, a fraction, `Z` or an offset.
    pub(super) fn rfc3339(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() < 19 {
            return None;
        }
        let dig = |i: usize| -> Option<i64> { b[i].is_ascii_digit().then(|| (b[i] - b'0') as i64) };
        let two = |i: usize| -> Option<i64> { Some(dig(i)? * 10 + dig(i + 1)?) };
        let year = dig(0)? * 1000 + dig(1)? * 100 + dig(2)? * 10 + dig(3)?;
        if b[4] != b'-' {
            return None;
        }
        let month = two(5)?;
        if b[7] != b'-' {
            return None;
        }
        let day = two(8)?;
        if !valid_date(year, month, day) || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let hour = two(11)?;
        if b[13] != b':' {
            return None;
        }
        let minute = two(14)?;
        if b[16] != b':' {
            return None;
        }
        let second = two(17)?;
        let (mut rest, nano) = if b[19..].first() == Some(&b'.') {
            fraction(&s[20..])?
        } else {
            (&s[19..], 0)
        };
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        let offset = match rest.chars().next()? {
            'Z' | 'z' => {
                rest = &rest[1..];
                0
            }
            sign @ ('+' | '-' | '\u{2212}') => {
                rest = &rest[sign.len_utf8()..];
                let o = rest.as_bytes();
                if o.len() < 2 || !o[0].is_ascii_digit() || !o[1].is_ascii_digit() {
                    return None;
                }
                let h = ((o[0] - b'0') * 10 + (o[1] - b'0')) as i64;
                if o.get(2) != Some(&b':') {
                    return None;
                }
                let m = o.get(3..5)?;
                if !(b'0'..=b'5').contains(&m[0]) || !m[1].is_ascii_digit() {
                    return None;
                }
                rest = &rest[5..];
                let secs = h * 3600 + ((m[0] - b'0') * 10 + (m[1] - b'0')) as i64 * 60;
                if secs >= 86_400 {
                    return None;
                }
                if sign == '+' {
                    secs
                } else {
                    -secs
                }
            }
            _ => return None,
        };
        if !rest.is_empty() {
            return None;
        }
        Some(Timestamp(
            millis(year, month, day, hour, minute, second, nano) - offset * 1000,
        ))
    }

    /// chrono's `parse_from_str` with `%Y-%m-%d`, then (with `sep`) `<sep>%H:%M`, then (with
    /// `seconds`) `:%S%.f`: every number may follow whitespace, `%Y` takes four digits or a
    /// sign and any number, the others one or two; a space in the format skips any whitespace.
    pub(super) fn date_time(s: &str, sep: Option<&str>, seconds: bool) -> Option<Timestamp> {
        let mut s = s;
        let num = |s: &mut &str, max: usize| -> Option<i64> {
            let (rest, v) = number(s.trim_start(), max)?;
            *s = rest;
            Some(v)
        };
        let lit = |s: &mut &str, l: &str| -> Option<()> {
            *s = s.strip_prefix(l)?;
            Some(())
        };
        let year = {
            let t = s.trim_start();
            let (rest, v) = if let Some(n) = t.strip_prefix('-') {
                let (r, v) = number(n, usize::MAX)?;
                (r, v.checked_neg()?)
            } else if let Some(n) = t.strip_prefix('+') {
                number(n, usize::MAX)?
            } else {
                number(t, 4)?
            };
            s = rest;
            i32::try_from(v).ok()? as i64
        };
        lit(&mut s, "-")?;
        let month = num(&mut s, 2)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        lit(&mut s, "-")?;
        let day = num(&mut s, 2)?;
        if !(1..=31).contains(&day) {
            return None;
        }
        let (mut hour, mut minute, mut second, mut nano) = (0, 0, 0, 0);
        if let Some(sep) = sep {
            if sep == " " {
                s = s.trim_start();
            } else {
                lit(&mut s, sep)?;
            }
            hour = num(&mut s, 2)?;
            if hour > 23 {
                return None;
            }
            lit(&mut s, ":")?;
            minute = num(&mut s, 2)?;
            if minute > 59 {
                return None;
            }
            if seconds {
                lit(&mut s, ":")?;
                second = num(&mut s, 2)?;
                if second > 60 {
                    return None;
                }
                if let Some(f) = s.strip_prefix('.') {
                    let (rest, n) = fraction(f)?;
                    s = rest;
                    nano = n;
                }
            }
        }
        if !s.is_empty() || !valid_date(year, month, day) {
            return None;
        }
        Some(Timestamp(millis(
            year, month, day, hour, minute, second, nano,
        )))
    }
}

/// A calendar date as arguments give it: exactly `YYYY-MM-DD` (four-digit year, two-digit
/// month and day) naming a real day. `2026-1-1`, `2026-01-01T00:00:00Z` and `2026-02-30` are
/// refused, each with what is wrong, so what is stored is what every reader can compare.
pub fn parse_date(text: &str) -> std::result::Result<chrono::NaiveDate, String> {
    let shape_ok = |t: &str| {
        let b = t.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    };
    if !shape_ok(text) {
        let head = text.get(..10).filter(|h| shape_ok(h));
        return Err(match head {
            Some(day) if text.len() > 10 => {
                format!("'{text}' has more than a date; give the day alone, e.g. {day}")
            }
            _ => format!(
                "'{text}' is not a date in the form YYYY-MM-DD (four-digit year, two-digit month and day, e.g. 2026-01-31)"
            ),
        });
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        let month: u32 = text[5..7].parse().unwrap_or(0);
        if !(1..=12).contains(&month) {
            format!("'{text}' is not a calendar date: there is no month {month}")
        } else {
            let year: i32 = text[..4].parse().unwrap_or(0);
            let days = (28..=31)
                .rev()
                .find(|d| chrono::NaiveDate::from_ymd_opt(year, month, *d).is_some())
                .unwrap_or(28);
            format!("'{text}' is not a calendar date: {year}-{month:02} has {days} days")
        }
    })
}

/// An instant as arguments give it: a date (as [`parse_date`]) or a date and time of day
/// (`YYYY-MM-DD HH:MM[:SS[.fff]]`, `…T…`, with `Z` or an offset): the date part as strict
/// as a date's, the time a real one.
pub fn check_instant(text: &str) -> std::result::Result<(), String> {
    let day = text.get(..10).unwrap_or(text);
    parse_date(day).map_err(|e| {
        if text.len() > 10 && !e.contains("calendar") {
            format!("'{text}' is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM:SSZ)")
        } else {
            e.replace(&format!("'{day}'"), &format!("'{text}'"))
        }
    })?;
    if text.len() > 10 && Timestamp::parse(text).is_none() {
        return Err(format!(
            "'{text}' has no readable time of day; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
        ));
    }
    Ok(())
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_db())
    }
}

/// Where `core` gets the current time.
pub trait Clock {
    fn now(&self) -> Timestamp;
}

/// A clock that stays where it is told, for tests and replays.
#[derive(Debug)]
pub struct ManualClock(Cell<i64>);

impl ManualClock {
    pub fn at(ts: Timestamp) -> Self {
        ManualClock(Cell::new(ts.0))
    }
    pub fn advance_seconds(&self, s: i64) {
        self.0.set(self.0.get() + s * 1000)
    }
    pub fn advance_millis(&self, ms: i64) {
        self.0.set(self.0.get() + ms)
    }
    pub fn set(&self, ts: Timestamp) {
        self.0.set(ts.0)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Timestamp::parse` as it was written on chrono, the reference for the hand parser.
    fn parse_with_chrono(text: &str) -> Option<Timestamp> {
        use chrono::{DateTime, NaiveDateTime};
        let t = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Some(Timestamp(dt.timestamp_millis()));
        }
        let t = t.strip_suffix('Z').unwrap_or(t);
        for f in [
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ] {
            if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
                return Some(Timestamp(n.and_utc().timestamp_millis()));
            }
        }
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|n| Timestamp(n.and_utc().timestamp_millis()))
    }

    fn chrono_to_db(ts: Timestamp) -> String {
        chrono::DateTime::from_timestamp_millis(ts.0)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S%.3f")
            .to_string()
    }

    fn chrono_rfc3339(ts: Timestamp) -> String {
        chrono::DateTime::from_timestamp_millis(ts.0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    #[test]
    fn parses_what_chrono_parsed_on_known_shapes() {
        for t in [
            "2026-11-26 07:08:12.345",
            "2026-11-26 07:08:12",
            "2026-11-26T07:08:12Z",
            "2026-11-26T07:08:12.123456789Z",
            "2026-11-26t07:08:12z",
            "2026-11-26T07:08:12.5+02:00",
            "2026-11-26T07:08:12-05:30",
            "2026-11-26T07:08:12\u{2212}05:30",
            "2026-11-26T23:59:60Z",
            "2026-11-26 23:59:60.5",
            "2026-11-26T07:08:12+24:00",
            "2026-11-26T07:08:12+23:59",
            "2026-11-26T07:08:12+0200",
            "2026-11-26T07:08:12+02:60",
            "2026-11-26 07:08",
            "2026-11-26",
            "  2026-11-26 07:08:12  ",
            "2026- 1-2  3: 4: 5",
            "2026-1-2 3:4:5.",
            "2026-1-2 3:4:5.1234567891234",
            "+2026-11-26 07:08:12",
            "-0001-01-01 00:00:00",
            "+262142-12-31 23:59:59.999",
            "+262143-01-01 00:00:00",
            "-262143-01-01 00:00:00",
            "-262144-12-31 00:00:00",
            "99999999999999999999-01-01",
            "2026-02-29",
            "2028-02-29 00:00",
            "2026-04-31",
            "2026-11-26 24:00:00",
            "2026-11-26 07:60",
            "2026-11-26 07:08:61",
            "2026-11-26T07:08:12.Z",
            "2026-11-26T07:08:12ZZ",
            "2026-11-26 07:08:12Z",
            "2026-11-26TT07:08",
            "20261126",
            "",
            "Z",
            "2026-11-26 07:08:12 +02:00",
            "٢٠٢٦-11-26",
            "2026-11-26\u{2003}07:08",
        ] {
            assert_eq!(Timestamp::parse(t), parse_with_chrono(t), "{t:?}");
        }
        // The edges of chrono's years, written.
        for t in ["+262142-12-31 23:59:59.999", "-262143-01-01 00:00:00"] {
            let ts = Timestamp::parse(t).expect(t);
            for ms in [ts.0 - 1, ts.0, ts.0 + 1] {
                assert_eq!(Timestamp(ms).to_db(), chrono_to_db(Timestamp(ms)), "{ms}");
                assert_eq!(
                    Timestamp(ms).to_rfc3339(),
                    chrono_rfc3339(Timestamp(ms)),
                    "{ms}"
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]
        /// Text made of the pieces timestamps are made of, in any order and number.
        #[test]
        fn parses_what_chrono_parsed_on_generated_text(
            pieces in proptest::collection::vec(proptest::prop_oneof![
                "[0-9]{1,5}", proptest::strategy::Just("-".to_string()),
                proptest::strategy::Just(":".to_string()), proptest::strategy::Just(" ".to_string()),
                proptest::strategy::Just("T".to_string()), proptest::strategy::Just("t".to_string()),
                proptest::strategy::Just("Z".to_string()), proptest::strategy::Just("z".to_string()),
                proptest::strategy::Just(".".to_string()), proptest::strategy::Just("+".to_string()),
                proptest::strategy::Just("\u{2212}".to_string()), proptest::strategy::Just("\u{2003}".to_string()),
                proptest::strategy::Just("\t".to_string()), "[a-zé]",
            ], 0..16),
            base in 0i64..400_000_000_000_000,
            cut in 0usize..40,
            keep in proptest::bool::ANY,
        ) {
            let generated: String = pieces.concat();
            proptest::prop_assert_eq!(Timestamp::parse(&generated), parse_with_chrono(&generated), "{:?}", generated);
            // A real timestamp written out, then cut or with the pieces spliced in.
            let ts = Timestamp(base - 200_000_000_000_000);
            for written in [chrono_to_db(ts), chrono_rfc3339(ts)] {
                let at = cut.min(written.len());
                let at = (0..=at).rev().find(|i| written.is_char_boundary(*i)).unwrap_or(0);
                let edited = if keep {
                    format!("{}{}{}", &written[..at], generated, &written[at..])
                } else {
                    written[..at].to_string()
                };
                proptest::prop_assert_eq!(Timestamp::parse(&written), parse_with_chrono(&written), "{:?}", written);
                proptest::prop_assert_eq!(Timestamp::parse(&edited), parse_with_chrono(&edited), "{:?}", edited);
            }
        }

        #[test]
        fn writes_what_chrono_wrote(ms in proptest::num::i64::ANY, near in -20_000_000_000_000_000i64..20_000_000_000_000_000) {
            for ts in [Timestamp(ms), Timestamp(near), Timestamp(near / 1000)] {
                proptest::prop_assert_eq!(ts.to_db(), chrono_to_db(ts));
                proptest::prop_assert_eq!(ts.to_rfc3339(), chrono_rfc3339(ts));
                let ymd = chrono::DateTime::from_timestamp_millis(ts.0).unwrap_or_default().format("%Y%m%d").to_string();
                proptest::prop_assert_eq!(ts.yyyymmdd(), ymd);
            }
        }
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd_and_real() {
        assert!(parse_date("2026-01-31").is_ok());
        assert!(parse_date("2028-02-29").is_ok());
        for bad in [
            "2026-1-1",
            "2026-01-1",
            "26-01-01",
            "2026-01-01T00:00:00Z",
            "2026-02-30",
            "2026-00-10",
            "2026/01/01",
            "",
            "２０２６-01-01",
            "2026-01-01 ",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} accepted");
        }
        assert!(check_instant("2026-01-31T23:59:59Z").is_ok());
        assert!(check_instant("2026-01-31").is_ok());
        assert!(check_instant("2026-1-31T23:59:59Z").is_err());
        assert!(check_instant("2026-01-31T24:59:59Z").is_err());
    }

    #[test]
    fn writes_one_format_that_sorts_with_sqlite_datetime() {
        let ts = Timestamp::parse("2026-11-26 05:14:07").unwrap();
        assert_eq!(ts.plus_seconds(1).to_db(), "2026-11-26 05:14:08.000");
        // Ours sorts after SQLite's second-precision text for the same second.
        assert!(ts.to_db().as_str() > "2026-11-26 05:14:07");
        assert!(ts.to_db().as_str() < "2026-11-26 05:14:08");
    }

    #[test]
    fn reads_every_format_the_original_wrote() {
        let want = Timestamp::parse("2026-11-26 05:14:07").unwrap();
        for s in [
            "2026-11-26T05:14:07Z",
            "2026-11-26T05:14:07+00:00",
            "2026-11-26 05:14:07.000",
            "2026-11-26T05:14:07.000000",
        ] {
            assert_eq!(Timestamp::parse(s), Some(want), "{s}");
        }
        assert_eq!(
            Timestamp::parse("2026-11-26T05:14:07.012239+00:00")
                .unwrap()
                .millis()
                - want.millis(),
            12
        );
        assert_eq!(Timestamp::parse("not a time"), None);
    }
}
