"""The API's JSON parser: DRF's, with JSON nested too deep for Python refused as bad JSON.

Python's json raises RecursionError, not ValueError, on arrays or objects nested about a
thousand deep; DRF's parser catches only ValueError, so `[[[[...]]]]` in a body was a 500.
It is the same 400 (`parse_error`) as any other JSON that cannot be read.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply to be read.")) from None
