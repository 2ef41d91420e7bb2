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

__all__ = ["current", "one_transaction", "warm"]

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


class _Transaction:
    """The one database transaction of the submission being graded (see :func:`one_transaction`)."""

    def __init__(self, db_url: str, engine):
        from sqlalchemy.orm import scoped_session, sessionmaker

        self.db_url, self.engine = db_url, engine
        self.courses: set[str] = set()  # course rows checked in this transaction
        self.conn = engine.connect()
        self.trans = self.conn.begin()
        # nbgrader's own session settings; bound to one connection whose transaction nbgrader's
        # commits flush into but never end ("rollback_only"): only this object commits it
        self.db = scoped_session(sessionmaker(
            autoflush=True, bind=self.conn, future=True, join_transaction_mode="rollback_only"))

    def checkpoint(self) -> None:
        """Commit what was written so far and go on in a new transaction (SQLite keeps the
        database locked against other writers from the first write to the commit)."""
        self.db.commit()
        self.trans.commit()
        self.trans = self.conn.begin()

    def end(self, ok: bool) -> None:
        try:
            if ok:
                self.db.commit()
                self.trans.commit()
            else:
                self.db.rollback()
                if self.trans.is_active:
                    self.trans.rollback()
        finally:
            self.db.remove()
            self.conn.close()


_CURRENT: list[_Transaction] = []


def current() -> _Transaction | None:
    """The transaction :func:`one_transaction` opened, if one is open in this process."""
    return _CURRENT[-1] if _CURRENT else None


def _share_one_session() -> None:
    """Make every :class:`~nbgrader.api.Gradebook` opened inside :func:`one_transaction` use
    its session (idempotent). Outside it, Gradebook is nbgrader's own, unchanged."""
    import nbgrader.api as api

    if _WARM.get("shared"):
        return
    gradebook = api.Gradebook
    plain_init, plain_close = gradebook.__init__, gradebook.close

    def __init__(self, db_url, course_id="default_course", authenticator=None):
        tx = current()
        if tx is None or db_url != tx.db_url:
            plain_init(self, db_url, course_id, authenticator)
            return
        self.engine, self.db = tx.engine, tx.db
        if course_id not in tx.courses:  # as nbgrader does on opening; once is enough
            self.check_course(course_id=course_id)
            tx.courses.add(course_id)
        self.course_id, self.authenticator = course_id, authenticator

    def close(self):
        tx = current()
        if tx is None or self.db is not tx.db:
            plain_close(self)

    gradebook.__init__, gradebook.close = __init__, close
    _WARM["shared"] = True


class one_transaction:
    """``with one_transaction(db_url) as tx:``: inside, every Gradebook nbgrader opens in this
    process shares one session on one connection, and nbgrader's commits (one per grade
    and comment, ~28 for a check) only flush into one transaction that is committed when
    the block ends without error, or rolled back (nothing of this submission written
    after the last :meth:`_Transaction.checkpoint`) when it does not. Needs :func:`warm`.

    What is written is what nbgrader writes, by nbgrader's own code: only the number of
    commits changes. One submission's failure loses only that submission's writes."""

    def __init__(self, db_url: str):
        self.db_url = db_url
        self.tx: _Transaction | None = None
        self.ok = True

    def __enter__(self) -> _Transaction:
        import nbgrader.api as api

        warm()
        _share_one_session()
        checked = _WARM.setdefault("checked", set())
        if self.db_url not in checked:  # tables made and checked as nbgrader does, once
            api.Gradebook(self.db_url).close()
            checked.add(self.db_url)
        engine = api.create_engine(self.db_url, echo=False, future=True)  # warm(): the same one
        self.tx = _Transaction(self.db_url, engine)
        _CURRENT.append(self.tx)
        return self.tx

    def fail(self) -> None:
        """Roll back at the end of the block even though nothing was raised (nbgrader reports
        failures in its result, not by raising)."""
        self.ok = False

    def __exit__(self, exc_type, exc, tb) -> None:
        _CURRENT.remove(self.tx)
        self.tx.end(self.ok and exc_type is None)
