"""Tab where a body goes (`send QUEUE `, `publish BUS SOURCE TYPE `, `publish-sns TOPIC `,
`http POST PATH `): the bodies the session already gave the same target, newest first, then
the example the terminal UI's dialog starts from; and each offer makes a line that runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from replkit import complete, metas, tabbed

from stptui.commands import Session, execute
from stptui.commands.examples import EVENT_DETAIL, MESSAGE_BODY, SNS_MESSAGE
from stptui.commands.registry import quote_word
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def combined() -> Session:
    return Session.open(SAMPLES / "combined", start_ms=T0)


@pytest.mark.parametrize(
    ("line", "example", "about"),
    [
        ("send jobQueue ", MESSAGE_BODY, "an example body"),
        ("publish eventBus orders OrderCreated ", EVENT_DETAIL, "an empty detail"),
        ("publish-sns alertsTopic ", SNS_MESSAGE, "an example message"),
        ("http POST /webhooks/stripe ", MESSAGE_BODY, "an example JSON body"),
        ("repeat 3 send jobQueue ", MESSAGE_BODY, "an example body"),
    ],
)
def test_tab_at_a_body_offers_the_dialogs_example_and_it_runs(
    combined: Session, line: str, example: str, about: str
) -> None:
    assert complete(combined, line) == [quote_word(example)]
    assert metas(combined, line) == {quote_word(example): about}
    # Typed as offered, the line runs.
    execute(combined, tabbed(combined, line)[0])


def test_a_body_sent_before_to_the_same_queue_comes_first(combined: Session) -> None:
    execute(combined, "send jobQueue '{\"orderId\": 7}'")
    execute(combined, "send jobQueue '{\"orderId\": 8}'")
    execute(combined, "send jobQueue '{\"orderId\": 7}'")
    execute(combined, 'send notificationQueue \'{"to": "ann"}\'')
    assert complete(combined, "send jobQueue ") == [
        quote_word('{"orderId": 7}'),
        quote_word('{"orderId": 8}'),
        quote_word(MESSAGE_BODY),
    ]
    assert metas(combined, "send jobQueue ")[quote_word('{"orderId": 8}')] == (
        "sent to this queue before"
    )
    # Inside the quote just opened, the same; by its start once a body is typed.
    assert complete(combined, "send jobQueue '")[0] == quote_word('{"orderId": 7}')
    assert complete(combined, 'send jobQueue \'{"orderId": 8') == [quote_word('{"orderId": 8}')]
    assert complete(combined, "send notificationQueue ")[0] == quote_word('{"to": "ann"}')


def test_start_job_offers_an_example_event_for_the_clocks_day(combined: Session) -> None:
    # `start-job heavyJob ` offered nothing, where every other body slot offers an example.
    line = "start-job heavyJob "
    example = quote_word('{"date": "2026-01-05"}')
    about = "an example event: the job's containers read it as STP_TRIGGER_EVENT_DATA"
    assert metas(combined, line) == {example: about}
    # Typed as offered, the line runs, and the job's containers get the event.
    assert "started execution" in execute(combined, tabbed(combined, line)[0]).text
    assert execute(combined, "show event $last").text.endswith('{"date":"2026-01-05"}')
    # A payload given before comes first; the example follows the clock.
    execute(combined, "start-job heavyJob '{\"day\": 2}'")
    execute(combined, "advance 1d")
    assert complete(combined, line) == [
        quote_word('{"day": 2}'),
        example,
        quote_word('{"date": "2026-01-06"}'),
    ]
    assert metas(combined, line)[example] == "started on this job before"


def test_no_body_is_offered_where_none_goes(combined: Session) -> None:
    assert complete(combined, "http GET /orders/1 ") == []
    # A body being typed is no fuzzy match for the examples.
    assert complete(combined, "send jobQueue '{\"a") == []


RULES = """
resources:
  bus:
    type: event-bus
  worker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfile: src/worker.ts
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern:
              source: [shop]
              detail-type: [OrderPaid]
              detail:
                status: [paid]
                amount: [{numeric: [">", 100, "<=", 500]}]
                customer:
                  tier: [{prefix: gold}]
                coupon: [{exists: false}]
"""


def test_publish_offers_a_detail_the_rules_pattern_matches(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(RULES)
    session = Session.open(tmp_path, start_ms=T0)
    line = "publish bus shop OrderPaid "
    detail = '{"status":"paid","amount":101,"customer":{"tier":"gold"}}'
    assert metas(session, line) == {
        quote_word(detail): "a detail the rule of worker matches",
        EVENT_DETAIL: "an empty detail",
    }
    result = execute(session, tabbed(session, line)[0])
    assert "1 of 1 rules matched" in result.text
    # An event of another detail-type matches no rule of the bus: no detail for it.
    assert complete(session, "publish bus shop OrderShipped ") == [EVENT_DETAIL]
