"""A first-time user at an 80x24 terminal: what they guess and read in the REPL. Listings
cut no word at 80 columns, the reason Enter refuses a line is read whole, `show` with a
word that names no view lists the views this stack has, and a mistyped `until` instant is
caught before Enter with the command's own words."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.application.current import set_app
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.validation import ValidationError
from replkit import metas
from rich.console import Console

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import make_console, rich_table
from stptui.repl.app import VALIDATION_LINES, Repl, validation_window
from stptui.repl.printer import Printer
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


def opened(stack: str) -> Session:
    return Session.open(SAMPLES / stack, start_ms=T0)


def printed(session: Session, line: str, width: int = 80) -> list[str]:
    out = io.StringIO()
    Printer(make_console(file=out, width=width)).result(execute(session, line), records=False)
    return [text.rstrip() for text in out.getvalue().splitlines()]


def refusal(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    return caught.value


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


# -- listings at 80 columns ----------------------------------------------------------------


def test_show_trace_at_80_columns_keeps_instants_and_kinds_whole() -> None:
    session = opened("job-queue")
    execute(session, "send jobQueue x")
    execute(session, "advance 10s")
    lines = printed(session, "show trace 3")
    text = "\n".join(lines)
    # Folded into a 16-column table, these read `2026-01-05T08:00:0|2.000Z` and
    # `invocation.succeed|ed`; each row is a block of whole words instead.
    assert "time 2026-01-05T08:00:02.000Z" in text
    assert "kind invocation.succeeded" in text
    assert "invocation_id=468f6a19-1302-4647-9c02-86e42d4b7440" in text
    assert all(len(line) <= 80 for line in lines)


def test_show_functions_at_80_columns_cuts_no_behaviour_word() -> None:
    lines = printed(opened("job-queue"), "show functions")
    text = "\n".join(lines)
    assert "(PaymentDeclined)" in text and "send->jobQueue;" in text


def test_a_wide_terminal_still_gets_the_table() -> None:
    session = opened("job-queue")
    execute(session, "send jobQueue x")
    execute(session, "advance 10s")
    lines = printed(session, "show trace 3", width=140)
    assert lines[0].split() == ["seq", "time", "kind", "resource", "details"]


def test_a_word_longer_than_the_cap_is_folded_rather_than_forcing_blocks() -> None:
    """A column's longest word counts up to 30 cells: a list of ids in a record's details
    does not turn `show trace` into blocks on a 120-column terminal."""
    rows = [["1", "2026-01-05T08:00:00.000Z", "message.sent", "q", "ids=" + "a" * 60]]
    console = Console(width=120, color_system=None, record=True)
    console.print(rich_table(["seq", "time", "kind", "resource", "details"], rows))
    lines = console.export_text().splitlines()
    assert lines[0].split() == ["seq", "time", "kind", "resource", "details"]
    assert "2026-01-05T08:00:00.000Z" in lines[2]


# -- the reason Enter refuses a line ---------------------------------------------------------


def test_the_reason_enter_refuses_a_line_wraps_instead_of_being_cut() -> None:
    session = opened("combined")
    problem = check(session, "show all")
    assert problem is not None
    message = problem.format()
    assert len(message) > 2 * 80  # more than prompt_toolkit's one line shows at 80 columns
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=io.StringIO(), width=80))
        app = repl.prompt.app
        app.current_buffer.validation_error = ValidationError(0, message)
        window = validation_window(repl.prompt)
        assert window is not None
        with set_app(app):
            height = window.preferred_height(80, 24).preferred
    assert height == VALIDATION_LINES


# -- guesses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["all", "resources", "stack", "everything"])
def test_show_with_no_view_lists_the_views_this_stack_has(word: str) -> None:
    err = refusal(opened("scheduled-job"), f"show {word}")
    assert err.message == f"cannot show {word!r}"
    assert err.hint == (
        "this stack's views: show functions, show schedules, show agenda, show trace 20; "
        "`help show` lists every view"
    )
    # The check before Enter says the same.
    problem = check(opened("scheduled-job"), f"show {word}")
    assert problem is not None and problem.hint == err.hint


def test_the_views_listed_follow_the_stack() -> None:
    err = refusal(opened("job-queue"), "show all")
    assert err.hint is not None
    assert err.hint.startswith("this stack's views: show queues, show functions, show routes,")


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("2026-01-050T9:00:00Z", "e.g. until 2026-01-05T09:00:00Z"),
        ("08:30", "write the date too, in UTC: until 2026-01-05T08:30:00Z"),
        ("+1h", "until takes an instant; to move the clock by 1h: advance 1h"),
    ],
)
def test_a_mistyped_until_instant_is_caught_before_enter(word: str, hint: str) -> None:
    session = opened("scheduled-job")
    problem = check(session, f"until {word}")
    assert problem is not None
    assert problem.message == f"{word!r} is not an ISO-8601 instant"
    assert problem.hint == hint
    assert problem.position == len("until ")  # the cursor goes to the instant
    err = refusal(session, f"until {word}")
    assert (err.message, err.hint) == (problem.message, problem.hint)
    # While the instant is being typed, it is not judged yet.
    assert check(session, f"until {word}", final=False) is None


def test_an_instant_in_the_past_is_left_to_the_command() -> None:
    """A pasted `undo` before the line may move the clock back: the check judges the
    instant's form only, the command whether it is past."""
    session = opened("scheduled-job")
    execute(session, "advance 2h")
    assert check(session, "until 2026-01-05T09:00:00Z") is None
    err = refusal(session, "until 2026-01-05T09:00:00Z")
    assert err.message.endswith("is in the simulation's past (now 2026-01-05T10:00:00.000Z)")
    assert check(session, "undo\nuntil 2026-01-05T09:00:00Z") is None


