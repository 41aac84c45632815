"""The rules of the forces section as a table: what a number in news prose counts, with examples.

Each row of ``FORCE_RULES`` is one pattern of war reporting, the kind of figure it yields and
sentences of our own writing with every figure the briefing takes from them, as (kind, value)
pairs in reading order. The examples are the rule's tests (``tests/test_force_rules.py``): a
change that breaks one rule's example fails there, whichever rule it was meant for.

Two sorts of rows:

- A row with a ``cue`` is data the code reads. ``briefings.forces`` tries these rows, in table
  order, on a count that names nothing it counts ("the death toll has passed 3,500", "some
  12,000 have fled"); the first cue that matches decides the kind. A cue ``before`` the number is
  searched in the words just before it and must end where the number (with its qualifiers:
  "about", "some", "nearly") starts; the figure's text then starts at the cue. A cue ``after``
  must match right after the number; the figure's text then ends with it. Adding such a rule is
  one row and one example.
- A row without a cue documents a branch of ``briefings.forces`` (the function ``decided_in``
  names) that needs more than one pattern: a counted noun, a loss verb several words on, a
  capture verb with the places it took. Its examples hold that branch to what it promises.

The patterns are general vocabulary of news prose, never the wording of one article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from briefings.model import ForceKind

CueWhere = Literal["before", "after"]


@dataclass(frozen=True, slots=True)
class Cue:
    """Words next to a count with no noun of its own that say what it counts."""

    where: CueWhere
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class ForceExample:
    """A sentence of our own and every figure the forces section takes from it, in order."""

    text: str
    figures: tuple[tuple[ForceKind, str], ...]


@dataclass(frozen=True, slots=True)
class ForceRule:
    """One pattern: its name, the kind of figure it yields (None: no figure at all), examples."""

    name: str
    yields: ForceKind | None
    examples: tuple[ForceExample, ...]
    cue: Cue | None = None
    decided_in: str = "_headless"


def _before(pattern: str) -> re.Pattern[str]:
    """A cue searched in the words before the number: it must end where the number starts."""
    return re.compile(pattern + r"\s+$", re.IGNORECASE)


#: "the death toll has passed 3,500", "casualties of 200", "losses stand at 40"
TOLL_BEFORE = _before(
    r"\b(?:death\s+toll|toll|casualties|losses|dead)\b[^.;:]{0,40}?\b(?:to|at|reached|reach|"
    r"surpassed|surpass|exceeded|exceed|passed|pass|topped|top|hit|of|is|was|stands\s+at)"
)
#: "some 12,000 have fled", "2,000 were evacuated", "half a million uprooted"
DISPLACED_AFTER = re.compile(
    r"[ ]+(?:(?:have|had|were|are|has|was)\s+(?:been\s+)?)?(?:fled|displaced|evacuated|"
    r"uprooted|forced\s+from)\b",
    re.IGNORECASE,
)
#: "the fighting has uprooted nearly 2 million"
DISPLACE_VERB_BEFORE = _before(r"\b(?:displaced|displacing|uprooted|uprooting|evacuated)")
#: "a force of 4,000", "reinforcements numbering 20,000", "a garrison of about 600"
FORCE_OF_BEFORE = _before(
    r"(?:\b(?:an?|the|its|their|his|her|our)\s+)?(?:[a-z-]+\s+)?"
    r"\b(?:reserves?|force|army|contingent|grouping|garrison|corps|deployment|strength|"
    r"presence|troops|personnel|reinforcements)\s+(?:of|numbering|totall?ing)"
    r"|\b(?:fighters|soldiers|men|militants|volunteers|recruits)\s+(?:numbering|totall?ing)"
)
#: "a town of 40,000", "the city's population: 300,000"
POPULATION_BEFORE = _before(
    r"\b(?:population|city|town|port|village|settlement|community|home)\s*(?::|of)"
)


def _ex(text: str, *figures: tuple[ForceKind, str]) -> ForceExample:
    return ForceExample(text, tuple(figures))


FORCE_RULES: tuple[ForceRule, ...] = (
    # --- counts with no noun: the cue rows, tried in this order ---------------------------------
    ForceRule(
        "a toll",
        "casualties",
        (
            _ex(
                "The death toll has passed 3,500, the health ministry said.", ("casualties", "3500")
            ),
            _ex("Officials put casualties at about 200.", ("casualties", "200")),
        ),
        Cue("before", TOLL_BEFORE),
    ),
    ForceRule(
        "people who fled, told after the count",
        "other",
        (
            _ex("Some 12,000 have fled since Tuesday.", ("other", "12000")),
            _ex("Nearly 900 were evacuated by bus overnight.", ("other", "900")),
        ),
        Cue("after", DISPLACED_AFTER),
    ),
    ForceRule(
        "a displacing verb before the count",
        "other",
        (_ex("The fighting has uprooted nearly 2 million.", ("other", "2000000")),),
        Cue("before", DISPLACE_VERB_BEFORE),
    ),
    ForceRule(
        "the size of a force",
        "troops",
        (
            _ex("The brigade sent a force of 4,000 to the river.", ("troops", "4000")),
            _ex("Reinforcements numbering 20,000 reached the city.", ("troops", "20000")),
            _ex("The garrison of about 600 held out.", ("troops", "600")),
            _ex("Militants numbering perhaps 300 crossed at night.", ("troops", "300")),
        ),
        Cue("before", FORCE_OF_BEFORE),
    ),
    ForceRule(
        "the people of a place",
        "other",
        (
            _ex("Shells fell on a town of 40,000.", ("other", "40000")),
            _ex("The population of 20,000 has no water.", ("other", "20000")),
        ),
        Cue("before", POPULATION_BEFORE),
    ),
    # --- rules decided by code in briefings.forces, held to their examples ----------------------
    ForceRule(
        "a counted noun",
        "troops",
        (
            _ex(
                "The column carried 12,500 troops and a dozen armoured trucks.",
                ("troops", "12500"),
                ("equipment", "12"),
            ),
            _ex("About 8,000 men have signed up since the spring.", ("troops", "8000")),
            _ex("Engineers said the raid destroyed three separate pontoons.", ("equipment", "3")),
        ),
        decided_in="_head",
    ),
    ForceRule(
        "a group sized by its members",
        "troops",
        (
            _ex("A 3,000-strong force crossed the river.", ("troops", "3000")),
            _ex("A 60-soldier unit held the bridge.", ("troops", "60")),
        ),
        decided_in="_hyphen_head",
    ),
    ForceRule(
        "a loss verb before the count",
        "casualties",
        (
            _ex(
                "Drones killed 14 soldiers and wounded 30 near Velyka.",
                ("casualties", "14"),
                ("casualties", "30"),
            ),
            _ex("The strike caused the deaths of 85 civilians.", ("casualties", "85")),
        ),
        decided_in="_classify",
    ),
    ForceRule(
        "a loss verb after the count, several words on",
        "casualties",
        (
            _ex(
                "Two died and three were hurt when a shell struck the bus.",
                ("casualties", "2"),
                ("casualties", "3"),
            ),
            _ex("Three members of a tank crew were later shot dead.", ("casualties", "3")),
            _ex(
                "Eighteen villagers, including four women, died in the raid.",
                ("casualties", "18"),
                ("casualties", "4"),
            ),
        ),
        decided_in="_loss_after",
    ),
    ForceRule(
        "people counted by a toll's verb",
        "casualties",
        (
            _ex("Brigade losses reached 300 men.", ("casualties", "300")),
            _ex("Casualties were light in a force of 3,000 troops.", ("troops", "3000")),
        ),
        decided_in="_classify",
    ),
    ForceRule(
        "a rate",
        "casualties",
        (
            _ex("The army loses about 1,200 men a day.", ("casualties", "1200/day")),
            _ex("The army says it recruits about 30,000 a month.", ("troops", "30000/month")),
        ),
        decided_in="_rate",
    ),
    ForceRule(
        "places seized or held",
        "territory",
        (
            _ex(
                "The troops captured two villages and burned a third.", ("territory", "2 villages")
            ),
            _ex(
                "The militia stormed the hamlets along the river and seized some 40 of them.",
                ("territory", "40 hamlets"),
            ),
            _ex(
                "Rebels now hold 12 out of the province's 90 districts.",
                ("territory", "12 districts"),
            ),
            _ex("Families from four hamlets sheltered in the school."),
        ),
        decided_in="_classify",
    ),
    ForceRule(
        "a share of ground",
        "territory",
        (
            _ex("The rebels control 60% of the city, residents said.", ("territory", "60%")),
            _ex("The rebels hold half the territory.", ("territory", "50%")),
        ),
        decided_in="_classify",
    ),
    ForceRule(
        "a ratio",
        "ratio",
        (
            _ex("The defenders are outnumbered roughly 10-to-1.", ("ratio", "10:1")),
            _ex("Officers put the odds at one to four, one to five.", ("ratio", "4:1-5:1")),
            _ex("The enemy has five times as many drones.", ("ratio", "5:1")),
            _ex("In artillery the defenders are outgunned by a factor of ten.", ("ratio", "10:1")),
            _ex(
                '"For every shell we fire, they fire another ten," a gunner said.',
                ("ratio", "10:1"),
            ),
        ),
        decided_in="_classify",
    ),
    ForceRule(
        "a distance",
        "territory",
        (
            _ex("Drones now strike from 5 to 15 kilometres away.", ("territory", "5-15 km")),
            _ex("Their guns can fire from 20 km away.", ("territory", "20 km")),
            _ex("Residents ran to a cellar 100ft away."),
            _ex("The shelling hit positions 15km north of Velyka.", ("territory", "15 km")),
            _ex("Both armies dug in along a 300-mile (480-km) front.", ("territory", "300 mi")),
            _ex("Troops advanced 3 km on Monday.", ("territory", "3 km")),
        ),
        decided_in="_classify_measure",
    ),
    ForceRule(
        "a weight with its weapon",
        "equipment",
        (_ex("The jets dropped bombs weighing one ton.", ("equipment", "1 t")),),
        decided_in="_classify_measure",
    ),
    ForceRule(
        "dates, ages and money count nothing",
        None,
        (_ex("On March 3, 2024, the 45-year-old mayor spent $2 million on roads."),),
        decided_in="_classify",
    ),
)
