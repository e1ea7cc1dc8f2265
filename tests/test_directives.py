"""Stacktape directives: grammar, resolution, diagnostics and robustness."""

from __future__ import annotations

import copy
import json
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from workcount import CountWork, hang_guard

from stptui.config import directives
from stptui.config.diagnostics import Diagnostic
from stptui.config.directives import (
    MAX_NESTING,
    MAX_STRING_CHARS,
    DirectiveCall,
    DirectiveContext,
    DirectiveSyntaxError,
    Placeholder,
    ResourceParamValue,
    aws_resource_name,
    bucket_name,
    fake_resource_param,
    parse_directive,
    resolve_directives,
)
from stptui.config.loader import LoadedYaml, parse_yaml

CTX = DirectiveContext()


def resolve(text: str, ctx: DirectiveContext = CTX) -> LoadedYaml:
    loaded = parse_yaml(text, "s.yml")
    resolve_directives(loaded, ctx)
    return loaded


def prop(text: str, ctx: DirectiveContext = CTX) -> tuple[Any, list[Diagnostic]]:
    """Resolve `text` written as a function property (line 10, column 14); return the value
    and the diagnostics."""
    lines = [
        "variables:",
        "  name: orders",
        "  port: 8080",
        "resources:",
        "  jobs:",
        "    type: sqs-queue",
        "  fn:",
        "    type: function",
        "    properties:",
        f"      value: {text}",
    ]
    loaded = resolve("\n".join(lines) + "\n", ctx)
    return loaded.data["resources"]["fn"]["properties"]["value"], loaded.diagnostics


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


# -- grammar -------------------------------------------------------------------------------


def test_parse_simple_call_with_path() -> None:
    call = parse_directive("$File('cfg.json').db.host")
    assert call == DirectiveCall("File", ("cfg.json",), ("db", "host"), "$File('cfg.json').db.host")


def test_parse_argument_kinds() -> None:
    call = parse_directive("""$F('a', "b", 3, -1.5, 0x10, 1e3, true, false, raw text, $Stage())""")
    assert call is not None
    assert call.args == (
        "a",
        "b",
        3,
        -1.5,
        16,
        1000,
        True,
        False,
        "raw text",
        DirectiveCall("Stage", (), (), "$Stage()"),
    )


def test_parse_quotes_protect_commas_and_parentheses() -> None:
    call = parse_directive("""$Format('a, (b', "c) d, e", 'it\\'s')""")
    assert call is not None
    assert call.args == ("a, (b", "c) d, e", "it\\'s")  # Stacktape keeps the backslash


def test_parse_nested_directives_with_paths() -> None:
    call = parse_directive("$Format('{}-{}', $Stage(), $Var().name.first)")
    assert call is not None
    assert call.args[1] == DirectiveCall("Stage", (), (), "$Stage()")
    assert call.args[2] == DirectiveCall("Var", (), ("name", "first"), "$Var().name.first")


def test_parse_drops_empty_arguments_like_stacktape() -> None:
    call = parse_directive("$F( a , , b ,)")
    assert call is not None and call.args == ("a", "b")
    assert parse_directive("$Stage()") == DirectiveCall("Stage", (), (), "$Stage()")


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "x-$Stage()",
        "$Stage()-api",
        "$Stage() ",
        "$Stage",
        "$Stage(",
        "$HOME",
        "Stage()",
        "$Foo\n(x)",
    ],
)
def test_not_a_directive(text: str) -> None:
    assert parse_directive(text) is None


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("$Format('{}, $Stage())", "unterminated ' quote", 8),
        ('$Format("x)', 'unterminated " quote', 8),
        ("$Format('{}', ($Stage())", "unbalanced parentheses", 7),
        ("$Stage()x(1)", "unexpected text after the closing ')'", 8),
        ("$Var()..a", "empty property name", 7),
        ("$Var().a b", "invalid property name 'a b'", 7),
        ("$(date)", "no directive name", 1),
        ("$Fo o()", "'Fo o' is not a directive name", 1),
        ("$Format('{}' $Stage())", "unexpected text after the quoted string", 12),
        ("$Format('{}', $Stage()x)", "unexpected text after the closing ')'", 22),
    ],
)
def test_syntax_errors_carry_offsets(text: str, message: str, offset: int) -> None:
    with pytest.raises(DirectiveSyntaxError) as info:
        parse_directive(text)
    assert message in info.value.message
    assert info.value.offset == offset


def test_a_directive_in_a_property_path_is_answered_with_a_value_per_stage(
    tmp_path: Path,
) -> None:
    # `$Var().memory.$Stage()` is how a multi-stage project first tries a value per stage;
    # the error named the bad character only. The hint's form resolves.
    _, diags = prop("$Var().memory.$Stage()")
    assert codes(diags) == ["directive-syntax"]
    assert diags[0].hint == (
        "a property path holds names, not directives; for a value per stage, read a file "
        "named after it: $File($Format('config/{}.yml', $Stage())).memory"
    )
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "prod.yml").write_text("memory: 2048\n")
    ctx = DirectiveContext(stage="prod", config_dir=tmp_path)
    assert prop("$File($Format('config/{}.yml', $Stage())).memory", ctx) == (2048, [])
    # Any other bad name keeps the plain error.
    assert prop("$Var().a b")[1][0].hint is None


