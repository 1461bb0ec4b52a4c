"""Records from Trackfinity's answers, in the shapes the vendor's pages show, or a clear error.

- Profit/loss (Offerit sample output): `{"total": {"breakdown", "row"}, "rows": [{"break",
  "stats"}]}`. Each row is a record; `total` is not. An answer without a `rows` list is an
  error naming the endpoint and the keys it has.
- Transaction report (Offerit example return): an object keyed by transaction id. A top-level
  list, or an object with one list-valued field, is accepted too (records then carry `id` or
  `transaction_id`). Anything else is an error naming the keys.
- Payout preview: no output is documented. An object is kept whole under `answer`; a number
  (or a numeric text) under `payout`; anything else under `answer` as `{"value": ...}`.

Ids stay text: the vendor's transaction ids have 20 digits, more than a 64-bit integer holds.
"""

from __future__ import annotations

import logging
from typing import Any

from connector_kit.errors import ConnectorError
from connector_kit.records import EXTRA_FIELDS

from tap_trackfinity.parameters import TIME_VIEWS, PreviewLookup

PROFIT_LOSS_OWN_FIELDS = frozenset({"date", "view", "break", "break_time", EXTRA_FIELDS})
TRANSACTION_FIELDS = frozenset({"time", "trans_type", "transaction_hash", "amount", "loginid"})
"""Fields of the documented transaction; a map whose values have none of them is no map of
transactions."""
ID_FIELDS = ("id", "transaction_id")
logger = logging.getLogger("tap_trackfinity.answers")


def _keys_of(value: Any) -> str:
    if isinstance(value, dict):
        return f"an object with keys {sorted(map(str, value))[:20]}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__} ({value!r:.60})"


def profit_loss_records(body: Any, *, day: str, view: str, where: str) -> list[dict[str, Any]]:
    """One record per row of a one-day profit/loss answer for `view`."""
    rows = body.get("rows") if isinstance(body, dict) else None
    if isinstance(rows, dict) and all(isinstance(row, dict) for row in rows.values()):
        rows = list(rows.values())  # a PHP array with gaps in its keys
    if not isinstance(rows, list):
        msg = (
            f"{where} answered {_keys_of(body)}: the tap expects the documented "
            '{"total": {...}, "rows": [{"break": ..., "stats": {...}}]} and stops rather than '
            "guess. Check `api_url`, and report this answer's shape."
        )
        raise ConnectorError(msg)
    return [_profit_loss_record(row, day=day, view=view, where=where) for row in rows]


def _profit_loss_record(row: Any, *, day: str, view: str, where: str) -> dict[str, Any]:
    if not isinstance(row, dict) or "break" not in row or not isinstance(row.get("stats"), dict):
        msg = (
            f"{where} has a row that is {_keys_of(row)}: each row must be "
            '{"break": ..., "stats": {...}}.'
        )
        raise ConnectorError(msg)
    record: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for name, value in row["stats"].items():
        if name in PROFIT_LOSS_OWN_FIELDS:
            extras[f"stats.{name}"] = value
        else:
            record[name] = value
    for name, value in row.items():
        if name not in ("break", "stats"):
            extras[f"row.{name}"] = value
    brk = row["break"]
    record["date"] = day
    record["view"] = view
    record["break"] = brk if isinstance(brk, str) else _text(brk)
    if view in TIME_VIEWS and _is_whole_number(brk):
        record["break_time"] = int(brk)
    if extras:
        record[EXTRA_FIELDS] = extras
    return record


def transaction_records(body: Any, *, where: str) -> list[dict[str, Any]]:
    """The transactions of one page, each with its id as text under `id`."""
    if isinstance(body, dict) and not body:
        return []
    if isinstance(body, dict) and all(
        isinstance(value, dict) and TRANSACTION_FIELDS & value.keys() for value in body.values()
    ):
        return [{**value, "id": str(key)} for key, value in body.items()]
    items: Any = body
    if isinstance(body, dict):
        lists = [name for name, value in body.items() if isinstance(value, list)]
        if len(lists) != 1:
            msg = (
                f"{where} answered {_keys_of(body)}: the tap expects an object keyed by "
                "transaction id (the documented example), a list of transactions, or an object "
                "with one list of them, and stops rather than guess."
            )
            raise ConnectorError(msg)
        items = body[lists[0]]
        logger.debug("%s: took the transactions from its one list, %r", where, lists[0])
    if not isinstance(items, list):
        msg = f"{where} answered {_keys_of(body)}, not transactions."
        raise ConnectorError(msg)
    return [_listed_transaction(item, where) for item in items]


def _listed_transaction(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        msg = f"{where} lists {_keys_of(item)} where a transaction (an object) belongs."
        raise ConnectorError(msg)
    ident = next((item[name] for name in ID_FIELDS if item.get(name) not in (None, "")), None)
    if ident is None:
        msg = (
            f"{where} lists a transaction without an id ({' or '.join(ID_FIELDS)}); it has "
            f"keys {sorted(item)}. Without one it cannot be keyed."
        )
        raise ConnectorError(msg)
    return {**item, "id": _text(ident)}


def payout_preview_record(answer: Any, lookup: PreviewLookup) -> dict[str, Any]:
    """One record for one lookup: the inputs, and the answer kept as served."""
    record: dict[str, Any] = {
        "lookup": lookup.key,
        "transaction_hash": lookup.transaction_hash,
        "amount": lookup.amount,
        "transaction_type": lookup.transaction_type,
    }
    if isinstance(answer, dict):
        record["answer"] = answer
    elif _is_number(answer):
        record["payout"] = answer
    else:
        record["answer"] = {"value": answer}
    return record


def _is_whole_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
