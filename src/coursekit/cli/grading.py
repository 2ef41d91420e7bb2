"""``coursekit grade``: generate nbgrader checks from the bank, autograde a cohort, summarise."""

from __future__ import annotations

from pathlib import Path

import click

from .base import KitGroup

_COURSE = click.option(
    "--course", type=click.Path(path_type=Path), default=None,
    help="The nbgrader course folder (default: facilitator/nbgrader in the kit).")


def _course(course: Path | None) -> Path:
    from ..grading.generate import course_dir

    found = (course or course_dir()).resolve()
    if found.is_file():  # its own sentence (grading/arguments.py), not a usage error
        from ..grading.arguments import check_course

        check_course(found)
    return found


def _checked(course: Path | None, assignment: str) -> Path:
    """The course folder, once it and ``assignment`` are known to exist (else one sentence)."""
    from ..grading.arguments import check_assignment, check_course

    found = check_course(_course(course))
    check_assignment(found, assignment)
    return found


@click.group(cls=KitGroup)
def grade() -> None:
    """nbgrader checks built from the question bank, and grading a cohort."""


@grade.command()
@_COURSE
@click.option("--check", is_flag=True,
              help="Only report source notebooks that differ from the question bank.")
def generate(course: Path | None, check: bool) -> None:
    """Write each lesson's check to COURSE/source/NN-check/ from assets/questions/NN.yml."""
    from ..schema import require_valid

    require_valid()  # before importing nbformat and nbgrader: a mistake is reported at once
    from ..grading.generate import stale, write_sources

    course = _course(course)
    if check:
        problems = stale(course)
        for rel in problems:
            click.echo(f"stale: {course / rel}")
        if problems:
            raise SystemExit(f"{len(problems)} source notebook(s) differ from the question "
                             "bank; run `coursekit grade generate`.")
        click.echo("Every source notebook matches the question bank.")
        return
    changed = write_sources(course)
    for path in changed:
        click.echo(f"wrote {path}")
    click.echo(f"{len(changed)} notebook(s) written." if changed
               else "Every source notebook was already up to date.")


@grade.command(short_help="Autograde every submission of ASSIGNMENT, each in its own sandbox.")
@click.argument("assignment")
@_COURSE
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Grading processes (default: one per core).")
@click.option("--force/--no-force", default=True,
              help="Regrade submissions that were already autograded (default: yes).")
@click.option("--seconds", type=click.FloatRange(min=1), default=None,
              help="Wall-clock seconds for one submission's whole notebook (default: 120).")
@click.option("--memory-mb", type=click.IntRange(min=64), default=None,
              help="Memory one submission may use, MB (default: 1024).")
@click.option("--processes", type=click.IntRange(min=8), default=None,
              help="Processes and threads one submission may run (default: 64).")
@click.option("--output-kb", type=click.IntRange(min=1), default=None,
              help="Output kept per cell, kB (default: 100); a notebook keeps 10 times this.")
@click.option("--disk-mb", type=click.IntRange(min=1), default=None,
              help="What one submission may write to disk, MB (default: 256).")
@click.option("--no-sandbox-i-accept-the-risk", "no_sandbox", is_flag=True,
              help="Grade without the bubblewrap sandbox: learners' code then runs with your "
                   "rights and can read the answer key and change scores. Only where bwrap "
                   "cannot run.")
@click.option("--run-answers", is_flag=True,
              help="Run the answer cells in a sandboxed kernel even when the check holds "
                   "clicked answers only (by default those are graded as data, running no "
                   "learner code).")
