"""JupyterHub for one classroom on one server, in the style of The Littlest JupyterHub.

* The kit is installed once for everyone (a clone at ``COURSEKIT_HUB_KIT``, the
  package and its privacy settings in the shared environment: see deploy/README.md).
* Each learner is a system user with their own home; their lessons are copied into
  ``~/coursekit/lessons`` on first start and their private journal lives in
  ``~/.local/share/coursekit`` (folder 0700, file 0600, created by the kit).
* nbgrader's exchange is one shared folder (``COURSEKIT_HUB_EXCHANGE``); the global
  ``nbgrader_config.py`` next to this file names it for every user.

Start it with ``jupyterhub -f deploy/jupyterhub_config.py``. Every setting below can be
changed through the environment variables named in ``SETTINGS``, so the same file
serves a real classroom and the end-to-end test (``tests/hub/``), which loads this
file and then swaps only the authenticator and the spawner (it has no system users).
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it reads this file)

SETTINGS = {
    # name: (default, what it is)
    "COURSEKIT_HUB_KIT": ("/opt/coursekit", "the kit's clone, readable by every user"),
    "COURSEKIT_HUB_EXCHANGE": ("/srv/nbgrader/exchange", "nbgrader's shared exchange folder"),
    "COURSEKIT_HUB_COURSE": ("coursekit", "the nbgrader course id"),
    "COURSEKIT_HUB_INSTRUCTORS": ("", "comma-separated user names that may grade"),
    "COURSEKIT_HUB_ADMINS": ("", "comma-separated hub admins: they can open ANY user's "
                             "server, journal included; keep it to whoever runs the machine"),
    "COURSEKIT_HUB_ALLOWED": ("", "comma-separated learner names (empty: any system user)"),
    "COURSEKIT_HUB_AUTH": ("pam", "pam (system users), or shared-password for a supervised "
                           "one-off workshop (see README: learners could log in as each other)"),
    "COURSEKIT_HUB_IP": ("", "address the proxy listens on ('' is every interface)"),
    "COURSEKIT_HUB_PORT": ("8000", "port the proxy listens on"),
    "COURSEKIT_HUB_STATE": ("/srv/jupyterhub", "where the hub keeps its database and secret"),
}


def setting(name: str) -> str:
    return os.environ.get(name, SETTINGS[name][0]).strip()


def names(value: str) -> set[str]:
    return {n.strip() for n in value.split(",") if n.strip()}


KIT = Path(setting("COURSEKIT_HUB_KIT"))
STATE = Path(setting("COURSEKIT_HUB_STATE"))
INSTRUCTORS = names(setting("COURSEKIT_HUB_INSTRUCTORS"))
ADMINS = names(setting("COURSEKIT_HUB_ADMINS"))
LEARNERS = names(setting("COURSEKIT_HUB_ALLOWED"))

# -- network and state ---------------------------------------------------------------
c.JupyterHub.ip = setting("COURSEKIT_HUB_IP")
c.JupyterHub.port = int(setting("COURSEKIT_HUB_PORT"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# The proxy from npm (`npm ci` in the kit's clone installs configurable-http-proxy).
_chp = KIT / "node_modules" / ".bin" / "configurable-http-proxy"
if _chp.exists():
    c.ConfigurableHTTPProxy.command = [str(_chp)]

# -- who may log in -------------------------------------------------------------------
if setting("COURSEKIT_HUB_AUTH") == "shared-password":
    c.JupyterHub.authenticator_class = "shared-password"
    # Set both in the environment, never in this file: JUPYTERHUB_SHARED_PASSWORD (learners)
    # and JUPYTERHUB_ADMIN_PASSWORD (instructors, at least 32 characters).
    c.SharedPasswordAuthenticator.user_password = os.environ.get("JUPYTERHUB_SHARED_PASSWORD", "")
    c.SharedPasswordAuthenticator.admin_password = os.environ.get("JUPYTERHUB_ADMIN_PASSWORD", "")
else:
    c.JupyterHub.authenticator_class = "pam"
# Hub admins can reach every user's server (and so every journal): instructors are not
# admins. Grading needs no access to anyone's server: submissions come through the exchange.
c.Authenticator.admin_users = ADMINS
if LEARNERS:
    c.Authenticator.allowed_users = LEARNERS | INSTRUCTORS | ADMINS
else:
    c.Authenticator.allow_all = True

# -- each user's server ----------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # one process per user, as that system user
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab/tree/coursekit/lessons/00-start-here.ipynb"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    # Lesson metadata, templates and question banks are read from the shared clone ...
    "COURSEKIT_ROOT": str(KIT),
    # ... and each learner's journal stays in their own home: the kit makes its own folder
    # ~/.local/share/coursekit inside this one (0700, files 0600).
    "COURSEKIT_DATA_DIR": "~/.local/share",
    # The global nbgrader_config.py (exchange folder, course id) lives next to this file.
    "JUPYTER_CONFIG_PATH": str(Path(__file__).resolve().parent / "jupyter"),
    "COURSEKIT_HUB_EXCHANGE": setting("COURSEKIT_HUB_EXCHANGE"),
    "COURSEKIT_HUB_COURSE": setting("COURSEKIT_HUB_COURSE"),
    # nbgrader runs `alembic` by name (its gradebook), so this environment's bin/ comes
    # first on each server's PATH, even when the hub was started without activating it.
    "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                             os.environ.get("PATH", os.defpath)]),
}
# Modest limits for a shared machine; LocalProcessSpawner cannot enforce them (it only
# passes them on as MEM_LIMIT/CPU_LIMIT), SystemdSpawner can (see README).
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60


def home_of(spawner) -> Path:
    """The user's home: from the system user database, or the spawner's own (tests)."""
    home = getattr(spawner, "home_dir", None)
    return Path(home) if home else Path(pwd.getpwnam(spawner.user.name).pw_dir)


def copy_lessons(spawner) -> None:
    """First start: copy the lessons into ``~/coursekit/lessons`` (never over a learner's)."""
    home = home_of(spawner)
    target = home / "coursekit" / "lessons"
    if target.exists() or not (KIT / "lessons").is_dir():
        return
    shutil.copytree(KIT / "lessons", target,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    try:
        entry = pwd.getpwnam(spawner.user.name)
    except KeyError:  # no system user (the test's spawner): nothing to hand over
        return
    for path in [home / "coursekit", *sorted((home / "coursekit").rglob("*"))]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


c.Spawner.pre_spawn_hook = copy_lessons

# -- instructors ----------------------------------------------------------------------
# Instructors grade in their own server (nbgrader's Formgrader, in their course folder
# ~/coursekit-course); they need no hub-wide admin rights beyond seeing the user list.
c.JupyterHub.load_roles = [
    {"name": "coursekit-instructor", "description": "Grades the course with nbgrader",
     "scopes": ["read:users:name", "list:users"], "users": sorted(INSTRUCTORS)},
]
