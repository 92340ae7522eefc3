"""Fetching: the Fetcher (scope, robots.txt, politeness, retries, redirects, size caps) and its helpers."""

from .client import Fetcher, retry_after_seconds

__all__ = ["Fetcher", "retry_after_seconds"]
