"""What the grader measures of a running sandbox, from outside it.

The files an answer wrote (its working folder, and the memory-backed ``/tmp`` and
``/dev/shm`` read through the sandbox's ``/proc/PID/root``), the tasks it runs, and the
size of every output message the kernel sends; and the IPython startup file that makes
the kernel itself stop printing past the caps. Used by :mod:`coursekit.grading.sandbox`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CUT_NOTE", "INODE_BYTES", "MAX_CLEARS"]


#: What one file, folder or link costs at least: an empty file holds no block but takes an
#: inode, and millions of them exhaust the host's disk (or the memory under a tmpfs).
INODE_BYTES = 4096


def _size(path: Path) -> int:
    total = 0
    stack = [path]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    total += INODE_BYTES
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


def _own_memory(pid: int, page: int) -> int:
    """A process's share of memory (PSS: pages shared with a forked parent count once
    between them), or its resident size where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * page


def _resident(pid: int) -> int:
    """Memory of every process under ``pid`` together (see :func:`_own_memory`): the
    per-process address limit alone lets an answer fork up to the process limit, each
    child as large as that limit, and fill the host's memory."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack, seen = 0, list(_children(pid)), set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            total += _own_memory(current, page)
            tids = os.listdir(f"/proc/{current}/task")
        except (OSError, ValueError, IndexError):
            continue
        for tid in tids:
            try:
                with open(f"/proc/{current}/task/{tid}/children") as f:
                    stack.extend(int(k) for k in f.read().split())
            except (OSError, ValueError):
                continue
    return total


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(k) for k in f.read().split()]
    except (OSError, ValueError):
        return []


def _memory_disk(pid: int, size: int) -> int:
    """Bytes written to the sandbox's memory-backed folders (``/tmp``, ``/dev/shm``), read
    from outside through its PID 1's root (``/proc/PID/root``). Only a folder whose
    filesystem has the sandbox's own ``size`` is counted: while the sandbox is still being
    set up, its root is the host's, whose ``/tmp`` is not the learner's."""
    total = 0
    for init in _children(pid)[:1]:
        for where in ("tmp", "dev/shm"):
            try:
                st = os.statvfs(f"/proc/{init}/root/{where}")
            except OSError:
                continue
            if abs(st.f_blocks * st.f_frsize - size) > 64 * 1024:
                continue
            total += (st.f_blocks - st.f_bfree) * st.f_frsize
            total += max(0, st.f_files - st.f_ffree - 1) * INODE_BYTES  # the root's own: free
    return total


def _tasks(pid: int) -> int:
    """Tasks (processes and their threads) under ``pid``: what the process limit counts.
    Walks only that subtree through ``/proc/PID/task/TID/children`` (a scan of every
    process on the machine costs tens of milliseconds; this costs well under one)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            tids = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        if current != pid:
            total += len(tids)
        for tid in tids:
            try:
                with open(f"/proc/{current}/task/{tid}/children") as f:
                    stack.extend(int(k) for k in f.read().split())
            except (OSError, ValueError):
                continue
    return total


def _text_size(out) -> int:
    """What one output costs: its text, data and metadata (every kind counts)."""
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    if out.get("output_type") == "error":
        return (len(str(out.get("ename", ""))) + len(str(out.get("evalue", "")))
                + sum(len(str(t)) for t in out.get("traceback") or []))
    data = out.get("data") or {}
    size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
    return size + len(str(out.get("metadata") or {}))


#: clear_output messages one notebook may send; past this they are ignored and reported.
MAX_CLEARS = 1_000


CUT_NOTE = "[output cut by the grader"

#: Written into the sandbox as an IPython startup file: the kernel itself stops writing
#: output past the limits, so that a huge print does not exhaust the kernel's memory on
#: its way out. An answer can undo this; the grader's own cap (``output`` below) still holds.
_KERNEL_CAPS = """\
def _coursekit_caps(cell_cap, book_cap, note):
    import sys
    state = {"cell": 0, "book": 0, "noted": False}
    def reset(*args):
        state["cell"] = 0
        state["noted"] = False
    get_ipython().events.register("pre_execute", reset)
    def wrap(write):
        def capped(text):
            room = min(cell_cap - state["cell"], book_cap - state["book"])
            if isinstance(text, str) and len(text) > room:
                kept = text[:max(room, 0)]
                state["cell"] += len(kept)
                state["book"] += len(kept)
                if not state["noted"]:
                    state["noted"] = True
                    write(kept + note)
                elif kept:
                    write(kept)
                return len(text)
            if isinstance(text, str):
                state["cell"] += len(text)
                state["book"] += len(text)
            return write(text)
        return capped
    for stream in (sys.stdout, sys.stderr):
        stream.write = wrap(stream.write)
_coursekit_caps(%d, %d, %r)
del _coursekit_caps
"""


def _cut(out, keep: int):
    """``out`` with its text cut to ``keep`` characters and a note saying so."""
    note = f"\n{CUT_NOTE}: more than the {keep} characters kept]\n"
    if out.get("output_type") == "stream":
        out["text"] = out.get("text", "")[:max(keep, 0)] + note
        return out
    data = out.get("data") or {}
    text = data.get("text/plain", "")
    text = text if isinstance(text, str) else str(text)
    out["data"] = {"text/plain": text[:max(keep, 0)] + note}
    out["metadata"] = {}
    return out


