"""A developer opens their own stack for the first time: what `graph`, `init`, `show`,
`expect` and the hints say about a real stack's shape (an HTTP API's Lambda authorizer, a
table with a stream, a Cognito pool), and the lines a newcomer guesses from other tools.
Each stack is a few lines written here, in the shapes real configs use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from session_checks import refused

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack, load_stack_text
from stptui.graph import build_graph, to_mermaid, to_text
from stptui.sim.clock import parse_instant
from stptui.starter import starter_file

T0 = parse_instant("2026-01-05T08:00:00Z")

AUTHORIZED = """\
resources:
  authorizerFunction:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
  httpApi:
    type: http-api-gateway
  apiFunction:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: httpApi
            method: GET
            path: /orders
            authorizer:
              type: lambda
              properties:
                functionName: authorizerFunction
                identitySources: [$request.header.Authorization]
"""


def _session(tmp_path: Path, stack: str, behaviors: str | None = None) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    if behaviors is not None:
        (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


# -- an HTTP API's Lambda authorizer is what invokes its function


def test_the_graph_draws_the_gateway_invoking_a_routes_lambda_authorizer() -> None:
    g = build_graph(load_stack_text(AUTHORIZED, "stacktape.yml"))
    text = to_text(g)
    assert "httpApi --authorizer(of apiFunction GET /orders)--> authorizerFunction" in text
    assert "httpApi --http(GET /orders)--> apiFunction" in text
    # The edge points where the config names the function.
    (_, _, d), *_ = [e for e in g.in_edges("authorizerFunction", data=True)]
    assert (
        d["line"]
        == AUTHORIZED.splitlines().index("                functionName: authorizerFunction") + 1
    )
    # A trigger's arrow in Mermaid too.
    assert '-->|"authorizer#40;of apiFunction GET /orders#41;"|' in to_mermaid(g)


COGNITO_ROUTE = (
    "        - type: http-api-gateway\n"
    "          properties:\n"
    "            httpApiGatewayName: httpApi\n"
    "            method: GET\n"
    "            path: /me\n"
    "            authorizer: {type: cognito, properties: {userPoolName: pool}}\n"
)


def test_the_graph_draws_a_routes_cognito_authorizer_from_its_user_pool() -> None:
    # A JWT authorizer invokes nothing: it takes the tokens the pool issues, so the pool
    # points at the gateway whose route it guards, labelled as a Lambda authorizer's edge.
    stack = AUTHORIZED + COGNITO_ROUTE + "  pool:\n    type: user-auth-pool\n"
    g = build_graph(load_stack_text(stack, "stacktape.yml"))
    text = to_text(g).splitlines()
    assert "  pool --authorizer(of apiFunction GET /me)--> httpApi" in text
    assert "  httpApi --authorizer(of apiFunction GET /orders)--> authorizerFunction" in text
    d = g["pool"]["httpApi"]["authorizer:apiFunction:1"]
    assert (d["authorizer"], d["line"]) == (
        "cognito",
        stack.splitlines().index(
            "            authorizer: {type: cognito, properties: {userPoolName: pool}}"
        )
        + 1,
    )
    assert g["httpApi"]["authorizerFunction"]["authorizer:apiFunction:0"]["authorizer"] == "lambda"
    assert '-->|"authorizer#40;of apiFunction GET /me#41;"|' in to_mermaid(g)
    # The pool comes before the gateway, as a source of what reaches it.
    assert g.nodes["pool"]["layer"] < g.nodes["httpApi"]["layer"]


def test_show_function_of_an_authorizer_says_what_invokes_it(tmp_path: Path) -> None:
    session = _session(
        tmp_path,
        AUTHORIZED,
        "behaviors:\n  authorizerFunction:\n    response: {isAuthorized: true}\n",
    )
    execute(session, "http GET /orders --header Authorization:x")
    shown = render_plain(execute(session, "show function authorizerFunction"))
    assert "nothing in the stack triggers it" not in shown
    assert "httpApi: authorizer(of apiFunction GET /orders)" in shown
    assert "http-authorizer" in shown  # the invocation it lists came that way


def test_show_routes_says_which_authorizer_guards_a_route(tmp_path: Path) -> None:
    stack = (
        AUTHORIZED
        + COGNITO_ROUTE
        + (
            "        - type: http-api-gateway\n"
            "          properties: {httpApiGatewayName: httpApi, method: GET, path: /health}\n"
            "  pool:\n"
            "    type: user-auth-pool\n"
        )
    )
    shown = render_plain(execute(_session(tmp_path, stack), "show routes")).splitlines()
    assert shown[0].split() == ["gateway", "route", "target", "payload", "authorizer"]
    assert shown[1].split()[-2:] == ["lambda", "authorizerFunction"]
    assert shown[2].split()[-2:] == ["cognito", "pool"]
    assert shown[3].split()[-1] == "-"
    # A stack without authorizers keeps the four columns it had.
    open_route = AUTHORIZED.split("            authorizer:")[0]
    plain = render_plain(execute(_session(tmp_path, open_route), "show routes"))
    assert plain.splitlines()[0].split() == ["gateway", "route", "target", "payload"]


def test_the_starter_names_the_route_an_authorizer_guards_once() -> None:
    text = starter_file(load_stack_text(AUTHORIZED, "stacktape.yml")).text
    assert "# triggered by authorizer of apiFunction's route GET /orders\n" in text
    assert "authorizer(of" not in text


def test_the_starter_says_which_authorizer_guards_a_route() -> None:
    # A request without a token is refused before the function runs: the entry said
    # only the route.
    text = starter_file(load_stack_text(AUTHORIZED, "stacktape.yml")).text
    assert (
        "# triggered by httpApi: http(GET /orders), behind authorizerFunction's lambda authorizer\n"
    ) in text
    cognito = (
        AUTHORIZED.replace(
            "type: lambda\n              properties:\n                functionName: "
            "authorizerFunction\n                identitySources: [$request.header.Authorization]",
            "type: cognito\n              properties: {userPoolName: pool}",
        )
        + "  pool: {type: user-auth-pool}\n  open:\n    type: function\n    properties:\n"
        + (
            "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: c.ts}}\n"
            "      events:\n        - type: http-api-gateway\n"
            "          properties: {httpApiGatewayName: httpApi, method: GET, path: /health}\n"
        )
    )
    text = starter_file(load_stack_text(cognito, "stacktape.yml")).text
    assert "# triggered by httpApi: http(GET /orders), behind pool's cognito authorizer\n" in text
    # A route no authorizer guards is said as before.
    assert "# triggered by httpApi: http(GET /health)\n" in text


def test_the_starter_says_where_a_workers_messages_come_from() -> None:
    stack = load_stack_text(
        "resources:\n"
        "  orders: {type: sqs-queue}\n"
        "  processor:\n"
        "    type: worker-service\n"
        "    properties:\n"
        "      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      resources: {cpu: 0.25, memory: 512}\n"
        "      connectTo: [orders]\n",
        "stacktape.yml",
    )
    text = starter_file(stack).text
    assert (
        "  # triggered by nothing in the stack; its code receives from a queue: uncomment `poll`\n"
        in text
    )
    assert "    # poll:\n    #   - {queue: orders}\n" in text


# -- `expect` right after the command that set the work off

QUEUE_AND_WORKER = """\
resources:
  orders: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: orders}
