//! "The same schema": our fresh database compared object by object with the original's.

use motus_core::file_tools::schema::{Difference, Snapshot};
use motus_core::migrate::{self, Migrator};
use motus_core::sqlite::SqliteConnection;
use motus_tests::{fresh_memory_db, open_fixture_readonly, test_clock};

/// Differences we make on purpose; each is explained in docs/schema-differences.md.
/// `(kind, name)` as `Snapshot::diff` reports them.
const DELIBERATE: &[(&str, &str)] = &include!("deliberate_differences.in");

fn fixture_snapshot() -> Snapshot {
    Snapshot::capture(&open_fixture_readonly("motusos-0.3.3-fresh.db")).unwrap()
}

fn render(diffs: &[Difference]) -> String {
    diffs.iter().map(|d| format!("  {d}\n")).collect()
}

#[test]
fn our_versions_1_to_20_build_exactly_the_originals_schema() {
    let upto20: Vec<_> = migrate::coordination()
        .iter()
        .filter(|m| m.version <= migrate::ORIGINAL_LATEST_VERSION)
        .cloned()
        .collect();
    assert_eq!(upto20.len(), 20, "versions 1-20 must all exist");
    let conn = SqliteConnection::open_in_memory().unwrap();
    Migrator::with_migrations(&upto20)
        .migrate(&conn, &test_clock(), false, &mut |_| Ok(None))
        .unwrap();
    let diffs = Snapshot::capture(&conn).unwrap().diff(&fixture_snapshot());
    assert!(
        diffs.is_empty(),
        "differences from motusos 0.3.3 at version 20:\n{}",
        render(&diffs)
    );
}

#[test]
fn latest_schema_differs_from_the_original_only_where_documented() {
    let diffs = Snapshot::capture(&fresh_memory_db())
        .unwrap()
        .diff(&fixture_snapshot());
    let found: Vec<(String, String)> = diffs
        .iter()
        .map(|d| (d.kind.clone(), d.name.clone()))
        .collect();
    let undocumented: Vec<&Difference> = diffs
        .iter()
        .filter(|d| !DELIBERATE.iter().any(|(k, n)| *k == d.kind && *n == d.name))
        .collect();
    assert!(
        undocumented.is_empty(),
        "differences not listed as deliberate:\n{}",
        undocumented
            .iter()
            .map(|d| format!("  {d}\n"))
            .collect::<String>()
    );
    let stale: Vec<_> = DELIBERATE
        .iter()
        .filter(|(k, n)| !found.iter().any(|(fk, fname)| fk == k && fname == n))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as deliberate but no longer different: {stale:?}"
    );
}

#[test]
fn every_deliberate_difference_is_explained_in_the_docs() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/schema-differences.md"
    ))
    .expect("docs/schema-differences.md exists");
    for (_, name) in DELIBERATE {
        let object = name.split('.').next().unwrap();
        assert!(
            doc.contains(object),
            "docs/schema-differences.md does not mention {object}"
        );
    }
}

#[test]
fn the_broken_view_of_the_original_can_be_queried_here() {
    let original = open_fixture_readonly("motusos-0.3.3-fresh.db");
    let err =
        Snapshot::capture(&original).unwrap().views["v_assignment_with_prerequisites"].clone();
    assert!(
        err.is_err(),
        "the original's view is expected to fail: {err:?}"
    );
    let ours = Snapshot::capture(&fresh_memory_db()).unwrap();
    assert!(ours.views["v_assignment_with_prerequisites"].is_ok());
}
