#!/usr/bin/env python3
"""Schema check for the Motus-in-Rust SQL migrations (stdlib only).

What it does
  1. Lints every migrations/NNN_name.sql (file name, exactly one `-- UP`
     line, at most one `-- DOWN` line after it, no transaction / PRAGMA
     foreign_keys / VACUUM statements in the UP part).
  2. Applies the UP parts of 001-020 into a new temporary database the way
     our runner does (foreign_keys=ON, one BEGIN IMMEDIATE ... COMMIT per
     file, ledger row in schema_version) and compares it object by object
     with the original's fresh v20 fixture: must be ZERO differences.
  3. Applies all files and compares again; the differences must equal the
     machine-readable list in docs/schema-differences.md (between the
     `check_schema:expected-differences` markers).
  4. Checks that every trigger error message of the inventory occurs in the
     SQL files, compares each view's rows with the original's views on the
     populated fixture, applies 021+ on top of copies of the three original
     fixtures (upgrade path) and runs behaviour tests of the rules.

Usage: python3 migrations/tools/check_schema.py [--fixtures DIR] [--spec DIR] [-v]
Exit status 0 when everything holds, 1 otherwise. Defaults: ../shared/fixtures and
../shared/spec next to the repository. To run against another SQLite (e.g. the
amalgamation bundled by libsqlite3-sys), build it as libsqlite3.so.0 and set
LD_LIBRARY_PATH to its directory; the first output line shows the version used.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIGRATIONS = HERE.parent
REPO = MIGRATIONS.parent
DOC = REPO / "docs" / "schema-differences.md"

FILE_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
UP_LINE = re.compile(r"^-- UP[ \t]*$", re.M)
DOWN_LINE = re.compile(r"^-- DOWN[ \t]*$", re.M)

failures: list[str] = []
VERBOSE = False


def fail(msg: str) -> None:
    failures.append(msg)
    print("FAIL: " + msg)


def info(msg: str) -> None:
    print(msg)


# --------------------------------------------------------------------------
# Migration files
# --------------------------------------------------------------------------

class Migration:
    def __init__(self, path: Path):
        self.path = path
        m = FILE_RE.match(path.name)
        if not m:
            raise SystemExit(f"bad migration file name: {path.name}")
        self.version = int(m.group(1))
        self.name = m.group(2)
        self.text = path.read_text(encoding="utf-8")
        self.checksum = hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]
        ups = list(UP_LINE.finditer(self.text))
        downs = list(DOWN_LINE.finditer(self.text))
        if len(ups) != 1:
            raise SystemExit(f"{path.name}: expected exactly one '-- UP' line, found {len(ups)}")
        if len(downs) > 1:
            raise SystemExit(f"{path.name}: more than one '-- DOWN' line")
        up_start = ups[0].end()
        if downs:
            if downs[0].start() < up_start:
                raise SystemExit(f"{path.name}: '-- DOWN' before '-- UP'")
            self.up = self.text[up_start:downs[0].start()].strip()
            self.down = self.text[downs[0].end():].strip()
            self.has_down = True
        else:
            self.up = self.text[up_start:].strip()
            self.down = ""
            self.has_down = False

    def __repr__(self) -> str:
        return f"{self.version:03d}_{self.name}"


def load_migrations() -> list[Migration]:
    migs = [Migration(p) for p in sorted(MIGRATIONS.glob("*.sql"))]
    versions = [m.version for m in migs]
    if versions != list(range(1, len(migs) + 1)):
        raise SystemExit(f"migration versions are not 1..N without gaps: {versions}")
    return migs


def strip_comments_and_strings(sql: str, keep_strings: bool = False) -> str:
    """Remove -- and /* */ comments; replace string literals by '' unless keep_strings."""
    out = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
            continue
        if c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1] if (keep_strings or c == '"') else "''")
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


FORBIDDEN = [
    (re.compile(r"\bBEGIN\s*(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)?\s*;", re.I), "BEGIN statement"),
    (re.compile(r"\b(COMMIT|END\s+TRANSACTION)\b", re.I), "COMMIT"),
    (re.compile(r"\bROLLBACK\b", re.I), "ROLLBACK"),
    (re.compile(r"\bSAVEPOINT\b", re.I), "SAVEPOINT"),
    (re.compile(r"\bRELEASE\b", re.I), "RELEASE"),
    (re.compile(r"\bVACUUM\b", re.I), "VACUUM"),
    (re.compile(r"\bPRAGMA\b", re.I), "PRAGMA"),
]


def lint(migs: list[Migration]) -> None:
    for m in migs:
        # The original's parser searches '-- DOWN' anywhere (case-insensitive)
        # and '-- UP' followed only by blanks up to the line end; keep both
        # parsers agreeing by allowing only the marker lines themselves.
        for rx, what in ((re.compile(r"-- down", re.I), "'-- down'"),
                         (re.compile(r"-- up[ \t]*\n", re.I), "'-- up' line")):
            hits = len(rx.findall(m.text))
            allowed = 1 if (what == "'-- up' line" or m.has_down) else 0
            if hits != allowed:
                fail(f"lint {m}: {what} occurs {hits} times (expected {allowed})")
        head = m.text[:UP_LINE.search(m.text).start()]
        if not head.strip() or any(not ln.startswith("--") for ln in head.strip().splitlines() if ln.strip()):
            fail(f"lint {m}: header must be '--' comment lines")
        code = strip_comments_and_strings(m.up)
        for rx, what in FORBIDDEN:
            if rx.search(code):
                fail(f"lint {m}: UP contains a {what}")


# --------------------------------------------------------------------------
# Applying migrations (emulating our runner)
# --------------------------------------------------------------------------

LEDGER_DDL = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    migration_name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (datetime('now')),
    checksum TEXT NOT NULL,
    execution_time_ms INTEGER
)"""


def connect(path: str, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, uri=uri)
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def apply(conn: sqlite3.Connection, migs: list[Migration]) -> None:
    conn.execute(LEDGER_DDL)
    for m in migs:
        ledger = ("INSERT INTO schema_version (version, migration_name, checksum, execution_time_ms) "
                  f"VALUES ({m.version}, '{m.name}', '{m.checksum}', 0);")
        # executescript() commits an open transaction before running, so the
        # BEGIN IMMEDIATE has to be part of the script itself.
        script = "BEGIN IMMEDIATE;\n" + m.up + "\n;\n" + ledger + "\nCOMMIT;"
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise RuntimeError(f"migration {m} failed: {exc}") from exc


