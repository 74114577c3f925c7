//! The migration file format: `NNN_name.sql`, header comments, a `-- UP` line, the
//! statements, and optionally a `-- DOWN` line followed by the statements that undo them.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};

/// One parsed migration file.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    pub file_name: String,
    pub up: String,
    pub down: Option<String>,
    /// First 16 hex characters of the SHA-256 of the whole file (the original's rule).
    pub checksum: String,
}

/// First 16 hex characters of SHA-256 over `text`, as the migration ledger records it.
pub fn checksum(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(digest)[..16].to_string()
}

fn invalid(file: &str, reason: impl Into<String>) -> Error {
    Error::InvalidMigration {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// Splits `NNN_name.sql` into its version and name.
pub fn parse_file_name(file_name: &str) -> Result<(i64, String)> {
    let stem = file_name
        .strip_suffix(".sql")
        .ok_or_else(|| invalid(file_name, "expected a name of the form NNN_description.sql"))?;
    let (digits, name) = stem
        .split_once('_')
        .ok_or_else(|| invalid(file_name, "expected a name of the form NNN_description.sql"))?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            file_name,
            "the version prefix must be 1 to 9 digits",
        ));
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(invalid(
            file_name,
            "the description must be letters, digits and underscores",
        ));
    }
    let version: i64 = digits
        .parse()
        .map_err(|_| invalid(file_name, "bad version"))?;
    if version == 0 {
        return Err(invalid(file_name, "versions start at 1"));
    }
    Ok((version, name.to_string()))
}

fn is_marker(line: &str, marker: &str) -> bool {
    // `get`, not slicing: a multi-byte character right after the prefix must not panic
    // (found by the migration_parser fuzz target).
    line.trim_end()
        .get(..marker.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(marker))
}

/// Parses a migration file's text.
pub fn parse(file_name: &str, text: &str) -> Result<Migration> {
    let (version, name) = parse_file_name(file_name)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let up_at = lines
        .iter()
        .position(|l| l.trim_end().eq_ignore_ascii_case("-- UP"))
        .ok_or_else(|| invalid(file_name, "missing a `-- UP` line before the statements"))?;
    let down_at = lines[up_at + 1..]
        .iter()
        .position(|l| is_marker(l, "-- DOWN"))
        .map(|i| i + up_at + 1);
    let up: String = lines[up_at + 1..down_at.unwrap_or(lines.len())].concat();
    let down = down_at.map(|d| lines[d + 1..].concat().trim().to_string());
    for forbidden in [
        "BEGIN",
        "COMMIT",
        "END TRANSACTION",
        "ROLLBACK",
        "SAVEPOINT",
        "VACUUM",
    ] {
        if has_statement_starting_with(&up, forbidden) {
            return Err(invalid(
                file_name,
                format!("the UP section must not contain {forbidden}: the runner wraps each migration in its own transaction"),
            ));
        }
    }
    Ok(Migration {
        version,
        name,
        file_name: file_name.to_string(),
        up: up.trim().to_string(),
        down: down.filter(|d| !d.is_empty()),
        checksum: checksum(text),
    })
}

/// Whether any statement of `sql` (outside trigger bodies, roughly) starts with `keyword`.
/// Statements inside `CREATE TRIGGER … BEGIN … END` are skipped.
fn has_statement_starting_with(sql: &str, keyword: &str) -> bool {
    let mut in_trigger = false;
    for raw in sql.lines() {
        let line = raw.trim();
        if line.starts_with("--") || line.is_empty() {
            continue;
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("CREATE TRIGGER") || upper.starts_with("CREATE TEMP TRIGGER") {
            in_trigger = true;
        }
        if in_trigger {
            if upper.starts_with("END;") || upper == "END" {
                in_trigger = false;
            }
            continue;
        }
        if upper.starts_with(keyword)
            && upper[keyword.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
        {
            return true;
        }
    }
    false
}

/// Parses and orders a set of files; versions must be unique.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<Migration>> {
    let mut out = files
        .iter()
        .map(|(name, text)| parse(name, text))
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|m| m.version);
    for pair in out.windows(2) {
        if pair[0].version == pair[1].version {
            return Err(invalid(
                &pair[1].file_name,
                format!(
                    "version {} is also used by {}",
                    pair[1].version, pair[0].file_name
                ),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_up_and_down() {
        let text = "-- header\n-- UP\nCREATE TABLE a(x);\n-- DOWN\nDROP TABLE a;\n";
        let m = parse("007_make_a.sql", text).unwrap();
        assert_eq!((m.version, m.name.as_str()), (7, "make_a"));
        assert_eq!(m.up, "CREATE TABLE a(x);");
        assert_eq!(m.down.as_deref(), Some("DROP TABLE a;"));
        assert_eq!(m.checksum, checksum(text));
        assert_eq!(m.checksum.len(), 16);
    }

    #[test]
    fn rejects_bad_names_and_missing_up() {
        for bad in [
            "7.sql",
            "x_a.sql",
            "007_a.txt",
            "007_.sql",
            "000_a.sql",
            "007_a-b.sql",
        ] {
            assert!(parse(bad, "-- UP\n").is_err(), "{bad}");
        }
        let err = parse("001_a.sql", "CREATE TABLE a(x);").unwrap_err();
        assert_eq!(err.code(), "invalid_migration");
    }

    #[test]
    fn rejects_transaction_control_but_not_trigger_bodies() {
        assert!(parse("001_a.sql", "-- UP\nBEGIN;\nCREATE TABLE a(x);\nCOMMIT;\n").is_err());
        let ok = "-- UP\nCREATE TRIGGER t BEFORE DELETE ON a\nBEGIN\n  SELECT RAISE(ABORT, 'no');\nEND;\n";
        assert!(parse("001_a.sql", ok).is_ok());
    }

    #[test]
    fn a_multibyte_character_after_a_marker_prefix_is_not_a_panic() {
        let m = parse("001_a.sql", "-- UP\nCREATE TABLE a(x);\n-- DOW\u{fffd}N\n").unwrap();
        assert_eq!(m.down, None);
        assert!(m.up.contains("-- DOW"));
    }

    #[test]
    fn duplicate_versions_are_refused() {
        let err = parse_all(&[("001_a.sql", "-- UP\n"), ("001_b.sql", "-- UP\n")]).unwrap_err();
        assert!(err.to_string().contains("also used by"));
    }
}
