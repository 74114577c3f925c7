//! What each program-management entity looks like: its table, fields, the terminology
//! domain of each `*_key` column, and what its references point at. One description drives
//! validation, storage, listing and the CLI, so every kind behaves the same way.

/// How a field's text from the caller is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldType {
    Text,
    /// Stored as REAL.
    Real,
    /// Stored as INTEGER.
    Int,
    /// `true/false/yes/no/1/0`, stored as 1/0.
    Bool,
    /// A day, exactly `YYYY-MM-DD` ([`crate::time::parse_date`]); stored as given.
    Date,
    /// A day or a day and time (`YYYY-MM-DD[THH:MM:SSZ]`, [`crate::time::check_instant`]);
    /// stored as given.
    Instant,
    /// One of a fixed list (a CHECK constraint in the schema).
    Choice(&'static [&'static str]),
    /// A key of this terminology domain.
    Term(&'static str),
    /// The id of a live entity of this kind.
    Ref(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The column.
    pub column: &'static str,
    /// The command-line flag (without `--`).
    pub flag: &'static str,
    pub ty: FieldType,
    /// Must be given on create (no schema default).
    pub required: bool,
    pub help: &'static str,
}

const fn f(column: &'static str, flag: &'static str, ty: FieldType, help: &'static str) -> Field {
    Field {
        column,
        flag,
        ty,
        required: false,
        help,
    }
}

const fn req(column: &'static str, flag: &'static str, ty: FieldType, help: &'static str) -> Field {
    Field {
        column,
        flag,
        ty,
        required: true,
        help,
    }
}

#[derive(Debug)]
pub struct Kind {
    /// The CLI and audit name: `program`, `product`, …
    pub name: &'static str,
    /// Plural for messages.
    pub plural: &'static str,
    pub table: &'static str,
    /// Prefix of generated ids.
    pub id_prefix: &'static str,
    /// The field given positionally on `add` (`name` or `title`).
    pub title: &'static str,
    /// `entity_versions.entity_type` when the schema versions this kind.
    pub versioned_as: Option<&'static str>,
    /// The reference that names the parent (for listing by parent and delete checks).
    pub parent: Option<&'static str>,
    pub fields: &'static [Field],
    pub order_by: &'static str,
    /// At most one live row per value of this column may have `is_active = 1` (charter
    /// documents: one active document per type). Restoring keeps the rule.
    pub one_active_per: Option<&'static str>,
}

impl Kind {
    pub fn field(&self, column: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.column == column)
    }
}

use FieldType::*;

pub static PROGRAM: Kind = Kind {
    name: "program",
    plural: "programs",
    table: "programs",
    id_prefix: "prog",
    title: "name",
    versioned_as: None,
    parent: None,
    fields: &[
        req("name", "name", Text, "Program name"),
        f("description", "description", Text, "What it is for"),
        f(
            "type_key",
            "type",
            Term("program_type"),
            "Program type [default: software]",
        ),
        f(
            "status_key",
            "status",
            Term("product_status"),
            "Status [default: active]",
        ),
        f("owner", "owner", Text, "Who owns it"),
    ],
    order_by: "name, id",
    one_active_per: None,
};

pub static PRODUCT: Kind = Kind {
    name: "product",
    plural: "products",
    table: "products",
    id_prefix: "prod",
    title: "name",
    versioned_as: Some("product"),
    parent: Some("program_id"),
    fields: &[
        req(
            "program_id",
            "program",
            Ref("program"),
            "Program it belongs to",
        ),
        req("name", "name", Text, "Product name"),
        f("description", "description", Text, "What it is"),
        f(
            "status_key",
            "status",
            Term("product_status"),
            "Status [default: active]",
        ),
        f(
            "version",
            "version",
            Text,
            "Current version [default: 0.0.0]",
        ),
        f(
            "repository_url",
            "repository-url",
            Text,
            "Source repository",
        ),
    ],
    order_by: "program_id, name, id",
    one_active_per: None,
};

pub static FEATURE: Kind = Kind {
    name: "feature",
    plural: "features",
    table: "features",
    id_prefix: "feat",
    title: "name",
    versioned_as: Some("feature"),
    parent: Some("product_id"),
    fields: &[
        req(
            "product_id",
            "product",
            Ref("product"),
            "Product it belongs to",
        ),
        req("name", "name", Text, "Feature name"),
        f("description", "description", Text, "What it does"),
        f(
            "status_key",
            "status",
            Term("feature_status"),
            "Status [default: planned]",
        ),
        f("version", "version", Text, "Current version"),
        f(
            "introduced_in",
            "introduced-in",
            Text,
            "Version that introduced it",
        ),
        f(
            "deprecated_in",
            "deprecated-in",
            Text,
            "Version that deprecated it",
        ),
    ],
    order_by: "product_id, name, id",
    one_active_per: None,
};

pub static RELEASE: Kind = Kind {
    name: "release",
    plural: "releases",
    table: "releases",
    id_prefix: "rel",
    title: "name",
    versioned_as: None,
    parent: Some("product_id"),
    fields: &[
        req("product_id", "product", Ref("product"), "Product released"),
        req("name", "name", Text, "Release name, e.g. v1.2.0"),
        f(
            "type_key",
            "type",
            Term("release_type"),
            "Release type [default: version]",
        ),
        f("description", "description", Text, "What is in it"),
        f(
            "status_key",
            "status",
            Term("release_status"),
            "Status [default: pending]",
        ),
        f(
            "target_date",
            "target-date",
            Date,
            "Planned date (YYYY-MM-DD)",
        ),
        f(
            "published_at",
            "published-at",
            Instant,
            "When it was published",
        ),
        f(
            "external_url",
            "external-url",
            Text,
            "Release notes or announcement",
        ),
    ],
    order_by: "product_id, coalesce(target_date, created_at), id",
    one_active_per: None,
};

