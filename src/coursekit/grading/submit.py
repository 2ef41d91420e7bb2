"""Route 1: ``nbgrader submit`` that leaves a learner's inbound entry to them and the course.

nbgrader's own submit leaves each entry in the shared ``inbound/`` folder open to every
account: the entry's folder mode ``0777`` (so an instructor who is not root can remove it)
and its files, ``submission_secret.txt`` included, readable by all. Only the entry's
name, which no learner can list, hides it; a learner who learns another's name could read
their work, delete or add files in it (sabotage: the collect then refuses it), and with
the secret and the notebook work out where that learner's feedback is released.

:class:`PrivateSubmit` is nbgrader's own submit, then the entry is narrowed to its owner and
the course's group (folders ``0770``, files ``0660``): the inbound folder's setgid bit
(:mod:`coursekit.grading.release`) gives every entry the course's group whatever the
learner's own groups, so the facilitator still reads and removes it. It narrows only when
the facilitator can use that group (the inbound folder's owner is root or in that group);
otherwise, and with ``CourseDirectory.groupshared``, it leaves nbgrader's modes and says
so. :func:`coursekit.grading.exchange.configure` makes it the submitter of every learner
on the machine.
"""

from __future__ import annotations

import os
import stat

from nbgrader.exchange.default.submit import ExchangeSubmit

__all__ = ["ENTRY_DIR_MODE", "ENTRY_FILE_MODE", "PrivateSubmit", "course_group_serves"]

#: An entry's folders: its learner and the course's group, no one else.
ENTRY_DIR_MODE = stat.S_IRWXU | stat.S_IRWXG
#: An entry's files: read and write for its learner and the course's group.
ENTRY_FILE_MODE = stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP


def course_group_serves(inbound: str, entry: str) -> bool:
    """Whether the entry carries the inbound folder's group and the folder's owner (the
    facilitator, who collects) is root or in that group."""
    import grp
    import pwd

    folder, mine = os.stat(inbound), os.stat(entry)
    if mine.st_gid != folder.st_gid:
        return False
    if folder.st_uid == 0:
        return True
    try:
        owner = pwd.getpwuid(folder.st_uid)
    except KeyError:
        return False
    if owner.pw_gid == folder.st_gid:
        return True
    try:
        return owner.pw_name in grp.getgrgid(folder.st_gid).gr_mem
    except KeyError:
        return False


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose inbound entry only its learner and the course can open."""

    def copy_files(self):
        super().copy_files()
        entry = os.path.join(self.inbound_path, self.assignment_filename)
        if self.coursedir.groupshared or not course_group_serves(self.inbound_path, entry):
            self.log.warning("Left %s as nbgrader sets it (open to anyone who learns its "
                             "name): the inbound folder's owner cannot read it through the "
                             "course's group", entry)
            return
        for folder, _dirs, files in os.walk(entry):
            for name in files:
                os.chmod(os.path.join(folder, name), ENTRY_FILE_MODE)
            os.chmod(folder, ENTRY_DIR_MODE)
