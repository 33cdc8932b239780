"""Learn: short plain-language pages, each naming its source; for signed-in portal clients only."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.utils.html import escape

from openipt.accounts.models import User
from openipt.portal.learn import TOPICS, Topic, topic

SLUGS = [t.slug for t in TOPICS]


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9']+", text)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def test_the_five_topics_of_issue_6_are_there() -> None:
    assert SLUGS == ["depression", "sick-role", "what-is-ipt", "problem-areas", "phases"]
    assert len(set(SLUGS)) == len(SLUGS)


@pytest.mark.parametrize("page", TOPICS, ids=SLUGS)
def test_it_is_short_plain_and_names_its_source(page: Topic) -> None:
    text = " ".join(page.paragraphs)
    all_sentences = [s for p in page.paragraphs for s in sentences(p)]
    average = len(words(text)) / len(all_sentences)
    letters = sum(len(w) for w in words(text)) / len(words(text))

    assert page.sources and all(s.strip() for s in page.sources)
    assert page.title and page.summary
    assert len(words(text)) <= 250, f"{page.slug}: {len(words(text))} words"
    assert average <= 15, f"{page.slug}: {average:.1f} words a sentence"
    assert max(len(words(s)) for s in all_sentences) <= 25, page.slug
    assert letters <= 4.5, f"{page.slug}: {letters:.2f} letters a word"
    assert "you" in text.lower().split() or "your" in text.lower().split()


def test_the_four_problem_areas_are_each_explained() -> None:
    page = topic("problem-areas")
    assert page is not None
    starts = [p.split(".")[0] for p in page.paragraphs]
    assert {"Grief", "Disagreements", "Life changes", "Feeling alone"} <= set(starts)


def test_an_unknown_topic_is_none() -> None:
    assert topic("astrology") is None


def test_a_client_reads_the_list_and_each_page(portal_http: HttpClient) -> None:
    listing = portal_http.get("/portal/learn/")
    body = listing.content.decode()

    assert listing.status_code == 200
    for page in TOPICS:
        assert f'href="/portal/learn/{page.slug}/"' in body
        response = portal_http.get(f"/portal/learn/{page.slug}/")
        text = response.content.decode()
        assert response.status_code == 200
        assert page.title in text and "Where this comes from" in text
        assert 'href="/portal/crisis/"' in text
        assert "<script" not in text and "style=" not in text
        for source in page.sources:
            assert escape(source) in text


def test_the_home_page_links_to_learn(portal_http: HttpClient) -> None:
    assert 'href="/portal/learn/"' in portal_http.get("/portal/").content.decode()


def test_an_unknown_topic_is_404(portal_http: HttpClient) -> None:
    assert portal_http.get("/portal/learn/astrology/").status_code == 404


@pytest.mark.parametrize("url", ["/portal/learn/", "/portal/learn/depression/"])
def test_staff_get_403_and_visitors_are_sent_to_sign_in(url: str, alice: User) -> None:
    staff = HttpClient()
    staff.force_login(alice)
    anonymous = HttpClient().get(url)

    assert staff.get(url).status_code == 403
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
