"""A Python handler has no network: a call to a third party fails at once, with an error
that says why, instead of reaching the internet on the real clock (docs/fidelity.md,
"The handler's environment")."""

from __future__ import annotations

import socket
from pathlib import Path

from simkit import handler_session

from stptui.commands import execute

STACK = """\
resources:
  notifier:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/n.py}}
"""
HANDLER = """\
import json
import urllib.request


def handler(event, context):
    req = urllib.request.Request(
        "https://partner.example.com/hooks", data=json.dumps(event).encode(), method="POST"
    )
    with urllib.request.urlopen(req, timeout=5) as answer:
        return {"status": answer.status}
"""


def test_a_call_to_a_third_party_fails_clearly_and_the_network_comes_back(
    tmp_path: Path,
) -> None:
    before = socket.getaddrinfo, socket.socket.connect
    s = handler_session(
        tmp_path, STACK, {"notifier": "net_notifier:handler"}, {"net_notifier.py": HANDLER}
    )
    result = execute(s, "invoke notifier '{}'")
    (failed,) = [r for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert failed.data["error"] == "URLError"
    assert failed.data["error_message"].startswith(
        "<urlopen error stptui: looking up 'partner.example.com' refused: stptui runs "
        "handlers without a network"
    )
    assert "URLError" in result.text
    assert (socket.getaddrinfo, socket.socket.connect) == before
