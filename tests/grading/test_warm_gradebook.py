"""A grading worker keeps nbgrader's gradebook warm: one engine per database, tables checked
once, and the gradebook still written exactly as nbgrader writes it.

Run in a child Python, because :func:`coursekit.grading.warmgradebook.warm` changes
nbgrader for the whole process it runs in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, sys
    from nbgrader.api import Gradebook
    from coursekit.grading.warmgradebook import warm

    warm()
    url = f"sqlite:///{sys.argv[1]}/gradebook.db"
    engines = set()
    with Gradebook(url) as gb:  # a new database: tables and alembic version made
        engines.add(id(gb.engine))
        gb.add_assignment("ps1")
        gb.add_student("ada")
    with Gradebook(url) as gb:  # the same engine, and what the first one wrote
        engines.add(id(gb.engine))
        gb.add_student("bo")
        seen = sorted(s.id for s in gb.students), [a.name for a in gb.assignments]
    with Gradebook(f"sqlite:///{sys.argv[1]}/other.db") as gb:
        engines.add(id(gb.engine))
    print(json.dumps({"engines": len(engines), "students": seen[0], "assignments": seen[1]}))
""")


def test_one_engine_per_database_and_the_same_rows(tmp_path):
    # nbgrader calls `alembic` by name for a new gradebook
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}"
                                f"{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == {"engines": 2, "students": ["ada", "bo"], "assignments": ["ps1"]}
    # a later, plain nbgrader process reads the same gradebook (tables, alembic version)
    import sqlite3

    with sqlite3.connect(tmp_path / "gradebook.db") as db:
        version = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert len(version) == 1
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        assert sorted(s.id for s in gb.students) == ["ada", "bo"]
