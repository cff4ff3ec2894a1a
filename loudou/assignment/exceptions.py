"""Domain errors with stable codes; they are ValidationErrors, so the API answers 422."""

from django.core.exceptions import ValidationError


class ClaimRefused(ValidationError):
    """A claim that may not happen: taken, over a cap, cooling down, not in a pool."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)
