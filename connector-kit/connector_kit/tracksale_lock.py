"""Tracksale's security lock: the facts both Tracksale plugins act on, written once.

Past 1000 requests within five minutes, Tracksale answers HTTP 405 with a CAPTCHA that a
person must solve before it answers the account again (https://api.tracksale.co/?lang=en).
tap-tracksale and target-tracksale keep under it with a `RequestBudget`, and stop at once,
with `tracksale_lock_message`, when it trips anyway.
"""

from __future__ import annotations

from connector_kit.request_budget import RequestBudget, locked_account_message

LOCK_STATUS = 405
"""How Tracksale answers every request of a locked account."""


def tracksale_lock_message(
    budget: RequestBudget, *, path: str, message: str, base_url: str, after: str
) -> str:
    """What the lock means for the run, how a person lifts it, and `after`: what the run did."""
    return locked_account_message(
        budget,
        api="Tracksale",
        status=LOCK_STATUS,
        lock=(
            "Tracksale locks an account past 1000 requests in five minutes and answers "
            f"{LOCK_STATUS} until a person solves its CAPTCHA"
        ),
        path=path,
        message=message,
        unlock=(
            f"Solve the CAPTCHA (open the API URL, e.g. {base_url}/campaign, in a browser, or "
            "log in to Tracksale with the account that owns the token)"
        ),
        after=after,
    )
