"""DISTRIBUTED Map: items from the input or from a bucket of the stack (s3:listObjectsV2,
s3:getObject as JSON, JSON Lines or CSV, MaxItems), ItemSelector, ItemBatcher, child
executions with their own context, ToleratedFailureCount / Percentage (and their Path
forms) with States.ExceedToleratedFailureThreshold, a redrive that reruns only the failed
children, and the definition checks `validate` makes of these fields."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.sim.asl import check_definition
from stptui.sim.asl_data import DataEnv
from stptui.sim.asl_distributed import batches
from stptui.sim.services.state_machine import Execution, lookup_machine
from tests.test_state_machine import T0

# A child that fails (error Bad) when its input has "fail": true, else returns its input.
CHECK = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Bad"}],
            "Default": "Ok",
        },
        "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "a bad item"},
        "Ok": {"Type": "Pass", "End": True},
    },
}


def distributed(processor: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A definition whose one state is a DISTRIBUTED Map with `fields`."""
    machine = {**(processor or CHECK), "ProcessorConfig": {"Mode": "DISTRIBUTED"}}
    return {
        "StartAt": "Each",
        "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": machine, **fields}},
    }


def open_stack(tmp_path: Path, definition: dict[str, Any]) -> Session:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  data:\n    type: bucket\n"
        "  flow:\n    type: state-machine\n    properties:\n"
        f"      definition: {json.dumps(definition)}\n",
        encoding="utf-8",
    )
    return Session.open(tmp_path, start_ms=T0)


def run(s: Session, payload: Any) -> Execution:
    ex = lookup_machine(s.sim, "flow").start(payload)
    execute(s, "advance 1m")
    return ex


def reader(resource: str, config: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    return {
        "Resource": f"arn:aws:states:::s3:{resource}",
        "ReaderConfig": config or {},
        "Parameters": {"Bucket": "$ResourceParam('data', 'name')", **params},
    }


def items(n: int, bad: set[int]) -> list[dict[str, Any]]:
    return [{"n": i, "fail": i in bad} for i in range(n)]


def test_failures_within_the_tolerated_count_leave_the_map_succeeded(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ToleratedFailureCount=1))
    ex = run(s, items(3, {1}))
    assert ex.status == "SUCCEEDED"
    # A failed child execution gives no result.
    assert ex.output == [{"n": 0, "fail": False}, {"n": 2, "fail": False}]
    ex = run(s, items(3, {0, 2}))
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_without_a_tolerance_one_failure_fails_the_map_run(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed())
    ex = run(s, items(4, {3}))
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    ended = [r.data for r in s.sim.trace.records if r.kind == "sfn.map_run.ended"]
    assert [(d["status"], d["failed"]) for d in ended] == [("FAILED", 1)]


def test_the_percentage_is_of_all_items_and_must_be_exceeded(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ToleratedFailurePercentagePath="$$.Execution.Input[0].p"))
    lax = [{"p": 25, "n": 0, "fail": True}, *items(3, set())]
    assert run(s, lax).status == "SUCCEEDED"  # 1 of 4 is 25 %: not over 25
    strict = [{"p": 24.9, "n": 0, "fail": True}, *items(3, set())]
    assert run(s, strict).error == "States.ExceedToleratedFailureThreshold"


def test_a_bad_tolerance_path_value_is_a_runtime_error(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ToleratedFailureCountPath="$.tolerate", ItemsPath="$.i"))
    ex = run(s, {"tolerate": -1, "i": []})
    assert ex.error == "States.Runtime"
    assert "ToleratedFailureCountPath $.tolerate is not valid" in str(ex.cause)


def test_children_are_executions_of_their_own(tmp_path: Path) -> None:
    child = {"StartAt": "Who", "States": {"Who": {"Type": "Pass", "End": True,
             "Parameters": {"name.$": "$$.Execution.Name", "id.$": "$$.Execution.Id",
                            "input.$": "$$.Execution.Input"}}}}  # fmt: skip
    s = open_stack(tmp_path, distributed(child, Label="Rows"))
    ex = run(s, ["a", "b"])
    assert ex.status == "SUCCEEDED"
    names = [o["name"] for o in ex.output]
    assert len(set(names)) == 2 and ex.name not in names
    assert [o["input"] for o in ex.output] == ["a", "b"]
    assert all(":execution:" in o["id"] and "/Rows:" in o["id"] for o in ex.output)
    started = next(r.data for r in s.sim.trace.records if r.kind == "sfn.map_run.started")
    assert ":mapRun:" in started["map_run_arn"] and started["child_executions"] == 2