def test_a_stage_with_no_file_of_its_own_names_the_files_beside_it(tmp_path: Path) -> None:
    # `$File($Format('config/{}.yml', $Stage()))` under `--stage staging` when only dev
    # and prod have a file: "does not exist" alone left the user to look in the folder.
    (tmp_path / "config").mkdir()
    for name in ("dev.yml", "prod.yml", "notes.txt"):
        (tmp_path / "config" / name).write_text("memory: 2048\n")
    text = "$File($Format('config/{}.yml', $Stage())).memory"
    _, diags = prop(text, DirectiveContext(stage="staging", config_dir=tmp_path))
    assert [(d.message.endswith("config/staging.yml does not exist"), d.hint) for d in diags] == [
        (True, "config/ holds dev.yml, prod.yml (the stage is staging: --stage names another)")
    ]
    # A name not made with the stage: the files of its kind, without the stage.
    _, diags = prop("$File('config/base-settings.yml')", DirectiveContext(config_dir=tmp_path))
    assert diags[0].hint == "config/ holds dev.yml, prod.yml"
    # A folder with no file of the kind: no hint, as before.
    _, diags = prop("$File('config/x.json')", DirectiveContext(config_dir=tmp_path))
    assert diags[0].hint is None


def test_nesting_depth_is_limited() -> None:
    deep = "$F(" * (MAX_NESTING + 5) + ")" * (MAX_NESTING + 5)
    with pytest.raises(DirectiveSyntaxError, match="nested more than"):
        parse_directive(deep)
    ok = "$F(" * MAX_NESTING + ")" * MAX_NESTING
    assert parse_directive(ok) is not None


def test_huge_directive_is_refused_quickly() -> None:
    text = "$F('" + "x" * 1_000_000 + "')"
    # The length is checked before the text is looked at: refusing it takes the same 27 steps
    # as refusing a 10 KB one, and it is never copied (a copy would allocate 1 MB).
    with (
        pytest.raises(DirectiveSyntaxError, match="limit"),
        CountWork(max_steps=100, max_bytes=100_000),  # fails the test past either
    ):
        parse_directive(text)


# -- local directives ------------------------------------------------------------------------


def test_context_directives() -> None:
    ctx = DirectiveContext(stage="prod", region="eu-west-1", account_id="999", profile="ops")
    assert prop("$Stage()", ctx)[0] == "prod"
    assert prop("$Region()", ctx)[0] == "eu-west-1"
    assert prop("$AwsAccountId()", ctx)[0] == "999"
    assert prop("$Profile()", ctx)[0] == "ops"


def test_var_and_nesting() -> None:
    value, diags = prop("$Format('{}-{}', $Stage(), $Var().name)")
    assert (value, diags) == ("dev-orders", [])
    value, diags = prop("$Var().port")
    assert (value, diags) == (8080, [])


def test_stage_change_changes_values() -> None:
    text = "$Format('{}-api.{}', $Stage(), $Region())"
    assert prop(text)[0] == "dev-api.us-east-1"
    assert prop(text, DirectiveContext(stage="staging", region="eu-central-1"))[0] == (
        "staging-api.eu-central-1"
    )


def test_format_with_quoted_commas_and_parentheses() -> None:
    value, diags = prop("""$Format('a,(b){}', "c, d)")""")
    assert (value, diags) == ("a,(b)c, d)", [])


def test_format_follows_javascript_replace() -> None:
    # JavaScript's replace() turns `$$` into `$` in the inserted value
    value, _ = prop("""$Format('p={}', 'pa$$word')""")
    assert value == "p=pa$word"
    value, _ = prop("$Format('{}|{}|{}', 1.0, true, 2.5)")
    assert value == "1|true|2.5"


def test_variables_may_use_directives_and_each_other() -> None:
    loaded = resolve(
        """
variables:
  base: $Format('{}-svc', $Stage())
  full: $Format('{}-{}', $Var().base, $Region())
  obj: {a: [10, {b: $Var().base}]}
resources:
  fn:
    type: function
    properties:
      a: $Var().full
      b: $Var().obj.a.1.b
      c: $Var().obj
      d: $This().variables.base
"""
    )
    props = loaded.data["resources"]["fn"]["properties"]
    assert props == {
        "a": "dev-svc-us-east-1",
        "b": "dev-svc",
        "c": {"a": [10, {"b": "dev-svc"}]},
        "d": "dev-svc",
    }
    assert loaded.data["variables"]["full"] == "dev-svc-us-east-1"
    assert loaded.diagnostics == []
    # copies, not shared objects: later passes may edit one without touching the other
    assert props["c"] is not loaded.data["variables"]["obj"]


def test_var_with_argument_is_tolerated_with_a_warning() -> None:
    value, diags = prop("$Var('port')")
    assert value == 8080
    assert codes(diags) == ["directive-var-argument"]
    assert diags[0].severity == "warning"
    assert diags[0].hint == "write $Var().port"


