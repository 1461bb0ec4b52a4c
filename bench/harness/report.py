"""The report: a section per benchmark (a table of figures, its floors), as Markdown and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Floor:
    """One floor of the work item: what is required, what was measured, whether it holds.

    `holds` is None when the figure could not be measured (a run failed): it counts as failing.
    """

    name: str
    required: str
    measured: str
    holds: bool | None

    @property
    def mark(self) -> str:
        if self.holds is None:
            return "FAIL (not measured)"
        return "pass" if self.holds else "FAIL"


@dataclass
class Section:
    """One benchmark's results: a table, its floors, notes, and the raw figures for JSON."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    floors: list[Floor] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", *_table(self.columns, self.rows)]
        if self.floors:
            lines += ["", *_table(["floor", "required", "measured", ""], self._floor_rows())]
        if self.notes:
            lines += ["", *(f"- {note}" for note in self.notes)]
        if self.errors:
            lines += ["", "Errors:", "", "```", *self.errors, "```"]
        return "\n".join(lines)

    def _floor_rows(self) -> list[list[str]]:
        return [[floor.name, floor.required, floor.measured, floor.mark] for floor in self.floors]


def _table(columns: list[str], rows: list[list[str]]) -> list[str]:
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(columns))]
    lines = ["| " + " | ".join(columns) + " |"]
    lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _is_number(text: str) -> bool:
    """Whether a cell is a figure (right-aligned); "-" and "n/a" go either way."""
    if text in ("-", "n/a"):
        return True
    cleaned = text.replace(",", "")
    for suffix in ("x", " s", " MB"):
        cleaned = cleaned.removesuffix(suffix)
    try:
        float(cleaned)
    except ValueError:
        return False
    return True


def summary_line(sections: list[Section]) -> str:
    floors = [floor for section in sections for floor in section.floors]
    held = [floor for floor in floors if floor.holds]
    failing = [f"{floor.name} ({floor.measured})" for floor in floors if not floor.holds]
    line = f"Floors: {len(held)} of {len(floors)} hold."
    if failing:
        line += " FAIL: " + "; ".join(failing) + "."
    return line


def write_results(
    directory: Path,
    sections: list[Section],
    machine: dict[str, Any],
    options: dict[str, Any],
    *,
    stem: str = "latest",
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    markdown = [
        "# Benchmark results",
        "",
        *(f"- {key}: {value}" for key, value in machine.items()),
        f"- options: {', '.join(f'{k}={v}' for k, v in options.items())}",
        "",
        summary_line(sections),
        "",
        *(section.markdown() + "\n" for section in sections),
    ]
    md_path = directory / f"{stem}.md"
    md_path.write_text("\n".join(markdown))
    document = {
        "machine": machine,
        "options": options,
        "summary": summary_line(sections),
        "benchmarks": [asdict(section) for section in sections],
    }
    document = _without_nan(document)
    json_path = directory / f"{stem}.json"
    json_path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return md_path, json_path


def _without_nan(value: Any) -> Any:
    """NaN (a figure that could not be measured) as null, so the file is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nan(item) for item in value]
    return value
