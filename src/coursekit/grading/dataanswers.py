"""Grade clicked answers as data, in the trusted grader, without a learner kernel.

In a check the kit generates, a learner never types code: each answer cell holds one line
``answer_x = <value>`` written by the save hook (:mod:`coursekit.grading.answers`) and the
generated lines that show the buttons. Running that cell in a kernel beside the hidden
tests lets any extra line change how the tests run (drop their ``assert`` lines, read
them, patch the kernel, plant a module they import, or hand them an object that equals
everything). So for such checks nothing the learner wrote is run:

* :func:`answer_key` reads the **source** notebook (never the submission) and says whether
  every code cell has the generated shape: answer cells are one ``answer_x = <literal>``
  line plus guarded kit imports; test cells are guarded kit imports plus ``assert``
  statements over the answer variables and a few plain builtins; other code cells are
  guarded kit imports only. A check with any other code (a code question an author
  added) is graded in the sandbox instead (:mod:`coursekit.grading.sandbox`).
* :class:`GradeAsData`, which replaces nbgrader's ``Execute`` step in nbgrader's own
  autograde pipeline, reads each answer cell with :mod:`ast`: exactly one assignment to
  the cell's own variable whose value :func:`ast.literal_eval` accepts, plus any of the
  generated lines. Anything else is not run; the question earns nothing and the cell is
  reported (:data:`UNEXPECTED_CODE`). The hidden tests, taken from the source notebook,
  are evaluated in the grader on those plain values, with only safe builtins, in the
  notebook's cell order (so a moved test cell fails as it would in a kernel).
* A failing test becomes an ``error`` output on its test cell, exactly the signal
  nbgrader's ``SaveAutoGrades`` scores; every later nbgrader step (checksums, gradebook,
  Formgrader, feedback, export) is nbgrader's own, so an honest submission gets the same
  grades as plain ``nbgrader autograde``.
"""

from __future__ import annotations

import ast
import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ADDED_CODE",
    "UNEXPECTED_CODE",
    "AnswerKey",
    "answer_key",
    "assignment_key",
    "grade_as_data_class",
    "read_answer",
]

UNEXPECTED_CODE = "code in an answer cell"
ADDED_CODE = "code cell added"

_SOLUTION_BEGIN, _SOLUTION_END = "BEGIN SOLUTION", "END SOLUTION"
#: The only builtins a hidden test may name to be graded as data.
SAFE_BUILTINS = {name: getattr(__import__("builtins"), name) for name in (
    "isinstance", "str", "list", "tuple", "set", "frozenset", "dict", "int", "float", "bool",
    "len", "sorted", "any", "all", "sum", "min", "max", "abs", "round", "True", "False",
    "None")}


@dataclass
class AnswerKey:
    """What the source notebook of one check says about grading it as data."""

    #: answer cell grade id -> (its variable, ast dumps of its generated lines)
    answers: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: test cell grade id -> compiled hidden test (asserts only)
    tests: dict[str, object] = field(default_factory=dict)
    #: grade ids of the source's other code cells (generated, inert)
    inert: set[str] = field(default_factory=set)
    #: why the check cannot be graded as data ("" when it can)
    problem: str = ""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _nbg(cell: dict) -> dict:
    nbg = (cell.get("metadata") or {}).get("nbgrader")
    return nbg if isinstance(nbg, dict) else {}