def test_cli_args() -> None:
    ctx = DirectiveContext(cli_args={"flag": "on"})
    assert prop("$CliArgs('flag')", ctx) == ("on", [])
    assert prop("$CliArgs('other', 'fallback')", ctx) == ("fallback", [])
    value, diags = prop("$CliArgs('other')", ctx)
    assert value == "$CliArgs('other')"
    assert codes(diags) == ["directive-cli-arg"]


def test_git_info_and_stack_output_are_placeholders() -> None:
    value, diags = prop("$GitInfo('branch')")
    assert isinstance(value, Placeholder) and value == "<git:branch>" and diags == []
    assert value.directive == "GitInfo"
    value, diags = prop("$GitInfo('brnch')")
    assert value == "$GitInfo('brnch')"
    assert codes(diags) == ["directive-args"] and diags[0].hint == "did you mean 'branch'?"
    value, _ = prop("$StackOutput('base-dev', 'BucketName')")
    assert value == "<stack-output:base-dev:BucketName>"
    assert value.directive == "StackOutput"


# -- $File and $FileRaw ----------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> DirectiveContext:
    (tmp_path / "cfg.json").write_text(json.dumps({"db": {"host": "db.local", "ports": [1, 2]}}))
    (tmp_path / "cfg.yml").write_text("name: $Stage()\nlist: [a, b]\n")
    (tmp_path / ".env").write_text(
        '# comment\nexport A=1\nB = \'two words\' \nC="x\\ny"\nD=plain # note\nE="multi\nline"\n'
    )
    (tmp_path / "s.ini").write_text("top = 1\n[db]\nhost = h\nssl = true\nPort=5432\n")
    (tmp_path / ".env.staging").write_text("STAGE=staging\n")
    (tmp_path / "app.env").write_text("A=1\n")
    (tmp_path / "raw.txt").write_text("hello\n")
    (tmp_path / "bad.json").write_text('{"a": [1, 2}')
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "big.json").write_text("[" + "1," * 600_000 + "1]")
    return DirectiveContext(config_dir=tmp_path)


def test_a_dot_env_value_read_by_its_name_gets_the_index_that_reaches_it(
    files: DirectiveContext,
) -> None:
    # `$File('.env').B` is what a user guesses; Stacktape reads a .env file as a list of
    # {name, value}, so the error says which index holds B, or the name meant.
    _, diags = prop("$File('.env').B", files)
    assert codes(diags) == ["directive-path"]
    assert diags[0].hint == (
        "its entries are {name, value} (a .env file reads so, as `environment` takes it): "
        "write $File('.env').1.value for B, or `environment: $File('.env')` for all"
    )
    assert prop("$File('.env').1.value", files) == ("two words", [])
    _, diags = prop("$File('.env.staging').STAGES", files)
    assert diags[0].hint is not None and diags[0].hint.endswith("did you mean 'STAGE'?")
    # Any other list keeps the plain error.
    _, diags = prop("$File('cfg.json').db.ports.first", files)
    assert codes(diags) == ["directive-path"] and diags[0].hint is None


def test_file_json_yaml_env_ini(files: DirectiveContext) -> None:
    assert prop("$File('cfg.json').db.host", files) == ("db.local", [])
    assert prop("$File('cfg.json').db.ports.1", files) == (2, [])
    # a directive inside a loaded file is resolved too, as Stacktape does
    assert prop("$File('cfg.yml')", files) == ({"name": "dev", "list": ["a", "b"]}, [])
    assert prop("$File('.env.staging')", files) == ([{"name": "STAGE", "value": "staging"}], [])
    assert prop("$File('.env')", files) == (
        [
            {"name": "A", "value": "1"},
            {"name": "B", "value": "two words"},
            {"name": "C", "value": "x\ny"},
            {"name": "D", "value": "plain"},
            {"name": "E", "value": "multi\nline"},
        ],
        [],
    )
    assert prop("$File('s.ini')", files) == (
        {"top": "1", "db": {"host": "h", "ssl": True, "Port": "5432"}},
        [],
    )
    assert prop("$FileRaw('raw.txt')", files) == ("hello\n", [])


def test_file_absolute_path(files: DirectiveContext) -> None:
    assert files.config_dir is not None
    target = files.config_dir / "cfg.json"
    assert prop(f"$File('{target}').db.host", DirectiveContext()) == ("db.local", [])


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("$File('nope.json')", "does not exist"),
        ("$File('bad.json')", "cannot parse the file (line 1"),
        ("$File('dir.json')", "not a regular file"),
        ("$File('big.json')", "the limit is 1,048,576"),
        ("$File('raw.txt')", "only .env*, .json, .yml, .yaml and .ini"),
        ("$File('app.env')", "only .env*, .json, .yml, .yaml and .ini"),  # as Stacktape does
        ("$FileRaw('nope.txt')", "does not exist"),
        ("$FileRaw('/proc/self/environ')", "is a file of the operating system"),
        ("$File('cfg.json').db.hots", "has no property 'hots'"),
        ("$File('cfg.json').db.host.x", "is a string, not an object"),
        ("$File('cfg.json').db.ports.7", "is a list of 2"),
    ],
)
def test_file_problems_are_diagnostics(files: DirectiveContext, text: str, fragment: str) -> None:
    value, diags = prop(text, files)
    assert value == text
    assert len(diags) == 1
    d = diags[0]
    assert fragment in d.message
    assert (d.code, d.severity, d.line, d.column, d.resource) in {
        ("directive-file", "error", 10, 14, "fn"),
        ("directive-path", "error", 10, 14, "fn"),
    }


