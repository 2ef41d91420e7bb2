"""Route 1: release into the shared exchange with an inbound folder learners can only drop into.

nbgrader's release makes ``<exchange>/<course>/inbound`` mode ``2733``: every account may
create an entry there (write and search for others) and none may list it (no read for
others), as nbgrader's documentation asks ("writeable, but not listable, by students").
It leaves out the sticky bit, so a learner who learns or guesses the name of another
learner's entry (``<user>+<assignment>+<time>+<random>``) may rename or delete it.
:class:`InboundRelease` is nbgrader's own release with the inbound folder set, each time,
to :data:`INBOUND_MODE` (``3733``: the sticky bit added, so only an entry's owner, the
folder's owner and root can rename or remove it; setgid kept, so entries take the
course's group). Nothing wider: learners never read the folder. The course's
``nbgrader_config.py`` makes it the releaser of ``nbgrader release_assignment`` and the
Formgrader.
"""

from __future__ import annotations

import os
import stat

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

__all__ = ["INBOUND_MODE", "InboundRelease"]

#: rwx for the folder's owner (the facilitator, who collects), write and search for
#: everyone else (submit), no read for anyone else (no listing of others' entries), setgid
#: (entries take the course's group) and the sticky bit (no one removes another's entry).
INBOUND_MODE = (stat.S_ISVTX | stat.S_ISGID | stat.S_IRWXU | stat.S_IWGRP | stat.S_IXGRP
                | stat.S_IWOTH | stat.S_IXOTH)


class InboundRelease(ExchangeReleaseAssignment):
    """``nbgrader release_assignment`` that leaves the inbound folder at :data:`INBOUND_MODE`."""

    def init_dest(self):
        super().init_dest()
        mode = INBOUND_MODE | (stat.S_IRGRP if self.coursedir.groupshared else 0)
        if stat.S_IMODE(os.stat(self.inbound_path).st_mode) != mode:
            try:
                os.chmod(self.inbound_path, mode)
            except PermissionError:
                self.fail(f"Could not set {self.inbound_path} to mode {mode:o} (learners drop "
                          "their work in, no one lists or removes another's): run the release "
                          "as the folder's owner, or set that mode with chmod")
