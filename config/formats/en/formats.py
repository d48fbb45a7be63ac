"""English pages show the same dd/mm/yyyy dates as the Vietnamese ones: the records are Vietnamese
and a date must read the same in both languages. Only the time's place and the number separators
differ."""

from config.formats.vi.formats import *  # noqa: F403

DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
