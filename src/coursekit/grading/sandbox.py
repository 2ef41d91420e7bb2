"""Run a learner's notebook kernel inside a bubblewrap sandbox, with limits.

The grader (nbgrader, in a trusted worker process) keeps doing everything it always
did: it reads the submission, restores the test cells, sends each cell to the kernel,
collects the outputs, scores them and writes the gradebook and the autograded files.
Only the kernel, the one place where a learner's code runs, is started inside
``bwrap`` (bubblewrap, the sandbox Flatpak uses):

* a fresh, empty working folder per submission, and nothing else writable; the
  course folder (source, release, gradebook, other learners' files, autograded and
  feedback folders), the facilitator's home and journal are not mounted at all, so
  they cannot be read even by root; only the Python installation, ``/usr`` and a few
  files from ``/etc`` that Python needs are mounted, read-only;
* new PID, network, IPC, UTS and user namespaces: no network, and every process the
  answer starts dies with the sandbox (``--die-with-parent``, PID 1 of the namespace);
* no capabilities, even when the grader runs as root (``--cap-drop ALL``), and no
  nested user namespaces;
* the grader counts the sandbox's processes and threads ten times a second and ends
  the sandbox past the limit (``RLIMIT_NPROC`` is set too, but root is exempt from it);
* resource limits set inside the sandbox before the kernel starts: address space
  (memory), processes, size of any file written, open files, no core dumps.

The kernel talks to the grader over ZeroMQ IPC sockets in the working folder (TCP
loopback does not cross network namespaces). :class:`SandboxedExecute` replaces
nbgrader's ``Execute`` preprocessor: it starts the sandboxed kernel, gives the whole
notebook one wall-clock budget (not only each cell), caps the output bytes it keeps
per cell and per notebook as the messages arrive, and records what limit was hit.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..errors import GradingError
from .watch import (
    _KERNEL_CAPS,
    CUT_NOTE,
    MAX_CLEARS,
    _cut,
    _memory_disk,
    _resident,
    _size,
    _tasks,
    _text_size,
)

__all__ = [
    "Limits",
    "SandboxUnavailable",
    "bwrap_command",
    "check_sandbox",
    "sandbox_problem",
]

_SHIM = (
    "import os,resource as r,sys\n"
    "os.closerange(3,4096)\n"
    "a=sys.argv\n"
    "for name,v in (('RLIMIT_AS',a[1]),('RLIMIT_NPROC',a[2]),('RLIMIT_FSIZE',a[3]),"
    "('RLIMIT_NOFILE',a[4]),('RLIMIT_CORE','0')):\n"
    "    v=int(v)\n"
    "    if v>=0: r.setrlimit(getattr(r,name),(v,v))\n"
    "os.execv(a[5],a[5:])\n"
)


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Every field has a sensible default and can be set
    from the command line (``coursekit grade autograde --help``)."""

    #: wall-clock seconds for the whole notebook (every cell together)
    seconds: float = 120.0
    #: address space of each process in the sandbox, bytes (the kernel uses ~250 MB)
    memory: int = 1024 ** 3
    #: tasks (processes and threads) the sandbox may hold; the kernel uses about 10
    processes: int = 64
    #: output bytes kept per cell, and for the whole notebook
    cell_output: int = 100_000
    notebook_output: int = 1_000_000
    #: largest file the answer may write, and all its files together, bytes
    file_size: int = 64 * 1024 ** 2
    disk: int = 256 * 1024 ** 2
    #: open files per process
    open_files: int = 256

    def deadline(self) -> float:
        """Seconds after which the grader gives up on a submission altogether: the
        notebook's budget plus time for nbgrader's own work and the kernel's start."""
        return self.seconds + 60.0

    def as_dict(self) -> dict:
        return asdict(self)

    def with_(self, **changes) -> Limits:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class SandboxUnavailable(GradingError):
    """No working sandbox on this machine; the message says why and what to do."""


# -- which paths the kernel sees ---------------------------------------------------------------

