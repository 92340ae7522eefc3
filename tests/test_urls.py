"""URL canonicalisation and scope checks (pipeline/urls.py): pure functions, so many small cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Source
from pipeline.urls import (
    canonicalize,
    host_allowed,
    in_scope,
    is_http,
    remove_dot_segments,
    resolve,
    split_params,
)

KREFELD = Source(
    name="krefeld",
    start_urls=["https://www.krefeld.de/de/presse/pressemitteilungen/"],
    allowed_hosts=["www.krefeld.de", "krefeld.de", "kaoa-krefeld.de"],
    canonical_host="www.krefeld.de",
    include=[r"^/de/(oberbuergermeister|presse|inhalt)/", r"^/C125748100427CD6/html/"],
    exclude=[r"\.pdf$"],
)
ARTICLE = "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/"


@pytest.mark.parametrize("url", [
    "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/",
    "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern",
    "http://krefeld.de/de/inhalt/krefeld-und-venlo-feiern/",
    "https://krefeld.de/de/inhalt/krefeld-und-venlo-feiern/",
    "https://kaoa-krefeld.de/de/inhalt/krefeld-und-venlo-feiern/",
    "HTTPS://WWW.KREFELD.DE:443/de/inhalt/krefeld-und-venlo-feiern/#top",
    "https://www.krefeld.de./de/inhalt/krefeld-und-venlo-feiern/",
    "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/&c92=2147483647&s94=6",
    "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern&c92=2147483647",
    "https://www.krefeld.de/de/inhalt/krefeld-und-venlo-feiern/?s91=11",
    "https://www.krefeld.de//de//inhalt/./krefeld-und-venlo-feiern/",
    "https://www.krefeld.de/de/presse/../inhalt/krefeld-und-venlo-feiern/",
    "https://www.krefeld.de/de/inhalt/%6Brefeld-und-venlo-feiern/",
])
def test_every_alias_of_an_article_has_one_canonical_url(url: str) -> None:
    assert canonicalize(url, KREFELD) == ARTICLE


def test_without_a_source_hosts_are_kept_and_default_list_state_dropped() -> None:
    assert canonicalize("http://Krefeld.DE:80/de/inhalt/x&c92=1") == "http://krefeld.de/de/inhalt/x/"
    assert canonicalize("https://krefeld.de:8443/a") == "https://krefeld.de:8443/a/"


def test_query_parameters_are_sorted_and_normalised_but_kept() -> None:
    assert canonicalize("https://www.krefeld.de/suche/?q=venlo&a=%7e1", KREFELD) == \
        "https://www.krefeld.de/suche/?a=~1&q=venlo"


def test_drop_params_are_removed_from_the_query_too() -> None:
    assert canonicalize("https://www.krefeld.de/x/?c12=5&keep=1&s3=9", KREFELD) == \
        "https://www.krefeld.de/x/?keep=1"


def test_paging_offsets_are_kept_only_on_paginated_listings_and_only_with_keep_paging() -> None:
    listing = "https://www.krefeld.de/de/presse/pressemitteilungen/&s93=326&s91=11&c5=2"
    assert canonicalize(listing, KREFELD, keep_paging=True) == \
        "https://www.krefeld.de/de/presse/pressemitteilungen/&s91=11&s93=326"
    assert canonicalize(listing, KREFELD) == "https://www.krefeld.de/de/presse/pressemitteilungen/"
    # offset 1 is the first page, the same as no offset
    assert canonicalize("https://www.krefeld.de/de/presse/pressemitteilungen/&s91=1", KREFELD,
                        keep_paging=True) == "https://www.krefeld.de/de/presse/pressemitteilungen/"
    # an article never keeps offsets, even with keep_paging
    assert canonicalize(ARTICLE + "&s94=6", KREFELD, keep_paging=True) == ARTICLE


def test_percent_encoding_is_normalised_and_reserved_escapes_survive() -> None:
    assert canonicalize("https://www.krefeld.de/de/inhalt/m%c3%bchle/", KREFELD) == \
        "https://www.krefeld.de/de/inhalt/m%C3%BChle/"
    assert canonicalize("https://www.krefeld.de/de/inhalt/mühle/", KREFELD) == \
        "https://www.krefeld.de/de/inhalt/m%C3%BChle/"
    # %2F and %26 are data, not a path separator or a list-state parameter
    assert canonicalize("https://www.krefeld.de/a%2fb/", KREFELD) == "https://www.krefeld.de/a%2Fb/"
    assert canonicalize("https://www.krefeld.de/a%26b/", KREFELD) == "https://www.krefeld.de/a%26b/"
    assert canonicalize("https://www.krefeld.de/100%/", KREFELD) == "https://www.krefeld.de/100%25/"


def test_trailing_slash_only_for_directories() -> None:
    assert canonicalize("https://www.krefeld.de/de/oberbuergermeister/...mehr-partner", KREFELD) == \
        "https://www.krefeld.de/de/oberbuergermeister/...mehr-partner/"
    assert canonicalize("https://www.krefeld.de/C125748100427CD6/html/0123456789abcdef0123456789abcdef",
                        KREFELD).endswith("0123456789abcdef/")
    assert canonicalize("https://www.krefeld.de/media/plan.pdf", KREFELD).endswith("/plan.pdf")
    assert canonicalize("https://www.krefeld.de/robots.txt", KREFELD).endswith("/robots.txt")


def test_other_schemes_are_left_alone() -> None:
    assert canonicalize(" mailto:presse@krefeld.de ", KREFELD) == "mailto:presse@krefeld.de"
    assert not is_http("javascript:void(0)")
    assert is_http("HTTP://x.de/")


def test_remove_dot_segments() -> None:
    assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
    assert remove_dot_segments("/../../x") == "/x"
    assert remove_dot_segments("/a/b/..") == "/a/"
    assert remove_dot_segments("/a/.") == "/a/"


def test_resolve_links() -> None:
    assert resolve(ARTICLE, "../andere/") == "https://www.krefeld.de/de/inhalt/andere/"
    assert resolve(ARTICLE, "mailto:x@krefeld.de") is None
    assert resolve(ARTICLE, "#top") is None
    assert resolve(ARTICLE, "javascript:void(0)") is None
    assert resolve(ARTICLE, "http://[::1") is None  # malformed IPv6: ignored, not an exception
    assert resolve(ARTICLE, "//krefeld.de/x") == "https://krefeld.de/x"


def test_split_params_accepts_both_forms() -> None:
    assert split_params("/p/&s91=11&s93=326", "x=1") == ("/p/", [("s91", "11"), ("s93", "326"), ("x", "1")])
    assert split_params("/p/", "") == ("/p/", [])


@pytest.mark.parametrize("netloc,scheme,ok", [
    ("www.krefeld.de", "https", True),
    ("WWW.Krefeld.de:443", "https", True),
    ("www.krefeld.de:8080", "https", True),  # a bare host allows any port
    ("127.0.0.1:8765", "http", True),
    ("127.0.0.1:8766", "http", False),
    ("127.0.0.1", "http", False),
    ("127.0.0.2:8765", "http", False),
    ("evil.com@www.krefeld.de", "https", True),  # userinfo is not the host
    ("www.krefeld.de.evil.com", "https", False),
    ("localhost:80", "http", True),
])
def test_host_allowed(netloc: str, scheme: str, ok: bool) -> None:
    allowed = ["www.krefeld.de", "127.0.0.1:8765", "localhost:80"]
    assert host_allowed(netloc, allowed, scheme) is ok


def test_in_scope() -> None:
    assert in_scope(ARTICLE, KREFELD)
    assert in_scope("http://krefeld.de/de/presse/pressemitteilungen/&s91=6", KREFELD)
    assert not in_scope("https://www.krefeld.de/en/tourism/", KREFELD)  # not included
    assert not in_scope("https://www.krefeld.de/de/inhalt/plan.pdf", KREFELD)  # excluded
    assert not in_scope("https://www.duesseldorf.de/de/inhalt/x/", KREFELD)
    assert not in_scope("ftp://www.krefeld.de/de/inhalt/x/", KREFELD)


_segment = st.text(alphabet=st.sampled_from(list("abcAB09-._~%/&=?#ä ;")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTPS://"]),
       st.sampled_from(["www.krefeld.de", "KREFELD.de", "kaoa-krefeld.de:443", "example.org:8080"]),
       st.lists(_segment, max_size=5), st.booleans())
def test_canonicalize_is_idempotent(scheme: str, host: str, segments: list[str], paging: bool) -> None:
    url = scheme + host + "/" + "/".join(segments)
    once = canonicalize(url, KREFELD, keep_paging=paging)
    assert canonicalize(once, KREFELD, keep_paging=paging) == once
    assert "#" not in once
