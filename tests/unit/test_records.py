import datetime as dt
import logging
import random

import pytest
from connector_kit.errors import ConnectorError
from connector_kit.records import (
    EXTRA_FIELDS,
    RecordConformer,
    extract_records,
    normalize_timestamp,
    total_of,
    unix_to_timestamp,
)

SCHEMA = {
    "properties": {
        "id": {"type": ["integer"]},
        "amount": {"type": ["number", "null"]},
        "flag": {"type": ["boolean", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "name": {"type": ["string", "null"]},
        "nested": {"type": ["object", "null"]},
        EXTRA_FIELDS: {"type": ["object", "null"]},
    }
}


@pytest.mark.parametrize("key", ["data", "items", "results", "records"])
def test_records_under_any_envelope(key):
    assert extract_records({key: [{"a": 1}], "total": 1}) == [{"a": 1}]


def test_bare_array_and_empty_envelope():
    assert extract_records([{"a": 1}]) == [{"a": 1}]
    assert extract_records({"total": 0, "data": None}) == []
    assert extract_records({"total": "0"}) == []


def test_one_list_valued_field_is_taken_and_logged(caplog):
    with caplog.at_level(logging.DEBUG, logger="connector_kit.records"):
        assert extract_records({"rows": [{"a": 1}], "count": 1}, where="x") == [{"a": 1}]
    assert "'rows'" in caplog.text


@pytest.mark.parametrize(
    ("payload", "seen"),
    [
        ({"rows": {}}, r"\['rows'\]"),
        ({"total": {"row": {}}, "page": 1}, r"\['page', 'total'\]"),
        ({"total": 5, "data": None}, r"\['data', 'total'\]"),
        ({"a": [1], "b": [2]}, r"\['a', 'b'\]"),
        ({}, r"\[\]"),
        ("text", "str"),
        (None, "NoneType"),
    ],
)
def test_unknown_shape_says_what_it_found(payload, seen):
    with pytest.raises(ConnectorError, match=rf"test response holds no list .* it has: {seen}"):
        extract_records(payload, where="test response")


def test_total_may_be_a_string_or_missing():
    assert total_of({"total": "2345"}) == 2345
    assert total_of({"data": []}) is None
    assert total_of([]) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05T14:22:10Z", "2024-03-05T14:22:10Z"),
        ("2024-03-05 14:22:10", "2024-03-05T14:22:10Z"),
        ("2024-03-05T14:22:10", "2024-03-05T14:22:10Z"),
        ("2024-03-05T16:22:10+02:00", "2024-03-05T14:22:10Z"),
        ("2024-03-05T14:22:10.250Z", "2024-03-05T14:22:10.25Z"),
        ("2024-03-05", "2024-03-05T00:00:00Z"),
        ("yesterday", None),
    ],
)
def test_timestamps_are_normalized_to_utc(raw, expected):
    assert normalize_timestamp(raw) == expected


def conformer():
    return RecordConformer(SCHEMA, stream="s", logger=logging.getLogger("test"))


def test_values_are_coerced_to_the_schema():
    record = conformer()(
        {"id": "17", "amount": "12.50", "flag": "true", "at": "2024-03-05 14:22:10", "name": 5}
    )
    assert record == {
        "id": 17,
        "amount": 12.5,
        "flag": True,
        "at": "2024-03-05T14:22:10Z",
        "name": "5",
    }


def test_unix_seconds_become_timestamps():
    c = conformer()
    assert c({"id": 1, "at": 1454340407})["at"] == "2016-02-01T15:26:47Z"
    assert c({"id": 1, "at": "1454340407"})["at"] == "2016-02-01T15:26:47Z"
    assert c({"id": 1, "at": 1454340407.5})["at"] == "2016-02-01T15:26:47.5Z"


LAST_SECOND_OF_9999 = 253_402_300_799


EDGES = [0, 1, 59, 60, 3599, 3600, 86_399, 86_400, 951_782_400, 4_107_542_400]


