"""The Tracksale API's routes: which endpoint a method and path below `/v2` name.

A `*` segment is a parameter (a campaign code, widget key or lot code). An unknown path is
404; a known path called with another method is 405.
"""

from __future__ import annotations

from typing import NamedTuple

ROUTES = (
    ("GET", ("campaign",), "campaigns"),
    ("GET", ("campaign", "*"), "campaign"),
    ("GET", ("campaign", "*", "draft-lot"), "draft_lots"),
    ("GET", ("widget", "*"), "widget"),
    ("GET", ("report", "answer"), "answers"),
    ("GET", ("report", "dispatch"), "dispatches"),
    ("GET", ("report", "nps"), "nps"),
    ("GET", ("report", "category"), "categories"),
    ("GET", ("report", "status"), "statuses"),
    ("POST", ("campaign", "*", "dispatch"), "dispatch"),
    ("POST", ("campaign", "*", "dispatch", "*"), "send_lot"),
    ("POST", ("campaign", "*", "discard-lot", "*"), "discard_lot"),
    ("POST", ("campaign", "*", "survey-links"), "survey_links"),
    ("POST", ("campaign", "*", "can-impact"), "can_impact"),
    ("POST", ("answer",), "insert_answers"),
    ("POST", ("note",), "note"),
    ("POST", ("fill-empty-tags",), "fill_empty_tags"),
)


class Route(NamedTuple):
    """A matched endpoint and its path parameters."""

    method: str
    endpoint: str
    params: tuple[str, ...]


def match_routes(path: str) -> list[Route]:
    """Every route a path below the API root matches, whatever its method."""
    segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    matches = []
    for method, pattern, endpoint in ROUTES:
        if len(pattern) != len(segments):
            continue
        params = []
        for expected, segment in zip(pattern, segments, strict=True):
            if expected == "*":
                if not segment:
                    break
                params.append(segment)
            elif expected != segment:
                break
        else:
            matches.append(Route(method, endpoint, tuple(params)))
    return matches