def autograde(assignment: str, course: Path | None, workers: int | None, force: bool,
              seconds: float | None, memory_mb: int | None, processes: int | None,
              output_kb: int | None, disk_mb: int | None, no_sandbox: bool,
              run_answers: bool) -> None:
    """Autograde every submission of ASSIGNMENT (e.g. 01-check) on every core, each one in
    its own sandbox (bubblewrap) with limits on time, memory, processes, output and disk."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ..grading.cohort import (
        EXPLAIN,
        GRADED,
        autograde_cohort,
        grades_as_data,
        render_table,
        submissions,
    )
    from ..grading.sandbox import Limits, check_sandbox, sandbox_problem

    course = _checked(course, assignment)
    console = Console(stderr=False)
    total = len(submissions(course, assignment))
    if not total:
        raise SystemExit(f"No submissions of {assignment} in {course / 'submitted'}; "
                         f"collect them first (`nbgrader collect {assignment}`).")
    as_data = not run_answers and grades_as_data(course, assignment)
    sandboxed = as_data or check_sandbox(no_sandbox)  # SandboxUnavailable: one sentence
    if as_data:
        console.print("Clicked answers are graded as data: no learner code is run.")
    elif not sandboxed:
        console.print(f"[bold red]WARNING[/]: grading WITHOUT a sandbox: {sandbox_problem()} "
                      "Learners' code runs with your rights.")
    mb = 1024 ** 2
    limits = Limits().with_(
        seconds=seconds, memory=memory_mb and memory_mb * mb, processes=processes,
        cell_output=output_kb and output_kb * 1000,
        notebook_output=output_kb and output_kb * 10_000, disk=disk_mb and disk_mb * mb)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(f"Autograding {assignment}", total=total)
        outcomes = autograde_cohort(course, assignment, workers=workers, force=force,
                                    progress=lambda o: bar.advance(task), limits=limits,
                                     sandboxed=sandboxed, as_data=as_data)
    written = _written_awaiting(course, assignment)
    console.print(render_table(outcomes, title=f"{assignment}: {total} submissions",
                               written=written))
    flagged = [o for o in outcomes if o.status != GRADED]
    console.print(f"{total - len(flagged)} graded cleanly, {len(flagged)} need a look.")
    if sum(written.values()):
        console.print(f"{sum(written.values())} written answer(s) from "
                      f"{sum(1 for n in written.values() if n)} learner(s) await marking: "
                      "open the Formgrader (`coursekit grade formgrader`) › Manual Grading; "
                      "scores above leave them out until marked.")
    for status in sorted({f for o in flagged for f in o.flags}, key=list(EXPLAIN).index):
        what, todo = EXPLAIN[status]
        console.print(f"  [bold]{status}[/]: {what} {todo}")


def _written_awaiting(course: Path, assignment: str) -> dict[str, int]:
    """``{learner: written answers not marked yet}`` ({} when the gradebook cannot say)."""
    from ..errors import GradingError
    from ..grading.export import marks

    try:
        return {s: m.written_awaiting for s, m in marks(course, assignment).items()}
    except GradingError:
        return {}


@grade.command()
@click.argument("assignment")
@_COURSE
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to save the plot (default: COURSE/ASSIGNMENT-summary.png).")
def summary(assignment: str, course: Path | None, out: Path | None) -> None:
    """Per-question difficulty and the most chosen wrong answers; names no learner."""
    from ..grading.summary import MIN_GROUP, class_summary, plot

    course = _checked(course, assignment)
    result = class_summary(course, assignment)
    click.echo(f"{assignment}: {result.submissions} submission(s)")
    for q in result.questions:
        if q.suppressed:
            click.echo(f"  {q.label}: hidden (fewer than {MIN_GROUP} answers)")
            continue
        wrong = ", ".join(f"{v} ({c})" for v, c in q.wrong_answers) or "none shown"
        click.echo(f"  {q.label}: {q.proportion_correct:.0%} of points; wrong answers: {wrong}")
    for w in result.written:
        click.echo(f"  {w.line()}")
    out = out or course / f"{assignment}-summary.png"
    plot(result).savefig(out, dpi=100)
    click.echo(f"plot: {out}")


# -- route 2: no shared machine --------------------------------------------------------------

@grade.command(short_help="Collect the notebooks in a folder or an LMS zip into the course.")
@click.argument("assignment")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@_COURSE
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV with columns in_file_name,learner_id: the name, login or LMS number "
                   "in each file name and the learner id to file it under.")
@click.option("--worksheet", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Moodle: the assignment's grading worksheet (Grading action › Download "
                   "grading worksheet). Every Moodle folder is checked against its "
                   "participants; a team's folder goes to each member it lists.")
@click.option("--moodle-teams", is_flag=True, default=False,
              help="Moodle: SOURCE is a team assignment's download (\"Students submit in "
                   "groups\"): each folder's number is a group id, never a participant's.")
@click.option("--group-column", default=None,
              help="Moodle not in English: the worksheet's group column (e.g. 'Gruppe').")
@click.option("--max-file-mb", type=click.IntRange(min=1), default=50, show_default=True,
              help="Largest notebook taken from SOURCE; a larger one is refused.")
@click.option("--max-total-mb", type=click.IntRange(min=1), default=2048, show_default=True,
              help="Most a zip may expand to in all; files past it are refused.")
@click.option("--max-files", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Most notebooks taken from one zip; the rest are refused.")
def collect(assignment: str, source: Path, course: Path | None, mapping: Path | None,
            worksheet: Path | None, moodle_teams: bool, group_column: str | None,
            max_file_mb: int, max_total_mb: int, max_files: int) -> None:
    """Put the notebooks in SOURCE (a folder or a zip, e.g. an LMS download) into
    COURSE/submitted/<learner id>/ASSIGNMENT/, with nbgrader's zip_collect."""
    from ..errors import GradingError
    from ..grading.arguments import check_source
    from ..grading.collect import IntakeLimits
    from ..grading.collect import collect as do_collect

    limits = IntakeLimits(file_bytes=max_file_mb * 1024 ** 2,
                          total_bytes=max_total_mb * 1024 ** 2, files=max_files)
    try:
        found = _checked(course, assignment)
        check_source(source)  # a damaged zip or a file that is no zip: said before any work
        report = do_collect(found, assignment, source, mapping=mapping, limits=limits,
                            worksheet=worksheet, teams=moodle_teams,
                            group_column=group_column)
    except GradingError as exc:
        raise SystemExit(f"Error: {exc}") from None
    for line in report.lines():
        click.echo(line)
    if not report.collected:
        raise SystemExit("No file was matched to a learner; see the names above.")