def fresh_db(migs: list[Migration], path: str) -> sqlite3.Connection:
    if os.path.exists(path):
        os.remove(path)
    conn = connect(path)
    apply(conn, migs)
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        fail(f"foreign_key_check after applying up to {migs[-1]}: {problems[:5]}")
    ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        fail(f"integrity_check: {ok}")
    return conn


# --------------------------------------------------------------------------
# Schema snapshot
# --------------------------------------------------------------------------

def norm(sql: str | None) -> str:
    if sql is None:
        return ""
    s = strip_comments_and_strings(sql, keep_strings=True).lower()
    s = re.sub(r"\s+", "", s)
    while s.startswith("(") and s.endswith(")") and balanced(s[1:-1]):
        s = s[1:-1]
    return s


def balanced(s: str) -> bool:
    depth = 0
    for ch in strip_comments_and_strings(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def paren_group(sql: str, start: int) -> tuple[str, int]:
    """sql[start] == '(' ; return (inner text, index after closing paren), string-aware."""
    depth, i, n = 0, start, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while j < n and not (sql[j] == c and not (j + 1 < n and sql[j + 1] == c)):
                j += 2 if (sql[j] == c) else 1
            i = j + 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return sql[start + 1:i], i + 1
        i += 1
    raise ValueError("unbalanced parentheses")


def checks_of(sql: str) -> list[str]:
    text = strip_comments_and_strings(sql, keep_strings=True)
    out = []
    for m in re.finditer(r"\bcheck\s*\(", text, re.I):
        inner, _ = paren_group(text, m.end() - 1)
        out.append(norm(inner))
    return sorted(out)


def index_where(sql: str | None) -> str | None:
    if not sql:
        return None
    text = strip_comments_and_strings(sql, keep_strings=True)
    m = re.search(r"\)\s*where\b(.*)$", text, re.I | re.S)
    return norm(m.group(1)) if m else None


TRIGGER_HEAD = re.compile(
    r"create\s+(?:temp\w*\s+)?trigger\s+(?:if\s+not\s+exists\s+)?(\S+)\s+"
    r"(before|after|instead\s+of)?\s*(delete|insert|update(?:\s+of\s+.*?)?)\s+on\s+(\S+)",
    re.I | re.S)
RAISE_RE = re.compile(r"raise\s*\(\s*(abort|fail|rollback|ignore)\s*,\s*'((?:[^']|'')*)'", re.I)


def trigger_shape(sql: str) -> tuple[str, str, str]:
    text = strip_comments_and_strings(sql, keep_strings=True)
    m = TRIGGER_HEAD.search(text)
    if not m:
        return ("?", "?", "?")
    timing = re.sub(r"\s+", " ", (m.group(2) or "BEFORE")).upper()
    event = m.group(3)
    ev = re.sub(r"\s+", " ", event).strip()
    if ev.lower().startswith("update of"):
        cols = sorted(c.strip().lower() for c in ev[len("update of"):].split(","))
        ev = "UPDATE OF " + ", ".join(cols)
    else:
        ev = ev.upper()
    return (timing, ev, m.group(4).lower())


def trigger_messages(sql: str) -> list[str]:
    return sorted(m.group(2).replace("''", "'") for m in RAISE_RE.finditer(sql))


def snapshot(conn: sqlite3.Connection) -> dict:
    snap = {"tables": {}, "indexes": {}, "views": {}, "triggers": {}}
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for typ, name, tbl, sql in rows:
        if typ == "table":
            snap["tables"][name] = {
                "columns": [tuple(r) for r in conn.execute(f'PRAGMA table_info("{name}")')],
                "fks": sorted(tuple(r) for r in conn.execute(f'PRAGMA foreign_key_list("{name}")')),
                "checks": checks_of(sql or ""),
            }
            for seq, iname, unique, origin, partial in conn.execute(f'PRAGMA index_list("{name}")'):
                cols = [(r[2], r[3], r[4]) for r in conn.execute(f'PRAGMA index_xinfo("{iname}")') if r[5]]
                isql = conn.execute("SELECT sql FROM sqlite_master WHERE type='index' AND name=?",
                                    (iname,)).fetchone()
                snap["indexes"][iname] = {
                    "table": name, "unique": unique, "origin": origin, "partial": partial,
                    "columns": cols, "where": index_where(isql[0] if isql else None),
                }
        elif typ == "view":
            try:
                cur = conn.execute(f'SELECT * FROM "{name}" LIMIT 0')
                snap["views"][name] = {"columns": [d[0] for d in cur.description]}
            except sqlite3.Error as exc:
                snap["views"][name] = {"error": str(exc)}
        elif typ == "trigger":
            timing, event, on = trigger_shape(sql)
            snap["triggers"][name] = {"table": tbl, "timing": timing, "event": event,
                                      "messages": trigger_messages(sql)}
    return snap


def compare_schema(ref: dict, ours: dict) -> list[str]:
    diffs = []
    for kind in ("tables", "indexes", "views", "triggers"):
        label = {"tables": "table", "indexes": "index", "views": "view", "triggers": "trigger"}[kind]
        for name in sorted(set(ref[kind]) - set(ours[kind])):
            diffs.append(f"{label} {name}: only in the original")
        for name in sorted(set(ours[kind]) - set(ref[kind])):
            extra = ""
            if kind == "indexes":
                extra = f" (on {ours[kind][name]['table']})"
            elif kind == "triggers":
                t = ours[kind][name]
                extra = f" ({t['timing']} {t['event']} ON {t['table']})"
            diffs.append(f"{label} {name}: only in ours{extra}")
        for name in sorted(set(ref[kind]) & set(ours[kind])):
            a, b = ref[kind][name], ours[kind][name]
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    if kind == "indexes" and key == "where":
                        diffs.append(f"index {name}: WHERE differs: original [{a[key] or ''}] / ours [{b[key] or ''}]")
                    elif kind == "tables" and key == "columns":
                        diffs.append(f"table {name}: columns differ: original {a[key]} / ours {b[key]}")
                    elif kind == "views":
                        def describe(v):
                            return f"error {v['error']!r}" if "error" in v else f"columns {v['columns']}"
                        diffs.append(f"view {name}: original {describe(a)} / ours {describe(b)}")
                        break
                    else:
                        diffs.append(f"{label} {name}: {key} differs: original {a.get(key)!r} / ours {b.get(key)!r}")
    return diffs


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

SKIP_DATA = {"health_check_results"}  # written by `motus doctor`, not by migrations


def masked_rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    out = []
    for row in rows:
        rec = dict(zip(cols, row))
        if table == "audit_log" and rec.get("event_type") == "cli":
            continue  # the fixture's `motus doctor` invocation
        if table == "schema_version":
            if rec["version"] > 20:
                continue
            rec = {"version": rec["version"], "migration_name": rec["migration_name"]}
        if table == "sqlite_sequence" and rec["name"] in ("audit_log", "health_check_results"):
            continue
        if table == "instance_config" and rec["key"] in ("instance_id", "created_at"):
            rec["value"] = "<generated>"
        if table == "audit_log":
            rec["instance_id"] = "<instance>"
            rec["id"] = "<id>"  # the original fixture's own `doctor` row shifts later ids
        for c in list(rec):
            if (c.endswith("_at") or c == "timestamp") and rec[c] is not None:
                rec[c] = "<ts>"
        out.append(tuple(sorted(rec.items())))
    return out


def compare_data(ref: sqlite3.Connection, ours: sqlite3.Connection) -> tuple[list[str], int, int]:
    diffs, tables, rows = [], 0, 0
    names_ref = {r[0] for r in ref.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    names_ours = {r[0] for r in ours.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in sorted((names_ref & names_ours) - SKIP_DATA):
        a, b = masked_rows(ref, t), masked_rows(ours, t)
        tables += 1
        rows += len(a)
        if a != b:
            diffs.append(f"data {t}: {len(a)} rows in the original, {len(b)} in ours; first mismatch: "
                         + next((f"{x} / {y}" for x, y in zip(a + [None] * len(b), b + [None] * len(a)) if x != y), "?"))
    for t in sorted((names_ours - names_ref) - SKIP_DATA):
        n = ours.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
        if n:
            diffs.append(f"data {t}: {n} rows in a table the original lacks")
    # instance identity
    iid = ours.execute("SELECT value FROM instance_config WHERE key='instance_id'").fetchone()
    if not iid or not re.fullmatch(r"[0-9a-f]{32}", iid[0]):
        diffs.append(f"data instance_config: instance_id is not 32 lowercase hex digits: {iid}")
    else:
        bad = ours.execute("SELECT count(*) FROM audit_log WHERE instance_id != ?", iid).fetchone()[0]
        if bad:
            diffs.append(f"data audit_log: {bad} rows do not carry the instance_id")
    return diffs, tables, rows


# --------------------------------------------------------------------------
# Expected differences (docs/schema-differences.md)
# --------------------------------------------------------------------------

def expected_differences() -> list[str] | None:
    if not DOC.exists():
        return None
    text = DOC.read_text(encoding="utf-8")
    m = re.search(r"<!-- check_schema:expected-differences:start -->(.*?)<!-- check_schema:expected-differences:end -->",
                  text, re.S)
    if not m:
        return None
    return sorted(ln.strip() for ln in m.group(1).splitlines()
                  if ln.strip() and not ln.strip().startswith("```"))


CREATE_NAME = re.compile(r"\bcreate\s+(?:unique\s+)?(table|index|view|trigger)\s+(?:if\s+not\s+exists\s+)?([A-Za-z_][A-Za-z0-9_]*)",
                         re.I)


def redefinitions(migs: list[Migration], ref: dict) -> list[str]:
    """Objects of the original's schema that a file after 020 creates again under the same name."""
    out = []
    kinds = {"table": "tables", "index": "indexes", "view": "views", "trigger": "triggers"}
    for m in migs:
        if m.version <= 20:
            continue
        code = strip_comments_and_strings(m.up)
        for kind, name in CREATE_NAME.findall(code):
            kind = kind.lower()
            if name in ref[kinds[kind]]:
                out.append(f"redefined {kind} {name} (in {m.version:03d}_{m.name})")
    return out


# --------------------------------------------------------------------------
# Views on the populated fixture
# --------------------------------------------------------------------------

def compare_views_on_data(populated: str, ours: sqlite3.Connection) -> tuple[int, list[str]]:
    """Run our view definitions as TEMP views over the original's populated data."""
    diffs = []
    conn = sqlite3.connect(f"file:{populated}?mode=ro&immutable=1", uri=True, isolation_level=None)
    count = 0
    for name, sql in ours.execute("SELECT name, sql FROM sqlite_master WHERE type='view' ORDER BY name"):
        body = re.sub(r"^\s*CREATE\s+VIEW\s+\S+\s+AS", f"CREATE TEMP VIEW ours_{name} AS", sql, flags=re.I)
        conn.execute(body)
        try:
            theirs = conn.execute(f"SELECT * FROM main.{name}").fetchall()
        except sqlite3.Error as exc:
            theirs = exc
        try:
            mine = conn.execute(f"SELECT * FROM temp.ours_{name}").fetchall()
        except sqlite3.Error as exc:
            mine = exc
        if isinstance(theirs, Exception) or isinstance(mine, Exception):
            if str(theirs) != str(mine):
                info(f"  view {name}: original -> {theirs if isinstance(theirs, Exception) else f'{len(theirs)} rows'}; "
                     f"ours -> {mine if isinstance(mine, Exception) else f'{len(mine)} rows'}")
            continue
        count += 1
        if theirs == mine:
            continue

        def canon(rows):  # group_concat order is unspecified: compare its parts as sets
            return sorted(tuple(tuple(sorted(v.split(", "))) if isinstance(v, str) and ", " in v else v
                                for v in r) for r in rows)
        if canon(theirs) == canon(mine):
            info(f"  view {name}: same rows; order of rows or of group_concat parts differs")
        else:
            diffs.append(f"view {name}: rows differ on the populated fixture ({len(theirs)} vs {len(mine)})")
    conn.close()
    return count, diffs


# --------------------------------------------------------------------------
# Behaviour tests
# --------------------------------------------------------------------------

TS_RE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\dZ?")


def state(conn: sqlite3.Connection) -> dict:
    """Every table's rows, timestamps and generated values masked (for differential runs)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    return {t: masked_rows(conn, t) for t in names if t not in ("schema_version",)}


class Case:
    """Runs one statement after a setup inside a rolled-back transaction.

    With a peer connection (a copy of the original's database) the same case
    also runs there, and the outcome (error text) and the resulting content
    of every table must be identical: a differential test of the triggers.
    """

    def __init__(self, conn: sqlite3.Connection, peer: sqlite3.Connection | None = None):
        self.conn = conn
        self.peer = peer
        self.passed = 0
        self.compared = 0

    @staticmethod
    def _exec(c: sqlite3.Connection, setup: list[str], stmt: str, want_state: bool):
        c.execute("BEGIN IMMEDIATE")
        try:
            for s in setup:
                c.execute(s)
            try:
                rows = [tuple("<ts>" if isinstance(v, str) and TS_RE.fullmatch(v) else v for v in r)
                        for r in c.execute(stmt).fetchall()]
                got = None
            except sqlite3.Error as exc:
                rows, got = None, str(exc)
            snap = state(c) if want_state else None
            return ("ok", got, rows, snap)
        except sqlite3.Error as exc:
            return ("setup", str(exc), None, None)
        finally:
            c.execute("ROLLBACK")

    def run(self, title: str, setup: list[str], stmt: str, expect_error: str | None):
        kind, got, rows, snap = self._exec(self.conn, setup, stmt, self.peer is not None)
        if kind == "setup":
            fail(f"behaviour '{title}': setup failed: {got}")
            return
        if expect_error is None and got is not None:
            fail(f"behaviour '{title}': expected success, got error {got!r}")
            return
        if expect_error is not None and (got is None or expect_error not in got):
            fail(f"behaviour '{title}': expected error containing {expect_error!r}, got {got!r}")
            return
        if self.peer is not None:
            pk, pgot, prows, psnap = self._exec(self.peer, setup, stmt, True)
            if (pk, pgot) != (kind, got):
                fail(f"differential '{title}': original gives {pgot!r}, ours {got!r}")
                return
            if prows != rows:
                fail(f"differential '{title}': result rows differ: original {str(prows)[:300]} / ours {str(rows)[:300]}")
                return
            if psnap != snap:
                bad = [t for t in sorted(set(psnap) | set(snap)) if psnap.get(t) != snap.get(t)]
                fail(f"differential '{title}': table contents differ afterwards in {bad}")
                return
            self.compared += 1
        self.passed += 1
        if VERBOSE:
            info(f"  ok  {title}")


def items(*ids_status: tuple[str, str]) -> list[str]:
    return [f"INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES ('{i}', 'phase_a', 'Item {i}', '{s}')"
            for i, s in ids_status]


def dep(a: str, b: str, typ: str = "blocks") -> str:
    return f"INSERT INTO roadmap_dependencies (item_id, depends_on_id, dependency_type) VALUES ('{a}', '{b}', '{typ}')"


def behaviour_tests(conn: sqlite3.Connection, full: bool, peer: sqlite3.Connection | None = None) -> Case:
    t = Case(conn, peer)
    abc = items(("A", "pending"), ("B", "pending"), ("C", "pending"), ("X", "pending"))
    chain = abc + [dep("A", "B"), dep("B", "C")]
    # --- rules shared with the original
    t.run("insert cycle refused", chain, dep("C", "A"), "Circular dependency detected")
    t.run("self dependency refused", abc, dep("A", "A"), "Circular dependency detected")
    t.run("cycle through soft edge refused", abc + [dep("A", "B", "soft")], dep("B", "A", "related"),
          "Circular dependency detected")
    t.run("start with open blocks dependency refused", chain,
          "UPDATE roadmap_items SET status_key='in_progress' WHERE id='A'",
          "Cannot start: blocking dependencies not complete")
    t.run("leaving completed refused", items(("A", "completed")),
          "UPDATE roadmap_items SET status_key='pending' WHERE id='A'",
          "POLICY: Completed items cannot be modified")
    t.run("51st active item refused",
          [f"INSERT INTO roadmap_items (id, phase_key, title) VALUES ('P{i}', 'phase_b', 't')" for i in range(50)],
          "INSERT INTO roadmap_items (id, phase_key, title) VALUES ('P50', 'phase_b', 't')",
          "POLICY: Maximum 50 active items per phase")
    t.run("deploy gate POLICY-002",
          ["INSERT INTO claims (id, claim_text, page, claim_type, test_function) VALUES ('c1', 'fast stuff', 'home', 'quantitative', 'test_x')"],
          "INSERT INTO deployment_events (target, version) VALUES ('website', '1')", "POLICY-002")
    t.run("deploy gate pypi not gated",
          ["INSERT INTO claims (id, claim_text, page, claim_type, test_function, test_status) VALUES ('c1', 'fast stuff', 'home', 'quantitative', 'test_x', 'fail')"],
          "INSERT INTO deployment_events (target, version) VALUES ('pypi', '1')", None)
    t.run("audit log immutable", [], "UPDATE audit_log SET actor='x'", "Audit log entries are immutable")
    t.run("audit log delete refused",
          ["INSERT INTO audit_log (event_type, actor, action, instance_id) VALUES ('e', 'a', 'x', 'i')"],
          "DELETE FROM audit_log", "Audit log entries cannot be deleted")
    t.run("double claim refused", abc + ["INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')"],
          "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t2', 'A', 'w2', 'agent')",
          "KERNEL: Work already has active attempt")
    t.run("handoff message wins over double claim (trigger order)",
          abc + ["INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')"],
          "INSERT INTO attempts (id, work_id, worker_id, worker_type, handoff_from_attempt_id) VALUES ('t2', 'A', 'w2', 'agent', 't1')",
          "KERNEL: Handoff requires explanation")
    t.run("completion without evidence refused",
          abc + ["INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')"],
          "UPDATE attempts SET outcome='completed' WHERE id='t1'", "KERNEL: Cannot mark attempt completed")
    t.run("evidence immutable",
          abc + ["INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by) VALUES ('e1', 'A', 'log', 'u', 'h', 'w')"],
          "UPDATE evidence SET title='x'", "KERNEL: Evidence records are immutable")
    t.run("claim on blocked work refused",
          abc + ["INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES ('b1', 'A', 'other', 't', 'w')"],
          "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')",
          "KERNEL: Work has unresolved blockers")
    t.run("blocker resolution without justification refused",
          abc + ["INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES ('b1', 'A', 'other', 't', 'w')"],
          "UPDATE blockers SET resolved_at=datetime('now'), resolution='done' WHERE id='b1'",
          "KERNEL: Blocker resolution requires evidence or waiver decision")
    t.run("charter singleton", ["INSERT INTO charter_docs (id, doc_type_key, version, title, content_hash) VALUES ('d1', 'ethos', '1', 't', 'h')"],
          "INSERT INTO charter_docs (id, doc_type_key, version, title, content_hash) VALUES ('d2', 'ethos', '2', 't', 'h')", None)
    t.run("assignment cascade", chain,
          "INSERT INTO roadmap_assignments (item_id, agent_id) VALUES ('A', 'agent:x')", None)
    t.run("version capture writes history",
          ["INSERT INTO change_requests (id, title) VALUES ('CR1', 't')"],
          "UPDATE change_requests SET title='u', updated_at='2099-01-01 00:00:00' WHERE id='CR1'", None)
    t.run("exclusive lease check (trigger fires before the index)",
          ["INSERT INTO attempts (id, work_id, worker_id, worker_type) SELECT 'x', 'x', 'x', 'agent' WHERE 0"],
          "INSERT INTO leases (id, resource_type, resource_id, mode, worker_id, ttl_seconds, expires_at) "
          "VALUES ('l1', 'file', 'f', 'exclusive', 'w', 60, datetime('now', '+1 hour'))",
          None if full else "non-deterministic use of datetime() in an index")
    if not full:
        t.run("plan_events delete allowed in the original", [
            "INSERT INTO plan_events (event_id, idempotency_key, ts, actor, actor_type, source, event_type, payload) "
            "VALUES ('p1', 'k1', 't', 'a', 'user', 's', 'e', '{}')"], "DELETE FROM plan_events", None)
        t.run("cycle via update allowed in the original", chain + [dep("C", "X")],
              "UPDATE roadmap_dependencies SET depends_on_id='A' WHERE item_id='C'", None)
        for sql_view in ("v_ready_items", "v_blocked_items", "v_dependency_graph", "v_prerequisite_chain",
                         "v_roadmap_with_deps", "v_next_rank", "v_missing_prereqs", "v_unassigned_prerequisites",
                         "v_roadmap_progress"):
            t.run(f"{sql_view} over a small graph", chain + [dep("C", "X", "soft"),
                  "UPDATE roadmap_items SET item_type='gate' WHERE id='X'",
                  "UPDATE roadmap_items SET status_key='completed' WHERE id='C'",
                  "INSERT INTO roadmap_assignments (item_id, agent_id, assigned_by) VALUES ('A', 'agent:x', 'me')"],
                  f"SELECT * FROM {sql_view}", None)
        t.run("audit helper fills timestamps", [],
              "INSERT INTO preferences (key, value, source) VALUES ('k', 'v', 'cli')", None)
        t.run("audit helper stamps updated_at",
              ["INSERT INTO skills (skill_name, unlock_threshold) VALUES ('s', 1)",
               "UPDATE skills SET updated_at = NULL"],
              "UPDATE skills SET progress_count = 1", None)
        t.run("backdated health check removes itself", [],
              "INSERT INTO health_check_results (check_name, status, checked_at) VALUES ('x', 'pass', '2000-01-01 00:00:00')",
              None)
        t.run("deploy gate POLICY-001", [
            "INSERT INTO claims (id, claim_text, page, claim_type, test_status) VALUES ('c1', 'nice words', 'home', 'qualitative', 'fail')"],
            "INSERT INTO deployment_events (target, version) VALUES ('website', '1')", "POLICY-001")
        t.run("v_can_deploy", ["INSERT INTO claims (id, claim_text, page, claim_type, test_status) VALUES ('c1', 'nice words', 'home', 'qualitative', 'stale')"],
              "SELECT * FROM v_can_deploy", None)
        t.run("v_standards_summary and v_programs_summary", [], "SELECT * FROM v_standards_summary, v_programs_summary", None)
        t.run("bug version capture + v_bugs_by_version",
              ["INSERT INTO bugs (id, title, feature_id, feature_version) VALUES ('B1', 't', 'policy-gates', '0.1.0')",
               "UPDATE bugs SET status_key='fixed', updated_at='2099-01-01 00:00:00'"],
              "SELECT * FROM v_bugs_by_version", None)
        t.run("blocked attempt with blocker", abc + [
            "INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')",
            "INSERT INTO blockers (id, work_id, attempt_id, reason_code, title, created_by) VALUES ('b1', 'A', 't1', 'other', 't', 'w')"],
            "UPDATE attempts SET outcome='blocked' WHERE id='t1'", None)
        return t

    # --- our fixes
    t.run("cycle via UPDATE refused", chain + [dep("C", "X")],
          "UPDATE roadmap_dependencies SET depends_on_id='A' WHERE item_id='C'", "Circular dependency detected")
    t.run("self edge via UPDATE refused", chain,
          "UPDATE roadmap_dependencies SET depends_on_id='A' WHERE item_id='A'", "Circular dependency detected")
    t.run("edge re-pointed without cycle allowed", chain + [dep("C", "X")],
          "UPDATE roadmap_dependencies SET depends_on_id='X' WHERE item_id='A'", None)
    t.run("moving an edge's source without cycle allowed", chain,
          "UPDATE roadmap_dependencies SET item_id='X' WHERE item_id='B'", None)
    t.run("dependency_type update allowed", chain,
          "UPDATE roadmap_dependencies SET dependency_type='soft' WHERE item_id='A'", None)
    deep = [f"INSERT INTO roadmap_items (id, phase_key, title) VALUES ('D{i:03d}', 'deep_{i // 40}', 't')"
            for i in range(150)] + \
        [dep(f"D{i:03d}", f"D{i + 1:03d}", "soft") for i in range(149)]
    t.run("cycle deeper than 100 refused", deep, dep("D149", "D000", "soft"), "Circular dependency detected")
    t.run("cycle check terminates on a graph that already has a cycle",
          abc + [dep("A", "B"), dep("B", "C"), "DROP TRIGGER roadmap_dep_no_cycles", dep("C", "A")],
          dep("X", "A"), None)
    t.run("leases insert works", [],
          "INSERT INTO leases (id, resource_type, resource_id, mode, worker_id, ttl_seconds, expires_at) "
          "VALUES ('l1', 'file', 'f', 'write', 'w', 60, datetime('now', '+1 hour'))", None)
    lease = ("INSERT INTO leases (id, resource_type, resource_id, mode, worker_id, ttl_seconds, expires_at) "
             "VALUES ('{id}', 'file', 'f', '{mode}', 'w', 60, {exp})")
    t.run("exclusive refused under an active write lease",
          [lease.format(id="l1", mode="write", exp="datetime('now', '+1 hour')")],
          lease.format(id="l2", mode="exclusive", exp="datetime('now', '+1 hour')"),
          "KERNEL: Cannot acquire exclusive lease - resource has active leases")
    t.run("read refused under an exclusive lease",
          [lease.format(id="l1", mode="exclusive", exp="datetime('now', '+1 hour')")],
          lease.format(id="l2", mode="read", exp="datetime('now', '+1 hour')"),
          "KERNEL: Cannot acquire lease - exclusive lease active on resource")
    t.run("write+write coexist", [lease.format(id="l1", mode="write", exp="datetime('now', '+1 hour')")],
          lease.format(id="l2", mode="write", exp="datetime('now', '+1 hour')"), None)
    t.run("expired ISO-formatted exclusive lease does not block",
          [lease.format(id="l1", mode="exclusive", exp="strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 hour')")],
          lease.format(id="l2", mode="read", exp="datetime('now', '+1 hour')"), None)
    t.run("v_assignment_with_prerequisites can be queried",
          chain + ["INSERT INTO roadmap_assignments (item_id, agent_id) VALUES ('B', 'agent:y')",
                   "INSERT INTO roadmap_assignments (item_id, agent_id, role) VALUES ('B', 'agent:y', 'reviewer')",
                   "INSERT INTO roadmap_assignments (item_id, agent_id) VALUES ('A', 'agent:x')"],
          "SELECT * FROM v_assignment_with_prerequisites", None)
    pe = ("INSERT INTO plan_events (event_id, idempotency_key, ts, actor, actor_type, source, event_type, payload) "
          "VALUES ('p1', 'k1', 't', 'a', 'user', 's', 'e', '{}')")
    t.run("plan_events delete refused", [pe], "DELETE FROM plan_events", "Plan events cannot be deleted")
    t.run("plan_events payload update refused", [pe], "UPDATE plan_events SET payload='{\"x\":1}'",
          "Plan events are immutable")
    t.run("plan_events processing recorded once", [pe],
          "UPDATE plan_events SET processed_at=datetime('now'), process_result='applied'", None)
    t.run("plan_events processing not recorded twice",
          [pe, "UPDATE plan_events SET processed_at=datetime('now'), process_result='applied'"],
          "UPDATE plan_events SET process_result='rejected'", "Plan event processing result is immutable")
    t.run("insert as in_progress with open prerequisite refused",
          chain + ["DELETE FROM roadmap_dependencies WHERE item_id='B'"],
          "INSERT OR REPLACE INTO roadmap_items (id, phase_key, title, status_key) VALUES ('A', 'phase_a', 'again', 'in_progress')",
          "Cannot start: blocking dependencies not complete")
    t.run("insert as in_progress without prerequisites allowed", [],
          "INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES ('N', 'phase_a', 't', 'in_progress')", None)
    att = abc + ["INSERT INTO attempts (id, work_id, worker_id, worker_type) VALUES ('t1', 'A', 'w', 'agent')"]
    t.run("failed -> completed without evidence refused", att + ["UPDATE attempts SET outcome='failed' WHERE id='t1'"],
          "UPDATE attempts SET outcome='completed' WHERE id='t1'", "KERNEL: Cannot mark attempt completed without evidence")
    t.run("attempt inserted as completed refused", abc,
          "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome) VALUES ('t9', 'A', 'w', 'agent', 'completed')",
          "KERNEL: Cannot mark attempt completed without evidence")
    t.run("completion with evidence allowed",
          att + ["INSERT INTO evidence (id, work_id, attempt_id, evidence_type, uri, sha256, created_by) VALUES ('e1', 'A', 't1', 'log', 'u', 'h', 'w')"],
          "UPDATE attempts SET outcome='completed', ended_at=datetime('now') WHERE id='t1'", None)
    t.run("failed -> blocked without blocker refused", att + ["UPDATE attempts SET outcome='failed' WHERE id='t1'"],
          "UPDATE attempts SET outcome='blocked' WHERE id='t1'", "KERNEL: Cannot mark attempt blocked without blocker record")
    t.run("attempt inserted as blocked refused", abc,
          "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome) VALUES ('t9', 'A', 'w', 'agent', 'blocked')",
          "KERNEL: Cannot mark attempt blocked without blocker record")
    t.run("attempt inserted as failed allowed", abc,
          "INSERT INTO attempts (id, work_id, worker_id, worker_type, outcome, ended_at) VALUES ('t9', 'A', 'w', 'agent', 'failed', datetime('now'))",
          None)
    t.run("blocker inserted resolved refused", abc,
          "INSERT INTO blockers (id, work_id, reason_code, title, created_by, resolved_at, resolution) "
          "VALUES ('b1', 'A', 'other', 't', 'w', datetime('now'), 'fine')",
          "KERNEL: Blockers must be created unresolved")
    blk = abc + ["INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES ('b1', 'A', 'other', 't', 'w')"]
    t.run("blocker delete refused", blk, "DELETE FROM blockers", "KERNEL: Blocker records cannot be deleted")
    t.run("blocker resolved in the same second with evidence",
          blk + ["INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by) VALUES ('e1', 'A', 'log', 'u', 'h', 'w')"],
          "UPDATE blockers SET resolved_at=datetime('now'), resolution='fixed' WHERE id='b1'", None)
    t.run("blocker not resolved by older evidence",
          abc + ["INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by, created_at) VALUES ('e1', 'A', 'log', 'u', 'h', 'w', datetime('now', '-1 minute'))",
                 "INSERT INTO blockers (id, work_id, reason_code, title, created_by) VALUES ('b1', 'A', 'other', 't', 'w')"],
          "UPDATE blockers SET resolved_at=datetime('now'), resolution='fixed' WHERE id='b1'",
          "KERNEL: Blocker resolution requires evidence or waiver decision")
    t.run("blocker resolved by waiver recorded with an ISO timestamp",
          blk + ["INSERT INTO decisions (id, work_id, decision_type, decided_at) VALUES ('d1', 'A', 'waiver', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"],
          "UPDATE blockers SET resolved_at=datetime('now'), resolution='waived' WHERE id='b1'", None)
    t.run("resolved blocker stays resolved",
          blk + ["INSERT INTO evidence (id, work_id, evidence_type, uri, sha256, created_by) VALUES ('e1', 'A', 'log', 'u', 'h', 'w')",
                 "UPDATE blockers SET resolved_at=datetime('now'), resolution='fixed' WHERE id='b1'"],
          "UPDATE blockers SET resolved_at=NULL WHERE id='b1'", "KERNEL: Blocker resolution is immutable")
    full_phase = [f"INSERT INTO roadmap_items (id, phase_key, title) VALUES ('P{i}', 'phase_b', 't')" for i in range(50)]
    t.run("completed row into a full phase allowed", full_phase,
          "INSERT INTO roadmap_items (id, phase_key, title, status_key) VALUES ('P50', 'phase_b', 't', 'completed')", None)
    t.run("active row into a full phase still refused", full_phase,
          "INSERT INTO roadmap_items (id, phase_key, title) VALUES ('P50', 'phase_b', 't')",
          "POLICY: Maximum 50 active items per phase")
    t.run("lease store tables usable", [
        "INSERT INTO coordination_leases (lease_id, owner_agent_id, mode, resources, issued_at, expires_at, heartbeat_deadline, "
        "snapshot_id, policy_version, lens_digest, created_at, updated_at) VALUES ('lease-1', 'a', 'write', '[]', 't', 't', 't', 's', 'p', 'l', 't', 't')"],
        "INSERT INTO events (event_id, lease_id, event_type, payload, created_at) VALUES ('evt-1', 'lease-1', 'LEASE_CLAIMED', '{}', 't')", None)
    return t


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    global VERBOSE
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", default=str(REPO.parent / "shared" / "fixtures"))
    ap.add_argument("--spec", default=str(REPO.parent / "shared" / "spec"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    VERBOSE = args.verbose
    fixtures = Path(args.fixtures)
    fresh_fixture = fixtures / "motusos-0.3.3-fresh.db"

    migs = load_migrations()
    info(f"migrations: {len(migs)} files ({migs[0]} .. {migs[-1]}), SQLite {sqlite3.sqlite_version}")
    lint(migs)
    base = [m for m in migs if m.version <= 20]
    later = [m for m in migs if m.version > 20]

    ref = sqlite3.connect(f"file:{fresh_fixture}?mode=ro&immutable=1", uri=True, isolation_level=None)
    ref_snap = snapshot(ref)
    counts = {k: len(v) for k, v in ref_snap.items()}
    info("original fresh v20: " + ", ".join(f"{v} {k}" for k, v in counts.items()))

    with tempfile.TemporaryDirectory() as tmp:
        # ---- 001-020 must reproduce the original exactly
        db20 = fresh_db(base, os.path.join(tmp, "v20.db"))
        snap20 = snapshot(db20)
        d_schema = compare_schema(ref_snap, snap20)
        d_data, n_tables, n_rows = compare_data(ref, db20)
        info(f"[001-020] compared {counts['tables']} tables, {counts['indexes']} indexes, {counts['views']} views, "
             f"{counts['triggers']} triggers; data of {n_tables} tables ({n_rows} rows)")
        # trigger firing precedence (SQLite runs the most recently created
        # trigger first): the creation order per table must be the original's
        def trigger_order(c):
            order = {}
            for name, tbl in c.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='trigger' ORDER BY rowid"):
                order.setdefault(tbl, []).append(name)
            return order
        o_ref, o_20 = trigger_order(ref), trigger_order(db20)
        for tbl in sorted(set(o_ref) | set(o_20)):
            if o_ref.get(tbl) != o_20.get(tbl):
                d_schema.append(f"trigger creation order on {tbl}: original {o_ref.get(tbl)} / ours {o_20.get(tbl)}")
        for d in d_schema + d_data:
            fail("001-020 vs original: " + d)
        info(f"[001-020] differences: {len(d_schema) + len(d_data)} (trigger creation order per table compared too)")
        peer_path = os.path.join(tmp, "original-fresh-copy.db")
        ro = sqlite3.connect(f"file:{fresh_fixture}?mode=ro&immutable=1", uri=True)
        out = sqlite3.connect(peer_path)
        ro.backup(out)
        ro.close()
        out.close()
        peer = connect(peer_path)
        peer.execute("DELETE FROM health_check_results")  # rows written by `motus doctor`
        t20 = behaviour_tests(db20, full=False, peer=peer)
        peer.close()
        info(f"[001-020] behaviour tests passed: {t20.passed}; differential against a copy of the original "
             f"(same outcome and same resulting table contents): {t20.compared}")

        # ---- all files: differences must be the documented ones
        dbn = fresh_db(migs, os.path.join(tmp, "latest.db"))
        snapn = snapshot(dbn)
        d_schema = compare_schema(ref_snap, snapn)
        d_data, n_tables, n_rows = compare_data(ref, dbn)
        redefs = redefinitions(migs, ref_snap)
        actual = sorted(d_schema + d_data + redefs)
        ours_counts = {k: len(v) for k, v in snapn.items()}
        info(f"[001-{migs[-1].version:03d}] ours: " + ", ".join(f"{v} {k}" for k, v in ours_counts.items()))
        info(f"[001-{migs[-1].version:03d}] differences from the original: {len(d_schema) + len(d_data)} "
             f"structural/data + {len(redefs)} same-name redefinitions")
        for d in actual:
            info("  " + d)
        expected = expected_differences()
        if expected is None:
            fail(f"no expected-differences block in {DOC}")
        elif expected != actual:
            for d in sorted(set(actual) - set(expected)):
                fail("undocumented difference: " + d)
            for d in sorted(set(expected) - set(actual)):
                fail("documented difference not found: " + d)
        else:
            info(f"[001-{migs[-1].version:03d}] differences match docs/schema-differences.md ({len(expected)} entries)")

        # ---- lease store tables as written by the original's LeaseStore
        qs = sqlite3.connect(f"file:{fixtures / 'motusos-0.3.3-quickstart.db'}?mode=ro&immutable=1",
                             uri=True, isolation_level=None)
        qs_snap = snapshot(qs)
        for kind in ("tables", "indexes"):
            for name, obj in qs_snap[kind].items():
                tbl = name if kind == "tables" else obj["table"]
                if tbl in ("coordination_leases", "events"):
                    if snapn[kind].get(name) != obj:
                        fail(f"021 vs quickstart fixture: {kind} {name} differs: {obj} / {snapn[kind].get(name)}")
        info("[021] coordination_leases / events match the quickstart fixture")
        qs.close()

        # ---- trigger messages of the inventory appear in our SQL
        inv = json.loads((Path(args.spec) / "schema-inventory.json").read_text())
        all_sql = "\n".join(m.up for m in migs)
        msgs = sorted({msg for trg in inv["triggers"] for msg in trg.get("error_messages", [])})
        missing = [m for m in msgs if m.replace("'", "''") not in all_sql and m not in all_sql]
        for m in missing:
            fail(f"inventory trigger message not in our SQL: {m!r}")
        info(f"inventory trigger messages found in our SQL: {len(msgs) - len(missing)}/{len(msgs)}")
        for name, cols in inv["view_columns"].items():
            got = snapn["views"].get(name, {}).get("columns")
            if got != cols:
                fail(f"view {name}: columns {got} differ from the inventory {cols}")

        # ---- our view definitions over the original's populated data
        nviews, vd = compare_views_on_data(str(fixtures / "motusos-0.3.3-populated.db"), dbn)
        for d in vd:
            fail(d)
        info(f"views compared on the populated fixture: {nviews}, differing: {len(vd)}")

        # ---- upgrade path: the files after 020 on copies of the original's databases
        for fx in (("fresh", "quickstart", "populated") if later else ()):
            src = fixtures / f"motusos-0.3.3-{fx}.db"
            dst = os.path.join(tmp, f"upgrade-{fx}.db")
            ro = sqlite3.connect(f"file:{src}?mode=ro&immutable=1", uri=True)
            out = sqlite3.connect(dst)
            ro.backup(out)
            ro.close()
            out.close()
            conn = connect(dst)
            try:
                apply(conn, later)
            except RuntimeError as exc:
                fail(f"upgrade of the original's {fx} database: {exc}")
                continue
            if conn.execute("PRAGMA foreign_key_check").fetchall():
                fail(f"upgrade of {fx}: foreign_key_check not empty")
            up_snap = snapshot(conn)
            diff = [d for d in compare_schema(snapn, up_snap)
                    if not (fx != "fresh" and re.match(r"(table|index) (coordination_leases|events|"
                                                       r"idx_coordination_leases_\w+|idx_events_lease|"
                                                       r"sqlite_autoindex_(coordination_leases|events)_1)\b", d))]
            for d in diff:
                fail(f"upgraded {fx} database vs our fresh latest: {d}")
            info(f"[upgrade] original {fx} database + {later[0].version:03d}..{later[-1].version:03d}: "
                 f"applied, schema equals ours ({len(diff)} differences)")
            conn.close()

        # ---- DOWN sections of the files after 020 undo them exactly
        dbr = fresh_db(migs, os.path.join(tmp, "rollback.db"))
        try:
            for m in reversed(later):
                if not m.has_down:
                    fail(f"{m} has no DOWN section")
                    continue
                dbr.executescript("BEGIN IMMEDIATE;\n" + m.down + "\n;\n"
                                  f"DELETE FROM schema_version WHERE version = {m.version};\nCOMMIT;")
            back = [d for d in compare_schema(ref_snap, snapshot(dbr))
                    if not re.match(r"(table|index) (coordination_leases|events|idx_coordination_leases_\w+|"
                                    r"idx_events_lease|sqlite_autoindex_(coordination_leases|events)_1): only in ours", d)]
            def texts(c):
                return {(t, n): norm(q) for t, n, q in c.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name NOT IN ('coordination_leases', 'events')")}
            t20, tr = texts(db20), texts(dbr)
            for key in sorted(set(t20) | set(tr)):
                if t20.get(key) != tr.get(key):
                    back.append(f"{key[0]} {key[1]}: SQL differs from 001-020's after rollback")
            for d in back:
                fail(f"after rolling back {later[-1].version:03d}..{later[0].version:03d}: {d}")
            info(f"[rollback] DOWN of {later[-1].version:03d}..{later[0].version:03d} restores our 001-020 schema "
                 f"object for object, SQL text included (lease store tables kept): {len(back)} differences")
        except sqlite3.Error as exc:
            fail(f"rollback failed: {exc}")
        dbr.close()

        # ---- rules
        up_peer = connect(os.path.join(tmp, "upgrade-fresh.db")) if later else None
        if up_peer is not None:
            up_peer.execute("DELETE FROM health_check_results")  # rows written by `motus doctor`
        tn = behaviour_tests(dbn, full=True, peer=up_peer)
        info(f"[001-{migs[-1].version:03d}] behaviour tests passed: {tn.passed}; differential against the original's "
             f"fresh database upgraded with {later[0].version:03d}+: {tn.compared}")
        if up_peer is not None:
            up_peer.close()

        # ---- idempotent re-run guard: every version is in the ledger once
        led = [r[0] for r in dbn.execute("SELECT version FROM schema_version ORDER BY version")]
        if led != [m.version for m in migs]:
            fail(f"ledger versions {led}")
        db20.close()
        dbn.close()
    ref.close()

    print()
    if failures:
        print(f"FAILED: {len(failures)} problem(s)")
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