def _without_solution(source: str) -> str:
    """The answer cell as released: the solution region removed (ClearSolutions' stub is
    empty in the kit's config)."""
    out, inside = [], False
    for line in source.split("\n"):
        if _SOLUTION_BEGIN in line:
            inside = True
        elif _SOLUTION_END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _is_kit_guard(stmt: ast.stmt) -> bool:
    """``try: from coursekit... import f; f(...)`` / ``except ImportError: pass``: the
    generated lines that show buttons in JupyterLab and do nothing while grading."""
    if not isinstance(stmt, ast.Try) or stmt.orelse or stmt.finalbody:
        return False
    if len(stmt.handlers) != 1:
        return False
    handler = stmt.handlers[0]
    if not (isinstance(handler.type, ast.Name) and handler.type.id == "ImportError"
            and handler.name is None and len(handler.body) == 1
            and isinstance(handler.body[0], ast.Pass)):
        return False
    body = stmt.body
    if not body or not isinstance(body[0], ast.ImportFrom) or not (
            body[0].module or "").startswith("coursekit"):
        return False
    imported = {alias.asname or alias.name for alias in body[0].names}
    for call in body[1:]:
        if not (isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
                and isinstance(call.value.func, ast.Name) and call.value.func.id in imported):
            return False
    return True


def _plain_assert(stmt: ast.stmt, variables: set[str]) -> bool:
    """An ``assert`` over answer variables and safe builtins, with no private attribute."""
    if not isinstance(stmt, ast.Assert):
        return False
    bound = {n.id for c in ast.walk(stmt) if isinstance(c, ast.comprehension)
             for n in ast.walk(c.target) if isinstance(n, ast.Name)}
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and node.id not in variables | bound and (
                node.id not in SAFE_BUILTINS):
            return False
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            return False
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                             ast.Starred)):
            return False
    return True


def _literal_assignment(stmt: ast.stmt) -> tuple[str, object] | None:
    """``(name, value)`` of ``name = <literal>``; ``None`` for anything else."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return None
    try:
        return stmt.targets[0].id, ast.literal_eval(stmt.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def answer_key(source_nb: dict) -> AnswerKey:
    """Read the source notebook of a check: its answer variables and hidden tests, and
    whether every code cell has the generated shape (else ``problem`` says which not)."""
    key = AnswerKey()
    cells = [c for c in source_nb.get("cells", []) if c.get("cell_type") == "code"]
    tests = []
    for cell in cells:
        nbg, gid = _nbg(cell), _nbg(cell).get("grade_id", "")
        text = _source(cell)
        try:
            tree = ast.parse(_without_solution(text) if nbg.get("solution") else text)
        except SyntaxError:
            key.problem = f"{gid or 'a code cell'} is not valid Python"
            return key
        if nbg.get("solution"):
            assigns = [s for s in tree.body if not _is_kit_guard(s)]
            found = _literal_assignment(assigns[0]) if len(assigns) == 1 else None
            if found is None:
                key.problem = f"{gid} is not a clicked answer (`answer_x = <value>`)"
                return key
            key.answers[gid] = (found[0], [ast.dump(s) for s in tree.body if s is not assigns[0]])
        elif nbg.get("grade"):
            tests.append((gid, tree))
        elif all(_is_kit_guard(s) for s in tree.body):
            if gid:
                key.inert.add(gid)
        else:
            key.problem = f"{gid or 'a code cell'} holds code of its own"
            return key
    variables = {var for var, _ in key.answers.values()}
    for gid, tree in tests:
        body = [s for s in tree.body if not _is_kit_guard(s)]
        if not body or not all(_plain_assert(s, variables) for s in body):
            key.problem = f"{gid} is a test of code, not of a clicked answer"
            return key
        key.tests[gid] = compile(ast.Module(body=body, type_ignores=[]), gid, "exec")
    if not key.answers:
        key.problem = "the check has no clicked answers"
    return key


def assignment_key(course: Path, assignment: str) -> dict[str, AnswerKey] | None:
    """``{notebook name: AnswerKey}`` when every source notebook of ``assignment`` can be
    graded as data; ``None`` when one cannot (it then goes to the sandbox)."""
    keys = {}
    paths = sorted((Path(course) / "source" / assignment).glob("*.ipynb"))
    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        key = answer_key(nb)
        if key.problem:
            return None
        keys[path.stem] = key
    return keys or None


def _key_of(path: Path) -> AnswerKey:
    """The answer key of a source notebook, read once while the file is unchanged (a grading
    worker grades many submissions against the same source)."""
    stat = path.stat()
    return _cached_key(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _cached_key(path: str, mtime_ns: int, size: int) -> AnswerKey:
    del mtime_ns, size  # part of the cache key only
    return answer_key(json.loads(Path(path).read_text(encoding="utf-8")))


def read_answer(source: str, variable: str, generated: list[str]) -> tuple[bool, object]:
    """``(True, value)`` when an answer cell holds exactly what the kit writes there (one
    ``variable = <literal>`` line, and generated lines); ``(False, reason)`` otherwise."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False, "it is not valid Python"
    value, found, left = None, False, list(generated)
    for stmt in tree.body:
        pair = _literal_assignment(stmt)
        if pair is not None and pair[0] == variable and not found:
            value, found = pair[1], True
            continue
        try:
            dumped = ast.dump(stmt)
        except RecursionError:  # nested past what ast can walk: never a generated line
            dumped = None
        if dumped is not None and dumped in left:  # a generated line, each at most once and in order
            left = left[left.index(dumped) + 1:]
            continue
        line = getattr(stmt, "lineno", 0)
        return False, f"line {line} is code the check did not put there"
    if not found:
        return False, f"it does not set {variable}"
    return True, value


