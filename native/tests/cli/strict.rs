//! Dates and fixed-value arguments are checked strictly, in core (so the JS API and the MCP
//! server refuse the same values): a bad value is a usage error (exit 2) naming what is
//! wrong and what is accepted, and nothing is written.

use motus_tests::{motus, stdout_json};
use std::path::PathBuf;

struct Home {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let h = Home { dir, db };
        h.ok(&["roadmap", "add", "Base", "--phase", "phase_a", "--id", "R1"]);
        h.ok(&["program", "add", "P", "--id", "prog1"]);
        h.ok(&[
            "product",
            "add",
            "PR",
            "--program",
            "prog1",
            "--id",
            "prod1",
        ]);
        h
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        let db = self.db.display().to_string();
        let mut all = vec!["--db", db.as_str()];
        all.extend_from_slice(args);
        motus(self.dir.path(), &all)
    }
    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout_json(&out)
    }
    /// The bytes of the database and its WAL: a refused call changes none.
    fn bytes(&self) -> (Vec<u8>, Vec<u8>) {
        let wal = PathBuf::from(format!("{}-wal", self.db.display()));
        (
            std::fs::read(&self.db).unwrap(),
            std::fs::read(&wal).unwrap_or_default(),
        )
    }
    /// `args` is refused as a usage error whose message contains `says`; nothing written.
    fn refused(&self, args: &[&str], says: &str) {
        let before = self.bytes();
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} must be a usage error: {err}"
        );
        assert!(err.contains(says), "{args:?}: expected {says:?} in {err}");
        let mut json = args.to_vec();
        json.push("--json");
        let out = self.run(&json);
        assert_eq!(out.status.code(), Some(2), "{json:?}");
        // Fixed lists are clap's (`usage`, the values listed in help and completions); keys
        // the database defines (statuses, phases, types) are core's (`invalid_input`).
        let code = stdout_json(&out)["error"]["code"].clone();
        assert!(
            code == "invalid_input" || code == "usage",
            "{json:?}: {code}"
        );
        assert!(self.bytes() == before, "{args:?} changed the database");
    }
}

const BAD_DATES: &[(&str, &str)] = &[
    ("2026-1-1", "not a date in the form YYYY-MM-DD"),
    (
        "2026-01-01T00:00:00Z",
        "has more than a date; give the day alone, e.g. 2026-01-01",
    ),
    ("2026-02-30", "not a calendar date: 2026-02 has 28 days"),
    ("2025-02-29", "not a calendar date: 2025-02 has 28 days"),
    ("2026-13-01", "there is no month 13"),
    ("01/02/2026", "not a date in the form YYYY-MM-DD"),
    ("", "not a date in the form YYYY-MM-DD"),
];

#[test]
fn target_dates_are_exactly_a_real_yyyy_mm_dd_everywhere() {
    let h = Home::new();
    for (bad, says) in BAD_DATES {
        h.refused(
            &[
                "roadmap",
                "add",
                "T",
                "--phase",
                "phase_a",
                "--target-date",
                bad,
            ],
            says,
        );
        if !bad.is_empty() {
            // (an empty value clears the date on update)
            h.refused(&["roadmap", "update", "R1", "--target-date", bad], says);
        }
        h.refused(
            &[
                "release",
                "add",
                "v1",
                "--product",
                "prod1",
                "--target-date",
                bad,
            ],
            says,
        );
    }
    // What is accepted is stored as given, and a leap day is a day.
    let item = h.ok(&[
        "roadmap",
        "add",
        "T",
        "--phase",
        "phase_a",
        "--target-date",
        "2028-02-29",
    ]);
    assert_eq!(item["target_date"], "2028-02-29");
    assert_eq!(
        h.ok(&["roadmap", "list"])["count"],
        2,
        "no refused item was added"
    );
}

#[test]
fn instants_take_a_date_or_a_date_and_time_but_nothing_loose() {
    let h = Home::new();
    for (bad, says) in [
        (
            "2026-1-1T10:00:00Z",
            "is not a date (YYYY-MM-DD) or a date and time",
        ),
        ("2026-02-30", "2026-02 has 28 days"),
        ("2026-02-20T25:00:00Z", "has no readable time of day"),
    ] {
        h.refused(
            &[
                "release",
                "add",
                "v1",
                "--product",
                "prod1",
                "--published-at",
                bad,
            ],
            says,
        );
    }
    for good in [
        "2026-02-20",
        "2026-02-20T10:00:00Z",
        "2026-02-20 10:00:00.123",
    ] {
        h.ok(&[
            "release",
            "add",
            "v1",
            "--product",
            "prod1",
            "--published-at",
            good,
        ]);
    }
}

