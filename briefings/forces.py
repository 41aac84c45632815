"""Force ratios and numbers: the figures a reader of a war report needs, each with its kind.

Every quantity ``briefings.numbers`` finds in a sentence is classified by the words around it, as
news prose writes them: the noun it counts ("12,500 troops", "a dozen armoured trucks", "two
villages"), a verb or noun that makes it a loss ("the deaths of 85 ...", "eliminated 60 ..."),
a comparison ("outnumbered 3 to 1", "five times as many drones"), a fraction of something ("half
the territory"), a distance with its bearing ("15km north of ...") or a weight with its weapon
("shells weighing half a ton"). The subject of a clause is a loss when its verb says so, even a few
words on ("Three members of a Dalvo crew were later shot dead", "Eighteen villagers, including
four women, died", "were among the victims"); "N of the X" counts X ("three of its sailors",
"two of them died"); counted places are territory only when seized or held ("captured three
villages"). A rate ("a day", "a month") is carried into the value. Quantities that
count nothing a briefing needs (durations, money, bare numbers) are left out; people, strikes,
buildings and percentages that are not about forces are kept with kind "other" and ranked last.

The rules are listed, each with example sentences that are its tests, in ``briefings.force_rules``;
the cues that say what a count with no noun of its own is ("the death toll has passed 3,500",
"a force of 4,000") are rows of that table this module reads as data.

The word lists below are general vocabulary of war reporting, not names from any one article.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

from briefings.article import Article
from briefings.force_rules import DISPLACED_AFTER, FORCE_RULES
from briefings.lines import attribution
from briefings.model import ForceItem, ForceKind
from briefings.numbers import (
    TIME_UNITS,
    NumberPhrase,
    candidate_starts,
    find_numbers,
    format_number,
    parse_number,
    previous_word,
)

TROOP_NOUNS = frozenset(
    """
    troops soldiers servicemen servicemembers personnel fighters men infantrymen infantry recruits
    conscripts reservists marines paratroopers militants insurgents rebels defenders attackers
    mercenaries volunteers guerrillas commandos sailors pilots officers draftees combatants
    militiamen gunmen terrorists forces battalions brigades regiments divisions platoons units
    snipers operators stormtroopers peacekeepers gunners sappers medics crewmen riflemen guys
    reinforcements mobilized mobilised contract commanders crews militias policemen police guards
    convicts
    soldier troop
    """.split()
)
CASUALTY_NOUNS = frozenset(
    """
    casualties dead deaths bodies killed wounded injured losses fatalities prisoners pows
    captives corpses victims injuries
    """.split()
)
EQUIPMENT_NOUNS = frozenset(
    """
    vehicles tanks drones bombs missiles rockets shells rounds munitions artillery guns howitzers
    launchers jets aircraft planes warplanes helicopters ships boats vessels warships submarines
    systems mines grenades apcs trucks weapons rifles warheads interceptors cannons mortars
    batteries bombers fighters carriers ammunition pontoons radars ferries locomotives
    """.split()
)
WEAPON_NOUNS = frozenset(
    """
    bomb bombs missile missiles shell shells warhead warheads rocket rockets munition munitions
    explosive explosives charge charges mine mines payload payloads drone drones round rounds
    """.split()
)
TERRITORY_COUNT_NOUNS = frozenset(
    """
    villages towns settlements cities hamlets localities districts positions bases townships
    outposts checkpoints strongholds airports airfields neighbourhoods neighborhoods counties
    municipalities
    """.split()
)
TERRITORY_NOUNS = frozenset(
    """
    territory territories ground land lands region regions area areas town city village country
    province oblast front frontline district settlement settlements villages towns peninsula
    state enclave strip governorate county island coastline countryside municipality township
    """.split()
)
OTHER_NOUNS = frozenset(
    """
    people civilians residents refugees patients children women families households homes houses
    buildings blocks apartments schools hospitals strikes airstrikes attacks raids suspects crimes
    cases detainees migrants evacuees hostages journalists doctors workers sorties assaults
    villagers blasts explosions targets sites facilities bridges depots warehouses substations
    """.split()
)
# Nouns of people that are not counts a briefing needs when few ("talking to two people"),
# unless something happens to them ("three people were killed").
_FEW_PEOPLE = frozenset("people others members member person persons them whom".split())


def _singular(noun: str) -> str | None:
    """ "villages" -> "village", "gunmen" -> "gunman", "casualties" -> "casualty"."""
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith("men"):
        return noun[:-3] + "man"
    if noun.endswith("s") and not noun.endswith("ss"):
        return noun[:-1]
    return None


def _noun_table() -> dict[str, str]:
    """What a counted noun names, singular forms included ("a 60-soldier unit")."""
    groups = (
        ("casualties", CASUALTY_NOUNS),
        ("troops", TROOP_NOUNS),
        ("equipment", EQUIPMENT_NOUNS),
        ("territory", TERRITORY_COUNT_NOUNS),
        ("other", OTHER_NOUNS | _FEW_PEOPLE),
    )
    table: dict[str, str] = {}
    for kind, nouns in groups:  # the first group that names a word wins: "fighters" are troops
        for noun in nouns:
            table.setdefault(noun, kind)
    for kind, nouns in groups:
        for noun in nouns:
            single = _singular(noun)
            if single:
                table.setdefault(single, kind)
    table.pop("other", None)  # "two other drivers": the singular of "others" is no noun
    table.update({"person": "other", "child": "other"})
    return table


_NOUN_KINDS = _noun_table()
# Singular nouns count only one ("one member"); after a larger number they are modifiers
# ("300 rebel fighters", "six fighter jets").
_SINGULARS = frozenset(
    w
    for w in _NOUN_KINDS
    if w not in CASUALTY_NOUNS | TROOP_NOUNS | EQUIPMENT_NOUNS | TERRITORY_COUNT_NOUNS
    and w not in OTHER_NOUNS | _FEW_PEOPLE
)
# Participles that end a count ("800 men dead and wounded") rather than name what it counts.
_PARTICIPLES = frozenset("dead killed wounded injured".split())
# Prepositions end the noun phrase of a count: "30 raiders aboard motorboats".
_HEAD_BREAK = frozenset(
    """
    aboard inside near along toward towards against among amid behind beyond between through via
    without within outside including like onto upon across
    """.split()
)

_STOP = frozenset(
    """
    the a an of in on at to from with by for and or but that which who whom whose were was is are
    be been being have has had will would could should may might can do did does not no than as
    into over under after before since during about around across per each every this these those
    it its their his her our your my there here then when where while if so such very also just
    only still already both either neither all any some many much most other said says say told
    """.split()
)

_QUALIFIER_WORDS = """
about around roughly some nearly almost approximately perhaps barely only just over under maybe
possibly another estimated all
"""
_QUALIFIER_PHRASES = """
at least|at most|up to|more than|less than|fewer than|as many as|as few as|close to|an estimated
|an average of|upwards of|well over|just over|just under|an additional|a further|the remaining
"""
_QUALIFIER_SEQS = tuple((w,) for w in _QUALIFIER_WORDS.split()) + tuple(
    tuple(p.split()) for p in _QUALIFIER_PHRASES.split("|")
)
# Keyed by the last word, longest phrase first: "more than" is looked up from "than".
_QUALIFIERS: dict[str, tuple[tuple[str, ...], ...]] = {
    last: tuple(sorted((q for q in _QUALIFIER_SEQS if q[-1] == last), key=len, reverse=True))
    for last in {q[-1] for q in _QUALIFIER_SEQS}
}
# A word after a number: "U.S." and "F-16s" and "155mm" are one word each.
_NEXT_WORD = re.compile(r"[ ]+((?:[A-Za-z]\.){2,}|\d[\d,.]*\d|[A-Za-z0-9][A-Za-z0-9’'-]*)")
_MODEL_PLURAL = re.compile(r"[A-Z][A-Za-z]*-?\d+[A-Za-z]*s")
_CASUALTY_OF_BEFORE = re.compile(
    r"\b(?:(?:deaths?|killings?|killing|wounding|injuring|bodies|remains|loss(?:es)?|toll)\s+of\s+"
    r"(?:the\s+|some\s+)?|among\s+(?:the|those)\s+(?:dead|killed|wounded|injured|victims)\s+"
    r"(?:were|was|are|is)\s+)$",
    re.IGNORECASE,
)
_CASUALTY_VERB_BEFORE = re.compile(
    r"\b(?:killed|kill|kills|killing|eliminated|eliminating|eliminates|neutrali[sz]ed|lost|"
    r"losing|loses|lose|wounded|wounding|injured|injuring|captured|capturing|executed|abducted|"
    r"abducting|kidnapped|kidnapping)\s+" + r"$",
    re.IGNORECASE,
)
# A second object of the same verb: "lost 3 helicopters and 200 men".
_CASUALTY_LIST_BEFORE = re.compile(
    r"\b(?:killed|kill|kills|killing|eliminated|lost|losing|loses|lose|wounded|wounding|injured|"
    r"injuring|captured|capturing)\s+(?:[\w’'.-]+\s+){0,2}(?:\d[\d,.]*|one|two|three|four|five|"
    r"six|seven|eight|nine|ten|dozen)\s+(?:[\w’'-]+\s+){0,3}and\s+" + r"$",
    re.IGNORECASE,
)
_TROOP_VERB_BEFORE = re.compile(
    r"\b(?:send|sends|sent|sending|deploy|deploys|deployed|deploying|mobili[sz]ed?|mobili[sz]ing|"
    r"recruit|recruits|recruited|recruiting|drafted|amassed|massed|stationed|assembled|"
    r"conscripted|called\s+up|train|trained|training)\s+" + r"$",
    re.IGNORECASE,
)
# "800 men dead and wounded", "50 soldiers killed"; not "five gunmen killed three guards".
_CASUALTY_AFTER = re.compile(
    r"[ ]+(?:dead|killed|wounded|injured|captured|missing)"
    r"(?:[ ]+(?:and|or)[ ]+(?:dead|killed|wounded|injured|captured|missing))?\b"
    r"(?![ ]+(?:the|an?(?![ ]+(?:day|week|month|year)\b)|at|more|some|about|around|over|nearly|"
    r"his|her|their|its|our|\d|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds|"
    r"scores|several|many)\b)",
    re.IGNORECASE,
)
# The predicate of a counted subject that makes it a loss: "were later shot dead",
# "died on Friday", "were among the victims", "with severe burns", "to a hospital".
# Group ``gone`` marks things destroyed rather than people hurt.
_ADVERBS = r"(?:[ ]+(?:also|all|both|later|then|since|each|again|now|\w+ly))*"
_CASUALTY_PASSIVE = re.compile(
    r"(?:[ ]+(?:who|that))?" + _ADVERBS + r"(?:[ ]+(?:were|was|are|is|have|has|had|being|got)"
    r"(?:[ ]+been)?" + _ADVERBS + r"(?:[ ]+(?:reported|confirmed|believed|feared|presumed|said|"
    r"thought|known|found)(?:[ ]+to[ ]+(?:have[ ]+been|be))?(?=[ ]+(?:dead\b|[a-z]+ed\b)))?"
    r"[ ]+(?:killed|wounded|injured|hurt|slain|captured|executed|dead|"
    r"missing|abducted|kidnapped|martyred|hospitali[sz]ed|beheaded|massacred|murdered|maimed|"
    r"shot[ ]+dead|gunned[ ]+down|"
    r"(?P<gone>destroyed|damaged|shot[ ]+down|downed)|"
    r"taken[ ]+(?:hostage|prisoner|captive)|(?:taken|rushed|admitted)[ ]+to[ ]+(?:a[ ]+|the[ ]+)?"
    r"hospitals?|among\b[^.;:]{0,60}?\b(?:killed|dead|victims|casualties|wounded|injured|died))"
    r"|(?:[ ]+(?:have|had|has))?[ ]+(?:died|perished|succumbed|surrendered|went[ ]+missing)"
    r"|[ ]+with[ ]+(?:[a-z-]+[ ]+){0,2}(?:injuries|wounds|burns))\b",
    re.IGNORECASE,
)
# "rushed six others to a hospital": the wounded, said of people only.
_HOSPITAL_AFTER = re.compile(r"[ ]+to[ ]+(?:a[ ]+|the[ ]+)?hospitals?\b", re.IGNORECASE)
# What may stand between a counted subject and its predicate: "of the Dalvo crew".
_GAP_FIRST = frozenset("of from in at near on inside aboard belonging with".split())
_GAP_WORDS = frozenset("of from in at near on the a an its their his her our this that".split())
# An aside between a counted subject and its verb: ", including four women,", " (...)".
_ASIDE = re.compile(r",[ ]+[^,.;:()]{1,60},|[ ]+\([^()]{1,80}\)")
_INCLUDING_BEFORE = re.compile(
    r",[ ]+(?:including|among[ ]+them|among[ ]+whom|of[ ]+whom|mostly)[ ]+$", re.IGNORECASE
)
# "Dozens of fighters were killed, among them six commanders": the list inherits the loss.
_LOSS_LIST_BEFORE = re.compile(
    r"\b(?:killed|dead|died|wounded|injured|casualties|victims)\b[^,;:.]{0,40},[ ]+(?:including|"
    r"among[ ]+"
    r"them|among[ ]+whom|of[ ]+whom|mostly)[ ]+$",
    re.IGNORECASE,
)
# "25 of the 30 drones", "12 out of the province's 90 districts"
_PARTITIVE = re.compile(
    r"[ ]+(?:out[ ]+)?of(?:[ ]+(?:the|its|their|his|her|our|these|those|all))?(?=[ ])",
    re.IGNORECASE,
)
_CAPTURE_BEFORE = re.compile(
    r"\b(?:seiz\w*|captur\w*|took|take|takes|taken|taking|retook|retak\w*|recaptur\w*|"
    r"liberat\w*|overr[au]n\w*|occup\w*|controls?|controlled|controlling|holds?|held|holding|"
    r"lost|los(?:e|es|ing)|gain\w*|enter\w*|clear\w*|storm\w*|abandon\w*|surrender\w*)"
    r"[\"”’']?\s+(?:(?:control|hold)\s+of\s+|back\s+|over\s+)?" + r"$",
    re.IGNORECASE,
)
_CAPTURE_AFTER = re.compile(
    r"(?:[ ]+(?:were|was|have|has|had)(?:[ ]+been)?(?:[ ]+\w+ly)?[ ]+(?:captured|seized|taken|"
    r"retaken|recaptured|liberated|overrun|occupied|lost|abandoned)|[ ]+fell)\b",
    re.IGNORECASE,
)
_TERRITORY_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(TERRITORY_COUNT_NOUNS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_GROUP_OF_BEFORE = re.compile(
    r"\b(?:groups?|teams?|squads?|units?|bands?|detachments?|cells?|parties|waves?)\s+of\s+$",
    re.IGNORECASE,
)
# "For every tank we hit, another five arrive": a ratio told as an exchange.
_FOR_EVERY_BEFORE = re.compile(
    r"\bfor\s+(?:every|each)\s+(?:(?P<n>one|single|\d[\d,]*|two|three|four|five|ten)\s+)?"
    r"[^,;:.]{0,60},\s*(?:(?P<there>there\s+(?:are|were|is|will\s+be)\s+)|(?:[a-z]+\s+){0,2})$",
    re.IGNORECASE,
)
_MORE_AFTER = re.compile(r"[ ]+more\b", re.IGNORECASE)
_GROUP_NOUNS = frozenset(
    "column convoy force unit battalion contingent detachment team group company patrol".split()
)
_DISPLACED = re.compile(
    r"\b(?:fled|flee|fleeing|displaced|refugees|evacuated|evacuees|sheltering|homeless)\b",
    re.IGNORECASE,
)
_DISPLACED_PEOPLE = frozenset(
    "people civilians residents refugees families households villagers children evacuees".split()
)
_RATE = re.compile(
    r"(?:[ ]*,)?[ ]+(?:(?:a|an|per|each|every)[ ]+(?P<unit>day|week|month|year|hour)\b"
    r"(?![ ]+(?:after|before|earlier|later|ago|or)\b)"
    r"|(?P<adv>daily|weekly|monthly|annually)\b"
    r"|(?:in|over)[ ]+(?:the[ ]+)?(?:past|previous|last)[ ]+(?P<h24>24[ ]+hours|day)\b)",
    re.IGNORECASE,
)
_RATIO_CUE_BEFORE = re.compile(
    r"\b(?:outnumber\w*|outgun\w*|outman\w*|ratio\s+of|odds\s+of|advantage\s+of)\s+(?:by\s+)?"
    + r"$",
    re.IGNORECASE,
)
_FACTOR_BEFORE = re.compile(r"\bfactor\s+of\s+$", re.IGNORECASE)
_RATIO_NOUN_AFTER = re.compile(
    r"[ ]+(?:advantage|disadvantage|superiority|edge|ratio|odds|majority)\b", re.IGNORECASE
)
_RATIO_CUE = re.compile(
    r"\b(?:outnumber|outgun|outman|outfire|outmatch|ratio|odds|advantage|superiority|"
    r"disadvantage)\w*",
    re.IGNORECASE,
)
_DIRECTION = (
    r"(?:(?:to\s+the\s+)?(?:north|south|east|west)(?:[\s-]?(?:east|west))?(?:ward)?\s+of|"
    r"from|away(?:\s+from)?|behind|beyond|inside|into|deep\s+into|short\s+of|off|outside|"
    r"towards?|across|past)"
)
#: A distance told with a bare "away" is the reach of fire after these ("from 20km away").
_BARE_AWAY_AFTER = frozenset({"from", "within"})
_DISTANCE_AFTER = re.compile(
    r"(?:\s*\([^()]{1,30}\))?\s+" + _DIRECTION + r"\b",
    re.IGNORECASE,
)
_FRONT_AFTER = re.compile(
    r"(?:\s*\([^()]{1,30}\))?(?:\s*-\s*long|\s+long)?\s+(?:front(?:\s+line)?|frontline|"
    r"line\s+of\s+contact|stretch|corridor|buffer\s+zone)\b",
    re.IGNORECASE,
)
_ADVANCE_BEFORE = re.compile(
    r"\b(?:advanced|advancing|advance|advances|pushed|pushing|moved|retreated|withdrew|"
    r"penetrated|gained|progressed|within|closer|stretch\w*|spans?|spanning|runs|running)"
    r"\s+(?:for\s+|by\s+)?" + r"$",
    re.IGNORECASE,
)
_WEIGHING_BEFORE = re.compile(
    r"(?:\b[a-z-]+\s+)?\b(?P<noun>[a-z]+)\s+(?:weighing|weighs|weigh|of)\s+" + r"$",
    re.IGNORECASE,
)
_OF_DET = re.compile(
    r"(?:[ ]+of\b)?(?:[ ]+(?:the|its|their|his|her|our|all|this|that|these)\b)?", re.IGNORECASE
)
_TIMES_AS = re.compile(r"[ ]+(?:as[ ]+(?:many|much)|more)\b", re.IGNORECASE)

# A phrase that may follow a verb's object and close it: "wounded 30 near the bridge".
_ADJUNCT = re.compile(
    r"[ ]+(?:in|near|on|at|during|since|across|along|around|outside|inside|overnight|when|"
    r"after|before|while|as)\b",
    re.IGNORECASE,
)
# "Brigade losses reached 300 men": a toll's verb makes the counted people a loss.
_TOLL_VERB_BEFORE = re.compile(
    r"\b(?:death\s+toll|toll|casualties|losses)\s+(?:has\s+|have\s+|had\s+)?(?:reached|"
    r"rose\s+to|climbed\s+to|passed|surpassed|exceeded|topped|hit|stood\s+at|stands?\s+at)\s+$",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"\s*(?:[,;.)]|$|and\b|—|–)", re.IGNORECASE)
_STRONG_AFTER = re.compile(r"[ -]strong\b", re.IGNORECASE)
_MOVE_VERB = re.compile(r"advanc|push|mov|retreat|withdr|penetrat|gain|progress", re.IGNORECASE)
_BRACKETS = re.compile(r"[ ]*\([^()]{1,30}\)")
_HYPHEN_NOUN = re.compile(r"-([a-z]+)\b", re.IGNORECASE)
_BATCH_NOUNS = frozenset("rounds waves salvos batches barrages series volleys".split())
_KILLING = re.compile(r"kill|eliminat|neutrali|execut|wound|injur|abduct|kidnap", re.IGNORECASE)
_PAST_VERBS = frozenset(
    "killed eliminated captured executed wounded injured neutralised neutralized".split()
)
_DISTANCE_UNITS = frozenset({"km", "mi", "m", "ft", "yd"})
_AREA_UNITS = frozenset({"km2", "mi2", "ha"})
_WEIGHT_UNITS = frozenset({"kg", "t", "lb"})

#: The rows of ``FORCE_RULES`` this module reads as data, in their order (``_headless``).
_CUE_RULES = tuple(rule for rule in FORCE_RULES if rule.cue is not None)

_SCORES: dict[str, float] = {
    "ratio": 1.0,
    "casualties": 0.8,
    "troops": 0.7,
    "territory": 0.6,
    "equipment": 0.55,
    "rate": 0.5,
    "other": 0.2,
}


def _words_after(text: str, pos: int, end: int, limit: int) -> list[tuple[str, int, int]]:
    """Up to ``limit`` words after ``pos``, separated by spaces only (punctuation stops)."""
    out: list[tuple[str, int, int]] = []
    while len(out) < limit:
        m = _NEXT_WORD.match(text, pos, end)
        if not m:
            break
        out.append((m.group(1), m.start(1), m.end(1)))
        pos = m.end()
    return out


def _noun_kind(word: str) -> str | None:
    kind = _NOUN_KINDS.get(word.lower())
    if kind is not None:
        return kind
    if _MODEL_PLURAL.fullmatch(word):  # "F-16s", "T-72s"
        return "equipment"
    return None


def _is_demonym(word: str) -> bool:
    """ "Russians", "Palestinians", "Israelis": a capitalised plural names people of a side."""
    return (
        word[:1].isupper()
        and word[1:].islower()
        and len(word) > 4
        and (word.endswith(("ans", "ians", "is", "ese")) or word.endswith("ers"))
    )


def _is_plural(word: str) -> bool:
    """A lower-case word that looks like a plural noun ("assailants", "gunmen")."""
    return (
        word.islower()
        and len(word) > 3
        and word.endswith(("s", "men", "children"))
        and word not in _STOP
    )


def _head(
    text: str, pos: int, end: int, limit: int = 4, single: bool = False
) -> tuple[str, int, str] | None:
    """The counted noun after ``pos``: (kind, end offset, word), skipping a few modifiers.

    Capitalised modifiers (names, "U.S.") do not count against ``limit``; "and" may join two
    modifiers ("rebel and allied militia fighters"). In a compound of nouns the last one names
    what is counted ("fighter jets", "mortar crews", "civilian casualties").
    """
    words = _words_after(text, pos, end, 3)  # most counts name their noun at once
    extended = False
    modifiers = 0
    for n in range(limit + 6):
        if not extended and n + 2 >= len(words) and len(words) == 3:
            words = _words_after(text, pos, end, limit + 6)
            extended = True
        if n >= len(words):
            break
        word, _a, b = words[n]
        low = word.lower()
        if low in _BATCH_NOUNS and n + 2 < len(words) and words[n + 1][0] == "of":
            # "eight rounds of strikes", "three waves of drones": the kind of what comes after
            inner = _noun_kind(words[n + 2][0])
            return (inner, words[n + 2][2], word) if inner else None
        kind = _noun_kind(word)
        if kind is not None and not single and low in _SINGULARS:
            kind = None  # "300 rebel fighters": a modifier
        if kind is not None:
            while n + 1 < len(words) and words[n + 1][0].lower() not in _PARTICIPLES:
                nxt = _noun_kind(words[n + 1][0])
                if nxt is None:
                    break
                n += 1
                kind, word, b = nxt, words[n][0], words[n][2]
            return kind, b, word
        if _is_demonym(word):
            if n + 1 < len(words) and _noun_kind(words[n + 1][0]) is not None:
                continue  # "four Varnese gunners": a modifier
            return "troops", b, word
        if low in _STOP or low in _HEAD_BREAK:
            if (
                low in ("and", "or")
                and modifiers
                and not _is_plural(words[n - 1][0])
                and n + 1 < len(words)
                and words[n + 1][0].lower() not in _PARTICIPLES
            ):
                continue  # "rebel and tribal militiamen"
            return None
        if not word[:1].isupper():
            modifiers += 1
            if modifiers > limit:
                return None
    return None


def _qual_start(text: str, lo: int, pos: int) -> int:
    """Where the qualifiers right before ``pos`` start ("some", "more than", "just over")."""
    words: list[tuple[int, str]] = []  # nearest first
    at = pos
    for _ in range(4):
        k, word = previous_word(text, lo, at)
        if not word:
            break
        words.append((k, word.lower()))
        at = k
    start, used = pos, 0
    for _ in range(2):
        if used >= len(words):
            break
        for seq in _QUALIFIERS.get(words[used][1], ()):
            covered = words[used : used + len(seq)]
            if tuple(w for _, w in reversed(covered)) == seq:
                used += len(seq)
                start = covered[-1][0]
                break
        else:
            break
    return start


def _rate(text: str, pos: int, end: int) -> tuple[str | None, int]:
    m = _RATE.match(text, pos, end)
    if not m:
        return None, pos
    if m.group("unit"):
        return m.group("unit").lower(), m.end()
    if m.group("adv"):
        adv = m.group("adv").lower()
        unit = {"daily": "day", "weekly": "week", "monthly": "month", "annually": "year"}[adv]
        return unit, m.end()
    return "day", m.end()


def _tail(text: str, pos: int, end: int, limit: int) -> int:
    """End of a short phrase after ``pos``: up to ``limit`` words, "the" allowed, stop at others."""
    last = pos
    words = _words_after(text, pos, end, limit + 1)
    for n, (word, _a, b) in enumerate(words):
        if word.lower() in _STOP and word.lower() != "the":
            break
        if n >= limit and not words[n - 1][0].endswith(("'s", "’s")):
            break
        last = b
    return last


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    kind: str
    value: str
    noun: str | None = None  # what is counted; "" for a bare figure, None: the text's last word


def _loss_after(text: str, pos: int, hi: int, aside: bool = False) -> tuple[int, bool, bool] | None:
    """A predicate after a counted subject that makes it a loss: (end, destroyed, over a gap).

    Between subject and predicate may stand an aside between commas (", including nine
    children,"), a short prepositional phrase ("of the Dalvo crew") or a second noun joined by
    "and" ("and customs officers dead"). ``aside``: the subject itself opens with "including",
    so a comma may close it before the predicate. ``destroyed`` marks things, not people.
    """
    m = _CASUALTY_PASSIVE.match(text, pos, hi)
    if m is None and aside and text.startswith(",", pos):
        m = _CASUALTY_PASSIVE.match(text, pos + 1, hi)
    if m is None and (text.startswith(",", pos) or text.startswith(" (", pos)):
        a = _ASIDE.match(text, pos, hi)
        if a:
            m = _CASUALTY_PASSIVE.match(text, a.end(), hi)
    if m is not None:
        return m.end(), m.group("gone") is not None, False
    m = _NEXT_WORD.match(text, pos, hi)
    first = m.group(1).lower() if m else ""
    if first not in _GAP_FIRST and first not in ("and", "or"):
        return None
    words = _words_after(text, pos, hi, 7)
    if first in ("and", "or"):  # "9 policemen and customs officers dead"
        for word, _a, b in words[1:4]:
            if _noun_kind(word) in ("troops", "other", "casualties"):
                m = _CASUALTY_AFTER.match(text, b, hi) or _CASUALTY_PASSIVE.match(text, b, hi)
                return (m.end(), False, True) if m else None
            if word.lower() in _STOP or word[:1].isdigit():
                return None
        return None
    for word, _a, b in words[1:]:
        low = word.lower()
        if low[:1].isdigit() or (low in _STOP and low not in _GAP_WORDS):
            return None
        m = _CASUALTY_PASSIVE.match(text, b, hi)
        if m:
            return m.end(), m.group("gone") is not None, True
    b = words[-1][2]
    a = _ASIDE.match(text, b, hi) if text.startswith(",", b) else None
    if a:  # "Four members of one family, including two children, died": up to the aside
        m = _CASUALTY_PASSIVE.match(text, a.end(), hi)
        if m:
            return b, m.group("gone") is not None, True
    return None


def _classify(text: str, lo: int, hi: int, p: NumberPhrase) -> _Found | None:
    """The force item a number phrase makes in the sentence ``text[lo:hi]``, if any."""
    start = _qual_start(text, lo, p.start)
    origin = start  # the words before the qualifiers decide; ``start`` may move back to them
    before = text[max(lo, origin - 50) : origin]
    value = p.normalized

    if p.form in ("ratio", "multiple"):
        if p.form == "multiple":
            m = _TIMES_AS.match(text, p.end, hi)
            end = m.end() if m else p.end
            head = _head(text, end, hi)
            end = head[1] if head else _tail(text, end, hi, 2)
            return _Found(start, end, "ratio", value)
        cue = _RATIO_CUE_BEFORE.search(before)
        if cue:
            start = origin - len(before) + cue.start()
        elif not (p.other == 1 or _RATIO_CUE.search(text, lo, hi)):
            return None
        noun = _RATIO_NOUN_AFTER.match(text, p.end, hi)
        return _Found(start, noun.end() if noun else p.end, "ratio", value)

    if p.unit is not None and p.form != "measure":
        return None  # money
    if p.form == "measure":
        return _classify_measure(text, lo, hi, p, start, before)

    if p.form in ("fraction", "percent"):
        m = _OF_DET.match(text, p.end, hi)
        after_of = m.end() if m and m.end() > p.end else p.end
        head = _head(text, after_of, hi, 3) if after_of > p.end else None
        if head is None and after_of == p.end and p.form == "fraction":
            head = _head(text, p.end, hi, 3)  # "one in four Ukrainian drones"
        if head is not None:
            return _Found(start, head[1], head[0], value)
        if after_of > p.end:
            for word, _a, b in _words_after(text, after_of, hi, 3):
                if word.lower() in TERRITORY_NOUNS:
                    return _Found(start, b, "territory", value)
            if _CASUALTY_VERB_BEFORE.search(before):  # "killed around half of them"
                return _Found(start, _tail(text, after_of, hi, 1), "casualties", value)
            if p.form == "fraction" and "of" not in text[p.end : after_of]:
                end = _tail(text, after_of, hi, 1)
            else:
                end = _tail(text, after_of, hi, 2)
            return _Found(start, end, "other", value)
        if p.form == "percent":
            # "prices rose by 40%": up to three words before, not starting on a function word
            words: list[tuple[int, str]] = []
            at = start
            for _ in range(3):
                k, word = previous_word(text, lo, at)
                if not word or not word.replace("’", "").replace("'", "").isalpha():
                    break
                words.append((k, word))
                at = k
            while words and words[-1][1].lower() in _STOP:
                words.pop()
            return _Found(words[-1][0] if words else start, p.end, "other", value)
        return None

    # Counts and ranges.
    factor = _FACTOR_BEFORE.search(before)
    if factor and p.other is None:  # "outgunned by a factor of ten"
        return _Found(origin - len(before) + factor.start(), p.end, "ratio", f"{value}:1")
    if p.other is None:
        exchange = _exchange(text, lo, origin, p)
        if exchange:
            return _Found(exchange[0], p.end, "ratio", exchange[1])
    cas_of = _CASUALTY_OF_BEFORE.search(before)
    cas_verb = _CASUALTY_VERB_BEFORE.search(before)
    troop_verb = _TROOP_VERB_BEFORE.search(before)
    head = _head(text, p.end, hi, single=p.value == 1 and p.other is None)
    if head is None:
        part = _PARTITIVE.match(text, p.end, hi)
        if part:  # "25 of the 30 drones", "three of its sailors", "two of them"
            head = _head(text, part.end(), hi)
        elif text.startswith("-", p.end):  # "a 60-soldier unit", "a 12-vehicle convoy"
            head = _hyphen_head(text, p.end, hi)
    kind: str | None = head[0] if head else None
    end = head[1] if head else p.end
    word = head[2].lower() if head else ""
    loss = _loss_after(text, end, hi, _INCLUDING_BEFORE.search(before) is not None)
    hurt = loss is not None and not loss[1]
    if cas_of or cas_verb:
        if head is None:
            # "the wounding of at least 120 others", "the deaths of 85 ..."
            nxt = _words_after(text, p.end, hi, 1)
            killing = cas_verb is not None and _KILLING.match(cas_verb.group(0)) is not None
            if nxt and (
                nxt[0][0].lower() in ("others", "people", "civilians", "more")
                or (killing and _is_plural(nxt[0][0]))
            ):
                end = nxt[0][2]
                word = nxt[0][0].lower()
            elif killing and (
                _CLAUSE_END.match(text, p.end, hi) or _ADJUNCT.match(text, p.end, hi)
            ):
                pass  # "killed 12 and wounded 30", "wounded 30 near the bridge"
            elif not cas_of:
                return None
        if kind not in ("equipment", "territory"):
            kind = "casualties"
        if cas_of:
            start = origin - len(before) + cas_of.start()
    elif (
        head is None
        and troop_verb
        and (_rate(text, p.end, hi)[0] or _CLAUSE_END.match(text, p.end, hi))
    ):
        kind = "troops"  # "it recruits about 30,000 a month"
    elif head is None:
        return _headless(text, lo, hi, p, start, origin, before, loss)
    elif (
        (word == "people" or (head is not None and kind == "troops" and _is_demonym(head[2])))
        and _DISPLACED.search(text, lo, hi)
        and not troop_verb
    ):
        kind = "other"
    if kind in ("troops", "other") and (
        _LOSS_LIST_BEFORE.search(before)
        or _CASUALTY_LIST_BEFORE.search(before)
        or _TOLL_VERB_BEFORE.search(before)
    ):
        kind = "casualties"
        loss = loss or (end, False, False)
        hurt = True
    hospital = None
    if not loss and (word in _FEW_PEOPLE or kind == "troops"):
        hospital = _HOSPITAL_AFTER.match(text, end, hi)  # "rushed six others to a hospital"
    if word == "them" and not (cas_of or cas_verb) and _CAPTURE_BEFORE.search(before):
        # "stormed the villages and seized some 40 of them": what was taken, named before
        named = _TERRITORY_WORD.findall(text, lo, origin)
        if named:
            kind, word = "territory", named[-1].lower()
    if not (cas_of or cas_verb or hurt or hospital) and word in _FEW_PEOPLE:
        if troop_verb or _GROUP_OF_BEFORE.search(before):  # "in groups of up to five people"
            kind = "troops"
        elif word in ("others", "them", "whom") or p.value < 10:
            return None
    if p.value == 1 and p.other is None:
        written = text[p.start : p.end].lower()
        if written in ("a", "an") or (written == "one" and not (loss or cas_of or cas_verb)):
            return None  # "one Dalvan corporal": a determiner more than a count
    assert kind is not None
    if dead := _CASUALTY_AFTER.match(text, end, hi):  # "800 men dead and wounded"
        end, kind = dead.end(), "casualties"
    elif loss is not None:
        if hurt and kind in ("troops", "other"):
            kind = "casualties"
        if loss[2] or word in ("them", "whom"):  # "Six members of the X family were killed"
            end = loss[0]
    elif hospital:
        end, kind = hospital.end(), "casualties"
    unit, rate_end = _rate(text, end, hi)
    if unit:
        value, end = f"{value}/{unit}", rate_end
    if cas_verb and not cas_of and before[cas_verb.start() :].split()[0].lower() in _PAST_VERBS:
        start = origin - len(before) + cas_verb.start()
    if kind == "territory":
        # Places seized or held are territory; places burned or lived in are events.
        capture = _CAPTURE_BEFORE.search(before)
        if cas_verb or capture or _CAPTURE_AFTER.match(text, end, hi):
            value = f"{value} {word}"
            if (
                capture and not cas_verb and capture.group(0).rstrip()[-1:].isalpha()
            ):  # "seized two bases"
                start = origin - len(before) + capture.start()
        elif previous_word(text, lo, origin)[1].lower() in ("from", "of"):
            return None  # "families from four hamlets"
        else:
            kind = "other"
    return _Found(start, end, kind, value, "" if word in _PARTICIPLES else word)


def _headless(
    text: str,
    lo: int,
    hi: int,
    p: NumberPhrase,
    start: int,
    origin: int,
    before: str,
    loss: tuple[int, bool, bool] | None,
) -> _Found | None:
    """A count with no noun that names what it counts: its predicate or context decides."""
    value = p.normalized
    strong = _STRONG_AFTER.match(text, p.end, hi)
    if strong:  # "a 3,000-strong force"
        return _Found(start, _tail(text, strong.end(), hi, 1), "troops", value)
    # "about 250 were taken hostage", "four died", "the death toll has passed 35,000"
    if loss is not None and not loss[1]:
        return _Found(start, loss[0], "casualties", value, "")
    for word, _a, b in _words_after(text, p.end, hi, 3):
        if word.lower() in _STOP or word[:1].isdigit():
            break
        if _is_plural(word):  # "Five villagers were killed": a noun not in the lists
            after = _CASUALTY_PASSIVE.match(text, b, hi)
            if after and after.group("gone") is None:
                return _Found(start, b, "casualties", value, word.lower())
            break
    # The cue rows of ``FORCE_RULES``, in table order: "the death toll has passed 3,500".
    for rule in _CUE_RULES:
        cue = rule.cue
        assert cue is not None and rule.yields is not None
        if cue.where == "before":
            m = cue.pattern.search(before)
            if m:
                # the figure names nothing it counts: it is a bare one, listed once
                return _Found(origin - len(before) + m.start(), p.end, rule.yields, value, "")
        else:
            m = cue.pattern.match(text, p.end, hi)
            if m:
                return _Found(start, m.end(), rule.yields, value)
    return None


def _hyphen_head(text: str, pos: int, hi: int) -> tuple[str, int, str] | None:
    """ "60-soldier unit": the noun joined to the number, up to the group it sizes."""
    m = _HYPHEN_NOUN.match(text, pos, hi)
    if m is None:
        return None
    kind = _noun_kind(m.group(1))
    if kind not in ("troops", "equipment"):
        return None
    end = m.end()
    for word, _a, b in _words_after(text, end, hi, 3):
        if word.lower() in _GROUP_NOUNS:
            end = b
            break
        if word.lower() in _STOP:
            break
    return kind, end, m.group(1)


def _exchange(text: str, lo: int, origin: int, p: NumberPhrase) -> tuple[int, str] | None:
    """ "For every one we kill, another 10 come": (start, ratio) when the number ends one.

    The number must be "another N", "N more" or "there are N" right after the comma.
    """
    wide = text[max(lo, origin - 110) : origin]
    low = wide.lower()
    if "every" not in low and "each" not in low:
        return None
    m = _FOR_EVERY_BEFORE.search(wide)
    if m is None:
        return None
    if not (
        m.group("there")
        or "another" in text[origin : p.start].lower()
        or _MORE_AFTER.match(text, p.end)
    ):
        return None
    value = p.value
    n = m.group("n")
    base = 1.0 if not n or n.lower() in ("one", "single") else parse_number(n)
    if base is None or base <= 0 or value <= base:
        return None
    return origin - len(wide) + m.start(), f"{format_number(value)}:{format_number(base)}"


def _classify_measure(
    text: str, lo: int, hi: int, p: NumberPhrase, start: int, before: str
) -> _Found | None:
    origin = start
    unit = p.unit or ""
    if unit in TIME_UNITS:
        return None
    value = p.normalized
    if unit in _AREA_UNITS:
        skip = _BRACKETS.match(text, p.end, hi)  # "2,500 sq km (965 sq miles) of farmland"
        after = skip.end() if skip else p.end
        m_of = _OF_DET.match(text, after, hi)
        has_of = m_of is not None and " of" in text[after : m_of.end()].lower()
        end = _tail(text, m_of.end(), hi, 2) if m_of and has_of else p.end
        return _Found(start, end, "territory", value)
    if unit in _DISTANCE_UNITS:
        adv = _ADVANCE_BEFORE.search(before)
        if adv and _MOVE_VERB.match(adv.group(0)):
            start = origin - len(before) + adv.start()
        m = _DISTANCE_AFTER.match(text, p.end, hi)
        if (
            m
            and m.group(0).rstrip().lower().endswith("away")
            and previous_word(text, lo, origin)[1].lower() not in _BARE_AWAY_AFTER
        ):
            # "strike from 5 to 15 kilometres away" tells the reach of the fighting; "a
            # shelter 100ft away" only says where a thing stands
            m = None
        if m:
            return _Found(start, _tail(text, m.end(), hi, 3), "territory", value)
        m = _FRONT_AFTER.match(text, p.end, hi)
        if m:
            return _Found(start, m.end(), "territory", value)
        if adv:
            return _Found(start, p.end, "territory", value)
        return None
    if unit in _WEIGHT_UNITS:
        wb = _WEIGHING_BEFORE.search(before)
        if wb and wb.group("noun").lower() in WEAPON_NOUNS:
            return _Found(origin - len(before) + wb.start(), p.end, "equipment", value)
        for word, _a, b in _words_after(text, p.end, hi, 3):
            if word.lower() in WEAPON_NOUNS:
                return _Found(start, b, "equipment", value)
            if word.lower() in _STOP and word.lower() != "of":
                break
    return None


def extract_forces(article: Article) -> tuple[ForceItem, ...]:
    """Force ratios, troop counts, casualties, equipment and territory figures, in reading order."""
    text = article.text
    items: list[ForceItem] = []
    taken_until = -1
    seen: set[tuple[str, str, str]] = set()
    seen_figures: set[tuple[str, str]] = set()
    whose: dict[int, str | None] = {}  # each sentence's attribution, read once
    starts = candidate_starts(text)
    for sentence in article.sentences:
        previous: NumberPhrase | None = None
        for phrase in find_numbers(text, sentence.start, sentence.end, starts=starts):
            if phrase.start < taken_until or _converted(text, previous, phrase):
                previous = phrase
                continue  # inside the previous item, or "2,500 sq km (965 sq miles)"
            previous = phrase
            found = _classify(text, sentence.start, sentence.end, phrase)
            if found is None:
                continue
            start = max(found.start, taken_until, sentence.start)
            kind = _kind(found.kind)
            last = items[-1] if items else None
            if (
                kind == "ratio"
                and last is not None
                and last.kind == "ratio"
                and last.sentences == (sentence.index,)
                and _LIST_GAP.fullmatch(text, taken_until, start)
            ):
                # "outnumbered one to four, one to five": one figure told as a range
                items[-1] = dataclasses.replace(
                    last,
                    text=text[taken_until - len(last.text) : found.end],
                    value=f"{last.value}-{found.value}",
                )
                taken_until = found.end
                continue
            taken_until = found.end
            # A figure repeated later ("some 12,500 troops" ... "the 12,500 troops") is listed once;
            # so is a bare one ("killed three people" ... "“Three dead”").
            noun = found.noun
            if noun is None:
                noun = text[start : found.end].rsplit(None, 1)[-1].lower()
            key = (kind, found.value, noun)
            figure = (kind, found.value)
            if key in seen or (not noun and figure in seen_figures):
                continue
            seen.add(key)
            seen_figures.add(figure)
            score = _score(kind, found.value, phrase)
            end = found.end
            if (
                kind == "other"
                and noun in _DISPLACED_PEOPLE
                and phrase.value >= 1000
                and _DISPLACED.search(text, sentence.start, sentence.end)
            ):
                # "150,000 people have fled": the war's toll on civilians, ranked as a loss is,
                # and told with its verb
                score = round(0.6 + 0.05 * min(5.0, math.log10(phrase.value)), 3)
                fled = DISPLACED_AFTER.match(text, found.end, sentence.end)
                if fled:
                    end = taken_until = fled.end()
            if sentence.index not in whose:
                whose[sentence.index] = attribution(sentence.text) or None
            items.append(
                ForceItem(
                    text=text[start:end],
                    kind=kind,
                    value=found.value,
                    sentences=(sentence.index,),
                    score=min(score, 1.0),
                    attribution=whose[sentence.index],
                )
            )
    return tuple(items)


_LIST_GAP = re.compile(r"\s*(?:,|,?\s+or|\s+to)\s+|\s*[-–]\s*")
_CONVERSION_GAP = re.compile(
    r"\s*\(\s*(?:about|around|roughly|some|nearly|almost|approximately|over|or)?\s*"
)


def _converted(text: str, previous: NumberPhrase | None, phrase: NumberPhrase) -> bool:
    """A measure in brackets right after another: a unit conversion ("15km (9 miles)")."""
    return (
        previous is not None
        and previous.form == "measure"
        and phrase.form == "measure"
        and _CONVERSION_GAP.fullmatch(text, previous.end, phrase.start) is not None
    )


def _score(kind: ForceKind, value: str, phrase: NumberPhrase) -> float:
    """Rank for rendering: ratios, then loss rates, then losses and forces, bigger first."""
    score = _SCORES[kind]
    if kind == "ratio":
        return round(0.96 + 0.04 * min(1.0, phrase.value / 10), 3)
    if "/" in value:
        score += 0.15
    if kind == "territory" and value.endswith("%"):
        score += 0.25  # a share of ground held or taken: "nearly half the territory"
    if kind in ("troops", "casualties", "equipment") and phrase.form == "count":
        # "12,500 troops" well before "three soldiers": a handful is an anecdote, not a force.
        score += 0.05 * min(5.0, math.log10(max(phrase.value, 1.0)))
        if phrase.value < 20:
            score -= 0.1
    return round(min(score, 0.95), 3)


def _kind(name: str) -> ForceKind:
    kinds: dict[str, ForceKind] = {
        "ratio": "ratio",
        "troops": "troops",
        "casualties": "casualties",
        "equipment": "equipment",
        "territory": "territory",
        "rate": "rate",
    }
    return kinds.get(name, "other")


__all__ = ["extract_forces", "format_number"]