@pytest.mark.parametrize("count", [2, 700])
def test_a_missing_files_hint_does_not_depend_on_the_folders_listing_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    """The file system lists a folder in an order of its own (ext4 by a hash of each name,
    APFS by name): the did-you-mean of a missing $File is the same whichever it is, in a
    folder of names that differ only in case as in one of hundreds."""
    for name in ("Config.json", "CONFIG.json", *(f"x{i:03d}.json" for i in range(count))):
        (tmp_path / name).write_text("{}")
    real_scandir = os.scandir

    def listed(reverse: bool) -> Any:
        @contextmanager
        def scandir(path: Any) -> Iterator[list[os.DirEntry[str]]]:
            with real_scandir(path) as entries:
                yield sorted(entries, key=lambda e: e.name, reverse=reverse)

        return scandir

    hints = []
    for reverse in (False, True):
        monkeypatch.setattr(directives.os, "scandir", listed(reverse))
        _, diags = prop("$File('config.json')", DirectiveContext(config_dir=tmp_path))
        hints.append(diags[0].hint)
    assert hints == ["did you mean 'CONFIG.json'?"] * 2


def test_file_hints(files: DirectiveContext) -> None:
    _, diags = prop("$File('cfg.jsn')", files)
    assert diags[0].hint == "to read the file as text, use $FileRaw('cfg.jsn')"
    _, diags = prop("$File('cfgg.json')", files)
    assert diags[0].hint == "did you mean 'cfg.json'?"
    _, diags = prop("$File('cfg.json').db.hots", files)
    assert diags[0].hint == "did you mean 'host'?"


def test_file_with_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "x.js").write_text(f"require('fs').writeFileSync({str(marker)!r}, '1')")
    for text in ("$File('x.js')", "$File('x.js:getConfig')"):
        value, diags = prop(text, DirectiveContext(config_dir=tmp_path))
        assert isinstance(value, Placeholder) and value.startswith("<file:x.js")
        assert codes(diags) == ["directive-file-code"]
    assert not marker.exists()


def test_file_symlinks_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text('{"a": 1}')
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    ctx = DirectiveContext(config_dir=tmp_path)
    assert prop("$File('real.json').a", ctx) == (1, [])
    value, diags = prop("$File('link.json').a", ctx)
    assert value == "$File('link.json').a"
    assert "symbolic link" in diags[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("loop.json", "symbolic link"),
        ("pipe.json", "not a regular file"),
        ("/dev/zero", "is a file of the operating system"),
    ],
)
def test_a_file_that_never_ends_or_loops_is_a_diagnostic(
    tmp_path: Path, name: str, fragment: str
) -> None:
    # A link to itself used to end in Python's "Symlink loop" RuntimeError (a traceback); a
    # FIFO nobody writes to would block the load, and /dev/zero would never end.
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    os.mkfifo(tmp_path / "pipe.json")
    ctx = DirectiveContext(config_dir=tmp_path)
    for directive in ("File", "FileRaw"):
        text = f"${directive}('{name}')"
        with hang_guard(10):
            value, diags = prop(text, ctx)
        assert value == text
        assert [d.code for d in diags] == ["directive-file"]
        assert (diags[0].line, diags[0].column) == (10, 14)
        # $File refuses /dev/zero for its name already (it reads .json, .yml ... only).
        assert fragment in diags[0].message or not name.endswith(".json")


def test_files_that_include_each_other_are_a_cycle_in_the_file_that_closes_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.yml").write_text("x: $File('b.yml')\n")
    (tmp_path / "b.yml").write_text("y: $File('a.yml')\n")
    (tmp_path / "self.yml").write_text("z: $File('self.yml')\n")
    ctx = DirectiveContext(config_dir=tmp_path)
    for name, chain, closes in [
        ("a.yml", "$File('a.yml') -> $File('b.yml') -> $File('a.yml')", "b.yml"),
        ("self.yml", "$File('self.yml') -> $File('self.yml')", "self.yml"),
    ]:
        with hang_guard(10):
            value, diags = prop(f"$File('{name}')", ctx)
        assert value == f"$File('{name}')"
        cycle = [d for d in diags if d.code == "directive-cycle"]
        assert [d.message for d in cycle] == [f"directives refer to each other: {chain}"]
        assert (cycle[0].severity, Path(cycle[0].file).name, cycle[0].line) == ("error", closes, 1)


# -- runtime directives ----------------------------------------------------------------------


