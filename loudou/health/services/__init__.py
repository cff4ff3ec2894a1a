"""Every write of the health app: the exception sweep, case handling, thresholds and the
weekly report."""
