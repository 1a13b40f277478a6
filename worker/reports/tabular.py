"""CSV and JSON files: the reports' data for spreadsheets and other programs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """One header line (the union of the rows' keys, in first-seen order), then the rows."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    if columns:
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    # utf-8-sig: spreadsheet programs then read names with accents correctly
    path.write_text(csv_text(rows), encoding="utf-8-sig")
    return path


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(
        json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return path