def test_runtime_placeholders() -> None:
    cases = {
        "$Secret('db.password')": ("<secret:db.password>", "Secret"),
        "$SsmParam('/a/b')": ("<ssm:/a/b>", "SsmParam"),
        "$CfResourceParam('Logical', 'Arn')": ("<cf:Logical.Arn>", "CfResourceParam"),
        "$CfStackOutput('other-dev', 'Out')": ("<cf-stack-output:other-dev:Out>", "CfStackOutput"),
        "$CfFormat('{}-x', $Stage())": ("dev-x", "CfFormat"),
    }
    for text, (shown, directive) in cases.items():
        value, diags = prop(text)
        assert isinstance(value, Placeholder), text
        assert (str(value), value.directive, diags) == (shown, directive, [])


def test_resource_param_value() -> None:
    value, diags = prop("$ResourceParam('jobs', 'url')")
    assert diags == []
    assert isinstance(value, ResourceParamValue)
    assert (value.resource, value.param) == ("jobs", "url")
    assert value == "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"
    assert value.startswith("https://")  # behaves as the string
    # survives copying and pickling with its attributes
    for clone in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert isinstance(clone, ResourceParamValue)
        assert (str(clone), clone.resource, clone.param) == (str(value), "jobs", "url")


def test_resource_param_on_unknown_resource_needs_no_diagnostic() -> None:
    value, diags = prop("$ResourceParam('ghost', 'arn')")
    assert isinstance(value, ResourceParamValue) and value.resource == "ghost"
    assert value == "arn:aws:stacktape:us-east-1:123456789012:resource/app-dev-ghost/arn"
    assert diags == []


def test_cf_format_may_use_runtime_values() -> None:
    value, diags = prop("$CfFormat('{}/orders', $ResourceParam('jobs', 'arn'))")
    assert value == "arn:aws:sqs:us-east-1:123456789012:app-dev-jobs/orders" and diags == []


def test_fake_resource_params() -> None:
    ctx = DirectiveContext(
        stage="prod", region="eu-west-1", account_id="111122223333", project="shop"
    )
    assert aws_resource_name(ctx, "orders") == "shop-prod-orders"
    cases = {
        ("orders", "arn", "sqs-queue"): "arn:aws:sqs:eu-west-1:111122223333:shop-prod-orders",
        ("orders", "name", "sqs-queue"): "shop-prod-orders",
        (
            "bus",
            "arn",
            "event-bus",
        ): "arn:aws:events:eu-west-1:111122223333:event-bus/shop-prod-bus",
        ("fn", "arn", "function"): "arn:aws:lambda:eu-west-1:111122223333:function:shop-prod-fn",
        ("t", "arn", "sns-topic"): "arn:aws:sns:eu-west-1:111122223333:shop-prod-t",
        (
            "db",
            "connectionString",
            "relational-database",
        ): "postgres://user:password@db.local:5432/db",
        ("x", "weird", "kinesis-stream"): (
            "arn:aws:stacktape:eu-west-1:111122223333:kinesis-stream/shop-prod-x/weird"
        ),
    }
    for (name, param, rtype), expected in cases.items():
        assert fake_resource_param(ctx, name, param, rtype) == expected
    bucket = fake_resource_param(ctx, "Uploads", "name", "bucket")
    # Stacktape: `{stack}-{name in lower case}-{shortHash(region + stack + account)}`.
    assert bucket == bucket_name(ctx, "Uploads") == "shop-prod-uploads-d6a48cf1"
    assert fake_resource_param(ctx, "Uploads", "arn", "bucket") == f"arn:aws:s3:::{bucket}"
    url = fake_resource_param(ctx, "api", "url", "http-api-gateway")
    assert url.startswith("https://") and url.endswith(".execute-api.eu-west-1.amazonaws.com")
    assert url == fake_resource_param(ctx, "api", "url", "http-api-gateway")  # deterministic
    long_bucket = bucket_name(ctx, "x" * 100)
    assert len(long_bucket) <= 63 and long_bucket == long_bucket.lower()


def test_log_group_arns_are_stacktapes_log_groups() -> None:
    # A function's group is Lambda's own, named by the function's AWS name; a batch job's is
    # Stacktape's batchJobLogGroup, `/stp/{stack}/batch/{job name as written}/process-logs`
    # (shared/naming/aws-resource-names.ts), not AWS Batch's `/aws/batch/job`. Both are
    # `GetAtt(LogGroup, 'Arn')`, which CloudFormation gives with the trailing `:*`.
    ctx = DirectiveContext(
        stage="prod", region="eu-west-1", account_id="111122223333", project="shop"
    )
    prefix = "arn:aws:logs:eu-west-1:111122223333:log-group:"
    assert fake_resource_param(ctx, "fn", "logGroupArn", "function") == (
        prefix + "/aws/lambda/shop-prod-fn:*"
    )
    assert fake_resource_param(ctx, "nightlyExport", "logGroupArn", "batch-job") == (
        prefix + "/stp/shop-prod/batch/nightlyExport/process-logs:*"
    )


