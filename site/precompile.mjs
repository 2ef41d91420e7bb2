// Add compiled bytecode to pure-Python wheels, made by the site's own Pyodide (the very
// Python the learner's browser runs), so the kernel does not compile every module of
// IPython, the widgets and the kit at each start.
//
//   node site/precompile.mjs <folder of pyodide.mjs> <folder of wheels>
//
// Each module gains __pycache__/<name>.<cache tag>.pyc beside its source, as an
// unchecked-hash pyc (PEP 552): valid whatever the file times after unpacking. Wheels
// that already hold .pyc files are left alone, and so are modules a kernel does not import
// at start: test suites, and Pygments' hundreds of lexers but Python's (they load one by
// one when asked for; the site stays within its size budget). Jedi's stubs for
// third-party Python 3 packages (typeshed's third_party, Django's) are left out of its
// wheel: none of those packages is in the site, and they were 1,050 of the 3,800 files
// the kernel unpacks at each start (jedi, which IPython's completer imports, keeps the
// standard library's stubs and completes from the installed sources). IPython's
// __init__ imports its terminal's embed() (and with it prompt_toolkit, 116 modules) at
// every kernel start, though a kernel in the page never opens a terminal: in the site's
// IPython, IPython.embed loads when first asked for (LAZY below; about a third of the
// time the kernel spends importing IPython); so does unittest.mock, which piplite needs
// only to install a package (a quarter of a second at each start).
// Prints "<cache tag> <wheel>:<count> ...".
import { pathToFileURL } from "node:url";

const [runtime, wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${runtime}/pyodide.mjs`).href);
const py = await loadPyodide({ indexURL: `${runtime}/`, stdout: () => {}, stderr: () => {} });
py.FS.mkdirTree("/wheels");
py.FS.mount(py.FS.filesystems.NODEFS, { root: wheels }, "/wheels");
console.log(py.runPython(`
import io, os, re, sys, warnings, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc
from importlib.util import source_hash

LEXERS_AT_START = {"__init__.py", "_mapping.py", "python.py"}
# jedi lists typeshed/third_party itself, so its small Python 2 folder stays
UNUSED = ("jedi/third_party/typeshed/third_party/2and3/", "jedi/third_party/typeshed/third_party/3/",
          "jedi/third_party/django-stubs/")
# file in a wheel -> (text that must be there, what replaces it, what is added at the end)
LAZY = {"IPython/__init__.py": (
    "from .terminal.embed import embed\\n", "",
    "\\n\\ndef __getattr__(name):\\n"
    "    # coursekit's browser edition (site/precompile.mjs): the terminal's embed() and\\n"
    "    # prompt_toolkit load when first asked for, not at each start of the kernel\\n"
    "    if name == 'embed':\\n"
    "        from .terminal.embed import embed\\n"
    "        return embed\\n"
    "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')\\n"),
        "piplite/piplite.py": (
    "from unittest.mock import patch\\n", "",
    "\\n\\ndef patch(*args, **kwargs):\\n"
    "    # coursekit's browser edition (site/precompile.mjs): unittest.mock loads at the\\n"
    "    # first install, not at each start of the kernel\\n"
    "    from unittest.mock import patch as mock_patch\\n"
    "    return mock_patch(*args, **kwargs)\\n")}
warnings.simplefilter("ignore")  # a package's own odd escapes are not ours to report
done = [sys.implementation.cache_tag]
for name in sorted(os.listdir("/wheels")):
    if not name.endswith(".whl"):
        continue
    path = f"/wheels/{name}"
    with zipfile.ZipFile(path) as wheel:
        items = [(info, wheel.read(info.filename)) for info in wheel.infolist()]
    if any(info.filename.endswith(".pyc") for info, _ in items):
        continue
    out, count = io.BytesIO(), 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wheel:
        for info, data in items:
            if info.filename.startswith(UNUSED):
                continue
            if info.filename in LAZY:
                old, new, tail = LAZY[info.filename]
                text = data.decode("utf-8")
                if old not in text or f"def {re.search(r'def (\\w+)', tail)[1]}(" in text:
                    raise SystemExit(f"{name}: {info.filename} changed (no {old.strip()!r}); "
                                     "update LAZY in site/precompile.mjs")
                data = (text.replace(old, new, 1) + tail).encode("utf-8")
            wheel.writestr(info, data)
            if not info.filename.endswith(".py") or ".dist-info/" in info.filename:
                continue
            if "/tests/" in info.filename or (info.filename.startswith("pygments/lexers/")
                    and info.filename.rsplit("/", 1)[1] not in LEXERS_AT_START):
                continue
            try:
                code = compile(data, info.filename, "exec", dont_inherit=True)
            except SyntaxError:
                continue
            head, base = os.path.split(info.filename)
            pyc = _code_to_hash_pyc(code, source_hash(data), checked=False)
            wheel.writestr(f"{head}/__pycache__/{base[:-3]}.{sys.implementation.cache_tag}.pyc",
                           bytes(pyc))
            count += 1
    with open(path, "wb") as f:
        f.write(out.getvalue())
    done.append(f"{name}:{count}")
" ".join(done)
`));
