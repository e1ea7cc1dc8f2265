"""A Distributed Map's ResultWriter: the manifest and result files it puts into a bucket of
the stack (through the bucket service, so its notifications fire), the Map's result that
points at them, WriterConfig's Transformation and OutputType, and its checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim.asl import check_definition
from tests.test_state_machine_distributed import distributed, items, open_stack, run

BUCKET = "$ResourceParam('data', 'name')"
# A child that returns its item as a one-element array (for FLATTEN).
WRAP = {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True, "Parameters": {"v.$": "$"}}}}


def writer(config: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": BUCKET, **params},
    }
    if config is not None:
        out["WriterConfig"] = config
    return out


def objects(s: Session) -> dict[str, Any]:
    return s.sim.services["buckets"].buckets["data"].objects


def read(s: Session, key: str) -> Any:
    return json.loads(objects(s)[key].content)


def test_the_map_result_points_at_the_manifest_it_wrote(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ResultWriter=writer(Prefix="runs")))
    ex = run(s, items(2, set()))
    assert ex.status == "SUCCEEDED"
    run_arn = ex.output["MapRunArn"]
    run_id = run_arn.rsplit(":", 1)[-1]
    bucket = s.sim.services["buckets"].buckets["data"].aws_name
    key = f"runs/{run_id}/manifest.json"
    assert ex.output == {
        "MapRunArn": run_arn,
        "ResultWriterDetails": {"Bucket": bucket, "Key": key},
    }
    manifest = read(s, key)
    succeeded = f"runs/{run_id}/SUCCEEDED_0.json"
    assert manifest == {
        "DestinationBucket": bucket,
        "MapRunArn": run_arn,
        "ResultFiles": {
            "FAILED": [],
            "PENDING": [],
            "SUCCEEDED": [{"Key": succeeded, "Size": objects(s)[succeeded].size}],
        },
    }
    # Transformation NONE (the default when exporting): each child's record, its input and
    # output as JSON text.
    records = read(s, succeeded)
    assert [json.loads(r["Output"]) for r in records] == items(2, set())
    first = records[0]
    assert first["Status"] == "SUCCEEDED"
    assert first["Input"] == '{"n":0,"fail":false}'
    assert first["InputDetails"] == {"Included": True}
    assert first["RedriveStatus"] == "NOT_REDRIVABLE"
    assert ":execution:" in first["ExecutionArn"] and first["ExecutionArn"].endswith(first["Name"])
    assert first["StateMachineArn"].endswith(
        ":stateMachine:" + first["StateMachineArn"].split(":")[-1]
    )
    assert first["StopDate"] >= first["StartDate"]


def test_failed_children_go_to_failed_0_with_their_error(tmp_path: Path) -> None:
    s = open_stack(
        tmp_path,
        distributed(ToleratedFailureCount=1, ResultWriter=writer({"Transformation": "COMPACT"})),
    )
    ex = run(s, items(3, {1}))
    assert ex.status == "SUCCEEDED"
    run_id = ex.output["MapRunArn"].rsplit(":", 1)[-1]
    # No Prefix: the files are under the Map Run's id.
    assert ex.output["ResultWriterDetails"]["Key"] == f"{run_id}/manifest.json"
    manifest = read(s, f"{run_id}/manifest.json")
    assert [f["Key"] for f in manifest["ResultFiles"]["FAILED"]] == [f"{run_id}/FAILED_0.json"]
    # COMPACT keeps only the outputs of those that succeeded; failed ones keep their record.
    assert read(s, f"{run_id}/SUCCEEDED_0.json") == [items(3, set())[0], items(3, set())[2]]
    [failed] = read(s, f"{run_id}/FAILED_0.json")
    assert (failed["Status"], failed["Error"], failed["Cause"]) == ("FAILED", "Bad", "a bad item")
    assert "Output" not in failed


def test_a_failed_map_run_still_writes_its_pending_children(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(MaxConcurrency=1, ResultWriter=writer(Prefix="p/")))
    ex = run(s, items(3, {0}))
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    [manifest_key] = [k for k in objects(s) if k.endswith("manifest.json")]
    assert manifest_key.startswith("p/") and "//" not in manifest_key
    files = read(s, manifest_key)["ResultFiles"]
    assert (len(files["FAILED"]), len(files["PENDING"]), files["SUCCEEDED"]) == (1, 1, [])
    pending = read(s, files["PENDING"][0]["Key"])
    assert [json.loads(p["Input"])["n"] for p in pending] == [1, 2]
    assert {p["Status"] for p in pending} == {"PENDING"}


def test_jsonl_and_flatten(tmp_path: Path) -> None:
    config = {"OutputType": "JSONL", "Transformation": "FLATTEN"}
    s = open_stack(tmp_path, distributed(WRAP, ItemsPath="$", ResultWriter=writer(config)))
    ex = run(s, [[1, 2], [3]])
    key = ex.output["ResultWriterDetails"]["Key"].replace("manifest.json", "SUCCEEDED_0.json")
    lines = objects(s)[key].content.decode().splitlines()
    assert [json.loads(line) for line in lines] == [{"v": [1, 2]}, {"v": [3]}]


def test_writer_config_alone_shapes_the_state_output(tmp_path: Path) -> None:
    child = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    flat = {"WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}
    s = open_stack(tmp_path, distributed(child, ResultWriter=flat))
    ex = run(s, [[1, 2], 3, []])
    assert ex.output == [1, 2, 3]
    assert objects(s) == {}  # nothing exported


def test_the_writes_send_the_bucket_notifications(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ResultWriter=writer(Prefix="out")))
    run(s, items(1, set()))
    created = [r.data for r in s.sim.trace.records if r.kind == "object.created"]
    assert [d["key"].rsplit("/", 1)[-1] for d in created] == ["SUCCEEDED_0.json", "manifest.json"]
    assert {d["source"] for d in created} == {"Each ResultWriter"}


def test_a_bucket_of_no_one_fails_with_result_writer_failed(tmp_path: Path) -> None:
    bad = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket.$": "$.b"}}
    s = open_stack(tmp_path, distributed(ItemsPath="$.i", ResultWriter=bad))
    ex = run(s, {"b": "somebody-elses", "i": [{"fail": False}]})
    assert (ex.status, ex.error) == ("FAILED", "States.ResultWriterFailed")
    assert "NoSuchBucket" in str(ex.cause)
    assert objects(s) == {}


def test_validate_checks_result_writer_and_no_longer_warns() -> None:
    assert check_definition(distributed(ResultWriter=writer(Prefix="x"))) == []
    assert check_definition(distributed(ResultWriter={"WriterConfig": {}})) == []
    cases = {
        "empty": {},
        "resource only": {"Resource": "arn:aws:states:::s3:putObject"},
        "other resource": {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket": "b"},
        },
        "no bucket": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Prefix": "x"}},
        "bad type": {"WriterConfig": {"OutputType": "CSV"}},
        "bad transformation": {"WriterConfig": {"Transformation": "SQUASH"}},
    }
    for label, value in cases.items():
        found = check_definition(distributed(ResultWriter=value))
        assert found and all(p.severity == "error" for p in found), label


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_every_child_is_in_exactly_one_file(tmp_path_factory: Any, fails: list[bool]) -> None:
    tmp = tmp_path_factory.mktemp("rw")
    s = open_stack(tmp, distributed(ToleratedFailurePercentage=100, ResultWriter=writer()))
    ex = run(s, [{"n": i, "fail": f} for i, f in enumerate(fails)])
    manifest = read(s, ex.output["ResultWriterDetails"]["Key"])
    seen = []
    for status, listed in manifest["ResultFiles"].items():
        for f in listed:
            assert objects(s)[f["Key"]].size == f["Size"]
            seen += [(status, json.loads(r["Input"])["n"]) for r in read(s, f["Key"])]
    expected = [("FAILED" if f else "SUCCEEDED", i) for i, f in enumerate(fails)]
    assert sorted(seen) == sorted(expected)


# A JSONata child that fails (error Bad) when its input has "fail": true.
JSONATA_CHECK = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Condition": "{% $states.input.fail %}", "Next": "Bad"}],
            "Default": "Ok",
        },
        "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "a bad item"},
        "Ok": {"Type": "Pass", "End": True},
    },
}


@pytest.mark.parametrize(("bad", "run_line"), [(set(), "MapRunSucceeded"), ({0}, "MapRunFailed")])
def test_a_writer_whose_arguments_fail_writes_evaluation_failed_before_the_state_fails(
    tmp_path: Path, bad: set[int], run_line: str
) -> None:
    # Whether the Map Run succeeded or exceeded its tolerated failures, the writer's
    # Arguments are evaluated after the children end; their failure is the state's.
    writes = {"Resource": "arn:aws:states:::s3:putObject", "Arguments": {"Bucket": "{% $nope %}"}}
    definition = distributed(JSONATA_CHECK, Items="{% $states.input %}", ResultWriter=writes)
    s = open_stack(tmp_path, {"QueryLanguage": "JSONata", **definition})
    ex = run(s, items(2, bad))
    assert (ex.status, ex.error) == ("FAILED", "States.QueryEvaluationError")
    assert "'ResultWriter/Arguments/Bucket' returned nothing (undefined)" in str(ex.cause)
    lines = [(h.what, h.state) for h in ex.history]
    at = lines.index((run_line, "Each"))
    assert lines[at : at + 5] == [
        (run_line, "Each"),
        ("EvaluationFailed", "Each"),
        ("StateFailed", "Each"),
        ("MapStateFailed", "Each"),
        ("ExecutionFailed", ""),
    ]
    [evaluation] = [h for h in ex.history if h.what == "EvaluationFailed"]
    assert evaluation.note == "States.QueryEvaluationError in ResultWriter/Arguments"
    assert objects(s) == {}  # nothing written


def test_a_jsonpath_writer_whose_parameters_fail_fails_the_state_with_states_runtime(
    tmp_path: Path,
) -> None:
    # A JSONPath state's failed path is States.Runtime, with no EvaluationFailed line (as
    # for any JSONPath state: that event is JSONata's), after a failed Map Run too.
    writes = {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket.$": "$.nope"}}
    s = open_stack(tmp_path, distributed(ItemsPath="$.i", ResultWriter=writes))
    ex = run(s, {"i": items(2, {0})})
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "The JSONPath '$.nope' specified for the field 'Bucket.$'" in str(ex.cause)
    whats = [h.what for h in ex.history]
    assert whats[-4:] == ["MapRunFailed", "StateFailed", "MapStateFailed", "ExecutionFailed"]