def test_runtime_directive_outside_resources_is_an_error() -> None:
    loaded = resolve(
        """
serviceName: $Secret('name')
hooks:
  beforeDeploy:
    - scriptName: $ResourceParam('q', 'name')
stackConfig:
  outputs:
    - name: QueueUrl
      value: $ResourceParam('q', 'url')
scripts:
  s:
    type: local-script
    properties:
      environment:
        - {name: X, value: $SsmParam('/x')}
resources: {}
"""
    )
    assert loaded.data["serviceName"] == "$Secret('name')"
    assert loaded.data["hooks"]["beforeDeploy"][0]["scriptName"] == "$ResourceParam('q', 'name')"
    assert isinstance(loaded.data["stackConfig"]["outputs"][0]["value"], ResourceParamValue)
    assert loaded.data["scripts"]["s"]["properties"]["environment"][0]["value"] == "<ssm:/x>"
    assert [(d.code, d.severity, d.line, d.column) for d in loaded.diagnostics] == [
        ("directive-placement", "error", 2, 14),
        ("directive-placement", "error", 5, 19),
    ]


def test_runtime_directive_in_variables_resolves_where_used() -> None:
    loaded = resolve(
        """
variables:
  password: $Secret('db.password')
hooks:
  x: $Var().password
resources:
  fn:
    type: function
    properties:
      p: $Var().password
"""
    )
    assert loaded.data["variables"]["password"] == "$Secret('db.password')"
    assert loaded.data["resources"]["fn"]["properties"]["p"] == "<secret:db.password>"
    assert loaded.data["hooks"]["x"] == "$Var().password"
    assert [(d.code, d.line) for d in loaded.diagnostics] == [("directive-placement", 5)]
    # The error is at `$Var()`, which names no $Secret: the message says where it is written.
    assert loaded.diagnostics[0].message.endswith("; this value takes it from s.yml:3:13")


def test_local_directive_cannot_use_runtime_one() -> None:
    value, diags = prop("$Format('{}', $Secret('x'))")
    assert value == "$Format('{}', $Secret('x'))"
    assert codes(diags) == ["directive-runtime-in-local"]


def test_custom_directives_are_placeholders_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "d.js").write_text(f"require('fs').writeFileSync({str(marker)!r}, '1')")
    loaded = resolve(
        """
directives:
  - name: getDomain
    filePath: d.js:getDomain
resources:
  fn:
    type: function
    properties:
      d: $getDomain($Stage()).host
""",
        DirectiveContext(config_dir=tmp_path),
    )
    value = loaded.data["resources"]["fn"]["properties"]["d"]
    assert isinstance(value, Placeholder)
    assert (str(value), value.directive) == ("<directive:getDomain($Stage()).host>", "getDomain")
    assert codes(loaded.diagnostics) == ["directive-custom"]
    assert loaded.diagnostics[0].severity == "warning"
    assert not marker.exists()


# -- diagnostics for malformed and failing directives ----------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "severity"),
    [
        ("$Format('{}, $Stage())", "directive-syntax", "error"),
        ("$Format('{}', ($Stage())", "directive-syntax", "error"),
        ("$Stagee()", "directive-unknown", "error"),
        ("$Var().missing", "directive-var-missing", "error"),
        ("$Var().name.first", "directive-var-missing", "error"),
        ("$Format('{}-{}', $Stage())", "directive-format", "error"),
        ("$Secret()", "directive-args", "error"),
        ("$ResourceParam('jobs')", "directive-args", "error"),
        ("$File(3)", "directive-args", "error"),
        ("$Stage('extra')", "directive-args", "warning"),
        ('"$Stage("', "directive-incomplete", "warning"),
        ('"x-$Stage()"', "directive-embedded", "warning"),
    ],
)
def test_problem_diagnostics_are_placed_at_the_value(text: str, code: str, severity: str) -> None:
    value, diags = prop(text)
    assert len(diags) == 1, diags
    d = diags[0]
    assert (d.code, d.severity, d.file, d.line, d.column, d.resource) == (
        code,
        severity,
        "s.yml",
        10,
        14,
        "fn",
    )
    if severity == "error":
        assert value == parse_yaml(f"v: {text}").data["v"]  # left exactly as written