"""


def test_a_failed_expect_says_when_work_is_due_now_and_not_run(tmp_path: Path) -> None:
    session = _session(tmp_path, QUEUE_AND_WORKER)
    execute(session, "send orders hi")
    err = refused(session, "expect queue.orders.visible == 0")
    assert err.message == "expected queue.orders.visible == 0, actual 1"
    assert err.hint == (
        "1 event is due at this instant, not run yet: a command only schedules the work "
        "it sets off, `advance 0` runs it"
    )
    # What the hint says to do makes the expectation hold.
    execute(session, "advance 0")
    execute(session, "expect queue.orders.visible == 0")
    # Nothing due now: a failure is just a failure, with its own hint only.
    err = refused(session, "expect function.worker.invocations == 2")
    assert err.hint is not None and "due at this instant" not in err.hint
    # The time is what it is whatever is due.
    execute(session, "send orders again")
    err = refused(session, "expect time == 2026-01-05T09:00:00Z")
    assert err.hint is None or "due at this instant" not in err.hint


def test_a_count_filtered_by_resource_is_told_the_resource_is_its_own_word(
    tmp_path: Path,
) -> None:
    # `explain` prints each record's resource in a column: a newcomer writes it as a filter.
    session = _session(tmp_path, QUEUE_AND_WORKER)
    err = refused(session, "expect count invocation.started resource=worker == 1")
    assert err.message == "invocation.started records have no field 'resource'"
    assert err.hint == (
        "the resource is a word of its own, after the kind: count invocation.started worker"
    )
    err = refused(session, "expect count invocation.started worker resource=worker == 1")
    assert err.hint == "a count is on one resource (worker here)"
    # The line the hint names counts.
    execute(session, "send orders hi")
    execute(session, "advance 1s")
    execute(session, "expect count invocation.started worker == 1")


# -- a table with a stream

STREAMED_TABLE = """\
resources:
  products:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: id, type: string}
      streamType: NEW_AND_OLD_IMAGES
  audit:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: id, type: string}
  auditor:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('products', 'streamArn')
