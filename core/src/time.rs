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