def test_unknown_directive_hint() -> None:
    _, diags = prop("$stage()")
    assert diags[0].hint == "did you mean $Stage()?"
    _, diags = prop("$Var().nme")
    assert diags[0].hint == "did you mean 'name'?"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        # The legacy form names a CloudFormation child and attribute: the hint is today's call.
        ("$GetParam('jobs', 'Queue::Arn')", "write $ResourceParam('jobs', 'arn')"),
        ("$Param('jobs', 'Queue::Url')", "write $ResourceParam('jobs', 'url')"),
        (
            "$Param('worker', 'JobStateMachine::Arn')",
            "write $ResourceParam('worker', 'stateMachineArn')",
        ),
        ("$Param('db', 'DbInstance::Endpoint.Port')", "write $ResourceParam('db', 'port')"),
        # The child joined with a dot, as a debug copy of an example writes it.
        ("$GetParam('db', 'DbInstance.Endpoint.Address')", "write $ResourceParam('db', 'host')"),
        (
            "$Param('jobs', 'Queue::Color')",
            "write $ResourceParam('jobs', PARAM) with PARAM one of: arn, name, url",
        ),
        # Not a resource of the stack (older Stacktape's own, which has no parameter today):
        # the general advice, and that the name is none of this stack's.
        (
            "$Param('SHARED_GLOBAL', 'BatchOnDemandJobQueue::Arn')",
            "write $ResourceParam('name', 'param'); 'SHARED_GLOBAL' is no resource of this stack",
        ),
        # Not two strings: the general advice.
        ("$Param('jobs')", "write $ResourceParam('name', 'param')"),
    ],
)
def test_legacy_param_hint_translates_the_attribute(text: str, hint: str) -> None:
    loaded = resolve(
        "resources:\n"
        "  jobs: {type: sqs-queue}\n"
        "  worker: {type: batch-job}\n"
        "  db: {type: relational-database}\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        f"      value: {text}\n"
    )
    (diag,) = loaded.diagnostics
    assert diag.code == "directive-unknown"
    assert diag.hint is not None and diag.hint.endswith(hint), diag.hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "$GetParam('atlas', 'MongoDbCluster::ConnectionString')",
            "write $ResourceParam('atlas', 'connectionString')",
        ),
        (
            "$Param('atlas', 'Cluster::Color')",
            "write $ResourceParam('atlas', PARAM) with PARAM one of: connectionString",
        ),
    ],
)
def test_legacy_param_hint_knows_an_atlas_clusters_connection_string(text: str, hint: str) -> None:
    # Its one referenceable parameter (connectTo's STP_*_CONNECTION_STRING); the hint was
    # the general advice, `$ResourceParam('name', 'param')`.
    loaded = resolve(
        "resources:\n"
        "  atlas: {type: mongo-db-atlas-cluster}\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        f"      value: {text}\n"
    )
    (diag,) = loaded.diagnostics
    assert diag.hint is not None and diag.hint.endswith(hint), diag.hint


def test_legacy_param_hint_reads_a_resource_written_with_an_older_type_key() -> None:
    # The configs that use `$GetParam` write `Type:` too: the bucket is the stack's, and
    # the hint said it was none.
    loaded = resolve(
        "resources:\n"
        "  videos:\n"
        "    Type: bucket\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        "      value: $GetParam('videos', 'Bucket::Arn')\n"
    )
    (diag,) = loaded.diagnostics
    assert (
        diag.hint == "$GetParam is from an older Stacktape; write $ResourceParam('videos', 'arn')"
    )


def test_embedded_directive_value_is_left_alone() -> None:
    value, diags = prop('"x-$Stage()"')
    assert value == "x-$Stage()"
    assert diags[0].hint == "build the string with $Format('...{}...', $Stage(...))"


def test_cycles_are_reported_once_and_uses_point_to_them() -> None:
    loaded = resolve(
        """
variables:
  a: $Var().b
  b: $Var().a
resources:
  fn:
    type: function
    properties:
      p: $Var().a
"""
    )
    assert loaded.data["resources"]["fn"]["properties"]["p"] == "$Var().a"
    by_code = [(d.code, d.line) for d in loaded.diagnostics]
    assert by_code.count(("directive-cycle", 3)) == 1
    assert [c for c, _ in by_code].count("directive-cycle") == 1
    assert ("directive-unresolved", 9) in by_code


def test_self_reference_through_this() -> None:
    value, diags = prop("$This().resources.fn.properties.value")
    assert value == "$This().resources.fn.properties.value"
    assert "directive-cycle" in codes(diags)


def test_directive_keys_are_reported() -> None:
    loaded = resolve("resources:\n  fn:\n    $Stage(): 1\n")
    assert [(d.code, d.line, d.column) for d in loaded.diagnostics] == [("directive-in-key", 3, 5)]


def test_exponential_variable_chains_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["variables:", "  v0: [1, 2]"]
    lines += [f"  v{i}: [$Var().v{i - 1}, $Var().v{i - 1}]" for i in range(1, 40)]
    lines += ["resources:", "  fn:", "    properties:", "      p: $Var().v39"]
    text = "\n".join(lines)
    # v39 expands to 2**39 values; resolution stops when its work budget (_MAX_WORK values)
    # is spent, so what it costs is proportional to the budget, whatever the chain would
    # expand to. Counted under a budget of 10,000 (198,000 steps: about 16 per unit of budget
    # on top of reading the text; counting at the real 500,000 would take seconds) before the
    # real budget runs, so that a chain the budget no longer stops fails here, not hangs.
    budget = 10_000
    with monkeypatch.context() as patch:
        patch.setattr(directives, "_MAX_WORK", budget)
        with CountWork(max_steps=50 * budget + 100_000) as work:
            loaded = resolve(text)
    assert "directive-too-large" in codes(loaded.diagnostics), work
    loaded = resolve(text)
    assert "directive-too-large" in codes(loaded.diagnostics)
    assert loaded.data["resources"]["fn"]["properties"]["p"] == "$Var().v39"