@pytest.mark.parametrize(
    "seconds",
    [*EDGES, LAST_SECOND_OF_9999, *random.Random(7).sample(range(LAST_SECOND_OF_9999), 200)],
)
def test_whole_unix_seconds_read_as_the_calendar_does(seconds):
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    assert unix_to_timestamp(seconds) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert conformer()({"id": 1, "at": seconds})["at"] == unix_to_timestamp(seconds)


def test_unix_times_outside_the_common_range_still_convert_or_are_kept():
    assert unix_to_timestamp(-1) == "1969-12-31T23:59:59Z"
    assert unix_to_timestamp(LAST_SECOND_OF_9999 + 0.25) == "9999-12-31T23:59:59.25Z"
    record = conformer()({"id": 1, "at": LAST_SECOND_OF_9999 + 1})
    assert record["at"] is None
    assert record[EXTRA_FIELDS] == {"at": LAST_SECOND_OF_9999 + 1}


def test_values_already_right_are_untouched():
    record = {"id": 1, "amount": 2.5, "flag": False, "at": "2024-03-05T14:22:10Z", "name": "x"}
    assert conformer()(dict(record)) == record


def test_unknown_fields_and_unfit_values_are_kept_not_dropped(caplog):
    c = conformer()
    with caplog.at_level(logging.WARNING):
        record = c({"id": 1, "amount": "lots", "riskScore": 3, "nested": {"new": 1}})
        c({"id": 2, "riskScore": 4})
    assert record["amount"] is None
    assert record[EXTRA_FIELDS] == {"amount": "lots", "riskScore": 3}
    assert record["nested"] == {"new": 1}
    assert c.invalid_values == 1
    # each field is reported once per run, not once per record
    assert sum("riskScore" in m for m in caplog.messages) == 1


NESTED_SCHEMA = {
    "properties": {
        "id": {"type": ["integer"]},
        "campaign": {
            "type": ["object", "null"],
            "properties": {"code": {"type": ["string", "null"]}, "name": {"type": ["string"]}},
        },
        "review": {
            "type": ["array", "null"],
            "items": {
                "type": ["object"],
                "properties": {
                    "score": {"type": ["integer", "null"]},
                    "answer": {"type": ["string", "null"]},
                    "at": {"type": ["string", "null"], "format": "date-time"},
                    "flags": {"type": ["array"], "items": {"type": ["boolean"]}},
                },
            },
        },
        EXTRA_FIELDS: {"type": ["object", "null"]},
    }
}


def nested_conformer():
    return RecordConformer(NESTED_SCHEMA, stream="s", logger=logging.getLogger("test"))


def test_nested_objects_and_arrays_are_conformed_at_every_depth():
    record = nested_conformer()(
        {
            "id": 1,
            "campaign": {"code": 101, "name": "NPS", "other": "kept as it came"},
            "review": [
                {"score": "9", "answer": 7, "at": 1767225600, "flags": ["1", 0, True]},
                {"score": 10, "answer": "ok", "at": "2026-01-01 00:00:00", "flags": []},
            ],
        }
    )
    assert record == {
        "id": 1,
        "campaign": {"code": "101", "name": "NPS", "other": "kept as it came"},
        "review": [
            {"score": 9, "answer": "7", "at": "2026-01-01T00:00:00Z", "flags": [True, False, True]},
            {"score": 10, "answer": "ok", "at": "2026-01-01T00:00:00Z", "flags": []},
        ],
    }


def test_a_nested_value_that_does_not_fit_is_kept_under_its_path():
    conform = nested_conformer()
    record = conform(
        {
            "id": 2,
            "campaign": "101",
            "review": [{"score": "nine", "answer": None}, {"flags": ["maybe"]}],
        }
    )
    assert record["campaign"] is None
    assert record["review"] == [{"score": None, "answer": None}, {"flags": [None]}]
    assert record[EXTRA_FIELDS] == {
        "campaign": "101",
        "review[0].score": "nine",
        "review[1].flags[0]": "maybe",
    }
    assert conform.invalid_values == 3


