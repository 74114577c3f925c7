//! Program management on a real database built by our migrations.

use super::entity::{self, ListOptions, Values};
use super::kinds::*;
use super::{charters, crs, standards};
use crate::roadmap::testdb::TestDb;
use crate::Connection;

/// (kind, field values, the error expected).
type Case<'a> = (&'a Kind, &'a [(&'a str, &'a str)], &'a str);

fn vals(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

fn add(db: &TestDb, kind: &Kind, id: &str, pairs: &[(&str, &str)]) -> entity::Record {
    entity::create(&db.conn, &db.env(), "tester", kind, Some(id), &vals(pairs)).unwrap()
}

fn product(db: &TestDb, id: &str) {
    add(
        db,
        &PRODUCT,
        id,
        &[("program_id", "motus-cli"), ("name", id)],
    );
}

#[test]
fn every_key_is_checked_against_its_terminology_domain() {
    let db = TestDb::new();
    let env = db.env();
    let cases: &[Case] = &[
        (&PROGRAM, &[("name", "p"), ("type_key", "hardware")], "invalid type: 'hardware' is not a program_type key; valid keys: software, content, infrastructure"),
        (&PRODUCT, &[("program_id", "motus-cli"), ("name", "p"), ("status_key", "live")], "invalid status: 'live' is not a product_status key; valid keys: active, maintenance, deprecated, archived"),
        (&CHANGE_REQUEST, &[("title", "t"), ("type_key", "bugfix")], "invalid type: 'bugfix' is not a cr_type key; valid keys: defect, enhancement, chore, spec"),
        (&RELEASE, &[("product_id", "motus"), ("name", "r"), ("status_key", "shipped")], "invalid status: 'shipped' is not a release_status key; valid keys: pending, in_progress, ready, published, archived"),
        (&STANDARD, &[("name", "s"), ("level_key", "team"), ("check_type_key", "manual"), ("failure_message", "m")], "invalid level: 'team' is not a standard_level key; valid keys: program, product, feature, release, cr"),
        (&CHARTER, &[("title", "c"), ("doc_type_key", "manifesto"), ("version", "1"), ("content_hash", "h")], "invalid doc-type: 'manifesto' is not a charter_type key; valid keys: roadmap, ethos, release_checklist"),
    ];
    for (kind, pairs, want) in cases {
        let err = entity::create(&db.conn, &env, "t", kind, None, &vals(pairs)).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert_eq!(&err.to_string(), want);
    }
    // Bugs: severity and status.
    add(
        &db,
        &FEATURE,
        "f1",
        &[("product_id", "motus"), ("name", "f1")],
    );
    let err = entity::create(
        &db.conn,
        &env,
        "t",
        &BUG,
        None,
        &vals(&[
            ("title", "b"),
            ("feature_id", "f1"),
            ("feature_version", "1"),
            ("severity_key", "blocker"),
        ]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "invalid severity: 'blocker' is not a bug_severity key; valid keys: critical, high, medium, low");
    // The deprecated artifact keys name their replacement.
    crate::terminology::validate(&db.conn, "artifact", "artifact", "flight_rule").unwrap();
    let err = crate::terminology::validate(&db.conn, "artifact", "artifact", "dna").unwrap_err();
    assert_eq!(err.to_string(), "invalid artifact: 'dna' is deprecated in terminology domain 'artifact'; use 'flight_rule' instead");
}

#[test]
fn references_and_required_fields_are_checked() {
    let db = TestDb::new();
    let env = db.env();
    let err =
        entity::create(&db.conn, &env, "t", &PRODUCT, None, &vals(&[("name", "p")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid product: missing required program_id"
    );
    let err = entity::create(
        &db.conn,
        &env,
        "t",
        &PRODUCT,
        None,
        &vals(&[("name", "p"), ("program_id", "nope")]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid program: no program with id 'nope'"
    );
    let err = entity::create(
        &db.conn,
        &env,
        "t",
        &STANDARD,
        None,
        &vals(&[
            ("name", "s"),
            ("level_key", "cr"),
            ("check_type_key", "threshold"),
            ("failure_message", "m"),
            ("threshold_min", "lots"),
        ]),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid threshold-min: 'lots' is not a number"
    );
    let err = entity::update(
        &db.conn,
        &env,
        "t",
        &PRODUCT,
        "motus",
        &vec![("name".into(), None)],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid name: is required and cannot be cleared"
    );
    let p = add(&db, &PROGRAM, "prog-x", &[("name", "X")]);
    assert_eq!(p["type_key"], "software");
    assert_eq!(p["status_key"], "active");
    let generated = entity::create(
        &db.conn,
        &env,
        "t",
        &CHANGE_REQUEST,
        None,
        &vals(&[("title", "t")]),
    )
    .unwrap();
    assert!(crate::ids::is_prefixed_hex(
        generated["id"].as_str().unwrap(),
        "CR",
        12
    ));
}

#[test]
fn soft_delete_and_restore_everywhere_with_parents_and_children_kept_consistent() {
    let db = TestDb::new();
    let env = db.env();
    product(&db, "p1");
    add(&db, &FEATURE, "f1", &[("product_id", "p1"), ("name", "F")]);
    let err = entity::delete(&db.conn, &env, "t", &PRODUCT, "p1", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid product: product p1 is still used by feature f1; delete or move those first"
    );
    entity::delete(&db.conn, &env, "t", &FEATURE, "f1", Some("merged")).unwrap();
    entity::delete(&db.conn, &env, "t", &PRODUCT, "p1", None).unwrap();
    assert!(entity::list(&db.conn, &PRODUCT, &ListOptions::default())
        .unwrap()
        .iter()
        .all(|r| r["id"] != "p1"));
    let deleted = entity::list(
        &db.conn,
        &PRODUCT,
        &ListOptions {
            only_deleted: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(deleted.len(), 1);
    // A child cannot come back before its parent.
    let err = entity::restore(&db.conn, &env, "t", &FEATURE, "f1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid product: its product p1 is deleted; restore that first"
    );
    let err = entity::update(
        &db.conn,
        &env,
        "t",
        &PRODUCT,
        "p1",
        &vals(&[("version", "2")]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("restore it first"), "{err}");
    entity::restore(&db.conn, &env, "t", &PRODUCT, "p1").unwrap();
    let f = entity::restore(&db.conn, &env, "t", &FEATURE, "f1").unwrap();
    assert!(f["deleted_at"].is_null());
    let err = entity::restore(&db.conn, &env, "t", &FEATURE, "f1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid feature: feature f1 is not deleted; nothing to restore"
    );
    // Every kind has soft delete and restore.
    for kind in ALL {
        let id = format!("del-{}", kind.name);
        let pairs: Vec<(&str, &str)> = match kind.name {
            "program" => vec![("name", "n")],
            "product" => vec![("program_id", "motus-cli"), ("name", "n")],
            "feature" | "release" => vec![("product_id", "motus"), ("name", "n")],
            "cr" => vec![("title", "t")],
            "bug" => vec![
                ("title", "t"),
                ("feature_id", "f1"),
                ("feature_version", "1"),
            ],
            "standard" => vec![
                ("name", "n"),
                ("level_key", "cr"),
                ("check_type_key", "manual"),
                ("failure_message", "m"),
            ],
            _ => vec![
                ("title", "t"),
                ("doc_type_key", "roadmap"),
                ("version", "1"),
                ("content_hash", "h"),
            ],
        };
        add(&db, kind, &id, &pairs);
        entity::delete(&db.conn, &env, "t", kind, &id, None).unwrap();
        assert!(
            entity::get_live(&db.conn, kind, &id).is_err(),
            "{}",
            kind.name
        );
        entity::restore(&db.conn, &env, "t", kind, &id).unwrap();
        entity::get_live(&db.conn, kind, &id).unwrap();
        let actions: Vec<String> = db
            .conn
            .query("SELECT action FROM audit_log WHERE resource_type = ?1 AND resource_id = ?2 ORDER BY id", crate::params![kind.name, &id])
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        assert_eq!(actions, ["create", "delete", "restore"], "{}", kind.name);
    }
}

#[test]
fn every_change_to_a_versioned_entity_is_captured_in_the_same_clock_tick() {
    let db = TestDb::new();
    let env = db.env();
    product(&db, "p1");
    add(&db, &FEATURE, "f1", &[("product_id", "p1"), ("name", "F")]);
    add(
        &db,
        &CHANGE_REQUEST,
        "cr1",
        &[("title", "T"), ("owner", "ann")],
    );
    add(
        &db,
        &BUG,
        "b1",
        &[
            ("title", "B"),
            ("feature_id", "f1"),
            ("feature_version", "1.0"),
        ],
    );
    for (kind, id, field) in [
        (&PRODUCT, "p1", "version"),
        (&FEATURE, "f1", "version"),
        (&CHANGE_REQUEST, "cr1", "target_version"),
        (&BUG, "b1", "fixed_in_version"),
    ] {
        for v in ["1", "2", "3"] {
            entity::update(&db.conn, &env, "agent:x", kind, id, &vals(&[(field, v)])).unwrap();
        }
        let h = entity::history(&db.conn, kind, id).unwrap();
        assert_eq!(
            h.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            [1, 2, 3],
            "{}",
            kind.name
        );
        assert_eq!(
            h.audit
                .iter()
                .filter(|a| a.action == "update" && a.actor == "agent:x")
                .count(),
            3
        );
    }
    let h = entity::history(&db.conn, &CHANGE_REQUEST, "cr1").unwrap();
    assert_eq!(h.versions[0].changed_by, "ann");
    assert_eq!(h.versions[2].data["title"], "T");
    // Non-versioned kinds still have their audit trail.
    entity::update(
        &db.conn,
        &env,
        "agent:y",
        &PROGRAM,
        "motus-cli",
        &vals(&[("owner", "me")]),
    )
    .unwrap();
    let h = entity::history(&db.conn, &PROGRAM, "motus-cli").unwrap();
    assert!(h.versions.is_empty());
    assert_eq!(h.audit.last().unwrap().actor, "agent:y");
}

#[test]
fn one_charter_per_type_is_active_through_add_activate_and_restore() {
    let db = TestDb::new();
    let env = db.env();
    let doc = |id: &str, ty: &str| {
        add(
            &db,
            &CHARTER,
            id,
            &[
                ("title", id),
                ("doc_type_key", ty),
                ("version", "1"),
                ("content_hash", &charters::content_hash(id.as_bytes())),
            ],
        )
    };
    doc("e1", "ethos");
    doc("e2", "ethos");
    doc("r1", "roadmap");
    let active = |ty: &str| {
        charters::active(&db.conn, ty)
            .unwrap()
            .map(|r| r["id"].as_str().unwrap().to_string())
    };
    assert_eq!(active("ethos").as_deref(), Some("e2"));
    assert_eq!(active("roadmap").as_deref(), Some("r1"));
    // The schema alone refuses re-activating by UPDATE; activate swaps in one transaction.
    let raw = db
        .conn
        .execute("UPDATE charter_docs SET is_active = 1 WHERE id = 'e1'", &[]);
    assert!(raw
        .unwrap_err()
        .to_string()
        .contains("UNIQUE constraint failed"));
    charters::activate(&db.conn, &env, "t", "e1").unwrap();
    assert_eq!(active("ethos").as_deref(), Some("e1"));
    let n = db.count("SELECT count(*) FROM charter_docs WHERE doc_type_key = 'ethos' AND is_active = 1 AND deleted_at IS NULL");
    assert_eq!(n, 1);
    // Deleting the active one leaves none active; restoring it while another became active
    // brings it back inactive.
    entity::delete(&db.conn, &env, "t", &CHARTER, "e1", None).unwrap();
    assert_eq!(active("ethos"), None);
    charters::activate(&db.conn, &env, "t", "e2").unwrap();
    let back = entity::restore(&db.conn, &env, "t", &CHARTER, "e1").unwrap();
    assert_eq!(back["is_active"], 0);
    assert_eq!(active("ethos").as_deref(), Some("e2"));
    assert_eq!(
        charters::content_hash(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn compliance_results_are_append_only_and_the_latest_decides() {
    let db = TestDb::new();
    let env = db.env();
    let rec = |result: &str| {
        standards::record_result(
            &db.conn,
            &env,
            "ci",
            &standards::NewResult {
                standard_id: "STD-PRD-001".into(),
                entity_type: "product".into(),
                entity_id: "motus".into(),
                result: result.into(),
                ..Default::default()
            },
        )
    };
    let c = standards::compliance(&db.conn, "product", "motus").unwrap();
    assert_eq!(c.status, "blocked");
    assert!(c.standards.iter().all(|s| s.latest == "missing"));
    rec("fail").unwrap();
    let assigned = standards::assignments(&db.conn, None, Some(("product", "motus"))).unwrap();
    assert_eq!(assigned.len(), 10);
    for a in &assigned {
        standards::record_result(
            &db.conn,
            &env,
            "ci",
            &standards::NewResult {
                standard_id: a.standard_id.clone(),
                entity_type: "product".into(),
                entity_id: "motus".into(),
                result: "pass".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    assert_eq!(
        standards::compliance(&db.conn, "product", "motus")
            .unwrap()
            .status,
        "clear"
    );
    assert_eq!(
        standards::results(&db.conn, Some("STD-PRD-001"), None, None)
            .unwrap()
            .len(),
        2
    );
    let err = rec("maybe").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid result: 'maybe' is not accepted; use one of pass, fail, skip, error"
    );
    let err = db
        .conn
        .execute("UPDATE compliance_results SET result = 'pass'", &[])
        .unwrap_err();
    assert_eq!(err.to_string(), "Compliance results are immutable");
    let err = db
        .conn
        .execute("DELETE FROM compliance_results", &[])
        .unwrap_err();
    assert_eq!(err.to_string(), "Compliance results cannot be deleted");
    // Assignments: entity must exist; type must be one of the levels.
    let err = standards::assign(&db.conn, &env, "t", "STD-CR-001", "team", "x", false).unwrap_err();
    assert!(
        err.to_string()
            .contains("use one of program, product, feature, release, cr"),
        "{err}"
    );
    let err =
        standards::assign(&db.conn, &env, "t", "STD-CR-001", "cr", "nope", false).unwrap_err();
    assert_eq!(err.code(), "not_found");
    add(&db, &CHANGE_REQUEST, "cr1", &[("title", "t")]);
    standards::assign(&db.conn, &env, "t", "STD-CR-001", "cr", "cr1", false).unwrap();
    assert_eq!(
        standards::assignments(&db.conn, None, Some(("cr", "cr1")))
            .unwrap()
            .len(),
        1
    );
    standards::unassign(&db.conn, &env, "t", "STD-CR-001", "cr", "cr1").unwrap();
    assert!(standards::assignments(&db.conn, None, Some(("cr", "cr1")))
        .unwrap()
        .is_empty());
}

#[test]
fn change_request_dependencies_refuse_cycles() {
    let db = TestDb::new();
    let env = db.env();
    for id in ["c1", "c2", "c3"] {
        add(&db, &CHANGE_REQUEST, id, &[("title", id)]);
    }
    crs::add(&db.conn, &env, "t", "c1", "c2", "blocks").unwrap();
    crs::add(&db.conn, &env, "t", "c2", "c3", "supersedes").unwrap();
    let err = crs::add(&db.conn, &env, "t", "c3", "c1", "related").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Circular dependency detected: c3 -> c1 -> c2 -> c3"
    );
    let err = crs::add(&db.conn, &env, "t", "c1", "c3", "duplicates").unwrap_err();
    assert!(
        err.to_string()
            .contains("use one of blocks, related, supersedes"),
        "{err}"
    );
    let (out, inc) = crs::of_cr(&db.conn, "c2").unwrap();
    assert_eq!((out.len(), inc.len()), (1, 1));
    crs::remove(&db.conn, &env, "t", "c1", "c2").unwrap();
    assert_eq!(
        crs::remove(&db.conn, &env, "t", "c1", "c2")
            .unwrap_err()
            .code(),
        "not_found"
    );
}
