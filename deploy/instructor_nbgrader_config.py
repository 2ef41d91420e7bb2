"""An instructor's ~/nbgrader_config.py on the classroom hub (copy it there; see README).

The course itself is a copy of the kit's facilitator/nbgrader folder in
~/coursekit-course: its own nbgrader_config.py (loaded first) sets the course folder,
the stubs, the time limit and the feedback that explains instead of showing hidden
tests. Then the shared exchange replaces that file's local one.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

COURSE = os.environ.get("COURSEKIT_COURSE_DIR", os.path.expanduser("~/coursekit-course"))
load_subconfig(os.path.join(COURSE, "nbgrader_config.py"))  # noqa: F821 (traitlets)

c.CourseDirectory.root = COURSE
c.Exchange.root = os.environ.get("COURSEKIT_HUB_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("COURSEKIT_HUB_COURSE", "coursekit")
