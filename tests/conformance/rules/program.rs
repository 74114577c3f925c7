//! Program management: compliance results, charter documents, entity version history and the
//! five `*_version_capture` triggers.

use super::harness::*;

const STANDARD: &str =
    "INSERT INTO standards (id, name, level_key, check_type_key, failure_message) \
     VALUES ('RULES-STD', 'rules standard', 'product', 'boolean', 'it failed')";

fn compliance(result: &str) -> String {
    format!(
        "INSERT INTO compliance_results (standard_id, entity_type, entity_id, result, checked_by) \
         VALUES ('RULES-STD', 'product', 'rules-product', '{result}', 'ci')"
    )
}

const COMPLIANCE_COUNT: &str = "SELECT group_concat(result) FROM (SELECT result FROM compliance_results WHERE standard_id = 'RULES-STD' ORDER BY id)";

pub fn compliance_immutable() -> Case {
    case("compliance_immutable")
        .given([STANDARD.to_owned(), compliance("fail")])
        .refuse(
            "UPDATE compliance_results SET result = 'pass' WHERE standard_id = 'RULES-STD'",
            rule("Compliance results are immutable"),
        )
        // a new run is recorded as a new row
        .ok(compliance("pass"))
        .expect(COMPLIANCE_COUNT, "fail,pass")
}

pub fn compliance_no_delete() -> Case {
    case("compliance_no_delete")
        .given([STANDARD.to_owned(), compliance("fail")])
        .refuse(
            "DELETE FROM compliance_results WHERE standard_id = 'RULES-STD'",
            rule("Compliance results cannot be deleted"),
        )
        .ok(compliance("error"))
        .expect(COMPLIANCE_COUNT, "fail,error")
}

fn charter(id: &str, kind: &str, active: i32) -> String {
    format!(
        "INSERT INTO charter_docs (id, doc_type_key, version, title, content_hash, is_active) \
         VALUES ('{id}', '{kind}', '{id}', 'Charter {id}', 'hash-{id}', {active})"
    )
}

const CHARTERS: &str =
    "SELECT group_concat(d, ',') FROM (SELECT id || '=' || is_active AS d FROM charter_docs \
     WHERE id LIKE 'rules-%' ORDER BY id)";

/// Inserting an active document deactivates the previous active one of its type; re-activating
/// the old one by UPDATE is refused by the partial unique index (documented, kept).
pub fn charter_singleton_enforce() -> Case {
    case("charter_singleton_enforce")
        .given([
            charter("rules-e0", "ethos", 0),
            charter("rules-e1", "ethos", 1),
            charter("rules-r1", "roadmap", 1),
        ])
        .ok(charter("rules-e2", "ethos", 1))
        .expect(CHARTERS, "rules-e0=0,rules-e1=0,rules-e2=1,rules-r1=1")
        .refuse(
            "UPDATE charter_docs SET is_active = 1 WHERE id = 'rules-e1'",
            constraint("UNIQUE constraint failed: charter_docs.doc_type_key"),
        )
        // an inactive insert leaves the active one alone
        .ok(charter("rules-e3", "ethos", 0))
        .expect(
            CHARTERS,
            "rules-e0=0,rules-e1=0,rules-e2=1,rules-e3=0,rules-r1=1",
        )
}

const VERSION_ROW: &str =
    "INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by) \
     VALUES ('cr', 'RULES-CR', 1, '{}', 'alice')";

pub fn entity_versions_immutable() -> Case {
    case("entity_versions_immutable")
        .given([VERSION_ROW])
        .refuse(
            "UPDATE entity_versions SET data = '{\"forged\":true}' WHERE entity_id = 'RULES-CR'",
            rule("Entity version history is immutable"),
        )
        .ok("INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by) \
             VALUES ('cr', 'RULES-CR', 2, '{}', 'bob')")
        .expect(
            "SELECT group_concat(changed_by) FROM (SELECT changed_by FROM entity_versions WHERE entity_id = 'RULES-CR' ORDER BY version)",
            "alice,bob",
        )
}

