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
