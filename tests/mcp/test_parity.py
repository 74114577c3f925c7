"""The MCP tools answer the documents the CLI prints with `--json` for the same call on the
same database, timestamps included: read calls are compared whole, on the original tool's
populated 0.3.3 file (its rows carry `2026-11-26 05:59:25`-style times, which every document
writes in the contract's one format); failures are the CLI's failure document without its
command-line hint; every time in every tool result is in the one format."""

import os
import re
import shutil
from pathlib import Path

import anyio

from test_mcp import call

FIXTURES = Path(os.environ.get("MOTUS_FIXTURES_DIR") or Path(__file__).resolve().parents[3] / "shared" / "fixtures")
ONE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def times(doc, path="$"):
    """Every (path, value) whose key names a time: `*_at`, `*_deadline`, `timestamp`."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            here = f"{path}.{k}"
            if isinstance(v, str) and (k.endswith("_at") or k.endswith("_deadline") or k == "timestamp"):
                yield here, v
            else:
                yield from times(v, here)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from times(v, f"{path}[{i}]")


def assert_one_format(doc):
    for where, value in times(doc):
        if len(value) > 10:  # a bare date (target_date) stays a date
            assert ONE_FORMAT.match(value), f"{where} = {value!r} is not in the contract's format"


def populated(home):
    src = FIXTURES / "motusos-0.3.3-populated.db"
    if not src.is_file():
        raise RuntimeError(f"no fixture at {src}; set MOTUS_FIXTURES_DIR")
    shutil.copyfile(src, home.db)
    os.chmod(home.db, 0o600)
    code, up = home.cli("db", "migrate")
    assert code == 0 and up["ok"], up


def test_read_tools_answer_the_clis_documents_timestamps_included(home):
    populated(home)
    code, leases = home.cli("work", "list", "--all")
    assert code == 0 and leases["count"] > 0, leases
    released = next(l for l in leases["items"] if l["status"] == "released")["lease_id"]
    code, blocked = home.cli("roadmap", "blocked")
    assert code == 0 and blocked["count"] > 0, blocked
    held = blocked["items"][0]["id"]
    pairs = [
        ("roadmap_ready", {}, ["roadmap", "ready"]),
        ("roadmap_ready", {"all": True}, ["roadmap", "ready", "--all"]),
        ("roadmap_blocked", {}, ["roadmap", "blocked"]),
        ("roadmap_why", {"id": held}, ["roadmap", "why", held]),
        ("roadmap_show", {"id": held}, ["roadmap", "show", held]),
        ("list", {"all": True}, ["work", "list", "--all"]),
        ("status", {"lease_id": released}, ["work", "status", released]),
        ("verify", {"target": released}, ["work", "verify", released]),
    ]

    async def main():
        out = []
        async with home.session(agent="cli") as s:
            for tool, args, _ in pairs:
                out.append(await call(s, tool, args))
        return out

    results = anyio.run(main)
    for (tool, args, argv), (err, doc) in zip(pairs, results):
        code, cli = home.cli(*argv)
        assert not err, (tool, doc)
        assert doc == cli, f"{tool} {args} differs from motus {' '.join(argv)} --json"
        assert (code == 0) is doc["ok"], (tool, code, doc["ok"])
        assert_one_format(doc)
    # The fixture's rows were written in SQLite's format; the documents are not.
    show = dict(zip([p[0] for p in pairs], [r[1] for r in results]))["roadmap_show"]
    assert ONE_FORMAT.match(show["item"]["created_at"] if "item" in show else show["created_at"]), show


def test_failures_are_the_clis_failure_documents_without_the_hint(home):
    populated(home)
    pairs = [
        ("roadmap_show", {"id": "RI-NOPE"}, ["roadmap", "show", "RI-NOPE"]),
        ("roadmap_why", {"id": "RI-NOPE"}, ["roadmap", "why", "RI-NOPE"]),
        ("status", {"lease_id": "lease-20260101-deadbeef"}, ["work", "status", "lease-20260101-deadbeef"]),
        ("verify", {"target": "RI-NOPE"}, ["work", "verify", "RI-NOPE"]),
    ]

    async def main():
        async with home.session(agent="cli") as s:
            out = []
            for tool, args, _ in pairs:
                res = await s.call_tool(tool, args)
                out.append((bool(res.is_error), res.structured_content))
            return out

    for (tool, args, argv), (err, doc) in zip(pairs, anyio.run(main)):
        code, cli = home.cli(*argv)
        if "error" in cli:
            cli["error"].pop("hint", None)
        # A failure is an MCP tool error; a negative verdict (no such lease) an answer.
        assert err is ("error" in cli), (tool, err, doc)
        assert doc == cli, f"{tool} {args}: {doc} != {cli}"
        assert code != 0 and doc["ok"] is False


def test_write_tools_write_times_in_the_one_format_and_the_cli_reads_the_same_lease(home):
    populated(home)

    async def main():
        async with home.session(agent="writer") as s:
            docs = []
            err, claim = await call(s, "claim", {"work_id": "ADHOC-PARITY", "intent": "compare"})
            assert not err and claim["ok"], claim
            lease = claim["lease_id"]
            docs.append(claim)
            for tool, args in [
                ("heartbeat", {"lease_id": lease}),
                ("evidence", {"lease_id": lease, "evidence_type": "test_result", "passed": 1}),
                ("decision", {"lease_id": lease, "decision": "keep one format"}),
                ("roadmap_add", {"title": "Parity", "phase": "phase_a", "id": "RI-PARITY"}),
            ]:
                err, doc = await call(s, tool, args)
                assert not err, (tool, doc)
                docs.append(doc)
            err, status = await call(s, "status", {"lease_id": lease})
            err2, shown = await call(s, "roadmap_show", {"id": "RI-PARITY"})
            return lease, docs, status, shown

    lease, docs, status, shown = anyio.run(main)
    for d in docs + [status, shown]:
        assert_one_format(d)
    code, cli = home.cli("work", "status", lease)
    # The lease's remaining time is counted at each call.
    status.pop("ttl_remaining_s", None)
    cli.pop("ttl_remaining_s", None)
    assert status == cli
    assert shown == home.cli("roadmap", "show", "RI-PARITY")[1]


def test_every_tools_output_schema_is_the_published_schema_of_the_clis_document(home):
    import json

    schemas = Path(__file__).resolve().parents[2] / "docs" / "schema"

    async def main():
        async with home.session() as s:
            return (await s.list_tools()).tools

    tools = anyio.run(main)
    assert len(tools) == 20
    for t in tools:
        name = t.output_schema.get("title")
        assert name, f"{t.name}: its output schema is not a published document's"
        published = json.loads((schemas / f"{name}.json").read_text())
        assert t.output_schema == published, f"{t.name}: output schema differs from docs/schema/{name}.json"
