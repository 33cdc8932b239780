"""PURE: the portal's Learn pages — short psychoeducation in plain words, written by us.

Each page is for a client reading on a phone: short sentences, everyday words, "you". The facts
come from the sources named on each page, as digested in the project's clinical reference; nothing
the digest marks unverified is stated here. Standard library only, so it can join the "pure" contract.
"""

from __future__ import annotations

from dataclasses import dataclass

GUIDE = (
    "Weissman, Markowitz and Klerman, The Guide to Interpersonal Psychotherapy, "
    "updated and expanded edition (Oxford University Press, 2018)."
)
WHO_GROUP = "World Health Organization, Group Interpersonal Therapy (IPT) for Depression (2016)."
STUART = "Stuart and Robertson, Interpersonal Psychotherapy: A Clinician's Guide, 2nd edition (2012)."


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        slug="depression",
        title="Depression is common, and it can be treated",
        summary="What depression is, and why it is not your fault.",
        paragraphs=(
            "Depression is an illness. It is very common. Many people have it at some time in their life.",
            "You may feel sad or empty most days. Things you used to enjoy may feel flat. "
            "You may sleep badly or too much. You may feel tired, eat more or less, and find it "
            "hard to think.",
            "Depression can also make you feel guilty or worthless. That feeling is part of the "
            "illness. It is not the truth about you.",
            "Depression is not your fault. It is not a sign that you are weak or lazy.",
            "The good news is that depression can be treated. Talking therapy helps many people. "
            "Medicine can help too. Your therapist will talk with you about what fits you.",
            "Treatment takes some time. Many people start to feel better as it goes on. "
            "You will fill in short questionnaires along the way. They help you and your "
            "therapist see how things are going.",
        ),
        sources=(GUIDE, WHO_GROUP),
    ),
    Topic(
        slug="sick-role",
        title="It is OK to do less for a while",
        summary="Why you can let some things go while you get better.",
        paragraphs=(
            "When you have the flu, you rest. People do not expect you to do everything. "
            "Depression is an illness too.",
            "Right now it may be hard to do all the things you usually do. You may not manage "
            "work, chores or seeing friends the way you did before. That is OK. It is part of "
            "being ill.",
            "In this therapy we call this the sick role. It means you can let some things go "
            "for a while. You do not need to blame yourself for it.",
            "The sick role has one job in it too. Your job is to work on getting better. "
            "That means coming to your sessions and trying the things you plan together.",
            "As you recover, you will take back your roles, one step at a time. Your therapist "
            "will help you decide what to pick up first.",
            "It can help to tell the people close to you about this. Then they know why you are "
            "doing less for now.",
        ),
        sources=(GUIDE,),
    ),
    Topic(
        slug="what-is-ipt",
        title="What is IPT?",
        summary="A short therapy about your mood and the people in your life.",
        paragraphs=(
            "IPT stands for Interpersonal Psychotherapy. Interpersonal means between people.",
            "IPT is a talking therapy for depression. It has been tested in many studies. "
            "It helps many people feel better.",
            "IPT looks at two things together. One is your mood. The other is what is happening "
            "with the people in your life now.",
            "Mood and relationships affect each other. A loss, an argument or a big change can "
            "bring your mood down. Low mood can make it harder to get on with people.",
            "IPT is about the here and now. You will not spend most of the time on your childhood.",
            "IPT has a set length. You and your therapist agree on the number of sessions at "
            "the start. Often it is 12 to 16 weekly sessions. Some shorter forms have 8.",
            "A set end helps you both keep going and make the most of the time.",
        ),
        sources=(GUIDE, WHO_GROUP),
    ),
    Topic(
        slug="problem-areas",
        title="The four areas IPT works on",
        summary="Grief, disagreements, life changes and feeling alone.",
        paragraphs=(
            "At the start, you and your therapist look at what was happening when your mood went "
            "down. Then you choose one area to work on. Sometimes you choose two.",
            "Grief. Someone close to you has died. The pain may feel stuck, or you may have "
            "pushed it away. IPT helps you grieve. Later, it helps you find people and things "
            "to care about again.",
            "Disagreements. You and someone important want different things from each other. "
            "IPT helps you see what the disagreement is about. Then you try new ways to talk "
            "about it.",
            "Life changes. Something big has changed, like a new job, a move, a baby, an illness "
            "or the end of a relationship. Even good changes can be hard. IPT helps you say "
            "goodbye to the old part of your life. It also helps you find your feet in the new "
            "part.",
            "Feeling alone. You may have few people close to you, or find it hard to connect. "
            "IPT helps you grow the links you have and make new ones.",
            "There is no wrong area. The area is not a label for you. It is just where you and "
            "your therapist will put your energy.",
        ),
        sources=(GUIDE, WHO_GROUP),
    ),
    Topic(
        slug="phases",
        title="What happens in each part of IPT",
        summary="The beginning, the middle, the ending, and after.",
        paragraphs=(
            "IPT has three parts. Each part has its own job.",
            "The beginning. This is about the first three sessions. You talk about your mood and "
            "how depression works. You talk about the important people in your life. Together "
            "you pick the area to work on. You agree on a plan and the number of sessions.",
            "The middle. Each week starts with how things have been since last time. You link "
            "changes in your mood to what happened with people. Then you work on your area. "
            "You may practise a hard talk, or plan something to try before next time.",
            "The ending. The last few sessions are about finishing well. You look at what has "
            "changed and what helped. You talk about how it feels to stop. You make a plan for "
            "spotting early signs if your mood drops again.",
            "After. Some people stay in touch with less frequent sessions, for example once a "
            "month. This can help you stay well. Your therapist will talk about this with you "
            "near the end.",
        ),
        sources=(GUIDE, STUART),
    ),
)

BY_SLUG = {t.slug: t for t in TOPICS}


def topic(slug: str) -> Topic | None:
    return BY_SLUG.get(slug)