def typed_conformer(**properties: dict) -> RecordConformer:
    schema = {"properties": {**properties, EXTRA_FIELDS: {"type": ["object", "null"]}}}
    return RecordConformer(schema, stream="s", logger=logging.getLogger("test"))


def test_a_union_takes_the_first_declared_type_that_fits_and_keeps_the_rest():
    conform = typed_conformer(
        code={"type": ["integer", "string", "null"]},
        answer={"type": ["number", "string", "null"]},
        items={"type": ["array"], "items": {"type": ["integer", "string"]}},
    )
    assert conform({"code": "52", "answer": 9, "items": ["7", "AB-7"]}) == {
        "code": 52,
        "answer": 9,
        "items": [7, "AB-7"],
    }
    assert conform({"code": "AB-7", "answer": "Great"}) == {"code": "AB-7", "answer": "Great"}
    kept = conform({"code": True, "answer": [1]})
    assert kept == {"code": None, "answer": None, EXTRA_FIELDS: {"code": True, "answer": [1]}}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234.5", 1234.5),
        ("12345678901234567890", 12345678901234567890),
        (10**400, 10**400),
        ("1e3", 1000.0),
        ("1,5", None),  # a decimal comma is no thousands separator: kept raw
        ("nan", None),
        ("inf", None),
    ],
)
def test_numbers_keep_their_value_or_are_kept_raw(raw, expected):
    record = typed_conformer(n={"type": ["number", "null"]})({"n": raw})
    assert record["n"] == expected
    if expected is None:
        assert record[EXTRA_FIELDS] == {"n": raw}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-01-31", "2026-01-31"), (" 2026-01-31 ", "2026-01-31"), ("20260131", "2026-01-31")],
)
def test_dates_are_read_and_a_text_that_is_no_date_is_kept(raw, expected):
    conform = typed_conformer(day={"type": ["string", "null"], "format": "date"})
    assert conform({"day": raw}) == {"day": expected}
    assert conform({"day": "2026-02-30"}) == {"day": None, EXTRA_FIELDS: {"day": "2026-02-30"}}


def test_times_before_year_1000_keep_four_digits_and_year_10000_is_kept_raw():
    conform = typed_conformer(at={"type": ["string", "null"], "format": "date-time"})
    assert conform({"at": "0999-01-01 00:00:00"}) == {"at": "0999-01-01T00:00:00Z"}
    late = "9999-12-31T23:00:00-05:00"
    assert conform({"at": late}) == {"at": None, EXTRA_FIELDS: {"at": late}}


def test_flattened_objects_keep_undeclared_fields_under_extra_fields():
    schema = {
        "properties": {
            "campaign": {
                "type": ["object"],
                "properties": {
                    "code": {"type": ["integer"]},
                    "inner": {"type": ["object"], "properties": {"a": {"type": ["string"]}}},
                },
            },
            EXTRA_FIELDS: {"type": ["object", "null"]},
        }
    }
    raw = {"campaign": {"code": "1", "source": "x", "inner": {"a": "b", "more": 1}}}
    one = RecordConformer(schema, stream="s", logger=logging.getLogger("t"), flattened_levels=1)
    assert one(raw) == {
        "campaign": {"code": 1, "inner": {"a": "b", "more": 1}},
        EXTRA_FIELDS: {"campaign.source": "x"},
    }
    raw = {"campaign": {"code": "1", "source": "x", "inner": {"a": "b", "more": 1}}}
    two = RecordConformer(schema, stream="s", logger=logging.getLogger("t"), flattened_levels=2)
    assert two(raw)[EXTRA_FIELDS] == {"campaign.source": "x", "campaign.inner.more": 1}
    raw = {"campaign": {"code": "1", "source": "x"}}
    unflattened = RecordConformer(schema, stream="s", logger=logging.getLogger("t"))
    assert unflattened(raw) == {"campaign": {"code": 1, "source": "x"}}
