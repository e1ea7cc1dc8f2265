"""`overrides` of a resource: Stacktape sets each entry's property paths on the `Properties` of
the CloudFormation resource with that logical id, which must be one the resource creates
(Stacktape e101, TemplateManager's resolveOverrides). The logical ids Stacktape gives are
its resource name in PascalCase followed by more (`MyFunctionFunction`), or start with `Stp`;
an alarm's (a console's global alarm, named freely) ends with `Alarm`, `Rule` or
`Permission`. An aws-cdk-construct takes no `overrides` at all (its type comments them out)."""

from __future__ import annotations

import pytest
from lintkit import codes, found, one, where

FUNCTION = """\
resources:
  myFunction:
    type: function
    properties:
      {PKG}
    overrides:
      %s
"""


@pytest.mark.parametrize(
    "entry",
    [
        "MyFunctionFunction: {Timeout: 15}",  # Stacktape's documented example
        "MyFunctionLogGroup: {RetentionInDays: 7}",
        "StpExampleComRecordSet: {TTL: '60'}",  # a custom domain's record: `Stp` + domain
        "ErrorsAlarm: {Threshold: 2}",  # a global alarm's, named after the alarm
        "MyTableTable: {BillingMode: PAY_PER_REQUEST}",  # another resource's name leads it
    ],
)
def test_logical_ids_stacktape_can_create_are_fine(entry: str) -> None:
    text = FUNCTION % entry + "  myTable:\n    type: dynamo-db-table\n"
    assert [d.format() for d in found(text, "override-target")] == []


def test_a_logical_id_no_resource_can_create_is_an_error_at_the_key() -> None:
    d = one(FUNCTION % "LambdaFunction: {Timeout: 15}", "override-target")
    assert where(d) == ("error", "s.yml", 7, 7)
    assert d.resource == "myFunction"
    assert "e101" in d.message and "'LambdaFunction'" in d.message
    assert d.hint is not None and "MyFunctionFunction" in d.hint


def test_a_cdk_construct_takes_no_overrides_at_the_key() -> None:
    # aws-cdk-construct.d.ts (stacktape/stacktape) has `//   overrides?: ResourceOverrides;`:
    # the schema made from it refuses the key, so Stacktape stops before any deploy.
    text = """\
    resources:
      cdk:
        type: aws-cdk-construct
        properties: {entryfilePath: c.ts}
        overrides:
          MyBucketF68F3FF0: {VersioningConfiguration: {Status: Enabled}}
    """
    d = one(text, "unknown-property")
    assert where(d) == ("error", "s.yml", 5, 5)
    assert d.message == "an aws-cdk-construct takes no `overrides`"
    assert d.hint is not None and "construct's own code" in d.hint
    assert "override-target" not in codes(text)


def test_a_misspelt_key_of_a_cdk_construct_is_not_taken_for_overrides() -> None:
    text = """\
    resources:
      cdk:
        type: aws-cdk-construct
        properties: {entryfilePath: c.ts}
        overide: {X: {A: 1}}
      fn:
        type: function
        properties: {packaging: {type: custom-artifact, properties: {packagePath: a.zip}}}
        overide: {X: {A: 1}}
    """
    cdk, fn = found(text, "unknown-property")
    assert where(cdk) == ("error", "s.yml", 5, 5)
    assert "(only `type` and `properties`)" in cdk.message
    assert cdk.hint == "remove it: a resource of type aws-cdk-construct takes no `overrides`"
    assert where(fn)[2] == 9
    assert "(only `type`, `properties` and `overrides`)" in fn.message
    assert fn.hint == "did you mean `overrides`?"


def test_a_cdk_construct_without_overrides_is_clean() -> None:
    text = """\
    resources:
      cdk:
        type: aws-cdk-construct
        properties: {entryfilePath: c.ts, exportName: Topic, constructProperties: {a: 1}}
    """
    assert codes(text) == []


def test_an_entry_that_is_not_a_mapping_is_an_error() -> None:
    d = one(FUNCTION % "MyFunctionFunction: 15", "wrong-type")
    assert where(d) == ("error", "s.yml", 7, 27)
    assert "property paths" in d.message


def test_overrides_that_are_not_a_mapping_is_an_error() -> None:
    text = FUNCTION.replace("    overrides:\n      %s\n", "    overrides: [MyFunctionFunction]\n")
    d = one(text, "wrong-type")
    assert where(d) == ("error", "s.yml", 6, 16)


@pytest.mark.parametrize("attribute", ["Properties.Timeout", "DependsOn", "DeletionPolicy"])
def test_a_resource_attribute_written_as_a_property_path_is_an_error(attribute: str) -> None:
    d = one(FUNCTION % f"MyFunctionFunction: {{{attribute}: 15}}", "override-path")
    assert where(d) == ("error", "s.yml", 7, 28)
    assert "`Properties`" in d.message
    assert attribute.split(".")[0] in d.message
    if attribute == "Properties.Timeout":
        assert d.hint == "write the path from inside `Properties`: Timeout"


def test_type_is_a_property_of_some_resource_types() -> None:
    # AWS::Batch::JobDefinition and AWS::SSM::Parameter have a `Type` property
    assert "override-path" not in codes(FUNCTION % "MyFunctionFunction: {Type: container}")


def test_property_paths_with_dots_are_fine() -> None:
    text = FUNCTION % "MyFunctionFunction: {Environment.Variables.A: '1', MemorySize: 512}"
    assert "override-path" not in codes(text)


def test_overrides_of_a_resource_without_a_type_are_left_alone() -> None:
    # An old-syntax resource (`Type:`): what it creates is not known.
    text = """\
    resources:
      getPosts:
        Type: function
        overrides:
          LambdaFunction: {Timeout: 15}
    """
    assert "override-target" not in codes(text)
    # `Type` is reported once, as the misspelt `type`, not again as a missing one.
    assert codes(text) == ["unknown-property"]


def test_overrides_inside_properties_are_to_be_moved_up_a_level() -> None:
    # As an example of Stacktape's own docs writes them (overrides-and-transforms.mdx):
    # the deployer reads `overrides` beside `properties`, and refuses it inside.
    text = """\
    resources:
      database:
        type: relational-database
        properties:
          credentials: {masterUserName: admin, masterUserPassword: pw}
          engine:
            type: postgres
            properties: {version: '16', primaryInstance: {instanceSize: db.t3.micro}}
          overrides:
            StpRdsParameterGroup: {Parameters: {max_connections: '200'}}
    """
    d = one(text, "unknown-property")
    assert where(d) == ("error", "s.yml", 9, 7)
    assert d.hint == "`overrides` goes beside `properties`, not inside it: move it up one level"
    # Deeper down, `overrides` is a property name like any other.
    deeper = text.replace("primaryInstance: {", "overrides: 1, primaryInstance: {")
    assert [x.hint for x in found(deeper, "unknown-property")].count(d.hint) == 1


def test_overrides_inside_properties_of_a_type_without_them_are_to_be_removed() -> None:
    text = """\
    resources:
      cdk:
        type: aws-cdk-construct
        properties:
          entryfilePath: c.ts
          overrides: {MyBucketF68F3FF0: {VersioningConfiguration: {Status: Enabled}}}
    """
    d = one(text, "unknown-property")
    assert d.hint == "remove it: a resource of type aws-cdk-construct takes no `overrides`"