@grade.command()
@click.argument("assignment")
@_COURSE
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the files to hand back (default: COURSE/hand-back/ASSIGNMENT).")
def feedback(assignment: str, course: Path | None, out: Path | None) -> None:
    """Write one feedback page per learner (LEARNER-ASSIGNMENT-feedback.html) to hand back."""
    from ..errors import GradingError
    from ..grading.feedback import hand_back

    try:
        result = hand_back(_checked(course, assignment), assignment, out)
    except GradingError as exc:
        raise SystemExit(f"Error: {exc}") from None
    for line in result.lines():
        click.echo(line)


# -- back into the LMS --------------------------------------------------------------------

@grade.command(short_help="Write ASSIGNMENT's grades as the CSV Moodle or Canvas imports.")
@click.argument("assignment")
@_COURSE
@click.option("--lms", type=click.Choice(["moodle", "canvas"], case_sensitive=False),
              required=True, help="The LMS the grades go back into.")
@click.option("--from", "downloaded", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path), default=None,
              help="The file the LMS downloaded: Moodle's grading worksheet, or Canvas's "
                   "gradebook export. Only the grades of collected learners are filled in.")
@click.option("--column", default=None,
              help="Canvas: the assignment's column, as in the gradebook: 'Name (id)'. "
                   "Moodle not in English: the worksheet's grade column (e.g. 'Bewertung').")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the CSV (default: COURSE/lms/ASSIGNMENT-LMS.csv).")
def export(assignment: str, course: Path | None, lms: str, downloaded: Path | None,
           column: str | None, out: Path | None) -> None:
    """Write ASSIGNMENT's grades as the CSV Moodle or Canvas imports (see
    facilitator/grading.md for the clicks in each LMS)."""
    from ..errors import GradingError
    from ..grading.export import export_grades

    try:
        course = _checked(course, assignment)
        out = out or course / "lms" / f"{assignment}-{lms.lower()}.csv"
        result = export_grades(course, assignment, lms, out, downloaded=downloaded,
                               column=column)
    except GradingError as exc:
        raise SystemExit(f"Error: {exc}") from None
    for line in result.lines():
        click.echo(line)


@grade.command("feedback-zip",
               short_help="Zip the feedback pages the way Moodle's feedback upload reads.")
