"""Singer tap for the Trackfinity admin API: affiliate profit/loss and payout preview."""
