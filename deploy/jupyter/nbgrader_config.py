"""Global nbgrader settings for every user of the classroom hub (on JUPYTER_CONFIG_PATH).

Learners fetch and submit through one shared exchange folder; the hub sets the two
environment variables from deploy/jupyterhub_config.py.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

c.Exchange.root = os.environ.get("COURSEKIT_HUB_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("COURSEKIT_HUB_COURSE", "coursekit")
# Fetched work lands in ~/coursekit/<assignment>, next to the lessons.
c.Exchange.path_includes_course = True