@click.argument("assignment")
@_COURSE
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The zip to write (default: COURSE/hand-back/ASSIGNMENT-moodle-feedback.zip).")
def feedback_zip(assignment: str, course: Path | None, out: Path | None) -> None:
    """Zip every learner's feedback page in the layout Moodle's "Upload multiple feedback
    files in a zip" reads (run `coursekit grade feedback` first)."""
    from ..errors import GradingError
    from ..grading.export import moodle_feedback_zip

    try:
        course = _checked(course, assignment)
        out = out or course / "hand-back" / f"{assignment}-moodle-feedback.zip"
        result = moodle_feedback_zip(course, assignment, out)
    except GradingError as exc:
        raise SystemExit(f"Error: {exc}") from None
    for line in result.lines():
        click.echo(line)


# -- route 3: the Formgrader ---------------------------------------------------------------

@grade.command(context_settings={"ignore_unknown_options": True})
@_COURSE
@click.option("--port", type=int, default=8890, show_default=True)
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@click.argument("lab_args", nargs=-1, type=click.UNPROCESSED)
def formgrader(course: Path | None, port: int, no_browser: bool, lab_args: tuple[str, ...]
               ) -> None:
    """Open nbgrader's Formgrader on the kit's course (JupyterLab started in COURSE).

    Any further options go to JupyterLab (e.g. --IdentityProvider.token=...)."""
    import os
    import subprocess
    import sys

    from ..grading.arguments import check_course

    course = check_course(_course(course))
    args = formgrader_command(course, port=port, open_browser=not no_browser)
    click.echo(f"==> Formgrader: http://localhost:{port}/formgrader (stop with Ctrl+C twice)")
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    raise SystemExit(subprocess.call([*args, *lab_args], cwd=course, env=env))


def formgrader_command(course: Path, *, port: int = 8890, open_browser: bool = True
                       ) -> list[str]:
    """``jupyter lab`` in the course folder (so nbgrader reads its nbgrader_config.py: the
    course root and the exchange), opening the Formgrader page."""
    import os
    import sys

    args = [sys.executable, "-m", "jupyterlab", f"--port={port}",
            f"--ServerApp.root_dir={course}", "--LabApp.default_url=/formgrader",
            f"--ServerApp.open_browser={open_browser}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    return args


@grade.command()
@click.argument("assignment")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the page (default: COURSE/rubrics/ASSIGNMENT-rubric.html).")
@_COURSE
def rubric(assignment: str, out: Path | None, course: Path | None) -> None:
    """Write a printable rubric sheet for ASSIGNMENT's written questions (HTML; print it
    from a browser)."""
    from ..errors import QuestionBankError
    from ..grading.rubrics import write_rubric_sheet
    from ..questionbank import load_bank

    course = _checked(course, assignment)
    lesson = assignment.split("-", 1)[0]
    try:
        bank = load_bank(lesson)
    except QuestionBankError as exc:
        raise SystemExit(f"Error: {exc}") from None
    if not len(bank):
        raise SystemExit(f"Error: {assignment} has no questions; the assignments are "
                         "NN-check, e.g. 01-check")
    out = out or course / "rubrics" / f"{assignment}-rubric.html"
    click.echo(f"rubric sheet: {write_rubric_sheet(bank, assignment, out)}")


# -- route 1: one shared machine -----------------------------------------------------------

@grade.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              default=Path("/srv/nbgrader/exchange"), show_default=True,
              help="The shared exchange folder every learner can write into.")
@click.option("--course-id", default="coursekit", show_default=True)
@click.option("--prefix", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The environment every learner runs (default: this one).")
def exchange(root: Path, course_id: str, prefix: Path | None) -> None:
    """Set up the shared nbgrader exchange on one machine, for every learner at once."""
    from ..errors import GradingError
    from ..grading.exchange import configure

    try:
        written = configure(root, course_id=course_id, prefix=prefix)
    except GradingError as exc:
        raise SystemExit(f"Error: {exc}") from None
    click.echo(f"exchange: {root.resolve()} (course id {course_id})")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("Give every learner their own account on this machine; learners sharing one "
               "account would overwrite each other's submissions.")