@pytest.mark.parametrize("verb", ["tail", "logs"])
def test_tail_alone_says_what_show_logs_needs(verb: str) -> None:
    err = refusal(opened("job-queue"), verb)
    assert err.hint == "`show` shows it: show logs FUNCTION"
    # With a name typed, the line to run as it is.
    assert (
        refusal(opened("job-queue"), f"{verb} worker").hint == "`show` shows it: show logs worker"
    )


@pytest.mark.parametrize(
    ("stack", "line", "hint"),
    [
        ("job-queue", "show logs", "this stack's functions: api, worker; e.g. show logs api"),
        (
            "batch-job",
            "show logs",
            "this stack's functions and batch jobs: heavyJob; e.g. show logs heavyJob",
        ),
        (
            "job-queue",
            "show queue",
            "this stack's sqs-queues: deadLetterQueue, jobQueue; e.g. show queue jobQueue",
        ),
        (
            "file-processing",
            "show bucket",
            "this stack's buckets: uploads; e.g. show bucket uploads",
        ),
        ("job-queue", "show bucket", "this stack has no bucket"),
    ],
)
def test_a_view_without_its_name_names_what_this_stack_has(
    stack: str, line: str, hint: str
) -> None:
    session = opened(stack)
    err = refusal(session, line)
    assert err.hint == hint
    problem = check(session, line)
    assert problem is not None and problem.hint == hint


def test_explain_alone_says_where_its_id_comes_from() -> None:
    session = opened("job-queue")
    err = refusal(session, "explain")
    assert err.message == "explain needs ID"
    assert err.hint is not None and "e.g. explain $last; Tab offers the newest" in err.hint
    problem = check(session, "explain")
    assert problem is not None and problem.hint == err.hint


def test_http_with_the_path_first_gets_the_method_to_put_before_it() -> None:
    session = opened("job-queue")
    err = refusal(session, "http /jobs '{}'")
    assert err.message == "unknown HTTP method '/jobs'"
    assert err.hint == "the method goes first: http GET /jobs"
    problem = check(session, "http /jobs")
    assert problem is not None and problem.hint == "the method goes first: http GET /jobs"


