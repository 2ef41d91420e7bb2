"""The words that make a sentence speak for several readings at once.

:data:`AGREEMENT` finds a statement of agreement in a claim that carries ``said_by:``;
:data:`GUIDE_AGREEMENT` finds one in text that carries none (hand-typed lesson guides,
session scripts, the glossary, the kit's pages); :func:`claimed_count` reads how many
readings a sentence counts ("all five", "both"); :data:`UNIVERSAL` marks a claim for every
reading at once; :func:`plain` reads Markdown as its words. :mod:`coursekit.provenance`
checks such sentences against who says them. Every phrasing here was found in the kit or
by an attack (tests/test_provenance_phrasings*.py, tests/test_provenance_attack.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["AGREEMENT", "COUNTED", "GUIDE_AGREEMENT", "UNIVERSAL", "claimed_count", "plain"]


class _LazyPattern:
    """A regular expression compiled on first use: the linter's patterns below are long,
    and a lesson, which only renders claims, never needs them."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags

    @property
    def compiled(self) -> re.Pattern:
        return _compile(self.pattern, self.flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


@cache
def _compile(pattern: str, flags: int) -> re.Pattern:
    return re.compile(pattern, flags)

#: Words that make a statement speak for several readings at once: quantifiers over the
#: readings ("all three", "each of the authors", "every reading", "neither article", "they
#: all"), collective subjects with a verb of saying ("the articles concur", "the literature
#: agrees", "the authors share"), and words of consensus ("consensus", "unanimous", "across
#: the readings", "without exception").
_GROUP = (r"(?:readings|articles|authors|writers|texts|views|sources|literature|experts|"
          r"pieces|parts|voices)")
_SAYING = (r"(?:agree|agrees|agreed|concur|concurs|share|shares|say|says|hold|holds|put|puts|"
           r"make|makes|see|sees|treat|treats|warn|warns|argue|argues|accept|accepts|deny|"
           r"denies|doubt|doubts|dispute|disputes|question|questions|reject|rejects|insist|insists|stress|stresses|tie|ties|describe|describes|"
           r"recommend|recommends|advise|advises|speak|speaks|offer|offers|tell|tells|want|wants|are "
           r"unanimous|are of one mind|converge|converges|line up|"
           # attack s3: "the articles trace traits to...", "are agreed", "are in step"
           r"trace|traces|link|links|use|uses|call|calls|write|writes|assume|assumes|"
           r"overlap|coincide|are agreed|are in step|are aligned|say the same|"
           r"point the same way|point in the same direction)")
#: Phrasings found by attack (tests/test_provenance_attack.py) that speak for several readings
#: without the words above: numerals ("all 5 articles", "5 of 5"), a group with no article
#: ("all readings"), a quantifier with no verb of saying ("each author, in their own way,
#: ..."), whole-collection and negated subjects ("the whole collection", "not one of the
#: readings", "no author", "nobody in the readings", "everyone here"), and words of accord
#: ("united", "in accord", "common ground", "as one", "alike", "to a person").
_SINGLE = r"(?:article|reading|author|writer|text|source|piece|columnist|voice)"
_BLAME = r"(?:blames?|faults?|excuses?|disputes?|denies|deny|doubts?|questions?|rejects?)"
_EXTRA = (
    r"all \d+\b|\b(?:\d+|two|three|four|five|six) (?:out )?of (?:the )?"
    r"(?:\d+|two|three|four|five|six)\b|"
    rf"(?:the|these|those) \d+ {_GROUP}\b|"
    rf"all (?:of )?(?:our |its |their |the |these |those )?{_GROUP}\b|"
    rf"(?:each|every) (?:other )?{_SINGLE}(?:,[^,]{{1,40}},)? (?:\w+ ){{0,3}}?"
    rf"(?:{_SAYING}|{_BLAME})\b|every other {_SINGLE}\b|"
    r"(?:the )?(?:whole|entire) collection|collection as a whole|"
    rf"not (?:a single|one) (?:of (?:the |these |those |them)?)?(?:{_GROUP}|{_SINGLE})?\b"
    rf"(?: \w+){{0,2}}? (?:{_SAYING}|{_BLAME})\b|"
    rf"(?:none|neither) of (?:them|(?:the|these|those)(?: \w+){{1,3}}?)(?:,[^,]{{1,40}},)? "
    rf"(?:\w+ ){{0,2}}?(?:{_SAYING}|{_BLAME})\b|"
    rf"neither {_SINGLE} {_BLAME}\b|"
    rf"no (?:single )?{_SINGLE}s? (?:here |in the \w+ )?(?:{_SAYING}|{_BLAME})\b|"
    r"(?:nobody|no one|everyone|everybody)(?: \w+){0,2}? (?:in|among|across|of) "
    rf"(?:the |these |those )?(?:five |three |two )?{_GROUP}\b|"
    r"\b(?:everyone|everybody) here\b|"
    rf"(?:no one|nobody) (?:\w+ )?{_BLAME}\b|"
    rf"{_GROUP} (?:are |stand )?united\b|in accord\b|common ground (?:that|on|is that)|"
    r"\bis common ground|speak as one|as one voice|with one voice|"
    rf"(?:{_GROUP}|pessimists|optimists|sceptics|skeptics|doubters|hopeful \w+) alike\b|"
    r", to a (?:person|man|woman|writer),|agreement (?:among|between|across)|"
    r"there is agreement|(?:pessimists|optimists|hopeful \w+|doubters|sceptics|skeptics) "
    r"and (?:the )?(?:pessimists|optimists|hopeful|doubters|sceptics|skeptics)|"
    # attack s3 (tests/test_provenance_phrasings_s3.py): "one and all", "as a whole", "the
    # whole set of articles", "whichever article", "no reading that does not", "most
    # readings put", "several of the articles trace", "the hopeful and pessimistic authors
    # largely agree", "the readings, pessimistic or hopeful, put"
    r"\bone and all\b|"
    rf"{_GROUP} (?:taken )?as a whole\b|"
    rf"(?:whole|entire|full) set of (?:the |these )?(?:\w+ )?{_GROUP}\b|"
    rf"\b(?:whichever|whatever) (?:{_SINGLE}|{_GROUP})\b|"
    rf"\bno {_SINGLE} (?:that |which )?(?:does not|doesn't|fails to)\b|"
    rf"\b(?:most|several|many|some) (?:of (?:the|these|those) )?(?:\w+ )?{_GROUP},? "
    rf"(?:\w+ ){{0,2}}?{_SAYING}\b|"
    r"\b(?:hopeful|pessimistic|optimistic|sceptical|skeptical)(?: \w+)?,? (?:and|or) (?:the )?"
    r"(?:hopeful|pessimistic|optimistic|sceptical|skeptical)\b(?: \w+)?,? "
    rf"(?:\w+ ){{0,2}}?(?:{_SAYING}|alike|both|all)\b|"
    # "all agree", "everyone agrees", "no dissenting voice", "there is no disagreement", "the
    # readings do not disagree", "what unites the articles", "a point of agreement", "the
    # articles echo each other", "on the same page", "widely held", "like the others"
    r"(?<![\"“'‘])\b(?:all (?:agree|say|hold|concur)|(?:everyone|everybody) (?:agrees|says|"
    r"holds|concurs))\b(?! to\b)|(?:without|no) (?:a )?dissenting (?:voice|view|word)|"
    r"\b(?:there is|there's|with) no (?:real )?disagreement\b|"
    rf"{_GROUP} (?:do not|don't|never|did not) (?:disagree|differ)\b|"
    r"(?:nobody|no one) (?:disagrees|differs)\b|"
    rf"\bunites? (?:the |these |those |all )?(?:\w+ )?{_GROUP}\b|"
    r"\bpoint of (?:agreement|consensus)|\bshared conclusion|"
    rf"{_GROUP} (?:echo|back|support|mirror|confirm|reinforce)s? (?:each other|one another)\b|"
    rf"{_GROUP} (?:\w+ ){{0,2}}?(?:on|take|takes|hold|holds) the same (?:page|side|line|view|"
    rf"position)\b|{_GROUP} (?:are|is) (?:all )?consistent\b|"
    r"\b(?:widely|universally|generally) (?:agreed|accepted|held) (?:in|among|across|by) "
    rf"(?:the |these |those )?(?:\w+ )?{_GROUP}\b|"
    r"\b(?:agree|agrees|sides?) with (?:all )?the (?:others|rest)\b|"
    r"\blike (?:all )?the (?:others|rest)\b|\bjoins the (?:others|rest)\b|"
    r"(?<=\()(?:all|each) (?:of them|five|four|three|two|six)\)"
)
#: Words between a collective subject and its verb ("the readings all say", "never doubt").
_ADVERB = (r"(?:all |both |each |here |too |also |broadly |largely |mostly |generally |never |"
           r"always |consistently |often |usually |typically )?")
AGREEMENT = _LazyPattern(
    r"\b(all (?:five|four|three|two|six|seven|the|of them|of the|of these|these|those)\b|"
    r"(?:each|every) (?:single )?(?:article|reading|author|writer|text|view|source|piece|part|one)"
    rf"(?: \w+){{0,3}}? {_SAYING}\b|"
    r"(?:each|every|any) (?:one )?of (?:the|them|these|those)\b|"
    rf"(?:the|these|those|our|its|their) (?:[\w'’]+ ){{0,2}}{_GROUP} {_ADVERB}{_SAYING}\b|"
    rf"{_GROUP},? (?:all|both|alike|together)\b|"
    r"they (?:all|both|each)\b|(?:they|we|you) agree\b|(?<!dis)agree (?:that|on|about|with each)|"
    r"both (?:articles|readings|authors|writers|texts|views|parts|of them|sides|say|hold|agree)\b|"
    r"(?:none|neither) of (?:them|the|these|those)\b|"
    r"neither (?:article|reading|author|writer|text|view|piece|part|side)\b|"
    r"no (?:other )?(?:one|article|reading|author|writer|text) (?:\w+ )?(?:promises|says|claims|"
    r"thinks|believes|doubts|disputes|denies|points|names|cites|offers|gives)|"
    r"consensus|unanimous\w*|concur\w*|in agreement|of one mind|speak with one voice|"
    r"common view|shared view|without exception|in common|"
    rf"(?<!\w )(?<!\w)both {_SAYING}\b|"  # "Both warn...", not "Saeed and Raypole both warn"
    rf"across (?:all |the |these |those )?(?:five |three |two |six )?{_GROUP}\b|"
    r"across (?:all |the |these )?(?:five|three|two|six)\b|" + _EXTRA + ")", re.I)

#: A claim that several readings hold a view, for text that carries no ``said_by:`` (hand-typed
#: lesson guides, session scripts, glossary entries): a quantifier or a collective subject
#: followed by a verb of saying ("every article here puts", "they all say", "the articles
#: concur", "the literature agrees", "each of the authors puts", "neither reading doubts"), or
#: a word of consensus. Such a sentence passes only when it names the readings it speaks for
#: (at least two of them by name: "both Saeed and Raypole tell...").
_QUANT = (r"(?:all (?:five|four|three|two|six|the \w+|of them|of the [\w'’]+|these \w+)|"
          r"(?:each|every) (?:single )?(?:article|reading|author|writer|text|view|source|one)"
          r"(?: of (?:the|them|these) \w+)?|"
          r"(?:each|every|any) (?:one )?of (?:the|them|these) [\w'’]+|they (?:all|both|each)|"
          r"both (?:articles|readings|authors|writers|texts|of them)|"
          r"(?:none|neither) of (?:them|(?:the|these) \w+)|"
          r"neither (?:article|reading|author|writer|text)|"
          r"no (?:other )?(?:article|reading|author|writer|text))")
GUIDE_AGREEMENT = _LazyPattern(
    rf"\b({_QUANT} (?:\w+ ){{0,2}}?{_SAYING}\b|"
    rf"(?:the|these|those) (?:[\w'’]+ ){{0,2}}{_GROUP} {_ADVERB}{_SAYING}\b|"
    r"(?<!false )consensus|unanimous\w*|concur\w*|in agreement|of one mind|in common|"
    rf"(?<!\w )(?<!\w)both {_SAYING}\b|"
    r"speak with one voice|without exception|"
    rf"across (?:all |the |these |those )?(?:five |three |two |six )?{_GROUP}\b|"
    r"across (?:all |the |these )?(?:five|three|two|six)\b|" + _EXTRA + ")", re.I)


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
COUNTED = re.compile(r"\b(?:all|each of the|each of these|every one of the|all of the|"
                      r"none of the|the|these|those|(?:\w+|\d+) (?:out )?of(?: the)?)\s+"
                      r"(two|three|four|five|six|seven|\d+)\b", re.I)


def claimed_count(sentence: str) -> int | None:
    """How many readings a statement of agreement claims to speak for, by its own words:
    "all five agree" 5, "the three articles" 3, "both"/"neither" 2 (None: it gives no count).
    Its speakers must number at least that many, whatever else the sentence names."""
    agreement = AGREEMENT.search(sentence) or GUIDE_AGREEMENT.search(sentence)
    if not agreement:
        return None
    counted = COUNTED.search(sentence)
    if counted:
        word = counted.group(1).lower()
        return int(word) if word.isdigit() else _COUNTS[word]
    if re.search(r"\b(?:both|neither)\b", agreement.group(0), re.I):
        return 2
    return None


#: Markdown that can sit inside a claim and hide it from the patterns: a link's target
#: ("the [readings](x.md) agree"), emphasis and code marks ("*The readings* agree").
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")


def plain(text: str) -> str:
    """The words of Markdown text as a reader reads them (links as their text, no emphasis)."""
    return _MARKS.sub("", _LINK.sub(r"\1", text))


#: A claim for every reading at once ("every writer", "all the readings", "no author", "across
#: the readings"): naming two readings beside it does not make it true of the rest ("From part
#: 1 to Raypole, every writer..."), so such a sentence names them all, or says how many it
#: speaks for ("all three": then it names those three).
UNIVERSAL = re.compile(r"\b(?:all|every|each|none|no|not one|nobody|no one|everyone|everybody|"
                        r"across|whole|entire|without exception|one and all|as a whole|"
                        r"whichever|whatever|consensus|unanimous\w*|others|rest|universally|"
                        r"widely)\b", re.I)