"""


def test_last_names_the_stream_record_a_table_write_printed(tmp_path: Path) -> None:
    session = _session(tmp_path, STREAMED_TABLE)
    put = execute(session, """put-item products '{"id": {"S": "p1"}}'""")
    number = put.data["SequenceNumber"]
    assert number in put.text
    execute(session, "advance 1s")
    chain = render_plain(execute(session, "explain $last"))
    assert chain.startswith(f"$last = {number}\n")
    assert "invocation.started            auditor" in chain
    for line in (
        """update-item products '{"id": {"S": "p1"}}' --update 'SET n = :n' """
        """--values '{":n": {"N": "1"}}'""",
        """delete-item products '{"id": {"S": "p1"}}'""",
    ):
        number = execute(session, line).data["SequenceNumber"]
        assert execute(session, "explain $last").text.startswith(f"$last = {number}")
    # A write to a table without a stream prints no id: `$last` stays what it was.
    execute(session, """put-item audit '{"id": {"S": "a1"}}'""")
    assert execute(session, "explain $last").text.startswith(f"$last = {number}")


# -- a Cognito pool


def test_a_password_typed_as_a_word_is_told_it_is_an_option(tmp_path: Path) -> None:
    session = _session(tmp_path, "resources:\n  authPool:\n    type: user-auth-pool\n")
    err = refused(session, "sign-up authPool ann@example.com Passw0rd!")
    meant = "sign-up authPool ann@example.com --password Passw0rd!"
    assert err.hint == f"the password is an option's value: {meant}"
    execute(session, meant)
    execute(session, "confirm-sign-up authPool ann@example.com")
    err = refused(session, "sign-in authPool ann@example.com Passw0rd!")
    meant = "sign-in authPool ann@example.com --password Passw0rd!"
    assert err.hint == f"the password is an option's value: {meant}"
    assert execute(session, meant).text.startswith("signed in ann@example.com")


# -- validate


def test_a_number_where_a_string_goes_is_told_to_quote_it() -> None:
    stack = load_stack_text(
        "resources:\n"
        "  gw:\n"
        "    type: http-api-gateway\n"
        "    properties:\n"
        "      payloadFormat: 1.0\n"
        "  q:\n"
        "    type: sqs-queue\n"
        "    properties:\n"
        "      fifoEnabled: 1\n",
        "stacktape.yml",
    )
    by_resource = {d.resource: d for d in stack.diagnostics if d.code == "wrong-type"}
    d = by_resource["gw"]
    assert (d.line, d.column) == (5, 22)
    assert d.message == "`payloadFormat` must be a string, not the number 1.0"
    assert d.hint == "quote it: '1.0' (YAML reads 1.0 unquoted as a number)"
    # Quoted, it is the string Stacktape takes.
    fixed = load_stack_text(
        "resources:\n  gw:\n    type: http-api-gateway\n    properties:\n"
        "      payloadFormat: '1.0'\n",
        "stacktape.yml",
    )
    assert not fixed.errors
    # A number where true or false goes is no quoting matter.
    assert by_resource["q"].hint is None


# -- words from other tools


def test_options_and_flags_from_other_tools_get_this_languages_own(tmp_path: Path) -> None:
    behaviors = (
        "behaviors:\n  authorizerFunction:\n    response: {isAuthorized: true}\n"
        "  apiFunction:\n    response: {statusCode: 200, body: ok}\n"
    )
    session = _session(tmp_path, AUTHORIZED + "  uploads:\n    type: bucket\n", behaviors)
    (tmp_path / "cat.png").write_bytes(b"png")
    # Spelling alone led `--file` to `--size`.
    assert refused(session, "upload uploads cat.png --file cat.png").hint == (
        "did you mean --from?"
    )
    assert refused(session, "upload uploads a.txt --body hi").hint == "did you mean --content?"
    # curl's -H was read as the body, the header as a word too many.
    err = refused(session, "http GET /orders -H 'Authorization: Bearer x'")
    meant = "http GET /orders --header 'Authorization: Bearer x'"
    assert err.hint == f"curl's -H is --header here: {meant}"
    assert execute(session, meant).text.startswith("HTTP 200")
    err = refused(session, "http POST /orders -d '{\"a\": 1}' --header a:b")
    assert err.hint == (
        "the body is a plain word, without curl's -d: http POST /orders '{\"a\": 1}' --header a:b"
    )


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "http GET /orders -H",
            "curl's -H is --header here, with the header after it: "
            "http GET /orders --header NAME:VALUE",
        ),
        (
            "http GET /orders --header a:b -H",
            "curl's -H is --header here, with the header after it: "
            "http GET /orders --header NAME:VALUE --header a:b",
        ),
        (
            "http POST /orders -d",
            "the body is a plain word, without curl's -d: http POST /orders BODY",
        ),
    ],
)
def test_a_bare_curl_flag_at_the_end_is_refused_not_sent_as_the_body(
    tmp_path: Path, line: str, hint: str
) -> None:
    behaviors = (
        "behaviors:\n  authorizerFunction:\n    response: {isAuthorized: true}\n"
        "  apiFunction:\n    response: {statusCode: 200, body: ok}\n"
    )
    session = _session(tmp_path, AUTHORIZED, behaviors)
    err = refused(session, line)  # nothing sent: the session is as it was
    assert err.message == f"http: curl's {line.split()[-1]} with nothing after it"
    assert err.hint == hint
    # A body that only starts like a flag is still a body.
    assert execute(
        session, "http GET /orders -dx --header 'Authorization: Bearer x'"
    ).text.startswith("HTTP 200")


# -- a config split over files, with directives


def test_show_function_lists_its_environment_as_the_directives_resolved_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "settings.yml").write_text("alerts:\n  email: ops@example.com\n")
    stack = QUEUE_AND_WORKER + (
        "      environment:\n"
        "        - name: STRIPE_KEY\n"
        "          value: $Secret('stripe-key')\n"
        "        - name: ALERTS\n"
        "          value: $File('settings.yml').alerts.email\n"
        "        - name: STAGE\n"
        "          value: $Stage()\n"
        "        - name: ORDERS\n"
        "          value: $ResourceParam('orders', 'arn')\n"
        "        - name: LONG\n"
        f"          value: {'x' * 120}\n"
        "      connectTo: [orders]\n"
    )
    shown = execute(_session(tmp_path, stack), "show function worker")
    line = next(x for x in shown.text.splitlines() if x.startswith("environment: "))
    assert line == (
        "environment: STRIPE_KEY=<secret:stripe-key>, ALERTS=ops@example.com, STAGE=dev, "
        f"ORDERS=arn:aws:sqs:us-east-1:123456789012:app-dev-orders, LONG={'x' * 99}…"
    )
    assert shown.data["environment"]["LONG"] == "x" * 120
    # connectTo's variables are not its own: they stay on their connectTo line.
    assert "STP_" not in line
    assert "connectTo orders: STP_ORDERS_ARN STP_ORDERS_URL STP_ORDERS_NAME" in shown.text


def test_redrive_of_the_source_queue_names_its_dead_letter_queue(tmp_path: Path) -> None:
    stack = QUEUE_AND_WORKER.replace(
        "  orders: {type: sqs-queue}\n",
        "  orders:\n    type: sqs-queue\n    properties:\n"
        "      redrivePolicy: {targetSqsQueueName: ordersDlq, maxReceiveCount: 2}\n"
        "  ordersDlq: {type: sqs-queue}\n",
    )
    session = _session(tmp_path, stack)
    err = refused(session, "redrive orders")
    assert err.message == "orders is not a dead-letter queue (no queue redrives into it)"
    assert err.hint == (
        "the dead-letter queue of orders is ordersDlq, which redrive moves back from: "
        "redrive ordersDlq"
    )
    assert err.located is not None and err.located.point == len("redrive ")
    # A queue with no dead-letter queue of its own: the target must be named.
    (tmp_path / "plain").mkdir()
    plain = _session(tmp_path / "plain", QUEUE_AND_WORKER)
    assert refused(plain, "redrive orders").hint == "name the target: redrive orders --to QUEUE"


# -- defaults that are Stacktape's


def test_a_function_without_runtime_runs_on_the_runtime_stacktape_deploys(tmp_path: Path) -> None:
    # Stacktape's getLambdaRuntime: the first of lambdaRuntimesForFileExtension per
    # extension, Node.js 24 (DEFAULT_LAMBDA_NODE_VERSION) for TypeScript.
    for entry, version in (
        ("a.ts", "nodejs:24.v48"),
        ("Handler.java", "java:21.v38"),
        ("main.go", "provided:al2.v143"),
        ("app.rb", "ruby:3.3.v12"),
    ):
        where = tmp_path / entry
        where.mkdir()
        session = _session(where, QUEUE_AND_WORKER.replace("w.ts", entry))
        execute(session, "invoke worker")
        logs = render_plain(execute(session, "show logs worker"))
        assert re.search(rf"INIT_START Runtime Version: {re.escape(version)}\s", logs), logs


def test_a_python_handler_without_runtime_sees_the_runtime_stacktape_deploys(
    tmp_path: Path,
) -> None:
    (tmp_path / "h.py").write_text(
        "import os\n\ndef handler(event, context):\n    return os.environ['AWS_EXECUTION_ENV']\n"
    )
    (tmp_path / "stacktape.yml").write_text(QUEUE_AND_WORKER.replace("w.ts", "h.py"))
    (tmp_path / "stptui.yml").write_text("behaviors:\n  worker:\n    handler: h:handler\n")
    session = Session.open(tmp_path, start_ms=T0, allow_code=True)
    answer = execute(session, "invoke worker")
    assert answer.data["response"] == "AWS_Lambda_python3.13"


def test_a_failed_directive_is_one_error_not_two(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text("timeouts:\n  worker: 30\n")
    (tmp_path / "stacktape.yml").write_text(
        QUEUE_AND_WORKER + "      timeout: $File('settings.yml').timeouts.worekr\n"
    )

    stack = load_stack(tmp_path / "stacktape.yml")
    errors = [d for d in stack.diagnostics if d.severity == "error"]
    # The directive's own error says what is wrong; the property check no longer adds that
    # `timeout` "must be an integer, not the string "$File(..."".
    assert [d.code for d in errors] == ["directive-path"], [d.format() for d in errors]
    assert errors[0].hint == "did you mean 'worker'?"
    # A value that is wrong without a directive is still reported.
    (tmp_path / "stacktape.yml").write_text(QUEUE_AND_WORKER + "      timeout: soon\n")
    codes = [d.code for d in load_stack(tmp_path / "stacktape.yml").diagnostics]
    assert "wrong-type" in codes


def test_a_resource_read_from_a_missing_file_is_one_error_with_the_path_to_write(
    tmp_path: Path,
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "orders-queue.yml").write_text("type: sqs-queue\n")
    (tmp_path / "stacktape.yml").write_text(
        QUEUE_AND_WORKER.replace(
            "  orders: {type: sqs-queue}\n", "  orders: $File('config/orders-queue-dev.yml')\n"
        )
    )
    errors = [
        d for d in load_stack(tmp_path / "stacktape.yml").diagnostics if d.severity == "error"
    ]
    # One error: the worker's `sqs` event names a resource the config has, though it could
    # not be read, so no "'orders' is not a resource in this stack" (did you mean ...) too.
    assert [d.code for d in errors] == ["directive-file"], [d.format() for d in errors]
    # The path as the directive names it, folder and all, not the bare file name.
    assert errors[0].hint == "did you mean 'config/orders-queue.yml'?"
    # A file beside the config is named bare, as before.
    (tmp_path / "stacktape.yml").write_text(
        QUEUE_AND_WORKER + "      environment:\n        - name: X\n"
        "          value: $FileRaw('setings.txt')\n"
    )
    (tmp_path / "settings.txt").write_text("x")
    (d,) = [d for d in load_stack(tmp_path / "stacktape.yml").diagnostics if d.severity == "error"]
    assert d.hint == "did you mean 'settings.txt'?"
