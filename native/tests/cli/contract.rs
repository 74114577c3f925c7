//! The contract (docs/contract.md) through the real binary: every `motus … --json` command
//! the README and `docs/*.md` name (the README's command table, and every `motus A B` they
//! write, found by walking the binary's own command tree) runs at least once with success and
//! once with failure, and so does every command of the binary that prints a document; every
//! document it prints is validated against its committed JSON Schema (docs/schema/): the
//! typed documents against their own, failures against `error.json`, all against
//! `envelope.json`. The exit code must agree with `ok`, and a failure's with its code (2 for
//! `usage`, `invalid_input` and `unsupported`, else 1); every time in every document is in
//! the one format, and no next action keeps an id placeholder.

use motus_tests::motus_bin;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = repo().join(format!("docs/schema/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

const KINDS: &[&str] = &[
    "program", "product", "feature", "release", "cr", "bug", "standard", "charter",
];

/// The document (docs/schema/<name>.json) a command prints when it succeeds: every command
/// has a typed one.
fn typed_schema(area: &str, verb: &str, args: &[&str]) -> &'static str {
    let has = |a: &str| args.contains(&a);
    match (area, verb) {
        ("work", "claim") if has("--next") => "work.claim_next",
        ("work", "claim") => "work.claim",
        ("work", "context") => "work.context",
        ("work", "outcome") => "work.outcome",
        ("work", "evidence") => "work.evidence",
        ("work", "decision") => "work.decision",
        ("work", "release") => "work.release",
        ("work", "heartbeat") => "work.heartbeat",
        ("work", "handoff") => "work.handoff",
        ("work", "force-release") => "work.force_release",
        ("work", "block") | ("work", "unblock") => "work.blocker",
        ("work", "cleanup") => "work.cleanup",
        ("work", "status") => "work.status",
        ("work", "list") => "work.list",
        ("work", "verify") => "work.verify",
        ("roadmap", "add") => "roadmap.add",
        ("roadmap", "update" | "review" | "delete" | "restore") => "roadmap.item",
        ("roadmap", "show") => "roadmap.show",
        ("roadmap", "list") => "roadmap.list",
        ("roadmap", "ready") => "roadmap.ready",
        ("roadmap", "blocked") => "roadmap.blocked",
        ("roadmap", "why") => "roadmap.why",
        ("roadmap", "dep add" | "dep rm" | "dep move") => "roadmap.dependency",
        ("roadmap", "assign") => "roadmap.assign",
        ("roadmap", "release") => "roadmap.release",
        ("roadmap", "complete") => "roadmap.complete",
        ("roadmap", "history") => "history",
        ("roadmap", "export" | "graph") => "roadmap.export",
        ("cr", "show") => "cr.show",
        ("cr", "dep") if has("rm") => "cr.dependency_removed",
        ("cr", "dep") => "cr.dependency",
        ("standard", "assign") => "standard.assignment",
        ("standard", "unassign") => "standard.unassign",
        ("standard", "record") => "standard.result",
        ("standard", "results") => "standard.results",
        ("standard", "compliance") => "standard.compliance",
        ("charter", "active") => "charter.active",
        (k, "list") if KINDS.contains(&k) => "program.list",
        (k, "history") if KINDS.contains(&k) => "history",
        (k, "add" | "update" | "show" | "delete" | "restore" | "activate")
            if KINDS.contains(&k) =>
        {
            "program.record"
        }
        ("terminology", "list") if args.len() > 2 => "terminology.terms",
        ("terminology", "list") => "terminology.domains",
        ("terminology", "add") => "terminology.term",
        ("deploy", "check") => "deploy.check",
        ("deploy", "record" | "finish") => "deploy.deployment",
        ("deploy", "list") => "deploy.list",
        ("deploy", "claim") if has("list") => "deploy.claims",
        ("deploy", "claim") => "deploy.claim",
        ("db", "init") => "db.init",
        ("db", "status") => "db.status",
        ("db", "backup") => "db.backup",
        ("db", "restore") => "db.restore",
        ("db", "export") => "db.export",
        ("db", "import") => "db.import",
        ("db", "migrate") => "db.migrate",
        ("roadmap", "status") => "roadmap.status",
        ("roadmap", "my-work") => "roadmap.my_work",
        ("doctor", "") => "doctor",
        ("userland", "status") => "userland.status",
        ("userland", "extract") if has("--dry-run") => "userland.extract_plan",
        ("userland", "extract") => "userland.extract",
        ("pref", "get" | "unset") => "pref.preference",
        ("pref", "set") => "pref.set",
        ("pref", "list") => "pref.list",
        ("skill", "list") => "skill.list",
        ("skill", _) => "skill.skill",
        ("rule", "list") => "rule.list",
        ("rule", _) => "rule.rule",
        ("pattern", "list") => "pattern.list",
        ("prime", "") => "prime",
        other => panic!("{other:?} {args:?}: no typed document named for this command"),
    }
}

/// Every published document schema, by name.
fn schema_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("docs/schema"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Top-level commands that print no document: a page server, an MCP server (tests/mcp), help,
/// shell completions, man pages. `node` needs a running cluster: its documents are checked in
/// tests/cli/cluster.rs and tests/stress/cluster.rs.
const NO_DOCUMENT: &[&str] = &["view", "help", "completions", "man", "mcp", "node"];

/// The binary's command tree: every command path (`work claim`, `roadmap dep add`), from its
/// own help.
struct Tree {
    paths: BTreeSet<String>,
}

impl Tree {
    fn new() -> Self {
        let paths = crate::help::command_paths()
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect();
        Tree { paths }
    }

    fn is_leaf(&self, path: &str) -> bool {
        let prefix = format!("{path} ");
        self.paths.contains(path) && !self.paths.iter().any(|p| p.starts_with(&prefix))
    }

    /// The leaves at or under `path` (a group names all its commands).
    fn leaves_under(&self, path: &str) -> Vec<String> {
        let prefix = format!("{path} ");
        self.paths
            .iter()
            .filter(|p| (*p == path || p.starts_with(&prefix)) && self.is_leaf(p))
            .cloned()
            .collect()
    }

    /// The longest command path `words` start with (none when the first word is no command).
    fn longest<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let mut found = None;
        let mut path = String::new();
        for w in words {
            let next = if path.is_empty() {
                w.to_string()
            } else {
                format!("{path} {w}")
            };
            if !self.paths.contains(&next) {
                break;
            }
            path = next;
            found = Some(path.clone());
        }
        found
    }

    /// The command a test's argument list runs: the global options with a value (`--db`,
    /// `--userland`) skipped, then the longest path of its words.
    fn of_args(&self, args: &[&str]) -> Option<String> {
        let mut words = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i] {
                "--db" | "--userland" => i += 2,
                a if a.starts_with('-') => i += 1,
                a => {
                    words.push(a);
                    i += 1;
                    if words.len() == 3 {
                        break;
                    }
                }
            }
        }
        self.longest(words)
    }

    /// Whether a command path prints a document (`--json`).
    fn prints_document(path: &str) -> bool {
        !NO_DOCUMENT.contains(&path.split(' ').next().unwrap_or(""))
    }
}