pub static CHANGE_REQUEST: Kind = Kind {
    name: "cr",
    plural: "change requests",
    table: "change_requests",
    id_prefix: "CR",
    title: "title",
    versioned_as: Some("cr"),
    parent: Some("product_id"),
    fields: &[
        req("title", "title", Text, "What should change"),
        f("description", "description", Text, "Details"),
        f(
            "status_key",
            "status",
            Term("cr_status"),
            "Status [default: queue]",
        ),
        f(
            "type_key",
            "type",
            Term("cr_type"),
            "Type [default: enhancement]",
        ),
        f(
            "size",
            "size",
            Choice(&["S", "M", "L", "XL"]),
            "Size: S, M, L or XL [default: M]",
        ),
        f("owner", "owner", Text, "Who owns it"),
        f(
            "product_id",
            "product",
            Ref("product"),
            "Product it changes",
        ),
        f(
            "feature_id",
            "feature",
            Ref("feature"),
            "Feature it changes",
        ),
        f(
            "target_version",
            "target-version",
            Text,
            "Version it is planned for",
        ),
        f(
            "completed_version",
            "completed-version",
            Text,
            "Version it shipped in",
        ),
        f("started_at", "started-at", Instant, "When work started"),
        f("completed_at", "completed-at", Instant, "When it was done"),
    ],
    order_by: "created_at, id",
    one_active_per: None,
};

pub static BUG: Kind = Kind {
    name: "bug",
    plural: "bugs",
    table: "bugs",
    id_prefix: "BUG",
    title: "title",
    versioned_as: Some("bug"),
    parent: Some("feature_id"),
    fields: &[
        req("title", "title", Text, "What is wrong"),
        f("description", "description", Text, "How to reproduce"),
        req(
            "feature_id",
            "feature",
            Ref("feature"),
            "Feature it affects",
        ),
        req(
            "feature_version",
            "feature-version",
            Text,
            "Version it was found in",
        ),
        f(
            "severity_key",
            "severity",
            Term("bug_severity"),
            "Severity [default: medium]",
        ),
        f(
            "status_key",
            "status",
            Term("bug_status"),
            "Status [default: open]",
        ),
        f("reported_by", "reported-by", Text, "Who reported it"),
        f("assigned_to", "assigned-to", Text, "Who fixes it"),
        f(
            "fix_cr_id",
            "fix-cr",
            Ref("cr"),
            "Change request that fixes it",
        ),
        f(
            "fixed_in_version",
            "fixed-in-version",
            Text,
            "Version with the fix",
        ),
        f(
            "resolved_at",
            "resolved-at",
            Instant,
            "When it was resolved",
        ),
    ],
    order_by: "created_at, id",
    one_active_per: None,
};

pub static STANDARD: Kind = Kind {
    name: "standard",
    plural: "standards",
    table: "standards",
    id_prefix: "STD",
    title: "name",
    versioned_as: None,
    parent: None,
    fields: &[
        req("name", "name", Text, "Standard name"),
        f("description", "description", Text, "What it checks"),
        req(
            "level_key",
            "level",
            Term("standard_level"),
            "Level it applies at",
        ),
        req(
            "check_type_key",
            "check-type",
            Term("check_type"),
            "How it is checked",
        ),
        f(
            "check_command",
            "check-command",
            Text,
            "Shell command for the check",
        ),
        f(
            "check_pattern",
            "check-pattern",
            Text,
            "Pattern for the check",
        ),
        f(
            "threshold_min",
            "threshold-min",
            Real,
            "Lowest passing value",
        ),
        f(
            "threshold_max",
            "threshold-max",
            Real,
            "Highest passing value",
        ),
        req(
            "failure_message",
            "failure-message",
            Text,
            "What to tell people when it fails",
        ),
        f(
            "is_blocking",
            "blocking",
            Bool,
            "Does a failure block a release [default: true]",
        ),
        f("sort_order", "sort-order", Int, "Order within its level"),
        f("doc_path", "doc-path", Text, "Documentation"),
    ],
    order_by: "level_key, sort_order, id",
    one_active_per: None,
};

pub static CHARTER: Kind = Kind {
    name: "charter",
    plural: "charter documents",
    table: "charter_docs",
    id_prefix: "charter",
    title: "title",
    versioned_as: None,
    parent: None,
    fields: &[
        req("title", "title", Text, "Document title"),
        req(
            "doc_type_key",
            "doc-type",
            Term("charter_type"),
            "Document type",
        ),
        req("version", "version", Text, "Document version"),
        req(
            "content_hash",
            "content-hash",
            Text,
            "SHA-256 of the content (the CLI computes it from --file-path)",
        ),
        f("file_path", "file-path", Text, "Where the document lives"),
        f("approved_by", "approved-by", Text, "Who approved it"),
        f(
            "approved_at",
            "approved-at",
            Instant,
            "When it was approved",
        ),
    ],
    order_by: "doc_type_key, is_active DESC, created_at DESC, id",
    one_active_per: Some("doc_type_key"),
};

/// Every kind, in CLI order.
pub static ALL: &[&Kind] = &[
    &PROGRAM,
    &PRODUCT,
    &FEATURE,
    &RELEASE,
    &CHANGE_REQUEST,
    &BUG,
    &STANDARD,
    &CHARTER,
];

/// Looks a kind up by its CLI name.
pub fn by_name(name: &str) -> Option<&'static Kind> {
    ALL.iter().copied().find(|k| k.name == name)
}