def test_the_metric_paths_are_made_once_per_simulation() -> None:
    """Tab after `expect` lists the stack's metric paths at each key press; they follow
    from the stack alone, so a second look reuses the first's, as does a new simulation of
    the same resources (an `undo`), and one of other resources (a `load`) gets its own."""
    from stptui.commands.handlers.metrics import metric_paths

    session = opened("job-queue")
    first = metric_paths(session.sim)
    assert "metric.jobQueue.NumberOfMessagesSent.Sum" in first
    assert metric_paths(session.sim) is first
    execute(session, "send jobQueue x")
    sim = session.sim
    execute(session, "undo")  # replays the session into a new simulation
    assert session.sim is not sim
    assert metric_paths(session.sim) is first
    other = metric_paths(opened("file-processing").sim)
    assert other != first and "metric.jobQueue.NumberOfMessagesSent.Sum" not in other


def test_upload_offers_the_prefix_that_triggers_a_workload() -> None:
    """A first upload at a key outside `incoming/` triggers nothing; Tab after the bucket
    offers a whole key there (the upload dialog's), then the prefix its notification filters
    on, and says what a key there triggers."""
    session = opened("file-processing")
    assert metas(session, "upload uploads ") == {
        "incoming/example.txt": "an example key: triggers fileProcessor",
        "incoming/": "a key under it triggers fileProcessor",
    }
    execute(session, "upload uploads incoming/a.csv --content x")
    assert metas(session, "upload uploads incoming/") == {
        "incoming/example.txt": "an example key: triggers fileProcessor",
        "incoming/a.csv": "replaces this object",
    }
    # A bucket without notifications, or no bucket: nothing to offer.
    assert metas(opened("job-queue"), "upload uploads ") == {}


def test_a_block_whose_row_goes_on_the_one_above_has_no_blank_name_line() -> None:
    """`show metrics` names a resource on its first row only; as blocks, its next rows go
    on under it, with no empty line where a name would be."""
    headers = ["resource", "metric", "statistic", "value"]
    rows = [
        ["jobQueue", "ApproximateNumberOfMessagesVisible", "Maximum", "2"],
        ["", "NumberOfMessagesSent", "Sum", "3"],
    ]
    console = Console(width=50, color_system=None, record=True)
    console.print(rich_table(headers, rows))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert lines == [
        "jobQueue",
        "  metric ApproximateNumberOfMessagesVisible",
        "  statistic Maximum  value 2",
        "  metric NumberOfMessagesSent",
        "  statistic Sum  value 3",
    ]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("advance 1 hour", "advance: unexpected hour", "write the duration as one word: 1hour"),
        ("slow worker 10 s", "slow: unexpected s", "write the duration as one word: 10s"),
        (
            "until 2026-01-05 09:00",
            "until: unexpected 09:00",
            "write the instant as one word: 2026-01-05T09:00",
        ),
        ("expect function.worker.successes = 1", "unknown comparison '='", "did you mean ==?"),
        ("expect count message.sent jobQueue = 1", "unknown comparison '='", "did you mean ==?"),
    ],
)
def test_enter_refuses_a_line_with_the_command_own_words(
    line: str, message: str, hint: str
) -> None:
    """The check before Enter said `the duration '1' has no unit` for `advance 1 hour`
    and `unknown OP '='`, or `'=' names no field`, for a comparison written `=`, where the
    command says what to write."""
    session = opened("job-queue")
    err = refusal(session, line)
    assert (err.message, err.hint) == (message, hint)
    problem = check(session, line)
    assert problem is not None and (problem.message, problem.hint) == (message, hint)


def test_while_a_unit_may_still_be_typed_after_a_number_nothing_is_said() -> None:
    session = opened("job-queue")
    assert check(session, "advance 1 hou", final=False) is None
    # Alone, the number gets its own refusal as before.
    problem = check(session, "advance 1 ", final=False)
    assert problem is not None and problem.message == "advance: the duration '1' has no unit"


@pytest.mark.parametrize(
    ("line", "word", "hint"),
    [
        ("expect conut message.sent == 1", "conut", "did you mean count?"),
        ("expect tiem == 2026-01-05T08:00:00Z", "tiem", "did you mean time?"),
    ],
)
def test_a_misspelt_first_path_word_gets_a_did_you_mean(line: str, word: str, hint: str) -> None:
    """`expect conut ...` listed every path there is (eleven lines at 80 columns), after
    Enter, where `count` was meant."""
    session = opened("job-queue")
    err = refusal(session, line)
    assert (err.message, err.hint) == (f"unknown path {word!r}", hint)
    problem = check(session, line)
    assert problem is not None and (problem.message, problem.hint) == (err.message, hint)
    assert problem.position == len("expect ")


