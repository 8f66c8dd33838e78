"""What every cdnsim component needs: the clock, ids, the event log, the JSON error shape."""
