"""Fictional interpersonal stories for the demo clients: each inventory and timeline makes the
problem-area suggestion clear. Days are counted relative to the onset of the current episode."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class P:
    name: str
    relationship: str
    ring: str
    deceased_days: int | None = None  # died this many days before the onset (negative: after)
    expectations_met: str = "unknown"
    conflict: str = "none"
    changed: bool = False
    linked: bool = False
    satisfying: str = ""
    unsatisfying: str = ""
    expectations: str = ""


@dataclass(frozen=True)
class E:
    kind: str
    days_before_onset: int
    description: str
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Story:
    area: str  # the area the clinician chooses once the initial phase is over
    onset_days_before_start: int
    rationale: str
    people: tuple[P, ...]
    events: tuple[E, ...] = ()
    interval_events: tuple[str, ...] = field(default=())
    homework: tuple[str, ...] = field(default=())


STORIES: dict[str, Story] = {
    # Grief, middle phase (Thomas).
    "NS-1002": Story(
        "grief",
        90,
        "Depression began six weeks after his wife died; he has avoided talking about her since.",
        (
            P("Margaret", "partner", "inner", deceased_days=42, satisfying="Forty years together."),
            P("Kevin", "sibling", "inner", satisfying="Rings every Sunday."),
            P("Sheila", "neighbour", "middle"),
            P("Old work friends", "friend", "outer", changed=True, unsatisfying="Stopped seeing them."),
        ),
        (E("death", 42, "Margaret died after a short illness.", ("Margaret",)),),
        ("Visited Margaret's grave with Kevin; cried for the first time.", "Sorted some of her clothes."),
        ("Look at the photo album with Kevin and tell him one story about Margaret.",),
    ),
    # Role dispute, middle phase (Priya).
    "NS-1003": Story(
        "role_dispute",
        120,
        "The low mood follows months of rows with Arjun about his working away; neither feels heard.",
        (
            P(
                "Arjun",
                "partner",
                "inner",
                expectations_met="no",
                conflict="serious",
                changed=True,
                linked=True,
                expectations="She expects him home at weekends; he expects her to manage alone.",
            ),
            P("Mum", "parent", "inner", satisfying="Talks most days."),
            P("Ines", "friend", "middle"),
        ),
        (E("dispute_start", 60, "Arjun took a job that keeps him away four nights a week.", ("Arjun",)),),
        ("Argued with Arjun about the weekend again; went quiet.", "Told Arjun calmly that she felt alone."),
        ("Choose one calm moment to tell Arjun one thing she needs at weekends.",),
    ),
    # Role dispute, initial phase: the suggestion is there but not chosen yet (Maya).
    "NS-1001": Story(
        "role_dispute",
        70,
        "",
        (
            P(
                "Mum",
                "parent",
                "inner",
                expectations_met="partly",
                conflict="some",
                linked=True,
                unsatisfying="Criticises her job.",
            ),
            P("Tunde", "sibling", "middle"),
        ),
        (E("dispute_start", 30, "Mum moved in after her operation.", ("Mum",)),),
    ),
    # Role transition, termination phase (Samuel).
    "NS-1004": Story(
        "role_transition",
        100,
        "Depression began after he was made redundant and the family moved to a smaller flat.",
        (
            P("Ada", "partner", "inner", satisfying="Supportive."),
            P("Former team", "colleague", "outer", changed=True),
            P("Kids", "child", "inner"),
        ),
        (
            E("job_loss", 45, "Made redundant after 14 years.", ("Former team",)),
            E("move", 20, "Moved to a smaller flat across town."),
        ),
        ("Applied for two jobs; felt a bit more hopeful.", "Started volunteering at the library."),
        ("Ask a former colleague for coffee.",),
    ),
    # Role transition, brief IPT (Ruth): a new baby.
    "NS-1006": Story(
        "role_transition",
        60,
        "Low since the birth of her son: the loss of her work identity and friends from work.",
        (
            P("Tom", "partner", "inner"),
            P("Baby Finn", "child", "inner"),
            P("Work friends", "colleague", "outer", changed=True),
        ),
        (E("birth", 30, "Finn was born.", ("Baby Finn",)),),
        ("Went to a parents' group; talked to one person.",),
        ("Go back to the parents' group and swap numbers with one parent.",),
    ),
    # Interpersonal deficits (Grace): few close ties, nothing else explains the onset.
    "NS-1005": Story(
        "interpersonal_deficits",
        400,
        "No loss, dispute or change around the onset; she has had few close relationships for years.",
        (P("Cousin Eva", "other_family", "outer"), P("Neighbour", "neighbour", "outer")),
        (),
        ("Spoke to the neighbour for a few minutes.",),
        ("Say hello to the neighbour and ask one question.",),
    ),
    # Interpersonal deficits, initial phase, no sessions yet (Jonah).
    "NS-1011": Story(
        "interpersonal_deficits",
        200,
        "",
        (P("Gaming friend", "friend", "outer"),),
    ),
    # Grief, adolescent (Oisín).
    "NS-1009": Story(
        "grief",
        80,
        "Low since his grandmother, who looked after him after school, died in the spring.",
        (
            P("Nana Bríd", "other_family", "inner", deceased_days=35),
            P("Mam", "parent", "inner"),
            P("Cian", "friend", "middle"),
        ),
        (
            E("death", 35, "Nana Bríd died.", ("Nana Bríd",)),
            E("school_change", 400, "Started secondary school."),
        ),
        ("Talked to Mam about Nana for the first time.",),
        ("Write down three things he remembers doing with Nana.",),
    ),
    # Role transition, adolescent, initial phase (Leila).
    "NS-1008": Story(
        "role_transition",
        50,
        "",
        (P("Mum", "parent", "inner"), P("Dad", "parent", "middle", changed=True)),
        (
            E("divorce", 25, "Parents separated; Dad moved out.", ("Dad",)),
            E("school_change", 10, "Changed school."),
        ),
    ),
    # Role dispute with a manager, brief IPT (Daniel).
    "NS-1007": Story(
        "role_dispute",
        75,
        "Depression grew with the conflict with his new manager over workload.",
        (
            P("Karen", "manager", "middle", expectations_met="no", conflict="serious", linked=True),
            P("Sophie", "partner", "inner"),
        ),
        (E("dispute_start", 40, "Karen became his manager and doubled his caseload.", ("Karen",)),),
        ("Raised the workload with Karen; she listened.",),
        ("Write down what he wants to ask Karen for.",),
    ),
    # Role transition after migration (Amara).
    "NS-1012": Story(
        "role_transition",
        90,
        "Low since moving from Lagos for her husband's job; she lost her work and her friends.",
        (P("Chidi", "partner", "inner"), P("Sister Ngozi", "sibling", "middle", changed=True)),
        (E("migration", 40, "Moved to Ireland."),),
        ("Joined a choir.",),
        ("Call her sister on Sunday.",),
    ),
    # Role transition into retirement, now in maintenance (Helen).
    "NS-1010": Story(
        "role_transition",
        140,
        "The first episode followed her retirement; maintenance keeps the gains.",
        (P("Jim", "partner", "inner"), P("Book club", "friend", "middle")),
        (E("retirement", 60, "Retired from teaching."),),
    ),
}
