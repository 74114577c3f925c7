//! `learned_patterns` and `detected_patterns`: what Motus learned or detected about the
//! user's work. Read-only here.

use super::record::{live_filter, Stamps, STAMP_COLUMNS};
use super::Store;
use crate::connection::{Connection, Row};
use crate::error::Result;
use crate::params;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LearnedPattern {
    pub id: i64,
    pub pattern_type: String,
    pub pattern_value: String,
    pub source: String,
    pub frequency: i64,
    pub learned_at: String,
    pub last_seen_at: String,
    #[serde(flatten)]
    pub stamps: Stamps,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DetectedPattern {
    pub id: i64,
    pub pattern_type: String,
    pub pattern_value: String,
    pub confidence: String,
    pub detected_from: Option<String>,
    pub detected_at: String,
    pub last_confirmed_at: Option<String>,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl LearnedPattern {
    fn from_row(r: &Row<'_>) -> Result<LearnedPattern> {
        Ok(LearnedPattern {
            id: r.get_named("id")?,
            pattern_type: r.get_named("pattern_type")?,
            pattern_value: r.get_named("pattern_value")?,
            source: r.get_named("source")?,
            frequency: r.get_named("frequency")?,
            learned_at: r.get_named("learned_at")?,
            last_seen_at: r.get_named("last_seen_at")?,
            stamps: Stamps::from_row(r)?,
        })
    }
}

impl DetectedPattern {
    fn from_row(r: &Row<'_>) -> Result<DetectedPattern> {
        Ok(DetectedPattern {
            id: r.get_named("id")?,
            pattern_type: r.get_named("pattern_type")?,
            pattern_value: r.get_named("pattern_value")?,
            confidence: r.get_named("confidence")?,
            detected_from: r.get_named("detected_from")?,
            detected_at: r.get_named("detected_at")?,
            last_confirmed_at: r.get_named("last_confirmed_at")?,
            stamps: Stamps::from_row(r)?,
        })
    }
}

/// Both kinds of pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Patterns {
    pub learned: Vec<LearnedPattern>,
    pub detected: Vec<DetectedPattern>,
}

/// Patterns of an optional type: learned ones by type and frequency (most frequent first),
/// detected ones by type and value.
pub fn list<C: Connection + ?Sized>(
    conn: &C,
    store: &Store,
    pattern_type: Option<&str>,
    include_deleted: bool,
) -> Result<Patterns> {
    let filter = format!(
        "{} AND (?1 IS NULL OR pattern_type = ?1)",
        live_filter(include_deleted)
    );
    let learned = conn.query(
        &format!(
            "SELECT id, pattern_type, pattern_value, source, frequency, learned_at, last_seen_at, {STAMP_COLUMNS} \
             FROM {} WHERE {filter} ORDER BY pattern_type, frequency DESC, id",
            store.table("learned_patterns")
        ),
        params![pattern_type],
    )?;
    let detected = conn.query(
        &format!(
            "SELECT id, pattern_type, pattern_value, confidence, detected_from, detected_at, last_confirmed_at, {STAMP_COLUMNS} \
             FROM {} WHERE {filter} ORDER BY pattern_type, pattern_value",
            store.table("detected_patterns")
        ),
        params![pattern_type],
    )?;
    Ok(Patterns {
        learned: learned
            .iter()
            .map(|r| LearnedPattern::from_row(&r))
            .collect::<Result<_>>()?,
        detected: detected
            .iter()
            .map(|r| DetectedPattern::from_row(&r))
            .collect::<Result<_>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn lists_both_kinds_filtered_by_type() {
        let conn = testing::userland();
        conn.execute_batch(testing::SAMPLE_ROWS).unwrap();
        conn.execute_batch(
            "INSERT INTO learned_patterns (pattern_type, pattern_value, source, frequency, deleted_at) \
             VALUES ('lang', 'cobol', 'user_input', 9, '2026-01-01 00:00:00')",
        )
        .unwrap();
        let all = list(&conn, &Store::OWN_USERLAND, None, false).unwrap();
        assert_eq!((all.learned.len(), all.detected.len()), (2, 2));
        assert_eq!(all.learned[0].pattern_value, "rust");
        let lang = list(&conn, &Store::OWN_USERLAND, Some("lang"), true).unwrap();
        let values: Vec<_> = lang
            .learned
            .iter()
            .map(|p| p.pattern_value.as_str())
            .collect();
        assert_eq!(
            values,
            ["cobol", "rust"],
            "most frequent first, deleted included"
        );
        assert!(lang.detected.is_empty());
    }
}