pub fn entity_versions_no_delete() -> Case {
    case("entity_versions_no_delete")
        .given([VERSION_ROW])
        .refuse(
            "DELETE FROM entity_versions WHERE entity_id = 'RULES-CR'",
            rule("Entity version history cannot be deleted"),
        )
        .ok(
            "INSERT INTO entity_versions (entity_type, entity_id, version, data, changed_by) \
             VALUES ('cr', 'RULES-CR', 2, '{}', 'bob')",
        )
        .expect(
            "SELECT count(*) FROM entity_versions WHERE entity_id = 'RULES-CR'",
            "2",
        )
}

// ------------------------------------------------------------------- version capture

const PROGRAM: &str = "INSERT INTO programs (id, name) VALUES ('rules-prog', 'Rules program')";
const PRODUCT: &str = "INSERT INTO products (id, program_id, name) VALUES ('rules-prod', 'rules-prog', 'Rules product')";
const FEATURE: &str = "INSERT INTO features (id, product_id, name) VALUES ('rules-feat', 'rules-prod', 'Rules feature')";

/// An UPDATE that leaves updated_at alone writes no history; each of the two `stamped` updates
/// (which change updated_at) writes the next version, whose `version|changed_by|data` is given.
fn version_capture(
    rule_name: &'static str,
    setup: &[&str],
    entity: (&str, &str),
    change_without_stamp: &str,
    stamped: [(&str, &str); 2],
) -> Case {
    let (kind, id) = entity;
    let latest = format!(
        "SELECT version || '|' || changed_by || '|' || data FROM entity_versions \
         WHERE entity_type = '{kind}' AND entity_id = '{id}' ORDER BY version DESC LIMIT 1"
    );
    case(rule_name)
        .given(setup.iter().copied())
        .ok(change_without_stamp)
        .expect(
            format!(
                "SELECT count(*) FROM entity_versions WHERE entity_type = '{kind}' AND entity_id = '{id}'"
            ),
            "0",
        )
        .ok(stamped[0].0)
        .expect(latest.clone(), stamped[0].1)
        .ok(stamped[1].0)
        .expect(latest, stamped[1].1)
}

pub fn cr_version_capture() -> Case {
    version_capture(
        "cr_version_capture",
        &["INSERT INTO change_requests (id, title) VALUES ('RULES-CR', 'Original title')"],
        ("cr", "RULES-CR"),
        "UPDATE change_requests SET title = 'Quiet edit' WHERE id = 'RULES-CR'",
        [
            (
                "UPDATE change_requests SET title = 'Stamped', updated_at = '2099-01-01 00:00:00' WHERE id = 'RULES-CR'",
                "1|system|{\"title\":\"Stamped\",\"status_key\":\"queue\",\"type_key\":\"enhancement\",\"size\":\"M\",\"owner\":null,\"product_id\":null,\"feature_id\":null,\"target_version\":null}",
            ),
            (
                "UPDATE change_requests SET owner = 'alice', size = 'L', updated_at = '2099-01-02 00:00:00' WHERE id = 'RULES-CR'",
                "2|alice|{\"title\":\"Stamped\",\"status_key\":\"queue\",\"type_key\":\"enhancement\",\"size\":\"L\",\"owner\":\"alice\",\"product_id\":null,\"feature_id\":null,\"target_version\":null}",
            ),
        ],
    )
}

pub fn product_version_capture() -> Case {
    version_capture(
        "product_version_capture",
        &[PROGRAM, PRODUCT],
        ("product", "rules-prod"),
        "UPDATE products SET version = '0.1.0' WHERE id = 'rules-prod'",
        [
            (
                "UPDATE products SET version = '0.2.0', updated_at = '2099-01-01 00:00:00' WHERE id = 'rules-prod'",
                "1|system|{\"name\":\"Rules product\",\"status_key\":\"active\",\"version\":\"0.2.0\",\"program_id\":\"rules-prog\"}",
            ),
            (
                "UPDATE products SET status_key = 'maintenance', updated_at = '2099-01-02 00:00:00' WHERE id = 'rules-prod'",
                "2|system|{\"name\":\"Rules product\",\"status_key\":\"maintenance\",\"version\":\"0.2.0\",\"program_id\":\"rules-prog\"}",
            ),
        ],
    )
}