def test_doubling_strings_stay_bounded() -> None:
    lines = ["variables:", "  v0: xxxxxxxx"]
    lines += [
        f"  v{i}: $Format('{{}}{{}}', $Var().v{i - 1}, $Var().v{i - 1})" for i in range(1, 40)
    ]
    # v39 would be 2**42 characters. Building strings is C work, which a count of calls does
    # not see, so memory bounds it: refused at MAX_STRING_CHARS (4 Mi), the strings held at
    # once peak at about 12.8 MB (three times the limit); a doubling that is not refused
    # passes 32 MiB two levels later and is stopped there. (16,200 calls; lines are not
    # counted: with memory tracking that would be four times slower.)
    with CountWork(max_steps=50_000, max_bytes=8 * MAX_STRING_CHARS, lines=False) as work:
        loaded = resolve("\n".join(lines))
    assert "directive-too-large" in codes(loaded.diagnostics)
    assert work.peak_bytes <= 8 * MAX_STRING_CHARS, work


def test_format_of_long_values_is_bounded_by_what_it_builds() -> None:
    # Two 3,000-character values make a 6 KB string: no `directive-too-large` (the bound
    # used to multiply the lengths). A value of `$`` patterns, which JavaScript's replace
    # expands into copies of the text, is still stopped before it is built.
    long = "x" * 3_000
    lines = ["variables:", f"  a: {long}", f"  b: {long}"]
    lines += ["resources:", "  fn:", "    properties:"]
    lines += ["      p: $Format('{}-{}', $Var().a, $Var().b)"]
    lines += ["      q: $Format('{}{}', $Var().a, $Var().c)"]
    lines[3:3] = ["  c: '" + "$`" * 2_000 + "'"]
    loaded = resolve("\n".join(lines))
    assert loaded.data["resources"]["fn"]["properties"]["p"] == f"{long}-{long}"
    assert "directive-too-large" in codes(loaded.diagnostics)
    assert loaded.data["resources"]["fn"]["properties"]["q"].startswith("$Format(")


# -- robustness ------------------------------------------------------------------------------

_TOKENS = st.sampled_from([*"$()'\",.\\ abVarStgeFmt0123{}-_\n", "$Var()", "$Stage()", "$F("])
# Work per random example, in Python and built-in calls (not lines: cheaper to count). Random
# examples measured at most 2,500 (the first, which fills caches) and typically 150-300, the
# deepest nesting allowed 7,200: a blowup on some short string (backtracking, a loop that does
# not advance) passes the bound at once. This replaces a per-example wall-clock deadline.
RANDOM_EXAMPLE_CALLS = 25_000
# Random lists of tokens rarely nest deeply, so the deepest nesting allowed is always tried
# too: work that grows exponentially with the depth shows there.
DEEPEST = "$F(" * (MAX_NESTING - 1) + ")" * (MAX_NESTING - 1)


@settings(max_examples=150, deadline=None)
@example(DEEPEST)
@given(st.lists(_TOKENS, max_size=40).map(lambda parts: "$" + "".join(parts)))
def test_random_dollar_strings_never_raise(text: str) -> None:
    malformed = False
    with CountWork(max_steps=RANDOM_EXAMPLE_CALLS, lines=False):
        try:
            call = parse_directive(text)
        except DirectiveSyntaxError as exc:
            malformed = True
            assert 0 <= exc.offset <= len(text)
        else:
            assert call is None or call.text == text
    data = {
        "variables": {"a": text},
        "resources": {"fn": {"properties": {"p": text, "q": "$Var().a"}}},
    }
    loaded = LoadedYaml("s.yml", data)
    with CountWork(max_steps=RANDOM_EXAMPLE_CALLS, lines=False):
        resolve_directives(loaded, CTX)
    assert all(d.file == "s.yml" for d in loaded.diagnostics)
    if malformed:
        assert data["resources"]["fn"]["properties"]["p"] == text
        assert "directive-syntax" in codes(loaded.diagnostics)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200).map(lambda s: "$F(" + s))
def test_random_unicode_never_raises(text: str) -> None:
    loaded = LoadedYaml("s.yml", {"resources": {"x": text}, "hooks": [text]})
    with CountWork(max_steps=RANDOM_EXAMPLE_CALLS, lines=False):  # measured at most 610
        resolve_directives(loaded, CTX)


@pytest.mark.parametrize(
    "value", ["$Secret('db').password", "$File('x.ts').name", "$SsmParam('/a').b.c"]
)
def test_a_property_of_a_value_known_only_at_deploy_time_is_not_a_path_error(value: str) -> None:
    from stptui.config import load_stack_text

    text = (
        "resources:\n  fn:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        f'      environment: [{{name: A, value: "{value}"}}]\n'
    )
    stack = load_stack_text(text, "s.yml")
    assert [d.code for d in stack.diagnostics if d.severity == "error"] == []
    [env] = stack.resources["fn"].properties["environment"]
    assert isinstance(env["value"], Placeholder) and env["value"].endswith(value.split(")")[-1])


def test_messages_quote_a_deploy_time_value_as_its_text() -> None:
    from stptui.config import load_stack_text

    text = "resources:\n  x:\n    type: $Secret('t')\n"
    [d] = [d for d in load_stack_text(text, "s.yml").diagnostics if d.code == "unknown-type"]
    assert "'<secret:t>'" in d.message and "Placeholder(" not in d.message
