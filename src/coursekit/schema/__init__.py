"""Typed schemas for every course data file, and the one validation pass over them.

Each YAML file in ``assets/`` and ``facilitator/sessions/`` has a pydantic model here
(strict: ``01`` is not ``"01"``, unknown fields are refused, so a misspelt field is
caught instead of silently ignored). :func:`check` validates one parsed document and
raises a :class:`~coursekit.errors.ContentError` (or the subclass a loader asks for)
whose message is one sentence: the file, the place (``prompt 2 ('therapy.comparison'):
low``), what is wrong and how to fix it. :func:`validate_all` runs every schema over
the whole kit plus the checks that span files (a lesson's reading exists, a term's
``see_also`` names a term, ...) and returns every problem; ``coursekit lessons lint``,
the test suite and every build command run

This package only re-exports: :mod:`.fields` (shared field types), one module of models
per kind of file (:mod:`.lessons`, :mod:`.questions`, :mod:`.coursedata`,
:mod:`.sessions`), :mod:`.messages` (errors as sentences) and :mod:`.validation`.
"""

from .coursedata import (
    CourseFile,
    EvidenceFile,
    EvidenceLevel,
    GlossaryFile,
    Reading,
    ReadingPart,
    ReadingsFile,
    ReadingSpeed,
    Reference,
    ReferencesFile,
    Resource,
    SupportFile,
    Term,
    WebPage,
    evidence_key,
)
from .fields import (
    LessonId,
    OptionId,
    PromptId,
    QuestionId,
    ReadingId,
    Slug,
    Text,
    Texts,
    Whole,
)
from .lessons import (
    EVIDENCE_SCALE,
    ChecklistPrompt,
    LessonFile,
    Prompt,
    RatingPrompt,
    SortModelEntry,
    SortPrompt,
    TextPrompt,
)
from .messages import (
    describe_errors,
)
from .questions import (
    MatchingQuestion,
    MultipleQuestion,
    Option,
    OrderingQuestion,
    Pair,
    Question,
    QuestionBankFile,
    ShortQuestion,
    SingleQuestion,
    TrueFalseQuestion,
)
from .sessions import (
    STANDING_SHEETS,
    Activity,
    Agreement,
    AgreementsFile,
    CardSet,
    Discussion,
    FacilitatorNotes,
    Format,
    FormatsFile,
    FormatSlot,
    Grounding,
    LikelyQuestion,
    Material,
    Misconception,
    Segment,
    SegmentKind,
    SensitiveMoment,
    SessionPlanFile,
)
from .validation import (
    SCHEMAS,
    check,
    require_valid,
    validate_all,
)
from .validation import _files as _files  # the test suite and benchmarks list the files

__all__ = [
    "EVIDENCE_SCALE",
    "SCHEMAS",
    "STANDING_SHEETS",
    "Activity",
    "Agreement",
    "AgreementsFile",
    "CardSet",
    "ChecklistPrompt",
    "CourseFile",
    "Discussion",
    "EvidenceFile",
    "EvidenceLevel",
    "FacilitatorNotes",
    "Format",
    "FormatSlot",
    "FormatsFile",
    "GlossaryFile",
    "Grounding",
    "LessonFile",
    "LessonId",
    "LikelyQuestion",
    "MatchingQuestion",
    "Material",
    "Misconception",
    "MultipleQuestion",
    "Option",
    "OptionId",
    "OrderingQuestion",
    "Pair",
    "Prompt",
    "PromptId",
    "Question",
    "QuestionBankFile",
    "QuestionId",
    "RatingPrompt",
    "Reading",
    "ReadingId",
    "ReadingPart",
    "ReadingSpeed",
    "ReadingsFile",
    "Reference",
    "ReferencesFile",
    "Resource",
    "Segment",
    "SegmentKind",
    "SensitiveMoment",
    "SessionPlanFile",
    "ShortQuestion",
    "SingleQuestion",
    "Slug",
    "SortModelEntry",
    "SortPrompt",
    "SupportFile",
    "Term",
    "Text",
    "TextPrompt",
    "Texts",
    "TrueFalseQuestion",
    "WebPage",
    "Whole",
    "check",
    "describe_errors",
    "evidence_key",
    "require_valid",
    "validate_all",
]
