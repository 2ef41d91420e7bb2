"""nbgrader's gradebook, kept warm in a grading worker that grades many submissions.

nbgrader opens a new :class:`nbgrader.api.Gradebook` about nine times for every submission
it autogrades (the converter's set-up, then each preprocessor that writes grades), and each
opening builds a new SQLAlchemy engine, lists the tables and checks every one of them
(``create_all``) before its first query. In a worker that stays alive for a whole cohort,
that set-up is the same every time; measured, it was about a third of the CPU time of
grading a submission as data.

:func:`warm` makes those openings cheap, in this process only: one engine per database
URL, reused, and the table check done once per engine. Every query, write and commit
nbgrader makes is unchanged (each Gradebook still has its own session and commits as
before), so the gradebook holds exactly what plain nbgrader writes.
"""

from __future__ import annotations

__all__ = ["warm"]

_WARM: dict = {}


def warm() -> None:
    """Reuse one engine per database URL for every :class:`~nbgrader.api.Gradebook` this
    process opens, and check its tables once (idempotent)."""
    import nbgrader.api as api

    if _WARM:
        return
    engines: dict = {}
    ready: set[int] = set()
    create_engine, inspect = api.create_engine, api.inspect
    create_all = api.Base.metadata.create_all

    def cached_engine(url, **kw):
        key = (str(url), tuple(sorted(kw.items())))
        if key not in engines:
            engines[key] = create_engine(url, **kw)
        return engines[key]

    class _Tables:
        """What ``inspect(engine)`` answers Gradebook, for an engine already checked."""

        def __init__(self, names):
            self._names = names

        def get_table_names(self):
            return list(self._names)

    def cached_inspect(engine):
        if id(engine) in ready:
            return _Tables(api.Base.metadata.tables)
        return inspect(engine)

    def create_all_once(bind=None, **kw):
        if id(bind) not in ready:
            create_all(bind=bind, **kw)
            ready.add(id(bind))

    api.create_engine, api.inspect = cached_engine, cached_inspect
    api.Base.metadata.create_all = create_all_once
    _WARM.update(engines=engines, ready=ready)
