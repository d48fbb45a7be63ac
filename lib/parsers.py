"""Request parsers for the API (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from django.utils.translation import gettext
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's parser, with a body nested too deep for Python's decoder (RecursionError) answered
    as a parse error (400) instead of a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(gettext("The JSON body is nested too deeply."))
