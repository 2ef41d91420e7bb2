"""Moodle's files as the Moodle tests need them: a submissions folder's suffix and the
assignment's grading worksheet, written as mod/assign/gradingtable.php writes it."""

from __future__ import annotations

import csv
from pathlib import Path

#: A submissions folder's suffix (Moodle 4.1 and later: no "_" after the folder's name).
F = "_assignsubmission_file"
#: Moodle's worksheet columns for a team assignment, in gradingtable.php's order.
HEADER = ["Identifier", "Full name", "Email address", "Status", "Group", "Grade",
          "Maximum Grade", "Grade can be changed", "Last modified (submission)",
          "Last modified (grade)", "Feedback comments"]


def worksheet(path: Path, people, *, groups: bool = True, delimiter: str = ",",
              bom: bool = False, header: list[str] | None = None) -> Path:
    """A grading worksheet at ``path`` listing ``people`` ((participant id, full name,
    group) each); ``groups=False``: an individual assignment's (no Group column)."""
    header = list(header or HEADER)
    if not groups:
        header.remove("Group")
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        out = csv.writer(f, delimiter=delimiter)
        out.writerow(header)
        for number, name, group in people:
            row = {"Identifier": f"Participant {number}", "Full name": name,
                   "Email address": f"{number}@example.org", "Status": "Submitted",
                   "Group": group, "Maximum Grade": "9.00", "Grade can be changed": "Yes"}
            out.writerow([row.get(h, "") for h in header])
    return path