/// Every command the README and `docs/*.md` name that prints a document: the README's
/// command table (a group such as `cr dep` stands for its commands), and every `motus A B …`
/// in their text and code, as the longest command path of the binary it starts with. Words
/// after `motus` that are no command (prose: "motus reads") and bare groups ("the motus work
/// commands") name nothing.
fn documented_commands(tree: &Tree) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (area, verb) in readme_commands() {
        let path = if verb.is_empty() {
            area.clone()
        } else {
            format!("{area} {verb}")
        };
        let leaves = tree.leaves_under(&path);
        assert!(
            !leaves.is_empty(),
            "README's command table names `{path}`, which the binary does not have"
        );
        for leaf in leaves {
            out.entry(leaf)
                .or_insert_with(|| "README.md (table)".to_string());
        }
    }
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file
            .strip_prefix(repo())
            .unwrap_or(&file)
            .display()
            .to_string();
        for (n, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("motus ") {
                // `motus` as a word, not the end of another (`motus-js`, `~/.motus `).
                if line[..at].ends_with(|c: char| c.is_alphanumeric() || "-_/.".contains(c)) {
                    continue;
                }
                let words = line[at + "motus ".len()..]
                    .split(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                    .take_while(|w| !w.is_empty());
                let Some(path) = tree.longest(words) else {
                    continue;
                };
                if tree.is_leaf(&path) && Tree::prints_document(&path) {
                    out.entry(path)
                        .or_insert_with(|| format!("{name}:{}", n + 1));
                }
            }
        }
    }
    out
}

/// Commands of the README's table by (area, verb), without those that print no document.
fn readme_commands() -> BTreeSet<(String, String)> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let table = readme
        .split("| area | commands | details |")
        .nth(1)
        .expect("README has the commands table");
    let mut out = BTreeSet::new();
    for line in table.lines().skip(2) {
        if !line.starts_with('|') {
            break;
        }
        let cell = line.split(" | ").nth(1).unwrap_or("");
        for seg in cell.split('`').skip(1).step_by(2) {
            let seg = bracketless(seg);
            let mut tokens = seg.split_whitespace();
            let Some(areas) = tokens.next() else { continue };
            let rest: Vec<&str> = tokens
                .filter(|t| !t.starts_with('-') && !t.chars().any(|c| c.is_ascii_uppercase()))
                .collect();
            let rest = rest.join(" ");
            let verbs: Vec<String> = if rest.is_empty() {
                vec![String::new()]
            } else {
                rest.split("\\|").map(|v| v.trim().to_string()).collect()
            };
            for area in areas.split("\\|") {
                // Commands that print no document (NO_DOCUMENT), and a long benchmark
                // (`cargo …`, `… --example`) that is not in the binary.
                if NO_DOCUMENT.contains(&area)
                    || ["bench", "cargo"].contains(&area)
                    || area.starts_with('-')
                    || area.starts_with('…')
                {
                    continue;
                }
                for v in &verbs {
                    out.insert((area.to_string(), v.clone()));
                }
            }
        }
    }
    out
}

