"""nbgrader settings for the course kit's lesson checks.

Run every nbgrader command from this folder (facilitator/nbgrader); see
facilitator/grading.md for the steps. The source notebooks under source/ are
generated from the question bank by `coursekit grade generate`: do not edit them by
hand, edit assets/questions/NN.yml and regenerate.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    Execute,
    GetGrades,
    IgnorePattern,
    IncludeHeaderFooter,
    InstantiateTests,
    LimitOutput,
    LockCells,
    SaveAutoGrades,
    SaveCells,
)

from coursekit.exports import NBGRADER_IGNORE
from coursekit.grading.exchange import shared_exchange
from coursekit.grading.inert import MakeInert
from coursekit.grading.offline import configure_feedback
from coursekit.grading.preprocessors import ExplainGrades
from coursekit.grading.rubrics import ClearRubrics

c = get_config()  # noqa: F821 (provided by nbgrader when it reads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE

# Every kernel nbgrader starts marks itself as grading: the answer cells then skip
# building their buttons (coursekit.gradedcheck), which would only cost time. (The
# grading sandbox sets the same variable in its kernels' environment.)
c.Execute.extra_arguments = [
    '--IPKernelApp.exec_lines=import os; os.environ["COURSEKIT_GRADING"] = "1"']
c.CourseDirectory.course_id = "coursekit"

# The exchange: the shared folder `coursekit grade exchange` set up for every account on
# this machine (route 1 in facilitator/grading.md), else a local folder next to this file.
_shared = shared_exchange()
if _shared:
    c.Exchange.root = _shared["root"]
    c.CourseDirectory.course_id = _shared["course_id"]
else:
    # nbgrader never creates the exchange folder; without it the Formgrader cannot
    # release or collect. The local one is only this account's (it is not committed).
    c.Exchange.root = os.path.join(HERE, "exchange")
    os.makedirs(c.Exchange.root, exist_ok=True)
c.Exchange.path_includes_course = True
# Collect only what each learner's own account handed in, never an entry in another
# learner's name or with a time in the future (coursekit.grading.inbound).
c.ExchangeFactory.collect = "coursekit.grading.inbound.CheckedCollect"
# Release with an inbound folder learners can drop work into, but never list nor clear
# out (mode 3733: nbgrader's 2733 plus the sticky bit; coursekit.grading.release).
c.ExchangeFactory.release_assignment = "coursekit.grading.release.InboundRelease"

# A learner's journal export never travels with a submission or a collection, whatever
# folder it was left in (nbgrader's defaults first, then the kit's export names).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            *NBGRADER_IGNORE]

# The stub that replaces each answer key. The learner's line `answer_x = None  # ...`
# sits above the key in the source notebook, so nothing else is needed here.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = ("Your answer from the box above is copied here when you save "
                              "the notebook. (You may also double-click here and type.)")

# An answer that never finishes (an endless loop) is stopped after this many seconds.
c.Execute.timeout = 30
# A single huge output is cut down to this many lines.
c.LimitOutput.max_lines = 200

# Learner work is inert wherever a marker looks (facilitator/grading.md, "What a marker can
# trust"): written answers show as text, outputs lose anything that runs. After the grades
# are saved (they never depend on it), in the autograded notebook the Formgrader shows...
c.Autograde.autograde_preprocessors = [
    Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata, MakeInert,
]
# ...in the Formgrader's own rendering of it (notebooks autograded before this step)...
c.HTMLExporter.preprocessors = [MakeInert]
# ...and in feedback, which shows each question's explanation from the bank, never the
# hidden tests or their tracebacks.
c.GenerateFeedback.preprocessors = [GetGrades, MakeInert, ExplainGrades,
                                    CSSHTMLHeaderPreprocessor]
# Feedback and Formgrader pages load nothing from another host (nbgrader's load MathJax
# from a CDN); no template name is set here, so the Formgrader keeps its grading page.
configure_feedback(c)

# Each written question's rubric sits in its locked question cell. nbgrader's SaveCells
# keeps the cell with the rubric in the gradebook; ClearRubrics then removes it from the
# learners' version. Autograding puts locked cells back from the gradebook (as it does
# for hidden tests), so the Formgrader shows every rubric right above the answer.
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput,
    CheckCellMetadata, ComputeChecksums, SaveCells, ClearRubrics, ClearHiddenTests,
    ClearMarkScheme, ComputeChecksums, CheckCellMetadata,
]
