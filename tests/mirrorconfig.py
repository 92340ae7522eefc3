"""A sources.yaml for the offline mirror on whatever loopback port a test got."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import config


def mirror_config(tmp: Path, port: int, **overrides: object) -> config.Config:
    hosts = [f"127.0.0.1:{port}", f"localhost:{port}"]
    extra = "".join(f"    {k}: {json.dumps(v)}\n" for k, v in overrides.items())
    text = (
        'user_agent: "partner-archive-test/0.1 (tests; archiv@example.org)"\n'
        "sources:\n  - name: krefeld\n"
        f"    start_urls: [http://127.0.0.1:{port}/de/oberbuergermeister/staedtepartnerschaften/,"
        f" http://127.0.0.1:{port}/de/presse/pressemitteilungen/]\n"
        f"    allowed_hosts: {json.dumps(hosts)}\n"
        f"    canonical_host: '127.0.0.1:{port}'\n"
        "    include: ['^/de/(oberbuergermeister|presse|inhalt|stadtmarketing)/',"
        " '^/C125748100427CD6/html/']\n"
        "    rate: 200\n    concurrency: 4\n    timeout: 10\n    retries: 2\n" + extra
    )
    p = tmp / "sources.yaml"
    p.write_text(text, encoding="utf-8")
    return config.load(p)