def _python_roots() -> list[Path]:
    """The folders a Python kernel needs to read: the environment and the installation it
    was made from (resolved, so that symlinked interpreters work)."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(sys.base_exec_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(Path(path))
    out: list[Path] = []
    for root in sorted({Path(os.path.realpath(r)) for r in roots if r.exists()} |
                       {r for r in roots if r.exists()}, key=lambda p: len(p.parts)):
        if str(root) in ("/", "/usr") or any(root.is_relative_to(o) for o in out):
            continue
        out.append(root)
    return out


_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
        "nsswitch.conf", "mime.types")


def bwrap_command(work: Path, limits: Limits, bwrap: str = "bwrap") -> list[str]:
    """The ``bwrap`` arguments that run a command in ``work`` and nothing else writable.

    ``work`` is mounted at the same path inside (so the kernel's IPC socket paths are the
    same on both sides) and is the working folder and ``HOME``."""
    work = Path(work)
    cmd: list[str] = []
    # a user namespace of its own with no capabilities in it (root in the sandbox could
    # otherwise remount the read-only folders writable), and no nested namespaces
    cmd += [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]
    # /tmp first, so that a Python or environment kept under /tmp is mounted over it
    # (memory-backed: it has a size, and the grader counts it toward the disk limit)
    cmd += ["--size", str(limits.disk), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), str(host)]
    for name in _ETC:
        cmd += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for root in _python_roots():
        if not root.is_relative_to("/usr"):
            cmd += ["--ro-bind", str(root), str(root)]
    # the kit's own package, if installed into the environment, is hidden: its helpers
    # would look for the kit's folder, which is not there (answer cells skip them)
    kit = Path(__file__).resolve().parents[1]
    if any(kit.is_relative_to(r) for r in _python_roots()):
        cmd += ["--tmpfs", str(kit)]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.disk), "--tmpfs", "/dev/shm",
            "--bind", str(work), str(work), "--chdir", str(work),
            # the sandbox's own root is memory too: nothing may be written there
            "--remount-ro", "/"]
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(work), "TMPDIR": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
        "IPYTHONDIR": str(work / ".ipython"), "MPLCONFIGDIR": "/tmp/matplotlib",
        "MPLBACKEND": "agg", "JUPYTER_PLATFORM_DIRS": "1",
        "COURSEKIT_GRADING": "1",  # the graded check's answer cells skip their buttons
        # as nbgrader sets it for the kernels it starts itself
        "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
    }
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--", sys.executable, "-I", "-S", "-c", _SHIM, str(limits.memory),
            str(limits.processes), str(limits.file_size), str(limits.open_files)]
    return cmd


def launch_args(cmd: list[str]):
    """``(argv, file)``: ``cmd`` (from :func:`bwrap_command`) with bwrap's options passed
    through a file descriptor (``--args``), so that the sandbox's PID 1, which any answer
    can read in ``/proc/1/cmdline``, shows no host folder. Keep ``file`` open until bwrap
    has started, and pass its descriptor (``pass_fds``)."""
    split = cmd.index("--")
    options = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    options.write(b"\0".join(os.fsencode(a) for a in cmd[1:split]) + b"\0")
    options.seek(0)
    return [cmd[0], "--args", str(options.fileno()), *cmd[split:]], options


#: The environment bwrap itself starts with: nothing of the grader's (the sandbox's PID 1
#: is bwrap, and any answer can read its /proc/1/environ); the kernel's own variables are
#: set inside with --setenv.
BWRAP_ENV: dict[str, str] = {}

#: What bubblewrap says when the kernel does not let it create namespaces.
_NAMESPACE_WORDS = ("namespace", "uid map", "setting up uid", "Operation not permitted",
                    "No permissions", "userns")


def _why_bwrap_failed(message: str) -> str:
    cause = message.strip().splitlines()[-1:] or ["no message"]
    cause = cause[0].removeprefix("bwrap: ")[:240]
    if any(word.lower() in message.lower() for word in _NAMESPACE_WORDS):
        return (f"bubblewrap is installed but could not start a sandbox ({cause}). "
                "It needs user namespaces: on Ubuntu 24.04 and later allow them for bwrap "
                "(an AppArmor profile), elsewhere `sysctl kernel.unprivileged_userns_clone=1`.")
    return (f"bubblewrap could not start a sandbox: {cause}. Fix what it names (a folder "
            "it could not mount, a missing file) and try again.")


@functools.cache
def sandbox_problem() -> str | None:
    """``None`` when a kernel can be sandboxed on this machine; otherwise one sentence
    saying why not and what to do."""
    if sys.platform != "linux":
        return (f"the grading sandbox needs Linux; this machine runs {sys.platform}. "
                "Grade on a Linux machine with bubblewrap installed.")
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return ("bubblewrap (the `bwrap` command) is not installed, so learners' code would "
                "run with your own rights. Install it: `sudo apt-get install bubblewrap` "
                "(Debian, Ubuntu) or `sudo dnf install bubblewrap` (Fedora).")
    work = Path(tempfile.mkdtemp(prefix="ck-probe-"))
    canary = Path(tempfile.mkdtemp(prefix="ck-canary-")) / "secret"
    canary.write_text("the sandbox must not see this")
    try:
        probe = ("import os,sys;open('ok','w').write(str(os.getpid()));"
                 f"sys.exit(3 if os.path.exists({str(canary)!r}) else 0)")
        argv, options = launch_args([*bwrap_command(work, Limits(), bwrap), sys.executable,
                                     "-c", probe])
        with options:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                                  env=dict(BWRAP_ENV),
                                  pass_fds=(options.fileno(),))
        if done.returncode == 3:
            return "the sandbox could still see files outside it; it would not protect them."
        if done.returncode != 0 or not (work / "ok").is_file():
            return _why_bwrap_failed(done.stderr or done.stdout)
        if (work / "ok").read_text() != "2":  # bwrap's init is PID 1, the command PID 2
            return "the sandbox started without its own process namespace."
    except (OSError, subprocess.SubprocessError) as exc:
        return f"the sandbox could not be started ({exc})."
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(canary.parent, ignore_errors=True)
    return None


def check_sandbox(allow_unsandboxed: bool) -> bool:
    """Whether to grade in the sandbox. Raises :class:`SandboxUnavailable` when there is
    none and the facilitator has not accepted the risk."""
    problem = sandbox_problem()
    if problem is None:
        return True
    if allow_unsandboxed:
        return False
    raise SandboxUnavailable(
        f"Grading refused: {problem} Without the sandbox an answer can read the answer key and "
        "the gradebook, change other learners' scores, and reach your files. To grade anyway, "
        "at your own risk, pass --no-sandbox-i-accept-the-risk.")


# -- the kernel manager and the execute preprocessor ------------------------------------------

#: What the last notebook's execution ran into, read by the cohort worker after each
#: submission: a list of ``(status, detail)``. Kept in this trusted process only.
EVENTS: list[tuple[str, str]] = []

TIMED_OUT = "timed out"
MEMORY = "used too much memory"
OUTPUT_CUT = "output cut"
PROCESSES = "too many processes"
DISK = "wrote too much to disk"


def _kernel_manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class SandboxedKernelManager(AsyncKernelManager):
        """Starts the kernel inside bwrap, talks to it over IPC in the work folder, and
        interrupts it with a message (a signal cannot cross into the sandbox's session)."""

        work: Path
        limits: Limits

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return bwrap_command(self.work, self.limits, shutil.which("bwrap") or "bwrap") + cmd

        async def _async_interrupt_kernel(self) -> None:
            if self.has_kernel:
                msg = self.session.msg("interrupt_request", content={})
                self._connect_control_socket()
                self.session.send(self._control_socket, msg)

        interrupt_kernel = _async_interrupt_kernel

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # the kernel's own banner and warnings say nothing to a facilitator
            kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
            # bwrap itself, and so the sandbox's PID 1 (whose /proc/1/environ an answer can
            # read), gets no variable of the grader's: the kernel's are set by --setenv
            kw["env"] = dict(BWRAP_ENV)
            argv, options = launch_args(kernel_cmd)
            kw["pass_fds"] = (options.fileno(),)
            with options:
                return await super()._async_launch_kernel(argv, **kw)

        @property
        def sandbox_pid(self) -> int | None:
            process = getattr(self.provisioner, "process", None)
            return getattr(process, "pid", None)

    return SandboxedKernelManager


@functools.cache
def sandboxed_execute_class():
    """nbgrader's ``Execute`` preprocessor with the kernel in the sandbox (built lazily so
    that importing this module does not import nbgrader)."""
    from nbclient.exceptions import CellTimeoutError
    from nbgrader.preprocessors import Execute
    from traitlets import Bool
    from traitlets import Dict as TDict

    class SandboxedExecute(Execute):
        limits = TDict({}, help="Limits fields (see coursekit.grading.sandbox.Limits)").tag(
            config=True)
        use_sandbox = Bool(True, help="Run the kernel in bubblewrap (False only when the "
                                      "facilitator accepted the risk)").tag(config=True)

        def _limits(self) -> Limits:
            return Limits(**self.limits)

        def preprocess(self, nb, resources=None, km=None):
            limits = self._limits()
            work = Path(tempfile.mkdtemp(prefix="ck-"))  # short: IPC paths have a length limit
            self._work, self._lim = work, limits
            self._kept_nb = 0
            self._clears = 0
            self._kept_cell: dict[int, int] = {}
            self._cut_cells: set[int] = set()
            self._stopped_by: str | None = None
            self._deadline = time.monotonic() + limits.seconds
            self.kernel_name = "python3"  # never a kernel named by the submission
            startup = work / ".ipython" / "profile_default" / "startup"
            startup.mkdir(parents=True)
            (startup / "00-coursekit-limits.py").write_text(_KERNEL_CAPS % (
                max(limits.cell_output - 200, 0), max(limits.notebook_output - 200, 0),
                f"\n{CUT_NOTE}: more than {limits.cell_output} characters]\n"))
            if self.use_sandbox:
                # the notebook's own folder is in the course folder: never the kernel's cwd
                resources = dict(resources or {})
                resources["metadata"] = {**resources.get("metadata", {}), "path": str(work)}
            self._km = self._proc = None
            stop = threading.Event()
            watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
            watcher.start()
            try:
                return super().preprocess(nb, resources)
            except CellTimeoutError:
                EVENTS.append((TIMED_OUT, "an answer kept running after it was asked to stop"))
                raise
            finally:
                stop.set()
                watcher.join(5)
                self._report(nb)
                self._kill()
                shutil.rmtree(work, ignore_errors=True)

        def create_kernel_manager(self):
            if not self.use_sandbox:
                self._km = super().create_kernel_manager()
                return self._km
            cls = _kernel_manager_class()
            self.km = cls(config=self.config, transport="ipc", ip=str(self._work / "k"),
                          connection_file=str(self._work / "kernel.json"),
                          kernel_name="python3")
            self.km.work, self.km.limits = self._work, self._lim
            self._km = self.km
            return self.km

        # the whole notebook shares one budget: no cell may run past it
        def _get_timeout(self, cell):
            left = max(1, int(self._deadline - time.monotonic() + 0.999))
            own = super()._get_timeout(cell)
            return left if own is None else min(own, left)

        def _watch(self, stop: threading.Event) -> None:
            """Kill the sandbox when the notebook runs past its budget (with grace for a
            kernel that ignores interrupts) or its files grow past the disk limit."""
            hard = self._deadline + 15
            while not stop.wait(0.1):
                if self._proc is None:
                    self._proc = getattr(getattr(self._km, "provisioner", None), "process", None)
                if self._proc is not None and _tasks(self._proc.pid) > self._lim.processes:
                    self._stopped_by = PROCESSES
                    self._kill()
                    return
                if self._proc is not None and _resident(self._proc.pid) > self._lim.memory:
                    self._stopped_by = MEMORY  # all its processes together, not each one
                    self._kill()
                    return
                written = _size(self._work)
                if self._proc is not None:
                    written += _memory_disk(self._proc.pid, self._lim.disk)
                if written > self._lim.disk:
                    self._stopped_by = DISK
                    self._kill()
                    return
                if time.monotonic() > hard:
                    self._stopped_by = TIMED_OUT
                    self._kill()
                    return

        def _kill(self) -> None:
            """Kill bwrap if it still runs: its PID namespace, and every process the
            answer started, dies with it."""
            process = self._proc or getattr(getattr(self._km, "provisioner", None), "process",
                                            None)
            if process is not None and process.poll() is None:
                with contextlib.suppress(OSError):
                    process.kill()

        def clear_output(self, outs, msg, cell_index):
            self._clears = getattr(self, "_clears", 0) + 1
            if self._clears > MAX_CLEARS:  # a flood: kept outputs stay, counted as cut
                self._cut_cells.add(cell_index)
                return None
            return super().clear_output(outs, msg, cell_index)

        def _update_display_id(self, display_id, msg):
            content = msg.get("content") or {}
            size = _text_size({"output_type": "display_data", "data": content.get("data"),
                               "metadata": content.get("metadata")})
            if size > self._lim.cell_output or self._kept_nb + size > self._lim.notebook_output:
                self._cut_cells.update(self._display_id_map.get(display_id, {}).keys())
                return None  # the displayed output keeps its earlier, smaller value
            self._kept_nb += size
            return super()._update_display_id(display_id, msg)

        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            if out is None or out.get("output_type") == "error":
                # errors decide the score: always kept, but short
                if out is not None and _text_size(out) > min(self._lim.cell_output, 20_000):
                    out["ename"] = str(out.get("ename", ""))[:200]
                    out["evalue"] = str(out.get("evalue", ""))[:2000] + f" {CUT_NOTE}]"
                    out["traceback"] = [str(t)[:2000] for t in (out.get("traceback")
                                                               or [])[-5:]]
                    self._cut_cells.add(cell_index)
                return out
            if len(str(out.get("metadata") or {})) > 2_000:  # metadata is never needed
                out["metadata"] = {}
                self._cut_cells.add(cell_index)
            size = _text_size(out)
            used = self._kept_cell.get(cell_index, 0)
            room = min(self._lim.cell_output - used, self._lim.notebook_output - self._kept_nb)
            if size > room:
                self._cut_cells.add(cell_index)
                if room <= 0:
                    outs.remove(out)
                    return None
                _cut(out, room)
                size = room
            self._kept_cell[cell_index] = used + size
            self._kept_nb += size
            return out

        def _report(self, nb) -> None:
            if self._stopped_by == PROCESSES:
                EVENTS.append((PROCESSES, f"it started more than {self._lim.processes} "
                                          "processes and threads"))
            elif self._stopped_by == DISK:
                EVENTS.append((DISK, f"its files grew past {self._lim.disk // 1024 ** 2} MB"))
            elif self._stopped_by == MEMORY:
                EVENTS.append((MEMORY, "its processes together held more than "
                                       f"{self._lim.memory // 1024 ** 2} MB"))
            elif self._stopped_by == TIMED_OUT:
                EVENTS.append((TIMED_OUT, f"it ran past {self._lim.seconds:g} s"))
            cut = set(self._cut_cells)
            for index, cell in enumerate(nb.cells):
                if any(CUT_NOTE in out.get("text", "") for out in cell.get("outputs", [])):
                    cut.add(index)
            if cut:
                EVENTS.append((OUTPUT_CUT, "output cut in cell(s) " + ", ".join(
                    str(i + 1) for i in sorted(cut))))
            for index, cell in enumerate(nb.cells):
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "stream":
                        text = out.get("text", "")
                        if "MemoryError" in text and out.get("name") == "stderr":
                            EVENTS.append((MEMORY, f"cell {index + 1} ran out of memory"))
                    if out.get("output_type") != "error":
                        continue
                    name, value = out.get("ename", ""), str(out.get("evalue", ""))
                    where = f"cell {index + 1}"
                    if name == "CellTimeoutError":
                        EVENTS.append((TIMED_OUT, f"{where} ran out of time"))
                    elif name == "MemoryError":
                        EVENTS.append((MEMORY, f"{where} asked for more than "
                                               f"{self._lim.memory // 1024 ** 2} MB"))
                    elif "Resource temporarily unavailable" in value or (
                            name == "RuntimeError" and "can't start new thread" in value):
                        EVENTS.append((PROCESSES, f"{where} started more than "
                                                  f"{self._lim.processes} processes"))
                    elif "File too large" in value or "No space left" in value:
                        EVENTS.append((DISK, f"{where} wrote a file past the limit"))

    return SandboxedExecute
