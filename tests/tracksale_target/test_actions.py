"""The other actions: answers, survey links, notes and filling empty tags."""

from __future__ import annotations

import datetime as dt
import json

from tests.tracksale_target.helpers import campaign_code, customers, posts, target_config
from tests.tracksale_target.target_runner import ledger_rows, record, schema


def stream_of(stream: str, records: list[dict]) -> list[dict]:
    return [schema(stream), *(record(stream, r) for r in records)]


def a_sandbox_answer(sandbox) -> dict:
    return sandbox.tracksale.answers(start="2020-01-01", end="2035-01-01")[0]


def test_answers_are_inserted_with_their_ids_and_bad_scores_rejected(sandbox, tmp_path, run):
    code = campaign_code(sandbox)
    actions = {"nps_answers": {"action": "answers", "campaign_code": code}}
    people = customers(4, prefix="ans")
    answers = [
        {**people[0], "score": 10, "justification": "Great", "create_time": 1_760_000_000},
        {**people[1], "score": "7", "create_time": "2025-10-09T08:53:20Z"},
        {**people[2], "score": 0},
        {**people[3], "score": 11},
    ]
    config = target_config(sandbox, tmp_path, actions)
    result = run(config, stream_of("nps_answers", answers)).check()
    [write] = posts(sandbox, "/answer")
    assert write["query"] == {"return_answer_id": "1"}
    assert write["body"]["campaign_code"] == code
    sent = {a["email"]: a for a in write["body"]["answers"]}
    assert sent[people[0]["email"]]["justification"] == "Great"
    assert sent[people[1]["email"]]["score"] == 7
    assert sent[people[1]["email"]]["create_time"] == 1_759_999_999 + 1
    counts = result.counts("nps_answers")
    assert (counts["sent"], counts["rejected"]) == (3, 1)
    assert "`score` must be a whole number from 0 to 10" in result.rejects[0]["reason"]
    details = [json.loads(row["detail"]) for row in ledger_rows(config)]
    assert all(isinstance(d["answer_id"], int) for d in details)
    again = run(config, stream_of("nps_answers", answers)).check()
    assert again.counts("nps_answers")["already_sent"] == 3
    assert len(posts(sandbox, "/answer")) == 1


def test_survey_links_are_written_to_a_file_to_load_back(sandbox, tmp_path, run):
    actions = {"invites": {"action": "survey_links", "campaign_code": campaign_code(sandbox)}}
    people = customers(3, prefix="link")
    result = run(target_config(sandbox, tmp_path, actions), stream_of("invites", people)).check()
    links = result.survey_links
    assert [row["email"] for row in links] == [p["email"] for p in people]
    assert all(row["survey_link"].startswith("https://tracksale.co/s/") for row in links)
    assert links[0]["record"] == people[0]
    assert links[0]["campaign_code"] == campaign_code(sandbox)
    assert result.counts("invites")["sent"] == 3
    assert result.summary["files"]["survey_links"] == result.config["survey_links_path"]


def test_notes_by_answer_id_and_by_customer_and_a_missing_answer(sandbox, tmp_path, run):
    answer = a_sandbox_answer(sandbox)
    day = dt.datetime.fromtimestamp(answer["time"], tz=dt.timezone.utc).date().isoformat()
    actions = {"notes": {"action": "notes", "start_date": "2020-01-01"}}
    notes = [
        {"comment": "Called back", "answer_id": answer["id"]},
        {"comment": "By e-mail", "email": answer["email"], "end_date": day},
        {"comment": "Nobody", "answer_id": 1},
        {"comment": "", "answer_id": answer["id"]},
    ]
    result = run(target_config(sandbox, tmp_path, actions), stream_of("notes", notes)).check()
    bodies = [w["body"] for w in posts(sandbox, "/note")]
    assert {"comment": "Called back", "answer_id": answer["id"]} in bodies
    by_email = next(b for b in bodies if b["comment"] == "By e-mail")
    assert by_email["filter"] == {
        "email": answer["email"],
        "start_date": "2020-01-01",
        "end_date": day,
    }
    counts = result.counts("notes")
    assert (counts["sent"], counts["invalid"], counts["rejected"]) == (2, 1, 1)
    reasons = {r["record"]["comment"]: r["reason"] for r in result.rejects}
    assert "HTTP 404" in reasons["Nobody"]
    assert "non-empty `comment`" in reasons[""]


def test_empty_tags_are_filled_by_answer_id_or_customer(sandbox, tmp_path, run):
    answer = a_sandbox_answer(sandbox)
    actions = {"tags": {"action": "fill_empty_tags"}}
    fills = [
        {"answer_id": answer["id"], "tags": [{"name": "Segment", "value": "VIP"}]},
        {
            "email": answer["email"],
            "campaign_code": answer["campaign_code"],
            "tags": {"Plan": "gold"},
        },
        {"answer_id": answer["id"]},
    ]
    result = run(target_config(sandbox, tmp_path, actions), stream_of("tags", fills)).check()
    bodies = [w["body"] for w in posts(sandbox, "/fill-empty-tags")]  # sent concurrently
    assert {"answer_id": answer["id"], "tags": [{"name": "Segment", "value": "VIP"}]} in bodies
    by_customer = next(body for body in bodies if "customer" in body)
    assert by_customer == {
        "customer": {"email": answer["email"]},
        "campaign_code": answer["campaign_code"],
        "tags": [{"name": "Plan", "value": "gold"}],
    }
    counts = result.counts("tags")
    assert (counts["sent"], counts["rejected"]) == (2, 1)
