"""The `servers` answer, in every shape docs/apis.md allows, as one record per tag.

The seeds say only that the answer "groups all servers by platform type". Accepted:
platform -> tags (`{"mt4": ["MT4-Live-1"], "mt5": [...]}`); the same wrapped in `data`; a list
of groups (`[{"platform": "mt4", "servers": [...]}]`), also under `data`; and a list of server
records that carry their own platform and tag. A tag is a string (or number), or an object
holding it under `serverTag`, `tag`, `id` or `name`. Anything else stops the run with an error
naming the endpoint and the keys it saw: a tag is never guessed, nor a server dropped.
"""

from __future__ import annotations

from typing import Any

from connector_kit.errors import ConnectorError

GROUP_SERVER_KEYS = ("servers", "serverTags", "tags")
TAG_KEYS = ("serverTag", "tag", "id", "name")
EXPECTED = (
    'platform -> tags ({"mt4": ["MT4-Live-1"]}), that wrapped in `data`, or a list of '
    '{"platform", "servers"} groups'
)


def server_records(body: Any, *, endpoint: str = "servers") -> list[dict[str, str]]:
    """One `{"platform", "serverTag"}` record per server tag in a `servers` answer."""
    grouped = body.get("data", body) if isinstance(body, dict) else body
    if isinstance(grouped, dict):
        return [
            {"platform": str(platform), "serverTag": tag}
            for platform, tags in grouped.items()
            for tag in _tags(tags, endpoint, body, f"platform {platform!r}")
        ]
    if isinstance(grouped, list):
        return [record for item in grouped for record in _records_of_item(item, endpoint, body)]
    raise _unknown(endpoint, body, "it is neither an object nor a list")


def _records_of_item(item: Any, endpoint: str, body: Any) -> list[dict[str, str]]:
    if isinstance(item, dict) and item.get("platform") not in (None, ""):
        platform = str(item["platform"])
        servers = next((item[key] for key in GROUP_SERVER_KEYS if key in item), None)
        if servers is not None:
            return [
                {"platform": platform, "serverTag": tag}
                for tag in _tags(servers, endpoint, body, f"platform {platform!r}")
            ]
        return [{"platform": platform, "serverTag": _tag(item, endpoint, body)}]
    keys = sorted(item) if isinstance(item, dict) else type(item).__name__
    raise _unknown(endpoint, body, f"an item has no `platform`: {keys}")


def _tags(tags: Any, endpoint: str, body: Any, owner: str) -> list[str]:
    if not isinstance(tags, list):
        raise _unknown(endpoint, body, f"the tags of {owner} are a {type(tags).__name__}")
    return [_tag(tag, endpoint, body) for tag in tags]


def _tag(item: Any, endpoint: str, body: Any) -> str:
    if isinstance(item, (str, int)) and not isinstance(item, bool) and str(item):
        return str(item)
    if isinstance(item, dict):
        for key in TAG_KEYS:
            value = item.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                return str(value)
        raise _unknown(endpoint, body, f"a server has no tag under {', '.join(TAG_KEYS)}")
    raise _unknown(endpoint, body, f"a server tag is a {type(item).__name__}")


def _unknown(endpoint: str, body: Any, detail: str) -> ConnectorError:
    keys = _keys(body)
    return ConnectorError(
        f"The Impact CRM {endpoint} response has a shape the tap does not know ({detail}); "
        f"it has: {keys}. Expected {EXPECTED}."
    )


def _keys(body: Any) -> str:
    """The keys of an answer, and of what it wraps in `data`, without any values."""
    if isinstance(body, dict):
        inner = body.get("data")
        nested = f", data: {_keys(inner)}" if isinstance(inner, (dict, list)) else ""
        return f"{sorted(body)}{nested}"
    if isinstance(body, list):
        first = body[0] if body else None
        inside = f" of objects with {sorted(first)}" if isinstance(first, dict) else ""
        return f"a list{inside}"
    return type(body).__name__
