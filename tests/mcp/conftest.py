"""Shared fixtures: the real `motus` binary, a fresh database per test, MCP sessions over stdio."""

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parents[2]


def motus_bin() -> str:
    path = os.environ.get("MOTUS_BIN") or str(ROOT / "target" / "debug" / "motus")
    if not os.access(path, os.X_OK):
        # Fail, never skip: a suite that cannot run must say so.
        raise RuntimeError(f"no motus binary at {path}; run `cargo build -p motus` or set MOTUS_BIN")
    return path


class Home:
    """A temporary HOME with its own database file."""

    def __init__(self, tmp: Path):
        self.dir = tmp
        self.db = tmp / "coordination.db"

    def env(self, agent: str | None = None) -> dict:
        env = {"HOME": str(self.dir), "MOTUS_DATABASE__PATH": str(self.db)}
        if agent is not None:
            env["MC_AGENT_ID"] = agent
        return env

    def cli(self, *args: str, agent: str = "cli") -> tuple[int, dict]:
        """Runs `motus --json ARGS`; returns (exit code, JSON document)."""
        env = {k: v for k, v in os.environ.items() if k not in ("MC_AGENT_ID", "MOTUS_DATABASE__PATH")}
        env.update(self.env(agent))
        out = subprocess.run(
            [motus_bin(), "--db", str(self.db), "--json", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        try:
            doc = json.loads(out.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"motus {args} printed no JSON: {out.stdout!r} {out.stderr!r}") from e
        return out.returncode, doc

    @contextlib.asynccontextmanager
    async def session(self, agent: str = "agent-1", extra_args: tuple = ()):
        """An initialized MCP client session on `motus mcp --agent AGENT`."""
        params = StdioServerParameters(
            command=motus_bin(),
            args=["--db", str(self.db), "mcp", "--agent", agent, *extra_args],
            env=self.env(),
        )
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as s:
                await s.initialize()
                yield s


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


_counts = {"passed": 0, "failed": 0}


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if report.passed:
            _counts["passed"] += 1
        elif report.failed:
            _counts["failed"] += 1


def pytest_terminal_summary(terminalreporter):
    # The plain closing line scripts/test-all adds up.
    terminalreporter.write_line(f"mcp: {_counts['passed']} passed, {_counts['failed']} failed")
