import pytest
from tap_impact_crm.accounts import trading_accounts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "(12345, mt4, live),(67890, mt5, live)",
            [
                {"login": 12345, "server": "mt4", "type": "live"},
                {"login": 67890, "server": "mt5", "type": "live"},
            ],
        ),
        ("(12345,mt4,live)", [{"login": 12345, "server": "mt4", "type": "live"}]),
        ("12345, mt4, live", [{"login": 12345, "server": "mt4", "type": "live"}]),
        ("(abc, mt4, live)", [{"login": None, "server": "mt4", "type": "live"}]),
        ("", []),
        (None, []),
    ],
)
def test_trading_accounts(raw, expected):
    assert trading_accounts(raw) == expected
