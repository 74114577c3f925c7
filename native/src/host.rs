//! What the native host injects into `core`: the system clock and OS randomness.

use motus_core::{Clock, IdSource, Timestamp};
use std::time::{SystemTime, UNIX_EPOCH};

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_millis(d.as_millis() as i64)
    }
}

pub struct OsIds;

impl IdSource for OsIds {
    fn random_hex(&self, len: usize) -> String {
        let mut bytes = vec![0u8; len.div_ceil(2)];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.truncate(len);
        s
    }
}

/// The current UTC time as `YYYYMMDDHHMMSSmmm`, for file names.
pub fn now_stamp() -> String {
    SystemClock
        .now()
        .to_db()
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect()
}
