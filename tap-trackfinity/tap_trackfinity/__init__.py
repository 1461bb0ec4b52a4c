"""Singer tap for the Trackfinity admin API: profit/loss, transactions, payout preview."""
