//! Time as Motus stores it. `core` never reads the OS clock: callers inject a [`Clock`].
//!
//! One format is written everywhere: UTC `YYYY-MM-DD HH:MM:SS.mmm`. It sorts as text, and it
//! compares correctly against SQLite's `datetime('now')` (which the schema's defaults and
//! triggers use), unlike the original's `…T…Z` strings. Both of the original's formats are read.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::cell::Cell;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

const WRITE_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f";

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
    fn datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or_default()
    }
    /// The one format Motus writes: `2026-11-26 07:08:12.345`.
    pub fn to_db(self) -> String {
        self.datetime().format(WRITE_FORMAT).to_string()
    }
    /// RFC 3339 with a `Z`, for JSON output meant for people and other tools.
    pub fn to_rfc3339(self) -> String {
        self.datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
    /// `YYYYMMDD`, used in lease ids.
    pub fn yyyymmdd(self) -> String {
        self.datetime().format("%Y%m%d").to_string()
    }
    /// Parses any timestamp format found in Motus databases: ours, SQLite's
    /// `datetime('now')`, the lease store's `…T…Z`, and Python's `isoformat()` with an offset.
    pub fn parse(text: &str) -> Option<Timestamp> {
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
