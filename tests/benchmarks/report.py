"""Medians, ratios against tls_requests, and the result tables (plain text and Markdown)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.benchmarks.clients import ASYNC_CLIENTS, SYNC_CLIENTS, ClientInfo
from tests.benchmarks.scenarios import Scenario

__all__ = ["Row", "render_markdown", "render_text", "summarize"]

MiB = 1024 * 1024
# Below this much memory above baseline a memory ratio says nothing.
MEMORY_RATIO_FLOOR = 4 * MiB


@dataclass
class Row:
    scenario: Scenario
    client: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    skipped: str = ""

    @property
    def info(self) -> ClientInfo:
        clients = ASYNC_CLIENTS if self.scenario.is_async else SYNC_CLIENTS
        return clients[self.client]

    @property
    def ok_runs(self) -> list[dict[str, Any]]:
        return [run for run in self.runs if run.get("ok")]

    @property
    def error(self) -> str:
        """The first failed run's error."""
        errors = [str(run.get("error")) for run in self.runs if not run.get("ok")]
        return errors[0] if errors else ""

    @property
    def rates(self) -> list[float]:
        return [self.scenario.rate(run["seconds"]) for run in self.ok_runs]

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def spread(self) -> float:
        """(max - min) / median of the rates: how noisy the repetitions were."""
        rates = self.rates
        return (max(rates) - min(rates)) / statistics.median(rates) if rates else 0.0

    @property
    def memory(self) -> float:
        """Median peak RSS above the warmed-up baseline, in bytes."""
        return self._median(lambda r: max(0, r["rss_peak"] - r["rss_base"]))

    @property
    def peak(self) -> float:
        return self._median(lambda r: r["rss_peak"])

    @property
    def cpu(self) -> float:
        return self._median(lambda r: r["cpu_seconds"])

    def _median(self, value: Callable[[dict[str, Any]], float]) -> float:
        return statistics.median(float(value(run)) for run in self.ok_runs)

    @property
    def connections(self) -> str:
        counts = sorted({r["connections"] for r in self.ok_runs if "connections" in r})
        return "/".join(map(str, counts)) if counts else "?"

    @property
    def failures(self) -> int:
        return len(self.runs) - len(self.ok_runs)

    @property
    def usable(self) -> bool:
        return not self.skipped and bool(self.ok_runs)


def _reference(row: Row, rows: list[Row]) -> Row | None:
    """The tls_requests row a row is compared with: same scenario, same HTTP version."""
    candidates = [
        r for r in rows if r.scenario is row.scenario and r.info.library.startswith("tls_requests")
    ]
    for candidate in candidates:
        if candidate.info.http2 == row.info.http2 and candidate.usable:
            return candidate
    return next((c for c in candidates if c.usable), None)


def _ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference > 0 else "—"


def summarize(row: Row, rows: list[Row]) -> dict[str, str]:
    """Formatted cells for one row."""
    cells = {"client": row.info.library, "proto": row.info.proto}
    if row.skipped or not row.usable:
        reason = row.skipped or f"FAILED: {row.error or 'no run finished'}"
        return {**cells, "rate": reason}
    reference = _reference(row, rows)
    memory_ratio = "—"
    if reference is not None and min(row.memory, reference.memory) >= MEMORY_RATIO_FLOOR:
        memory_ratio = _ratio(row.memory, reference.memory)
    return {
        **cells,
        "rate": f"{row.rate:,.0f}" if row.rate >= 100 else f"{row.rate:.1f}",
        "spread": f"{row.spread:.0%}",
        "speed": _ratio(row.rate, reference.rate) if reference else "—",
        "memory": f"{row.memory / MiB:,.0f}",
        "memory_ratio": memory_ratio,
        "peak": f"{row.peak / MiB:,.0f}",
        "cpu": f"{row.cpu:.2f}",
        "connections": row.connections,
        "failed": f"{row.failures}/{len(row.runs)}",
    }


COLUMNS = [
    ("client", "client"),
    ("proto", "HTTP"),
    ("rate", "{unit} (median)"),
    ("spread", "spread (max-min)"),
    ("speed", "speed vs tls_requests"),
    ("memory", "peak RSS Δ MiB"),
    ("memory_ratio", "memory vs tls_requests"),
    ("peak", "peak RSS MiB"),
    ("cpu", "CPU s"),
    ("connections", "TCP conns"),
    ("failed", "failed runs"),
]


Table = tuple[Scenario, list[str], list[list[str]], list[str]]


def _tables(rows: list[Row]) -> list[Table]:
    """Per scenario: header, body rows, and notes (the error of every failed run)."""
    tables = []
    for scenario in dict.fromkeys(row.scenario for row in rows):
        headers = [title.format(unit=scenario.unit) for _, title in COLUMNS]
        body, notes = [], []
        for row in rows:
            if row.scenario is not scenario:
                continue
            cells = summarize(row, rows)
            body.append([cells.get(key, "") for key, _ in COLUMNS])
            for run in row.runs:
                if not run.get("ok"):
                    notes.append(f"{row.info.library} {row.info.proto}: {run.get('error')}")
        tables.append((scenario, headers, body, notes))
    return tables


def render_text(rows: list[Row]) -> str:
    out = []
    for scenario, headers, body, notes in _tables(rows):
        widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]
        out.append(f"\n{scenario.title}  [{scenario.name}]")
        for line in [headers, *body]:
            out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        out.extend(f"  failed run: {note}" for note in notes)
    return "\n".join(out) + "\n"


def render_markdown(rows: list[Row]) -> str:
    out = []
    for scenario, headers, body, notes in _tables(rows):
        out.append(f"\n### {scenario.title}\n")
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join("---" for _ in headers) + "|")
        for line in body:
            out.append("| " + " | ".join(cell.replace("|", "/") for cell in line) + " |")
        if notes:
            out.append("")
            out.extend(f"- failed run: {note}" for note in notes)
    return "\n".join(out) + "\n"
