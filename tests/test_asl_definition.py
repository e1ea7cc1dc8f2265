"""`stptui validate` on state machine definitions: Step Functions' own structural checks
(StartAt, States, Next/End, transitions, reachability, Retry/Catch, nested machines) at the
line and column inside the definition, and warnings for what the simulator does not run."""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import codes, found, load, one, where

from stptui.config.diagnostics import Diagnostic

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"


def machine(states: str, *, head: str = "StartAt: Check", functions: str = "check") -> str:
    """A stack with functions and one state machine `flow` whose States are `states`
    (YAML at the indentation of the States' entries)."""
    fns = "".join(
        f"  {name}:\n    type: function\n    properties:\n      {{PKG}}\n"
        for name in functions.split()
    )
    body = "".join(f"          {line}\n" for line in states.strip("\n").splitlines())
    return (
        "resources:\n"
        f"{fns}"
        "  flow:\n"
        "    type: state-machine\n"
        "    properties:\n"
        "      definition:\n"
        f"        {head}\n"
        "        States:\n"
        f"{body}"
    )


TASK = "Resource: {Fn::GetAtt: [CheckFunction, Arn]}"


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of `text` holding `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_valid_definition_has_no_findings() -> None:
    text = machine(f"Check:\n  Type: Task\n  {TASK}\n  Next: Done\nDone:\n  Type: Succeed")
    assert codes(text) == []


def test_a_missing_next_target_is_reported_at_its_line_with_a_did_you_mean() -> None:
    text = machine(
        f"Check:\n  Type: Task\n  {TASK}\n  Next: Finnish\nFinish:\n  Type: Succeed",
    )
    d = one(text, "asl-transition")
    assert d.message == (
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: Finnish at /States/Check/Next"
    )
    assert d.hint == "did you mean 'Finish'?"
    row = line_of(text, "Next: Finnish")
    column = text.splitlines()[row - 1].index("Finnish") + 1
    assert where(d) == ("error", "s.yml", row, column)
    # Nothing leads to Finish now, which Step Functions also refuses.
    gone = one(text, "asl-unreachable")
    assert gone.message == (
        'MISSING_TRANSITION_TARGET: State "Finish" is not reachable. at /States/Finish'
    )


def test_start_at_must_name_a_state() -> None:
    text = machine("Check:\n  Type: Succeed", head="StartAt: Chek")
    d = one(text, "asl-transition")
    assert "Missing 'Next' target: Chek at /StartAt" in d.message
    assert d.hint == "did you mean 'Check'?"


def test_exactly_one_of_next_and_end() -> None:
    both = machine(f"Check:\n  Type: Task\n  {TASK}\n  Next: Check\n  End: true")
    neither = machine(f"Check:\n  Type: Task\n  {TASK}")
    assert "has both 'Next' and 'End'" in str(one(both, "asl-schema").hint)
    assert "has 'Next' or 'End: true'" in str(one(neither, "asl-schema").hint)
    assert one(neither, "asl-schema").message.startswith("SCHEMA_VALIDATION_FAILED: ")


def test_unknown_state_type_gets_a_did_you_mean() -> None:
    d = one(machine("Check:\n  Type: Sucess"), "asl-schema")
    assert "The value for the field 'Type' must be one of" in d.message
    assert d.hint == "did you mean 'Succeed'?"


def test_retry_and_catch_fields_are_checked_each_at_its_place() -> None:
    text = machine(
        f"Check:\n  Type: Task\n  {TASK}\n  End: true\n"
        "  Retry:\n"
        "    - ErrorEquals: [States.ALL]\n"
        "    - ErrorEquals: [Boom]\n"
        "      MaxAttempts: -1\n"
        "      BackoffRate: 0.5\n"
        "      IntervalSeconds: 0\n"
        "      JitterStrategy: SOME\n"
        "  Catch:\n"
        "    - ErrorEquals: []\n"
        "      Next: Check\n"
    )
    messages = sorted(d.message for d in found(text, "asl-schema"))
    assert messages == [
        "SCHEMA_VALIDATION_FAILED: Error name 'States.ALL' must appear alone in ErrorEquals "
        "and in the last retrier or catcher at /States/Check/Retry/0",
        "SCHEMA_VALIDATION_FAILED: The field 'ErrorEquals' should be non-empty at "
        "/States/Check/Catch/0",
        "SCHEMA_VALIDATION_FAILED: The value for the field 'BackoffRate' must be a number >= "
        "1.0 at /States/Check/Retry/1/BackoffRate",
        "SCHEMA_VALIDATION_FAILED: The value for the field 'IntervalSeconds' must be an "
        "integer from 1 to 99999999 at /States/Check/Retry/1/IntervalSeconds",
        "SCHEMA_VALIDATION_FAILED: The value for the field 'JitterStrategy' must be FULL or "
        "NONE at /States/Check/Retry/1/JitterStrategy",
        "SCHEMA_VALIDATION_FAILED: The value for the field 'MaxAttempts' must be an "
        "integer from 0 to 99999999 at /States/Check/Retry/1/MaxAttempts",
    ]
    backoff = next(d for d in found(text, "asl-schema") if "BackoffRate" in d.message)
    assert backoff.line == line_of(text, "BackoffRate: 0.5")


def test_an_error_name_that_looks_predefined_but_is_not_is_warned_at_its_entry() -> None:
    # `State.ALL` is in one of Stacktape's own doc snippets: as written it is a custom name,
    # so the catcher meant for every error catches none.
    text = machine(
        f"Check:\n  Type: Task\n  {TASK}\n  End: true\n"
        "  Retry: [{ErrorEquals: [Lambda.ServiceException, States.Timout]}]\n"
        "  Catch: [{ErrorEquals: [State.ALL], Next: Done}]\n"
        "Done:\n  Type: Succeed"
    )
    misspelt, custom = found(text, "asl-error-name")
    assert misspelt.message.startswith("'States.Timout' is not a predefined error")
    assert misspelt.hint == "did you mean 'States.Timeout'?"
    row = line_of(text, "States.Timout")
    column = text.splitlines()[row - 1].index("States.Timout") + 1
    assert where(misspelt) == ("warning", "s.yml", row, column)
    assert custom.message.startswith("'State.ALL' is a custom error name that looks like")
    assert custom.hint == "did you mean 'States.ALL'?"
    # Custom names of a function's errors, and the predefined ones, are left alone.
    assert codes(text).count("asl-error-name") == 2


def test_nested_machines_are_checked_with_their_own_states() -> None:
    text = machine(
        "Fan:\n  Type: Parallel\n  End: true\n  Branches:\n"
        "    - StartAt: A\n      States:\n        A: {Type: Pass, Next: Check}\n"
        "Each:\n  Type: Map\n  End: true\n"
        "  ItemProcessor: {StartAt: B, States: {B: {Type: Pass, End: true}}}\n",
        head="StartAt: Fan",
    )
    # `Check` is a state of the outer machine, not of the branch.
    assert one(text, "asl-transition").message.endswith("at /States/Fan/Branches/0/States/A/Next")
    assert 'State "Each" is not reachable' in one(text, "asl-unreachable").message


def test_a_timeout_must_be_a_positive_integer_above_the_heartbeat() -> None:
    text = machine(
        f"Check:\n  Type: Task\n  {TASK}\n  End: true\n  TimeoutSeconds: 5\n  HeartbeatSeconds: 5"
    )
    assert "must be smaller than" in one(text, "asl-schema").message


def test_other_integrations_are_warned_about_and_jsonata_is_not() -> None:
    text = machine(
        "Check:\n  Type: Task\n  Resource: arn:aws:states:::dynamodb:putItem.waitForTaskToken\n  End: true",
        head="QueryLanguage: JSONata\n        StartAt: Check",
    )
    # JSONata states run: only the integration that is not simulated is warned about.
    assert "asl-not-simulated" not in codes(text)
    target = one(text, "asl-task-target")
    assert target.severity == "warning"
    assert "arn:aws:states:::dynamodb:putItem.waitForTaskToken is not simulated" in target.message


def test_a_task_naming_no_function_of_the_stack_lists_the_logical_ids() -> None:
    text = machine(
        "Check:\n  Type: Task\n  Resource: {Fn::GetAtt: [ChekFunction, Arn]}\n  End: true",
        functions="check sendReport",
    )
    d = one(text, "asl-task-target")
    assert "CheckFunction, SendReportFunction" in str(d.hint)


@pytest.mark.parametrize(
    "state",
    [
        "Resource: $Param('check', 'LambdaFunction::Arn')",
        "Resource: arn:aws:states:::sqs:sendMessage\n"
        "  Parameters:\n    QueueUrl: $Param('jobs', 'Queue::Url')\n    MessageBody: x",
        "Resource: arn:aws:states:::batch:submitJob.sync\n"
        "  Parameters: {JobDefinition: $Foo('x'), JobName: x, JobQueue: q}",
    ],
)
def test_a_target_whose_directive_failed_is_one_error_not_two(state: str) -> None:
    # An older Stacktape's `$Param(...)` (or any directive that cannot be resolved) as a
    # Task's target: its directive error says what to write, and a warning that the text
    # left there "is no function of this stack" was the same problem reported again.
    text = machine(f"Check:\n  Type: Task\n  {state}\n  End: true")
    (d,) = load(text).diagnostics
    assert d.code == "directive-unknown"
    assert d.line == line_of(text, "$")


def test_every_way_of_naming_a_function_is_understood() -> None:
    for resource in (
        "{Fn::GetAtt: [CheckFunction, Arn]}",
        "$ResourceParam('check', 'arn')",
        "arn:aws:lambda:us-east-1:123456789012:function:app-dev-check",
    ):
        text = machine(f'Check:\n  Type: Task\n  Resource: "{resource}"\n  End: true')
        if resource.startswith("{"):
            text = machine(f"Check:\n  Type: Task\n  Resource: {resource}\n  End: true")
        assert codes(text) == [], resource
    invoke = machine(
        "Check:\n  Type: Task\n  Resource: arn:aws:states:::lambda:invoke\n"
        "  Parameters: {FunctionName: check}\n  End: true"
    )
    assert codes(invoke) == []


def test_a_definition_that_is_not_a_mapping_is_a_type_error() -> None:
    text = "resources:\n  flow: {type: state-machine, properties: {definition: [a]}}\n"
    d: Diagnostic = one(text, "wrong-type")
    assert "definition" in d.message
    assert one("resources:\n  flow: {type: state-machine}\n", "missing-property").resource == "flow"
    typo = "resources:\n  flow: {type: state-machine, properties: {defintion: {}}}\n"
    assert one(typo, "unknown-property").hint == "did you mean `definition`?"
    assert load(text).resources["flow"].type == "state-machine"


def test_stacktapes_multi_step_workflow_starter_is_valid() -> None:
    path = (
        REAL
        / "github"
        / "stacktape__stacktape__starter-projects__multi-step-workflow__stacktape.yml"
    )
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    assert not [d for d in load(text).diagnostics if d.code.startswith("asl-")]


@pytest.mark.parametrize(
    ("state", "field", "hint"),
    [
        # ResultSelector is a Task's, Parallel's and Map's: a Pass state's is refused.
        (
            "Type: Pass\n  ResultSelector: {a: 1}\n  End: true",
            "ResultSelector",
            "ResultSelector is a field of Task, Parallel and Map states",
        ),
        (
            "Type: Wait\n  Seconds: 1\n  ResultPath: $.x\n  End: true",
            "ResultPath",
            "ResultPath is a field of Task, Pass, Parallel and Map states",
        ),
        ("Type: Succeed\n  Parameters: {a: 1}", "Parameters", None),
        ("Type: Fail\n  OutputPath: $.x", "OutputPath", None),
        # A misspelt field is refused too, with the field it was likely meant to be.
        (
            f"Type: Task\n  {TASK}\n  TimeoutSecond: 5\n  End: true",
            "TimeoutSecond",
            "did you mean 'TimeoutSeconds'?",
        ),
    ],
)
def test_a_field_the_state_type_does_not_take_is_refused(
    state: str, field: str, hint: str | None
) -> None:
    text = machine(f"Check:\n  {state}")
    d = one(text, "asl-schema")
    assert d.message == (
        f"SCHEMA_VALIDATION_FAILED: Field '{field}' is not supported by a "
        f"{state.split()[1]} state at /States/Check/{field}"
    )
    assert where(d)[2] == line_of(text, f"{field}:")
    if hint is not None:
        assert d.hint == hint