def test_list_objects_v2_reads_the_bucket(tmp_path: Path) -> None:
    pass_through = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    definition = distributed(
        pass_through, ItemReader=reader("listObjectsV2", {"MaxItems": 2}, Prefix="in/")
    )
    s = open_stack(tmp_path, definition)
    for key in ("in/b.json", "out/x.json", "in/a.json", "in/c.json"):
        execute(s, f"upload data {key} --content hello")
    ex = run(s, {})
    assert ex.status == "SUCCEEDED"
    assert [o["Key"] for o in ex.output] == ["in/a.json", "in/b.json"]
    assert ex.output[0] == {
        "Etag": '"5d41402abc4b2a76b9719d911017c592"',
        "Key": "in/a.json",
        "LastModified": T0 // 1000,
        "Size": 5,
        "StorageClass": "STANDARD",
    }


def test_get_object_reads_json_jsonl_and_csv(tmp_path: Path) -> None:
    pass_through = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    cases = [
        ({"InputType": "JSON"}, '[{"a": 1}, [2], "three"]', [{"a": 1}, [2], "three"]),
        ({"InputType": "JSONL"}, '{"a": 1}\n\n[2]\n', [{"a": 1}, [2]]),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
            'id,name\n1,"Smith, J"\n\n2,Lee\n',
            [{"id": "1", "name": "Smith, J"}, {"id": "2", "name": "Lee"}],
        ),
        (
            {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["x", "y"],
             "CSVDelimiter": "SEMICOLON", "MaxItems": 1},
            "1;2\n3;4\n",
            [{"x": "1", "y": "2"}],
        ),
    ]  # fmt: skip
    for config, text, expected in cases:
        s = open_stack(
            tmp_path,
            distributed(pass_through, ItemReader=reader("getObject", config, Key="f")),
        )
        s.sim.services["buckets"].put_object("data", "f", content=text.encode())
        ex = run(s, {})
        assert (ex.status, ex.output) == ("SUCCEEDED", expected), config


def test_an_unreadable_dataset_fails_with_item_reader_failed(tmp_path: Path) -> None:
    definition = distributed(ItemReader=reader("getObject", {"InputType": "CSV"}, Key="f.csv"))
    s = open_stack(tmp_path, definition)
    ex = run(s, {})
    assert (ex.error, ex.cause) == (
        "States.ItemReaderFailed",
        f"S3 NoSuchKey: the object 'f.csv' does not exist in bucket "
        f"{s.sim.resource_param('data', 'name')}",
    )
    execute(s, "upload data f.csv --content 'a,b\n1\n'")
    assert run(s, {}).cause == "row 1 of 'f.csv' has 1 fields; the header has 2"
    execute(s, "upload data f.csv --size 10")
    assert "uploaded with a size only" in str(run(s, {}).cause)


def test_item_selector_then_item_batcher_make_each_child_input(tmp_path: Path) -> None:
    echo = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    definition = distributed(
        echo,
        ItemSelector={"v.$": "$$.Map.Item.Value.n", "i.$": "$$.Map.Item.Index"},
        ItemBatcher={"MaxItemsPerBatch": 2, "BatchInput": {"job.$": "$.job"}},
        ItemsPath="$.rows",
    )
    s = open_stack(tmp_path, definition)
    ex = run(s, {"job": "j-1", "rows": [{"n": 10}, {"n": 11}, {"n": 12}]})
    assert ex.output == [
        {"BatchInput": {"job": "j-1"}, "Items": [{"v": 10, "i": 0}, {"v": 11, "i": 1}]},
        {"BatchInput": {"job": "j-1"}, "Items": [{"v": 12, "i": 2}]},
    ]


def test_a_failed_batch_counts_all_its_items(tmp_path: Path) -> None:
    child = {
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.Items[0].fail", "BooleanEquals": True, "Next": "Bad"}],
                "Default": "Ok",
            },
            "Bad": {"Type": "Fail", "Error": "Bad"},
            "Ok": {"Type": "Pass", "End": True},
        },
    }
    s = open_stack(
        tmp_path,
        distributed(child, ItemBatcher={"MaxItemsPerBatch": 2}, ToleratedFailureCount=1),
    )
    assert run(s, items(4, {0})).error == "States.ExceedToleratedFailureThreshold"