fn bracketless(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

struct Run {
    tree: Tree,
    /// Command path → (successes, failures), the path found from the arguments.
    ran: BTreeMap<String, (usize, usize)>,
    home: tempfile::TempDir,
    db: PathBuf,
    validators: BTreeMap<String, jsonschema::Validator>,
    /// Documents seen, by schema name.
    documents: BTreeMap<&'static str, usize>,
    checked: usize,
}

impl Run {
    fn new() -> Self {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("coordination.db");
        let mut validators = BTreeMap::new();
        for name in schema_names() {
            let v = schema(&name);
            validators.insert(name, v);
        }
        Run {
            tree: Tree::new(),
            ran: BTreeMap::new(),
            home,
            db,
            validators,
            documents: BTreeMap::new(),
            checked: 0,
        }
    }

    fn path(&self, name: &str) -> String {
        self.home.path().join(name).display().to_string()
    }

    /// Runs `motus --db DB --json ARGS` (with `env`), checks the document against its schema
    /// and `ok` against the exit code and `want_ok`; returns the document.
    fn go(&mut self, area_verb: (&str, &str), args: &[&str], want_ok: bool) -> Value {
        self.go_env(area_verb, args, want_ok, &[])
    }

    fn go_env(
        &mut self,
        (area, verb): (&str, &str),
        args: &[&str],
        want_ok: bool,
        env: &[(&str, &str)],
    ) -> Value {
        let mut cmd = Command::new(motus_bin());
        if args.first() != Some(&"--db") {
            cmd.arg("--db").arg(&self.db);
        }
        cmd.arg("--json")
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("MOTUS_DATABASE__PATH")
            .env_remove("MC_AGENT_ID")
            .env_remove("MC_AGENT_ROLE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not one JSON document ({e}):\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let ok = doc["ok"]
            .as_bool()
            .unwrap_or_else(|| panic!("{args:?}: no ok: {doc}"));
        assert_eq!(ok, want_ok, "{args:?}: {doc}");
        assert_eq!(
            out.status.code() == Some(0),
            ok,
            "{args:?}: exit {:?} disagrees with ok: {doc}",
            out.status.code()
        );
        if let Some(code) = doc["error"]["code"].as_str() {
            let want = if ["usage", "invalid_input", "unsupported"].contains(&code) {
                2
            } else {
                1
            };
            assert_eq!(
                out.status.code(),
                Some(want),
                "{args:?}: a failure with code {code} exits {want}: {doc}"
            );
        }
        one_time_format_and_real_ids(&doc, "", args);
        let name = if doc.get("error").is_some() {
            "error"
        } else {
            typed_schema(area, verb, args)
        };
        *self.documents.entry(name).or_default() += 1;
        for n in ["envelope", name] {
            let v = &self.validators[n];
            let errors: Vec<String> = v
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{args:?} against {n}.json: {errors:?}\n{doc}"
            );
        }
        if let Some(path) = self.tree.of_args(args) {
            let e = self.ran.entry(path).or_default();
            if ok {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        self.checked += 1;
        doc
    }
}

/// One timestamp format in every document: any string that starts like a date and a time
/// (`2026-12-02 14:23…`, `2026-12-02T14:23…`), wherever it sits, is RFC 3339 UTC with
/// milliseconds (`2026-12-02T14:23:36.264Z`). And next actions name real ids: no
/// `suggested_next_actions` keeps a placeholder for an id the answer knows (`<lease_id>`).
fn one_time_format_and_real_ids(v: &Value, key: &str, args: &[&str]) {
    match v {
        Value::String(t) => {
            let b = t.as_bytes();
            let looks_like_time = b.len() >= 16
                && b[..10].iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
                && (b[10] == b' ' || b[10] == b'T')
                && b[11..13].iter().all(u8::is_ascii_digit)
                && b[13] == b':';
            if looks_like_time {
                let exact = b.len() == 24
                    && b[10] == b'T'
                    && b[19] == b'.'
                    && b[20..23].iter().all(u8::is_ascii_digit)
                    && b[23] == b'Z';
                assert!(
                    exact,
                    "{args:?}: {key} = {t:?} is not RFC 3339 UTC with milliseconds"
                );
            }
        }
        Value::Array(items) => {
            for i in items {
                if key == "suggested_next_actions" {
                    let text = i.as_str().unwrap_or("");
                    assert!(
                        !text.contains("_id>"),
                        "{args:?}: a next action keeps a placeholder: {text}"
                    );
                }
                one_time_format_and_real_ids(i, key, args);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                one_time_format_and_real_ids(x, k, args);
            }
        }
        _ => {}
    }
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no {k}: {other} in {v}"),
    }
}

#[test]
fn every_json_command_of_the_readme_matches_its_schema_in_success_and_failure() {
    let mut r = Run::new();
    let nope_lease = "lease-20260101-00000000";

    // ---- database
    r.go(("db", "status"), &["db", "status"], false); // no database yet: cannot open
    r.go(("db", "init"), &["db", "init"], true);
    r.go(
        ("db", "init"),
        &["--db", "/proc/version", "db", "init"],
        false,
    );
    r.go(("db", "migrate"), &["db", "migrate", "--dry-run"], true);
    r.go(("db", "migrate"), &["db", "migrate"], true);
    r.go(("db", "migrate"), &["db", "migrate", "--bogus"], false);
    r.go(("db", "status"), &["db", "status"], true);
    r.go(("", ""), &["no-such-command"], false);
    r.go(("doctor", ""), &["doctor"], true);
    r.go(
        ("doctor", ""),
        &["--db", &r.path("missing.db"), "doctor"],
        false,
    );
    let backup = r.path("b1.db");
    r.go(("db", "backup"), &["db", "backup", &backup], true);
    r.go(("db", "backup"), &["db", "backup", &backup], false); // exists
    r.go(("db", "restore"), &["db", "restore", &backup], true);
    r.go(
        ("db", "restore"),
        &["db", "restore", &r.path("absent.db")],
        false,
    );
    let export = r.path("e.jsonl");
    r.go(("db", "export"), &["db", "export", "--out", &export], true);
    r.go(("db", "export"), &["db", "export", "--out", &export], false); // exists
    r.go(
        ("db", "import"),
        &["--db", &r.path("imported.db"), "db", "import", &export],
        true,
    );
    r.go(
        ("db", "import"),
        &["db", "import", &r.path("absent.jsonl")],
        false,
    );

    // ---- work kernel
    let c = r.go(
        ("work", "claim"),
        &["work", "claim", "ADHOC-C1", "--agent", "alice"],
        true,
    );
    let lease = s(&c, "lease_id");
    assert_eq!(
        c["suggested_next_actions"][0],
        format!("motus work context {lease}")
    );
    assert!(c["ttl_remaining_s"].as_i64().unwrap() > 3000, "{c}");
    r.go(
        ("work", "claim"),
        &["work", "claim", "ADHOC-C1", "--agent", "bob"],
        false,
    );
    r.go(
        ("work", "claim"),
        &["work", "claim", "ADHOC-C2", "--ttl", "nope"],
        false,
    );
    r.go(("work", "context"), &["work", "context", &lease], true);
    r.go(
        ("work", "context"),
        &["work", "context", "not-a-lease"],
        false,
    );
    r.go(
        ("work", "outcome"),
        &["work", "outcome", &lease, "file", "-p", "a.rs"],
        true,
    );
    r.go(
        ("work", "outcome"),
        &["work", "outcome", nope_lease, "file"],
        false,
    );
    r.go(
        ("work", "evidence"),
        &["work", "evidence", &lease, "test_result", "--passed", "2"],
        true,
    );
    r.go(
        ("work", "evidence"),
        &["work", "evidence", &lease, "bogus_type"],
        false,
    );
    r.go(
        ("work", "decision"),
        &["work", "decision", &lease, "Do it"],
        true,
    );
    r.go(
        ("work", "decision"),
        &["work", "decision", nope_lease, "Do it"],
        false,
    );
    r.go(("work", "heartbeat"), &["work", "heartbeat", &lease], true);
    r.go(
        ("work", "heartbeat"),
        &["work", "heartbeat", nope_lease],
        false,
    );
    let b = r.go(
        ("work", "block"),
        &["work", "block", &lease, "missing_info", "Need X"],
        true,
    );
    r.go(
        ("work", "block"),
        &["work", "block", &lease, "no_such_reason", "Need X"],
        false,
    );
    let blocker = s(&b, "blocker_id");
    r.go(
        ("work", "unblock"),
        &[
            "work",
            "unblock",
            &blocker,
            "--resolution",
            "ok",
            "--waiver",
            "fine",
        ],
        true,
    );
    r.go(
        ("work", "unblock"),
        &[
            "work",
            "unblock",
            "blocker-000000000000",
            "--resolution",
            "ok",
        ],
        false,
    );
    r.go(("work", "status"), &["work", "status", &lease], true);
    r.go(("work", "status"), &["work", "status", nope_lease], false);
    r.go(("work", "list"), &["work", "list", "--all"], true);
    r.go(("work", "list"), &["work", "list", "--everything"], false);
    r.go(("work", "verify"), &["work", "verify", &lease], true);
    r.go(("work", "verify"), &["work", "verify", "ADHOC-NOPE"], false);
    let h = r.go(
        ("work", "handoff"),
        &["work", "handoff", &lease, "bob", "--reason", "shift"],
        true,
    );
    r.go(
        ("work", "handoff"),
        &["work", "handoff", &lease, "carol", "--reason", "again"],
        false,
    );
    let bob_lease = s(&h, "lease_id");
    r.go(
        ("work", "release"),
        &["work", "release", &bob_lease, "aborted"],
        true,
    );
    r.go(
        ("work", "release"),
        &["work", "release", nope_lease, "success"],
        false,
    );
    // Nothing on the roadmap yet: the next claim is refused, in its own document.
    r.go(("work", "claim"), &["work", "claim", "--next"], false);
    let c3 = r.go(("work", "claim"), &["work", "claim", "ADHOC-C3"], true);
    let l3 = s(&c3, "lease_id");
    r.go(
        ("work", "force-release"),
        &["work", "force-release", &l3, "--reason", "stuck"],
        false,
    );
    r.go_env(
        ("work", "force-release"),
        &["work", "force-release", &l3, "--reason", "stuck"],
        true,
        &[("MC_AGENT_ROLE", "operator")],
    );
    r.go(("work", "cleanup"), &["work", "cleanup"], true);
    r.go(
        ("work", "cleanup"),
        &["--db", "/proc/version", "work", "cleanup"],
        false,
    );

    // ---- roadmap
    fn rm(v: &str) -> (&str, &str) {
        ("roadmap", v)
    }
    r.go(
        rm("add"),
        &[
            "roadmap", "add", "Parser", "--phase", "phase_a", "--id", "P1",
        ],
        true,
    );
    r.go(
        rm("add"),
        &[
            "roadmap", "add", "Release", "--phase", "phase_a", "--id", "P2",
        ],
        true,
    );
    r.go(
        rm("add"),
        &[
            "roadmap", "add", "Reviewer", "--phase", "phase_a", "--id", "P3",
        ],
        true,
    );
    r.go(
        rm("add"),
        &["roadmap", "add", "X", "--phase", "no_such_phase"],
        false,
    );
    r.go(
        rm("update"),
        &["roadmap", "update", "P1", "--title", "The parser"],
        true,
    );
    r.go(
        rm("update"),
        &["roadmap", "update", "NOPE", "--title", "x"],
        false,
    );
    r.go(rm("dep add"), &["roadmap", "dep", "add", "P2", "P1"], true);
    r.go(rm("dep add"), &["roadmap", "dep", "add", "P1", "P2"], false); // cycle
    r.go(
        rm("dep move"),
        &["roadmap", "dep", "move", "P2", "P1", "P3"],
        true,
    );
    r.go(
        rm("dep move"),
        &["roadmap", "dep", "move", "P2", "NOPE", "P1"],
        false,
    );
    r.go(rm("dep rm"), &["roadmap", "dep", "rm", "P2", "P3"], true);
    r.go(rm("dep rm"), &["roadmap", "dep", "rm", "P2", "NOPE"], false);
    r.go(rm("dep add"), &["roadmap", "dep", "add", "P2", "P1"], true);
    r.go(rm("show"), &["roadmap", "show", "P1"], true);
    r.go(rm("show"), &["roadmap", "show", "NOPE"], false);
    r.go(rm("list"), &["roadmap", "list"], true);
    r.go(rm("list"), &["roadmap", "list", "--bogus"], false);
    let ready = r.go(rm("ready"), &["roadmap", "ready"], true);
    assert!(
        ready["items"].is_array() && ready["count"].is_u64(),
        "{ready}"
    );
    r.go(rm("ready"), &["roadmap", "ready", "--limit", "many"], false);
    r.go(rm("blocked"), &["roadmap", "blocked"], true);
    r.go(
        rm("blocked"),
        &["--db", &r.path("missing2.db"), "roadmap", "blocked"],
        false,
    );
    r.go(rm("why"), &["roadmap", "why", "P2"], true);
    r.go(rm("why"), &["roadmap", "why", "NOPE"], false);
    r.go(rm("status"), &["roadmap", "status", "P2"], true);
    r.go(rm("status"), &["roadmap", "status", "NOPE"], false);
    r.go(
        rm("my-work"),
        &["roadmap", "my-work", "--agent", "alice"],
        true,
    );
    r.go(rm("my-work"), &["roadmap", "my-work", "--agent", ""], false);
    r.go(
        rm("ready"),
        &[
            "roadmap",
            "ready",
            "--phase",
            "phase_a",
            "--assignee",
            "alice",
        ],
        true,
    );
    r.go(rm("assign"), &["roadmap", "assign", "P1", "alice"], true);
    r.go(rm("assign"), &["roadmap", "assign", "NOPE", "alice"], false);
    r.go(
        rm("release"),
        &["roadmap", "release", "P1", "--agent", "alice"],
        true,
    );
    r.go(rm("release"), &["roadmap", "release", "NOPE"], false);
    r.go(
        rm("review"),
        &["roadmap", "review", "P1", "-c", "looks good"],
        true,
    );
    r.go(rm("review"), &["roadmap", "review", "NOPE"], false);
    r.go_env(
        rm("complete"),
        &["roadmap", "complete", "P1"],
        true,
        &[("MC_AGENT_ROLE", "reviewer")],
    );
    r.go(rm("complete"), &["roadmap", "complete", "NOPE"], false);
    r.go(
        rm("delete"),
        &["roadmap", "delete", "P3", "--reason", "dup"],
        true,
    );
    r.go(rm("delete"), &["roadmap", "delete", "NOPE"], false);
    r.go(rm("restore"), &["roadmap", "restore", "P3"], true);
    r.go(rm("restore"), &["roadmap", "restore", "NOPE"], false);
    r.go(rm("history"), &["roadmap", "history", "P1"], true);
    r.go(rm("history"), &["roadmap", "history", "NOPE"], false);
    r.go(
        rm("export"),
        &[
            "roadmap",
            "export",
            "--format",
            "json",
            "-o",
            &r.path("rm.json"),
        ],
        true,
    );
    r.go(
        rm("export"),
        &["roadmap", "export", "--format", "yaml"],
        false,
    );
    r.go(
        rm("graph"),
        &[
            "roadmap",
            "graph",
            "--format",
            "dot",
            "-o",
            &r.path("rm.dot"),
        ],
        true,
    );
    r.go(rm("graph"), &["roadmap", "graph", "--format", "png"], false);

    // ---- program kinds: the same verbs everywhere
    let prog = r.go(
        ("program", "add"),
        &["program", "add", "Platform", "--id", "plat"],
        true,
    );
    assert_eq!(prog["id"], "plat");
    let parents: &[(&str, &[&str])] = &[
        ("program", &[]),
        ("product", &["--program", "plat"]),
        ("feature", &["--product", "product-product"]),
        ("release", &["--product", "product-product"]),
        ("cr", &[]),
        ("bug", &[]),
        ("standard", &[]),
        ("charter", &[]),
    ];
    for (kind, parent) in parents {
        let id = format!("{kind}-{kind}");
        let mut add: Vec<&str> = vec![kind, "add", "Thing", "--id", &id];
        add.extend_from_slice(parent);
        match *kind {
            "charter" => add.extend_from_slice(&[
                "--doc-type",
                "ethos",
                "--version",
                "1",
                "--content-hash",
                "x",
            ]),
            "standard" => add.extend_from_slice(&[
                "--level",
                "product",
                "--check-type",
                "boolean",
                "--failure-message",
                "no",
            ]),
            "bug" => {
                add.extend_from_slice(&["--feature", "feature-feature", "--feature-version", "1.0"])
            }
            _ => {}
        }
        r.go((kind, "add"), &add, true);
        r.go((kind, "add"), &[kind, "add", "Thing", "--id", &id], false);
        let field = if *kind == "charter" {
            "--title"
        } else {
            "--description"
        };
        r.go((kind, "update"), &[kind, "update", &id, field, "d"], true);
        r.go(
            (kind, "update"),
            &[kind, "update", "nope-x", field, "d"],
            false,
        );
        r.go((kind, "show"), &[kind, "show", &id], true);
        r.go((kind, "show"), &[kind, "show", "nope-x"], false);
        r.go((kind, "list"), &[kind, "list"], true);
        r.go((kind, "list"), &[kind, "list", "--bogus"], false);
        r.go((kind, "history"), &[kind, "history", &id], true);
        r.go((kind, "history"), &[kind, "history", "nope-x"], false);
        r.go((kind, "delete"), &[kind, "delete", "nope-x"], false);
        r.go((kind, "restore"), &[kind, "restore", "nope-x"], false);
    }
    // Delete and restore, children first (a parent with live children is refused).
    let order = [
        "bug", "feature", "release", "cr", "standard", "charter", "product", "program",
    ];
    for kind in order {
        let id = format!("{kind}-{kind}");
        r.go(
            (kind, "delete"),
            &[kind, "delete", &id, "--reason", "test"],
            true,
        );
    }
    for kind in order.iter().rev() {
        let id = format!("{kind}-{kind}");
        r.go((kind, "restore"), &[kind, "restore", &id], true);
    }
    r.go(
        ("cr", "add"),
        &["cr", "add", "Other", "--id", "cr-other"],
        true,
    );
    r.go(
        ("cr", "dep"),
        &["cr", "dep", "add", "cr-cr", "cr-other"],
        true,
    );
    r.go(
        ("cr", "dep"),
        &["cr", "dep", "add", "cr-other", "cr-cr"],
        false,
    );
    r.go(
        ("cr", "dep"),
        &["cr", "dep", "rm", "cr-cr", "cr-other"],
        true,
    );
    r.go(
        ("cr", "dep"),
        &["cr", "dep", "rm", "cr-cr", "cr-other"],
        false,
    );
    r.go(
        ("cr", "dep"),
        &["cr", "dep", "add", "cr-cr", "cr-other"],
        true,
    );
    let sd = ("standard", "assign");
    r.go(
        sd,
        &[
            "standard",
            "assign",
            "standard-standard",
            "product:product-product",
        ],
        true,
    );
    r.go(
        sd,
        &["standard", "assign", "standard-standard", "motus"],
        false,
    );
    let un = ("standard", "unassign");
    r.go(
        un,
        &[
            "standard",
            "unassign",
            "standard-standard",
            "product:product-product",
        ],
        true,
    );
    r.go(
        un,
        &["standard", "unassign", "standard-standard", "motus"],
        false,
    );
    r.go(
        sd,
        &[
            "standard",
            "assign",
            "standard-standard",
            "product:product-product",
        ],
        true,
    );
    let rec = ("standard", "record");
    r.go(
        rec,
        &[
            "standard",
            "record",
            "standard-standard",
            "product:product-product",
            "--result",
            "pass",
        ],
        true,
    );
    r.go(
        rec,
        &[
            "standard",
            "record",
            "standard-standard",
            "product:product-product",
            "--result",
            "maybe",
        ],
        false,
    );
    r.go(
        ("standard", "results"),
        &["standard", "results", "--standard", "standard-standard"],
        true,
    );
    r.go(
        ("standard", "results"),
        &["standard", "results", "--entity", "nonsense"],
        false,
    );
    r.go(
        ("standard", "compliance"),
        &["standard", "compliance", "product:product-product"],
        true,
    );
    r.go(
        ("standard", "compliance"),
        &["standard", "compliance", "nonsense"],
        false,
    );
    r.go(
        ("charter", "activate"),
        &["charter", "activate", "charter-charter"],
        true,
    );
    r.go(
        ("charter", "activate"),
        &["charter", "activate", "nope-x"],
        false,
    );
    r.go(("charter", "active"), &["charter", "active", "ethos"], true);
    r.go(("charter", "active"), &["charter", "active"], false);
    r.go(
        ("terminology", "list"),
        &["terminology", "list", "roadmap_phase"],
        true,
    );
    r.go(
        ("terminology", "list"),
        &["terminology", "list", "no_such_domain"],
        false,
    );
    r.go(("terminology", "list"), &["terminology", "list"], true);
    r.go(
        ("terminology", "add"),
        &["terminology", "add", "roadmap_phase", "phase_z", "Phase Z"],
        true,
    );
    r.go(
        ("terminology", "add"),
        &["terminology", "add", "roadmap_phase", "phase_z", "Phase Z"],
        false,
    );

    // ---- deploy gate
    r.go(("deploy", "check"), &["deploy", "check"], true);
    r.go(
        ("deploy", "check"),
        &["deploy", "check", "--target", "moon"],
        false,
    );
    let d = r.go(
        ("deploy", "record"),
        &[
            "deploy",
            "record",
            "pypi",
            "1.0.0",
            "--status",
            "in_progress",
        ],
        true,
    );
    r.go(
        ("deploy", "record"),
        &["deploy", "record", "moon", "1.0.0"],
        false,
    );
    let did = s(&d, "id");
    r.go(
        ("deploy", "finish"),
        &["deploy", "finish", &did, "--status", "success"],
        true,
    );
    r.go(
        ("deploy", "finish"),
        &["deploy", "finish", "999999", "--status", "success"],
        false,
    );
    r.go(("deploy", "list"), &["deploy", "list"], true);
    r.go(("deploy", "list"), &["deploy", "list", "--bogus"], false);
    r.go(
        ("deploy", "claim"),
        &[
            "deploy",
            "claim",
            "add",
            "Fast and safe",
            "--page",
            "index",
            "--type",
            "qualitative",
            "--id",
            "c-fast",
        ],
        true,
    );
    r.go(
        ("deploy", "claim"),
        &["deploy", "claim", "set", "c-fast", "pass"],
        true,
    );
    r.go(
        ("deploy", "claim"),
        &[
            "deploy",
            "claim",
            "add",
            "Fast and safe",
            "--page",
            "index",
            "--type",
            "qualitative",
            "--id",
            "c-fast",
        ],
        false,
    );
    r.go(("deploy", "claim"), &["deploy", "claim", "list"], true);
    r.go(
        ("deploy", "claim"),
        &["--db", &r.path("missing3.db"), "deploy", "claim", "list"],
        false,
    );
    r.go(
        ("deploy", "claim"),
        &["deploy", "claim", "set", "nope", "pass"],
        false,
    );

    // ---- userland
    r.go(("userland", "status"), &["userland", "status"], true);
    r.go(
        ("userland", "status"),
        &["--userland", "/proc/version", "userland", "status"],
        false,
    );
    r.go(
        ("userland", "extract"),
        &["userland", "extract", "--dry-run"],
        true,
    );
    r.go(("userland", "extract"), &["userland", "extract"], true);
    r.go(
        ("userland", "extract"),
        &["--userland", "/proc/version", "userland", "extract"],
        false,
    );
    r.go(("pref", "set"), &["pref", "set", "editor", "vim"], true);
    r.go(
        ("pref", "set"),
        &["pref", "set", "editor", "vim", "--source", "nowhere"],
        false,
    );
    r.go(("pref", "get"), &["pref", "get", "editor"], true);
    r.go(("pref", "get"), &["pref", "get", "no-such-key"], false);
    r.go(("pref", "list"), &["pref", "list", "--all"], true);
    r.go(("pref", "list"), &["pref", "list", "--bogus"], false);
    r.go(("pref", "unset"), &["pref", "unset", "editor"], true);
    r.go(("pref", "unset"), &["pref", "unset", "no-such-key"], false);
    r.go(
        ("skill", "add"),
        &["skill", "add", "rust", "--threshold", "2"],
        true,
    );
    r.go(
        ("skill", "add"),
        &["skill", "add", "rust", "--threshold", "many"],
        false,
    );
    r.go(("skill", "list"), &["skill", "list"], true);
    r.go(("skill", "list"), &["skill", "list", "--bogus"], false);
    r.go(("skill", "show"), &["skill", "show", "rust"], true);
    r.go(("skill", "show"), &["skill", "show", "cobol"], false);
    r.go(("skill", "delete"), &["skill", "delete", "rust"], true);
    r.go(("skill", "delete"), &["skill", "delete", "cobol"], false);
    let rule = r.go(
        ("rule", "add"),
        &["rule", "add", "style", "short functions"],
        true,
    );
    r.go(
        ("rule", "add"),
        &["rule", "add", "style", "x", "--source", "nowhere"],
        false,
    );
    r.go(("rule", "list"), &["rule", "list"], true);
    r.go(("rule", "list"), &["rule", "list", "--bogus"], false);
    let rule_id = s(&rule["rule"], "id");
    r.go(("rule", "delete"), &["rule", "delete", &rule_id], true);
    r.go(("rule", "delete"), &["rule", "delete", "999999"], false);
    r.go(("pattern", "list"), &["pattern", "list"], true);
    r.go(
        ("pattern", "list"),
        &["pattern", "list", "--kind", "imagined"],
        false,
    );

    r.go(("prime", ""), &["prime"], true);
    r.go(("prime", ""), &["prime", "--bogus"], false);

    // Every command the README and docs/ name, and every command of the binary that prints a
    // document, by the path its arguments run: a command added to the docs or the binary
    // without a run here fails.
    let documented = documented_commands(&r.tree);
    let mut missing = Vec::new();
    let every = r
        .tree
        .paths
        .iter()
        .filter(|p| r.tree.is_leaf(p) && Tree::prints_document(p))
        .map(|p| (p.clone(), "the binary".to_string()));
    let wanted: BTreeMap<String, String> = every.chain(documented.clone()).collect();
    for (path, named_in) in &wanted {
        match r.ran.get(path) {
            Some((ok, failed)) if *ok > 0 && *failed > 0 => {}
            other => missing.push(format!("{path} (named in {named_in}): {other:?}")),
        }
    }
    assert!(
        missing.is_empty(),
        "commands without a success and a failure: {missing:#?}"
    );
    let undocumented: Vec<&String> = wanted
        .keys()
        .filter(|p| !documented.contains_key(*p))
        .collect();
    assert!(
        undocumented.is_empty(),
        "commands of the binary the README and docs/ do not name: {undocumented:?}"
    );
    assert!(r.checked > 200, "{} documents checked", r.checked);
    // Every published document was printed and validated here, but the `node` documents
    // (they need a running cluster) and `terminology.valid` (the JS API's own).
    let unseen: Vec<String> = schema_names()
        .into_iter()
        .filter(|n| {
            !r.documents.contains_key(n.as_str())
                && ![
                    "envelope",
                    "node",
                    "node.list",
                    "node.start",
                    "terminology.valid",
                    "db.import_text",
                ]
                .contains(&n.as_str())
        })
        .collect();
    assert!(
        unseen.is_empty(),
        "documents no command printed: {unseen:?}"
    );
    eprintln!(
        "contract: {} documents validated, {} commands (README and docs/) each with a success and a failure",
        r.checked,
        wanted.len()
    );
}

/// The open policy for reads: a file the original tool wrote (schema 20) is read as it is,
/// read-only, with one line on stderr saying `motus db migrate` would upgrade it; the file
/// is not changed.
#[test]
fn reads_work_on_an_unmigrated_original_file_and_change_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = motus_tests::copy_fixture("motusos-0.3.3-populated.db", home.path());
    let before = std::fs::read(&db).unwrap();
    let envelope = schema("envelope");
    let list = schema("work.list");
    let reads: &[&[&str]] = &[
        &["work", "list", "--all"],
        &["roadmap", "ready"],
        &["roadmap", "blocked"],
        &["roadmap", "list"],
        &["db", "status"],
        &["doctor"],
    ];
    for args in reads {
        let out = Command::new(motus_bin())
            .arg("--db")
            .arg(&db)
            .arg("--json")
            .args(*args)
            .env("HOME", home.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {stderr}"));
        assert!(doc.get("error").is_none(), "{args:?}: {doc}");
        assert!(envelope.is_valid(&doc), "{args:?}: {doc}");
        if args[0] == "work" {
            assert!(list.is_valid(&doc), "{args:?}: {doc}");
            assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        }
        if !["db", "doctor"].contains(&args[0]) {
            assert_eq!(out.status.code(), Some(0), "{args:?}: {doc} {stderr}");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{args:?}: one notice line: {stderr}");
            assert!(
                lines[0].contains("schema version 20 is older than this build's")
                    && lines[0].contains("`motus db migrate` would upgrade it"),
                "{args:?}: {stderr}"
            );
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file is unchanged");
}

#[test]
#[should_panic(expected = "is not RFC 3339 UTC with milliseconds")]
fn the_time_check_refuses_the_database_format_anywhere() {
    let doc = serde_json::json!({"events": [{"payload": {"when": "2026-12-02 14:23:36.264"}}]});
    one_time_format_and_real_ids(&doc, "", &[]);
}

#[test]
fn the_time_check_passes_the_contract_format_and_plain_dates() {
    let doc = serde_json::json!({"at": "2026-12-02T14:23:36.264Z", "target_date": "2026-12-31", "title": "2026-12-02 notes"});
    one_time_format_and_real_ids(&doc, "", &[]);
}