def _error(exc: BaseException) -> dict:
    from nbformat.notebooknode import NotebookNode

    name, value = type(exc).__name__, str(exc)
    return NotebookNode(output_type="error", ename=name, evalue=value,
                        traceback=[f"{name}: {value}" if value else name])


@functools.cache
def grade_as_data_class():
    """nbgrader's ``Execute`` step, replaced: grade clicked answers as data (built lazily
    so that importing this module does not import nbgrader)."""
    from nbgrader.preprocessors import NbGraderPreprocessor
    from traitlets import Unicode

    from .sandbox import EVENTS

    class GradeAsData(NbGraderPreprocessor):
        """Score a generated check's clicked answers without running any learner code."""

        key_folder = Unicode(
            "", help="The course's source folder: the answer key is read from "
                     "<key_folder>/<assignment>/<notebook>.ipynb, never from the submission.",
        ).tag(config=True)

        def _key(self, resources: dict) -> AnswerKey:
            info = resources.get("nbgrader") or {}
            path = Path(self.key_folder or "source") / info.get("assignment", "") / (
                f"{info.get('notebook', '')}.ipynb")
            return _key_of(path)

        def preprocess(self, nb, resources):
            key = self._key(resources)
            if key.problem:
                raise ValueError(f"this check cannot be graded as data: {key.problem}")
            names: dict[str, object] = {}
            count = 0
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                nbg = cell.metadata.get("nbgrader", {})
                gid = nbg.get("grade_id", "")
                cell.outputs = []
                has_code = bool(_source(cell).strip())
                if has_code:
                    count += 1
                cell.execution_count = count if has_code else None
                if gid in key.answers and nbg.get("solution"):
                    variable, generated = key.answers[gid]
                    ok, value = read_answer(_source(cell), variable, generated)
                    if ok:
                        names[variable] = value
                    else:
                        names.pop(variable, None)
                        EVENTS.append((UNEXPECTED_CODE, f"{gid}: {value}; it was not run"))
                elif gid in key.tests and nbg.get("grade"):
                    scope = {"__builtins__": SAFE_BUILTINS, **copy.deepcopy(names)}
                    try:
                        exec(key.tests[gid], scope)  # the key's own asserts, on plain data
                    except Exception as exc:  # a failed check scores 0, as in a kernel
                        cell.outputs = [_error(exc)]
                elif gid in key.inert:
                    continue
                elif _has_statements(_source(cell)):
                    EVENTS.append((ADDED_CODE, f"cell {index + 1}: it was not run"))
            return nb, resources

    return GradeAsData


def _has_statements(source: str) -> bool:
    try:
        return bool(ast.parse(source).body)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return bool(source.strip())