def test_a_redrive_reruns_only_the_failed_child_executions(tmp_path: Path) -> None:
    s = open_stack(tmp_path, distributed(ItemsPath="$.rows"))
    ex = run(s, {"rows": items(3, {1})})
    assert ex.status == "FAILED"
    execute(s, f"redrive-execution {ex.name}")
    execute(s, "advance 1m")
    assert (ex.status, ex.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    entered = [r.data["state"] for r in s.sim.trace.records if r.kind == "sfn.state.entered"]
    # Child 0 had succeeded and is not rerun; child 1 resumes in the Fail state it failed
    # in (not at its start), fails again at once and ends the Map Run before child 2,
    # stopped the first time, runs on.
    assert [entered.count(f"Each/{i}/Check") for i in range(3)] == [1, 1, 1]
    assert [entered.count(f"Each/{i}/Ok") for i in range(3)] == [1, 0, 0]
    assert entered.count("Each/1/Bad") == 2


def test_validate_checks_the_distributed_fields(tmp_path: Path) -> None:
    inline = {
        "StartAt": "M",
        "States": {
            "M": {"Type": "Map", "End": True, "ToleratedFailureCount": 1, "ItemProcessor": CHECK}
        },
    }
    [problem] = check_definition(inline)
    assert problem.severity == "error"
    assert "only supported by a Map state in DISTRIBUTED mode" in problem.message
    assert check_definition(distributed(ToleratedFailureCount=1)) == []
    bad = distributed(
        ToleratedFailurePercentage=101,
        ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},
        ItemBatcher={},
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject"},
    )
    found = {(p.severity, p.path[-1]) for p in check_definition(bad)}
    assert found == {
        ("error", "ToleratedFailurePercentage"),
        ("error", "InputType"),
        ("error", "ItemBatcher"),
        ("error", "ResultWriter"),  # a Resource needs its Parameters
    }


def _env() -> DataEnv:
    return DataEnv({}, lambda: "id", lambda a, b: a)


@given(
    st.lists(st.integers(0, 9), max_size=30),
    st.integers(1, 7),
    st.one_of(st.none(), st.integers(40, 200)),
)
def test_batches_keep_every_item_in_order_within_the_limits(
    values: list[int], most: int, max_bytes: int | None
) -> None:
    batcher: dict[str, Any] = {"MaxItemsPerBatch": most}
    if max_bytes is not None:
        batcher["MaxInputBytesPerBatch"] = max_bytes
    out = batches({"ItemBatcher": batcher}, "M", {}, list(values), _env())
    assert [v for data, _ in out for v in data["Items"]] == values
    for data, n in out:
        assert n == len(data["Items"]) <= most
        if max_bytes is not None and n > 1:
            assert len(json.dumps(data).encode()) <= max_bytes


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-999, 999) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@given(
    st.lists(_JSON, max_size=25),
    st.one_of(st.none(), st.integers(1, 6)),
    st.integers(30, 160),
    st.booleans(),
)
def test_a_batch_closes_only_when_the_next_item_would_break_a_limit(
    values: list[Any], most: int | None, max_bytes: int, with_head: bool
) -> None:
    # The sizes are counted as items join a batch; this checks them against the JSON text
    # of the batch itself, with BatchInput and non-ASCII text in it.
    batcher: dict[str, Any] = {"MaxInputBytesPerBatch": max_bytes}
    if most is not None:
        batcher["MaxItemsPerBatch"] = most
    if with_head:
        batcher["BatchInput"] = {"run": "é-1"}
    out = batches({"ItemBatcher": batcher}, "M", {}, list(values), _env())
    assert [v for data, _ in out for v in data["Items"]] == values

    def size(data: dict[str, Any]) -> int:
        return len(json.dumps(data, ensure_ascii=False).encode())

    for (data, n), (following, _) in pairwise(out):
        fuller = {**data, "Items": [*data["Items"], following["Items"][0]]}
        assert (most is not None and n + 1 > most) or size(fuller) > max_bytes
    for data, n in out:
        assert n == 1 or size(data) <= max_bytes


def test_an_item_reader_cannot_read_an_object_a_lifecycle_rule_archived(tmp_path: Path) -> None:
    # GetObject refuses a Glacier Flexible Retrieval object until it is restored, so the
    # Map Run's reader fails.
    definition = distributed(ItemReader=reader("getObject", {"InputType": "JSON"}, Key="i.json"))
    s = open_stack(tmp_path, definition)
    text = (
        (tmp_path / "stacktape.yml")
        .read_text(encoding="utf-8")
        .replace(
            "  data:\n    type: bucket\n",
            "  data:\n    type: bucket\n    properties:\n      lifecycleRules:\n"
            "        - type: class-transition\n"
            "          properties: {daysAfterUpload: 1, storageClass: GLACIER}\n",
        )
    )
    (tmp_path / "stacktape.yml").write_text(text, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=T0)
    body = json.dumps([{"n": i, "fail": False, "pad": "x" * 200} for i in range(1000)])
    s.sim.services["buckets"].put_object("data", "i.json", content=body.encode(), source="t")
    assert run(s, {}).status == "SUCCEEDED"
    execute(s, "advance 3d")
    ex = run(s, {})
    assert ex.error == "States.ItemReaderFailed"
    assert "InvalidObjectState" in str(ex.cause)