#[test]
fn filters_naming_a_value_no_row_can_have_are_refused_with_the_valid_ones() {
    let h = Home::new();
    let statuses = "valid keys: pending, in_progress, blocked, completed, deferred";
    let types = "valid keys: work, gate, holding, integration";
    let phases = "is not a roadmap_phase key; valid keys: phase_a";
    h.refused(&["roadmap", "list", "--status", "done"], statuses);
    h.refused(&["roadmap", "list", "--type", "epic"], types);
    h.refused(&["roadmap", "list", "--phase", "phase_z"], phases);
    // Before: DENY_NO_READY_WORK (exit 1), as if the queue were empty.
    h.refused(
        &["work", "claim", "--next", "--agent", "a", "--type", "epic"],
        types,
    );
    h.refused(
        &[
            "work", "claim", "--next", "--agent", "a", "--phase", "phase_z",
        ],
        phases,
    );
    h.refused(
        &["program", "list", "--status", "live"],
        "valid keys: active, maintenance, deprecated, archived",
    );
    // The values the refusals list are accepted.
    h.ok(&[
        "roadmap", "list", "--status", "pending", "--type", "work", "--phase", "phase_a",
    ]);
    h.ok(&["program", "list", "--status", "active"]);
}

#[test]
fn every_fixed_value_argument_refuses_an_unknown_value_with_the_list() {
    let h = Home::new();
    let lease = h.ok(&["work", "claim", "ADHOC-S1", "--agent", "alice"])["lease_id"]
        .as_str()
        .unwrap()
        .to_string();
    let l = lease.as_str();
    for (args, says) in [
        (
            vec![
                "roadmap", "add", "T", "--phase", "phase_a", "--type", "epic",
            ],
            "valid keys: work, gate",
        ),
        (
            vec![
                "roadmap", "add", "T", "--phase", "phase_a", "--status", "done",
            ],
            "valid keys: pending",
        ),
        (
            vec!["roadmap", "add", "T", "--phase", "nowhere"],
            "valid keys: phase_a",
        ),
        (
            vec!["roadmap", "update", "R1", "--status", "done"],
            "valid keys: pending",
        ),
        (
            vec!["roadmap", "dep", "add", "R1", "R1", "--type", "hard"],
            "use blocks, soft or related",
        ),
        (
            vec!["roadmap", "assign", "R1", "bob", "--role", "boss"],
            "implementer, reviewer, owner, observer",
        ),
        (
            vec!["work", "claim", "ADHOC-S2", "--agent", "a", "--mode", "rw"],
            "[possible values: read, write]",
        ),
        (
            vec!["work", "evidence", l, "test"],
            "[possible values: test_result, build_artifact",
        ),
        (
            vec!["work", "decision", l, "ok", "--type", "yes"],
            "[possible values: approval, waiver",
        ),
        (
            vec!["work", "release", l, "done"],
            "[possible values: success, failure, partial, aborted]",
        ),
        (
            vec!["work", "block", l, "stuck", "why"],
            "[possible values: missing_approval",
        ),
        (
            vec![
                "work",
                "block",
                l,
                "missing_info",
                "why",
                "--severity",
                "high",
            ],
            "[possible values: blocking, warning]",
        ),
        (
            vec!["program", "add", "P2", "--type", "hardware"],
            "valid keys: software, content",
        ),
        (
            vec![
                "release",
                "add",
                "v1",
                "--product",
                "prod1",
                "--status",
                "shipped",
            ],
            "valid keys: pending",
        ),
        (
            vec!["cr", "add", "C", "--type", "bugfix"],
            "valid keys: defect, enhancement",
        ),
    ] {
        h.refused(&args, says);
    }
    assert_eq!(
        h.ok(&["work", "status", l])["lease"]["status"],
        "active",
        "the lease is untouched by the refused calls"
    );
}
