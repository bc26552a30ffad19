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
    """Runs the model's full_clean, and checks its text fields' max_length, which full_clean
    leaves to forms for a TextField; a failure becomes a DomainError naming the fields."""
    from django.core.exceptions import ValidationError

    try:
        instance.full_clean(exclude=list(exclude), validate_unique=validate_unique)
        _check_text_lengths(instance, exclude)
    except ValidationError as error:
        raise DomainError(
            code, message, status=status, extra={"fields": error.message_dict, **(extra or {})}
        ) from None
    return instance


def _check_text_lengths(instance, exclude):
    """A TextField's max_length is the model's limit too: the API's serializers and the
    pages' forms both write through a service, so the service holds them to it."""
    from django.core.exceptions import ValidationError
    from django.core.validators import MaxLengthValidator
    from django.db.models import TextField

    errors = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, TextField) or not field.max_length or field.name in exclude:
            continue
        try:
            MaxLengthValidator(field.max_length)(getattr(instance, field.attname) or "")
        except ValidationError as error:
            errors[field.name] = error.messages
    if errors:
        raise ValidationError(errors)