pub fn feature_version_capture() -> Case {
    version_capture(
        "feature_version_capture",
        &[PROGRAM, PRODUCT, FEATURE],
        ("feature", "rules-feat"),
        "UPDATE features SET status_key = 'beta' WHERE id = 'rules-feat'",
        [
            (
                "UPDATE features SET version = '1.0.0', updated_at = '2099-01-01 00:00:00' WHERE id = 'rules-feat'",
                "1|system|{\"name\":\"Rules feature\",\"status_key\":\"beta\",\"version\":\"1.0.0\",\"product_id\":\"rules-prod\"}",
            ),
            (
                "UPDATE features SET status_key = 'stable', updated_at = '2099-01-02 00:00:00' WHERE id = 'rules-feat'",
                "2|system|{\"name\":\"Rules feature\",\"status_key\":\"stable\",\"version\":\"1.0.0\",\"product_id\":\"rules-prod\"}",
            ),
        ],
    )
}

pub fn bug_version_capture() -> Case {
    version_capture(
        "bug_version_capture",
        &[
            PROGRAM,
            PRODUCT,
            FEATURE,
            "INSERT INTO bugs (id, title, feature_id, feature_version) VALUES ('RULES-BUG', 'Crash', 'rules-feat', '1.0.0')",
        ],
        ("bug", "RULES-BUG"),
        "UPDATE bugs SET status_key = 'confirmed' WHERE id = 'RULES-BUG'",
        [
            (
                "UPDATE bugs SET severity_key = 'high', updated_at = '2099-01-01 00:00:00' WHERE id = 'RULES-BUG'",
                "1|system|{\"title\":\"Crash\",\"status_key\":\"confirmed\",\"severity_key\":\"high\",\"feature_id\":\"rules-feat\",\"feature_version\":\"1.0.0\",\"fix_cr_id\":null}",
            ),
            (
                "UPDATE bugs SET assigned_to = 'bob', status_key = 'fixed', updated_at = '2099-01-02 00:00:00' WHERE id = 'RULES-BUG'",
                "2|bob|{\"title\":\"Crash\",\"status_key\":\"fixed\",\"severity_key\":\"high\",\"feature_id\":\"rules-feat\",\"feature_version\":\"1.0.0\",\"fix_cr_id\":null}",
            ),
        ],
    )
}

pub fn roadmap_version_capture() -> Case {
    version_capture(
        "roadmap_version_capture",
        &["INSERT INTO roadmap_items (id, phase_key, title) VALUES ('RULES-ITEM', 'rules', 'Plan')"],
        ("roadmap_item", "RULES-ITEM"),
        "UPDATE roadmap_items SET title = 'Quiet edit' WHERE id = 'RULES-ITEM'",
        [
            (
                "UPDATE roadmap_items SET title = 'Stamped', updated_at = '2099-01-01 00:00:00' WHERE id = 'RULES-ITEM'",
                "1|system|{\"title\":\"Stamped\",\"phase_key\":\"rules\",\"status_key\":\"pending\",\"owner\":null,\"target_date\":null}",
            ),
            (
                "UPDATE roadmap_items SET owner = 'carol', target_date = '2027-01-01', updated_at = '2099-01-02 00:00:00' WHERE id = 'RULES-ITEM'",
                "2|carol|{\"title\":\"Stamped\",\"phase_key\":\"rules\",\"status_key\":\"pending\",\"owner\":\"carol\",\"target_date\":\"2027-01-01\"}",
            ),
        ],
    )
}
