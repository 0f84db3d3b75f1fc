"""Writing labelled replies (the dev.jsonl format) back to a data file, e.g. from a review."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def upsert_example(path: Path, example: Mapping[str, Any]) -> bool:
    """Add `example` to the jsonl file, or replace the line with the same id; True if added.

    The file is rewritten whole and swapped in, so a crash leaves the old or the new file."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    encoded = json.dumps(dict(example), ensure_ascii=False)
    added = True
    for i, line in enumerate(lines):
        if line.strip() and json.loads(line).get("id") == example["id"]:
            lines[i], added = encoded, False
    if added:
        lines.append(encoded)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return added
