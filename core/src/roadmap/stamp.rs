//! `updated_at` stamps that always change.
//!
//! The schema's `*_version_capture` triggers write an `entity_versions` snapshot only when an
//! UPDATE changes `updated_at`. Two updates within one clock tick (or a clock behind a stored
//! value) would leave no history, so each write stamps at least one millisecond past the
//! stored value.

use crate::time::Timestamp;

/// The `updated_at` to write for a row whose current value is `old`.
pub fn next_updated_at(old: Option<&str>, now: Timestamp) -> String {
    match old.and_then(Timestamp::parse) {
        Some(prev) if prev >= now => Timestamp::from_millis(prev.millis() + 1).to_db(),
        _ => now.to_db(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_always_moves_forward() {
        let now = Timestamp::parse("2026-11-26 08:00:00").unwrap();
        assert_eq!(next_updated_at(None, now), "2026-11-26 08:00:00.000");
        assert_eq!(
            next_updated_at(Some("2026-11-26 08:00:00.000"), now),
            "2026-11-26 08:00:00.001"
        );
        // The original's second-resolution text for the same second still changes.
        assert_eq!(
            next_updated_at(Some("2026-11-26 07:59:59"), now),
            "2026-11-26 08:00:00.000"
        );
        assert_eq!(
            next_updated_at(Some("2026-11-26 09:00:00"), now),
            "2026-11-26 09:00:00.001"
        );
    }
}
