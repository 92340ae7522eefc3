"""partner-archive: scrape and archive Krefeld's town-twinning pages and press releases."""

__version__ = "0.1.0"
