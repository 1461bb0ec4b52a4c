import pytest
import requests
from connector_kit.api_client import (
    RetryPolicy,
    is_loopback,
    require_secure_url,
    retry_after_seconds,
)
from connector_kit.errors import InsecureUrlError


def response_with(headers):
    response = requests.Response()
    response.headers.update(headers)
    return response


def test_retry_after_in_seconds_or_http_date():
    assert retry_after_seconds(response_with({"Retry-After": "3"})) == 3.0
    assert retry_after_seconds(response_with({})) is None
    later = retry_after_seconds(response_with({"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    assert later is not None
    assert later > 1000


def test_retry_after_is_honoured_and_backoff_grows_with_jitter():
    policy = RetryPolicy(base_delay=1, max_delay=8)
    assert policy.delay(1, 5.0) == 5.0
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 8)]:
        delays = {policy.delay(attempt, None) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1


def test_plain_http_only_to_loopback_unless_opted_in():
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert is_loopback("[::1]")
    require_secure_url("http://127.0.0.1:8080/x", setting="api_url")
    require_secure_url("https://crm.example.com", setting="api_url")
    with pytest.raises(InsecureUrlError, match="api_url"):
        require_secure_url("http://crm.example.com", setting="api_url")
    require_secure_url("http://crm.example.com", setting="api_url", allow_insecure_http=True)
