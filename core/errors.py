"""A domain error any service can raise; the API turns it into a 4xx with its code."""


class DomainError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int = 400,
        extra: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = extra or {}
        # HTTP headers the answer carries (Retry-After on a 429).
        self.headers = headers or {}


def validated(
    instance,
    *,
    code: str,
    message: str,
    status: int = 400,
    exclude=(),
    validate_unique: bool = True,
    extra: dict | None = None,
):
    """Runs the model's full_clean; a failure becomes a DomainError naming the fields."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=list(exclude), validate_unique=validate_unique)
    except ValidationError as error:
        raise DomainError(
            code, message, status=status, extra={"fields": error.message_dict, **(extra or {})}
        ) from None
    return instance
