"""Reading a request's query string through a serializer: the one place that refuses unknown
parameters, so a misspelt filter is an error rather than a silently wider answer."""

import functools

from django.utils.translation import gettext as _

from core.errors import DomainError

# The largest offset a page may start at: PostgreSQL's OFFSET is a bigint, and a larger one
# is a database error rather than an empty page.
MAX_OFFSET = 2**63 - 1


@functools.cache
def parameters(serializer_class) -> tuple[str, ...]:
    # Building a serializer deep-copies its fields: the map's hot paths do it once, not thrice.
    return tuple(serializer_class().fields)


def read_params(params, serializer_class, *, context=None):
    """Validated values of a query dict (a QueryDict or a plain dict of strings)."""
    known = parameters(serializer_class)
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise DomainError(
            "unknown_parameter",
            _("Unknown query parameter(s): %(unknown)s; this endpoint takes: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)},
        )
    query = serializer_class(data=params, context=context or {})
    if not query.is_valid():
        # A DomainError rather than DRF's ValidationError: pages and plain Django views
        # answer with the same code and sentence as the API.
        raise DomainError(
            "invalid",
            _("Some values are missing or not valid."),
            extra={"fields": query.errors},
        )
    return query.validated_data


def read_query(request, serializer_class):
    """Validated query parameters of a DRF request; an unknown one is an error."""
    return read_params(request.query_params, serializer_class)
