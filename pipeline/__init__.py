"""partner-archive: scrape and archive Krefeld's town-twinning pages and press releases."""

from .compiled import choose_parser_build

__version__ = "0.1.0"

choose_parser_build()  # before any parser module is imported: a stale compiled parser must not run
