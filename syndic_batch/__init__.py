"""syndic-batch: applies a union's release-time regulation to the month's workbooks."""

__version__ = "0.1.0"