def test_a_first_path_word_like_none_is_refused_before_enter_as_expect_refuses_it() -> None:
    session = opened("job-queue")
    err = refusal(session, "expect foo == 1")
    problem = check(session, "expect foo == 1")
    assert problem is not None and problem.message == err.message == "unknown path 'foo'"


@pytest.mark.parametrize(
    ("stack", "hint"),
    [
        (
            "file-processing",
            "it takes no HTTP request; drive it with upload uploads KEY, invoke fileProcessor",
        ),
        ("batch-job", "it takes no HTTP request; drive it with fire heavyJob, start-job heavyJob"),
    ],
)
def test_http_to_a_stack_without_an_http_api_says_what_drives_it(stack: str, hint: str) -> None:
    """The hint was `help http`'s, which says how to write a request that this stack
    cannot take."""
    err = refusal(opened(stack), "http GET /x")
    assert (err.message, err.hint) == ("this stack has no http-api-gateway", hint)


_ASSETS_AND_UPLOADS = """\
serviceName: drive-hint
resources:
  assets:
    type: bucket
  uploads:
    type: bucket
  thumbnailer:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties: {entryfilePath: src/thumb.ts}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('uploads', 'arn')
            s3EventType: s3:ObjectCreated:*
"""


@pytest.mark.parametrize(
    ("cut", "hint"),
    [
        # `assets` comes first but nothing is notified of its uploads.
        ("", "drive it with upload uploads KEY, invoke thumbnailer"),
        # Without its trigger, neither bucket runs anything: `invoke` is what does.
        ("      events:", "drive it with invoke thumbnailer"),
    ],
)
def test_the_http_refusal_names_only_buckets_whose_uploads_run_something(
    tmp_path: Path, cut: str, hint: str
) -> None:
    """It said `upload assets KEY`, which runs nothing, as `stptui STACK`'s "drive it" line
    had stopped saying: the two name the commands one rule (`work_starters`) picks."""
    text = _ASSETS_AND_UPLOADS[: _ASSETS_AND_UPLOADS.index(cut)] if cut else _ASSETS_AND_UPLOADS
    (tmp_path / "stacktape.yml").write_text(text)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    assert not session.stack.errors
    err = refusal(session, "http GET /x")
    assert err.hint == f"it takes no HTTP request; {hint}"


@pytest.mark.parametrize("verb", ["describe", "info"])
def test_describe_and_info_get_the_show_views(verb: str) -> None:
    """They got `type help` and `did you mean invoke?`."""
    err = refusal(opened("job-queue"), verb)
    assert err.message == f"unknown command {verb!r}: `show` lists what the stack holds"


def test_graph_says_where_the_graph_is_drawn() -> None:
    err = refusal(opened("job-queue"), "graph")
    assert err.message == "unknown command 'graph': the graph is drawn outside the REPL"
    assert err.hint is not None and err.hint.startswith("`stptui graph STACK` prints it")


def test_the_banner_of_the_combined_stack_keeps_to_one_line_at_80_columns() -> None:
    """`stptui/…/combined/stacktape.yml` left the line at 82 characters, its `resources`
    wrapped alone onto a second line; the path drops its first part when it must."""
    from stptui.commands.session import banner_lines, shown_path

    first = banner_lines(opened("combined"))[0]
    assert first.endswith("(…/combined/stacktape.yml), 20 resources") and len(first) <= 80
    # Where the first part fits, it stays.
    assert shown_path("/srv/a/b/c/stacks/stacktape.yml", 23, cwd=Path("/x"), home=Path("/y")) == (
        "/…/stacks/stacktape.yml"
    )
    assert shown_path("/srv/a/b/c/stacks/stacktape.yml", 22, cwd=Path("/x"), home=Path("/y")) == (
        "…/stacks/stacktape.yml"
    )
