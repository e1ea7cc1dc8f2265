"""EventBridge pattern matching checked against the behaviours pinned by AWS's own engine.

EventBridge matches with aws/event-ruler. These cases restate, with fixtures written for
this file, what event-ruler's test suite and the EventBridge user guide pin down; each case
names its behaviour and source. Where event-ruler does something EventBridge documents
otherwise, the case asserts EventBridge's behaviour and says so (docs/fidelity.md).

Sources (paths in aws/event-ruler unless a page or another repository is named):

* [RulerTest] src/test/software/amazon/event/ruler/RulerTest.java
* [Correctness] src/test/resources/correctness-cases.json
* [JRCTest] src/test/software/amazon/event/ruler/JsonRuleCompilerTest.java
* [JRC] src/main/software/amazon/event/ruler/JsonRuleCompiler.java
* [EICParser] src/main/software/amazon/event/ruler/input/EqualsIgnoreCaseParser.java and
  its test input/EqualsIgnoreCaseParserTest.java
* [EB-PAT] EventBridge user guide, "Event patterns" / "Event pattern syntax"
  (eb-event-patterns.md, eb-create-pattern.html)
* [EB-CF] EventBridge user guide, "Content filtering in event patterns"
  (eb-event-patterns-content-based-filtering.md)
* [EB-OPS] EventBridge user guide, "Comparison operators for use in event patterns"
  (eb-create-pattern-operators.html)
* [EB-ARR] "Arrays in event patterns" (eb-event-patterns-arrays.md)
* [EB-NULL] "Matching null values and empty strings" (eb-event-patterns-null-values.md)
* [LS-PAT] localstack/localstack tests/aws/services/events/event_pattern_templates/*.json5,
  snapshot tests recorded against AWS
"""

from __future__ import annotations

from typing import Any

import pytest

from stptui.sim.patterns import PatternError, compile_pattern, explain, matches

# An image description in the shape [RulerTest] uses for its field-combination rules.
IMAGE: dict[str, Any] = {
    "Image": {
        "Width": 640,
        "Height": 480,
        "Title": "Harbour at dusk",
        "Thumbnail": {"Url": "http://img.example.org/h/9", "Height": 120, "Width": 90},
        "Animated": False,
        "IDs": [7, 42, 314],
    }
}

# An array of arrays of objects, as in [RulerTest] JSON_WITH_COMPLEX_ARRAYS: Ada has ids,
# Alan has none, Grace has an empty array of them.
STAFF: dict[str, Any] = {
    "staff": [
        [
            {"first": "Ada", "last": "Byron", "ids": [11, 12, 13]},
            {"first": "Alan", "last": "Turing"},
        ],
        [{"first": "Grace", "last": "Hopper", "ids": []}],
    ]
}

# One rule with six anything-but / numeric fields, as in [RulerTest]
# WHEN_WeTryAnythingButRules; the events below change one field at a time.
ANYTHING_BUT_RULE: dict[str, Any] = {
    "a": [{"anything-but": ["m0", "m1", "m2"]}],
    "b": [{"anything-but": [10, 20, 30]}],
    "c": [{"anything-but": "zz"}],
    "d": [{"anything-but": 5}],
    "z": [{"numeric": [">", 0, "<", 1]}],
    "w": [{"anything-but": {"prefix": "qa"}}],
}
ANYTHING_BUT_OK: dict[str, Any] = {
    "a": "m9",
    "b": "40",  # a string passes a numeric anything-but list
    "c": "yy",
    "d": 6,
    "z": 0.25,
    "w": "xqa",
}

EIC_RULE: dict[str, Any] = {
    "a": [{"equals-ignore-case": "mAp"}],
    "b": [{"equals-ignore-case": "Key"}],
    "c": [{"equals-ignore-case": "viA"}],
}
WILDCARD_RULE: dict[str, Any] = {
    "a": [{"wildcard": "*yz"}],
    "b": [{"wildcard": "k*m"}],
    "c": [{"wildcard": "pq*"}],
}

OR_EVENT: dict[str, Any] = {
    "detail": {
        "kind": "Instance State",
        "info": {"status": "running", "load": {"count": 100}},
        "c-count": 1,
        "d-count": 8,
    },
    "news": {"provider": "p1", "first": "n111", "second": "n222"},
}
OR_COUNTS: list[dict[str, Any]] = [
    {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
    {"d-count": [{"numeric": ["<", 10]}]},
    {"x-limit": [{"numeric": ["=", 3.018e2]}]},
]


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


def _without(base: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k != key}


CASES = [
    # -- structure: fields AND-ed, nested objects line up ----------------------------------
    # Nested objects and a value list: [RulerTest] WHEN_WeWriteRulesToMatchVariousFieldCombos
    pytest.param(
        {"Image": {"Width": [640], "Thumbnail": {"Height": [120, 300]}}},
        IMAGE,
        True,
        id="nested-fields-and-value-list",
    ),
    # Every operator kind on one object, all holding: [RulerTest] same test
    pytest.param(
        {
            "Image": {
                "Width": [{"numeric": ["<", 1000]}],
                "Height": [{"numeric": ["<=", 480]}],
                "Title": [{"anything-but": "Harbour at dawn"}],
                "Thumbnail": {
                    "Url": [{"prefix": "http"}],
                    "Height": [{"numeric": [">", 119, "<", 121]}],
                    "Width": [{"numeric": [">=", 89.999, "<=", 90]}],
                },
                "Animated": [False],
            }
        },
        IMAGE,
        True,
        id="all-operator-kinds-hold",
    ),
    # "<" is strict: [RulerTest] nonMatchingRules
    pytest.param({"Image": {"Width": [{"numeric": ["<", 640]}]}}, IMAGE, False, id="lt-strict"),
    pytest.param(
        {"Image": {"Height": [{"numeric": ["<", 479]}]}}, IMAGE, False, id="lt-below-value"
    ),
    # anything-but of the exact value fails: [RulerTest] nonMatchingRules
    pytest.param(
        {"Image": {"Title": [{"anything-but": "Harbour at dusk"}]}},
        IMAGE,
        False,
        id="anything-but-the-value",
    ),
    # prefix longer than the value's start: [RulerTest] nonMatchingRules
    pytest.param(
        {"Image": {"Thumbnail": {"Url": [{"prefix": "https"}]}}},
        IMAGE,
        False,
        id="prefix-mismatch",
    ),
    # An open range excludes its top: [RulerTest] nonMatchingRules
    pytest.param(
        {"Image": {"Thumbnail": {"Height": [{"numeric": [">", 119, "<", 120]}]}}},
        IMAGE,
        False,
        id="range-open-top",
    ),
    # A closed range starting just above the value: [RulerTest] nonMatchingRules
    pytest.param(
        {"Image": {"Thumbnail": {"Width": [{"numeric": [">=", 90.00001, "<=", 1001]}]}}},
        IMAGE,
        False,
        id="range-bottom-above-value",
    ),
    # true and false are JSON literals: [RulerTest] nonMatchingRules; [EB-PAT]
    pytest.param({"Image": {"Animated": [True]}}, IMAGE, False, id="false-is-not-true"),
    # An event array matches when one element does: [EB-ARR]
    pytest.param({"Image": {"IDs": [42]}}, IMAGE, True, id="array-membership"),
    # Fields the pattern does not name are ignored: [EB-PAT]
    pytest.param({"Image": {"Width": [640]}}, IMAGE, True, id="other-fields-ignored"),
    # A field the event lacks fails the AND: [EB-PAT] "must contain all the field names"
    pytest.param({"Image": {"Depth": [1]}}, IMAGE, False, id="missing-field"),
    # -- arrays of objects: array consistency ----------------------------------------------
    # A field inside arrays of arrays of objects: [RulerTest] WHEN_JSONContainsArrays_...
    pytest.param({"staff": {"first": ["Alan"]}}, STAFF, True, id="arrays-of-arrays"),
    # Two fields of one element, one of them an array: [RulerTest] matchingRules
    pytest.param(
        {"staff": {"first": ["Ada"], "ids": [12]}}, STAFF, True, id="same-element-with-array"
    ),
    # exists:false holds for the element that lacks the field: [RulerTest] matchingRules
    pytest.param(
        {"staff": {"first": ["Alan"], "ids": [{"exists": False}]}},
        STAFF,
        True,
        id="exists-false-in-element",
    ),
    # Values from different elements do not combine: [RulerTest] nonMatchingRules
    pytest.param(
        {"staff": {"first": ["Alan"], "last": ["Hopper"]}}, STAFF, False, id="split-elements"
    ),
    # An array of objects has no leaf value to equal a string: [RulerTest] nonMatchingRules
    pytest.param({"staff": ["Alan"]}, STAFF, False, id="objects-are-not-leaves"),
    # Alan's element has no ids, Ada's 12 is elsewhere: [RulerTest] nonMatchingRules
    pytest.param({"staff": {"first": ["Alan"], "ids": [12]}}, STAFF, False, id="ids-elsewhere"),
    pytest.param(
        {"staff": {"first": ["Alan"], "ids": [{"exists": True}]}},
        STAFF,
        False,
        id="exists-true-in-element-without-it",
    ),
    # An empty array has no leaf, so it counts as absent: [RulerTest] matchingRules (Peter's
    # `"ids": [ ]` never matches exists:true); [Correctness] "primarray: empty prim array"
    pytest.param(
        {"staff": {"first": ["Grace"], "ids": [{"exists": False}]}},
        STAFF,
        True,
        id="empty-array-counts-as-absent",
    ),
    pytest.param(
        {"staff": {"first": ["Grace"], "ids": [{"exists": True}]}},
        STAFF,
        False,
        id="empty-array-fails-exists-true",
    ),
    # [Correctness] objarray cases, written afresh
    pytest.param(
        {"d": {"a": [{"exists": True}], "b": [{"exists": True}]}},
        {"d": [{"a": 1}, {"b": 2}]},
        False,
        id="objarray-split",
    ),
    pytest.param(
        {"d": {"a": [{"exists": True}], "b": [{"exists": True}]}},
        {"d": [{"a": 1}, {"b": 2}, {"a": 3, "b": 4}]},
        True,
        id="objarray-last-element-holds",
    ),
    pytest.param(
        {"u": {"t": {"k": ["colour"], "v": ["red"]}}},
        {"u": [{"t": [{"k": "colour"}, {"v": "red"}]}]},
        False,
        id="objarray-inner-split",
    ),
    pytest.param(
        {"d": {"name": [{"exists": True}], "info": {"x": ["1"]}}},
        {"d": [{"name": "bo"}, {"info": {"x": "1"}}]},
        False,
        id="objarray-outer-split",
    ),
    pytest.param(
        {"d": {"name": [{"exists": True}], "info": {"x": ["1"]}}},
        {"d": [{"name": "bo", "info": {"x": "1"}}]},
        True,
        id="objarray-outer-same",
    ),
    pytest.param(
        {"d": {"a": [{"exists": True}], "b": [{"exists": False}]}},
        {"d": [{"a": 1}]},
        True,
        id="objarray-exists-false-absent",
    ),
    pytest.param(
        {"d": {"a": [{"exists": True}], "b": [{"exists": False}]}},
        {"d": [{"a": 1, "b": 2}]},
        False,
        id="objarray-exists-false-present",
    ),
    # An empty array is not null: [LS-PAT] arrays_empty_null_NEG (AWS answered no match)
    pytest.param({"resources": [None]}, {"resources": []}, False, id="empty-array-is-not-null"),
    pytest.param(
        {"resources": [{"anything-but": "x"}]},
        {"resources": []},
        False,
        id="empty-array-fails-anything-but",
    ),
    pytest.param({"d": {"a": [{"exists": True}]}}, {}, False, id="empty-event"),
    pytest.param({"d": {"a": [{"exists": True}]}}, {"d": []}, False, id="empty-object-array"),
    pytest.param(
        {"i": {"p": [{"numeric": [">", 0, "<", 100]}], "n": [{"exists": True}]}},
        {"i": [{"n": "w", "p": 50}, {"n": "g", "p": 200}]},
        True,
        id="objarray-numeric-one-element",
    ),
    pytest.param(
        {"u": {"s": [{"anything-but": "banned"}], "n": [{"exists": True}]}},
        {"u": [{"n": "al", "s": "banned"}, {"n": "bo", "s": "active"}]},
        True,
        id="objarray-anything-but-other-element",
    ),
    pytest.param(
        {"users": {"name": [{"exists": True}]}, "version": ["2"]},
        {"users": [{"name": "al"}], "version": "1"},
        False,
        id="objarray-and-scalar-mismatch",
    ),
    # Operators see every element of an array of leaves: [Correctness] primarray cases
    pytest.param(
        {"d": {"vals": [{"numeric": [">", 0, "<", 10]}], "type": [{"exists": True}]}},
        {"d": {"vals": [100, 5, 200], "type": "ok"}},
        True,
        id="numeric-any-element",
    ),
    pytest.param(
        {"d": {"tags": [{"prefix": "super"}]}},
        {"d": {"tags": ["admin", "user"]}},
        False,
        id="prefix-no-element",
    ),
    pytest.param(
        {"d": {"tags": [{"anything-but": "banned"}]}},
        {"d": {"tags": ["banned", "ok"]}},
        True,
        id="anything-but-any-element",
    ),
    # -- exists ------------------------------------------------------------------------------
    # [RulerTest] WHEN_WeTryToMatchExistsRules
    pytest.param({"a": [{"exists": True}]}, {"a": 1}, True, id="exists-true-present"),
    pytest.param({"b": [{"exists": False}]}, {"a": 1}, True, id="exists-false-absent"),
    pytest.param({"a": [{"exists": True}]}, {"b": 2}, False, id="exists-true-absent"),
    pytest.param({"x": [{"exists": False}]}, {"x": "X"}, False, id="exists-false-present"),
    # Only leaves exist; an object-valued field counts as absent: [EB-CF] Exists matching
    pytest.param(
        {"detail": {"c-count": [{"exists": False}]}},
        {"detail": {"c-count": {"c1": 100}}},
        True,
        id="exists-false-on-intermediate-node",
    ),
    pytest.param(
        {"detail": {"c-count": [{"exists": True}]}},
        {"detail": {"c-count": {"c1": 100}}},
        False,
        id="exists-true-on-intermediate-node",
    ),
    # null is a present leaf value: [JRC] writeRules (null is an exact value like any other)
    pytest.param({"a": [{"exists": True}]}, {"a": None}, True, id="exists-true-on-null"),
    # -- exact values and JSON types ---------------------------------------------------------
    # [RulerTest] WHEN_WeTryReallySimpleRules: a literal never equals another type
    pytest.param({"a": [1]}, {"a": True}, False, id="number-is-not-true"),
    pytest.param({"x": ["X"]}, {"x": True}, False, id="string-is-not-true"),
    pytest.param({"x": ["X"]}, {"x": "X"}, True, id="string-equals"),
    # The string "true" is not the literal: [EB-PAT] keywords true, false and null
    pytest.param({"a": [True]}, {"a": "true"}, False, id="literal-true-vs-string"),
    # No case folding or other normalisation of strings: [EB-PAT]
    pytest.param({"source": ["aws.ec2"]}, {"source": "AWS.EC2"}, False, id="no-case-folding"),
    # A big integer such as an account number: [JRCTest] testBigNumbers
    pytest.param({"account": [123456789012]}, {"account": 123456789012}, True, id="big-integer"),
    # A number never matches a string holding it: [LS-PAT] number/string templates
    pytest.param({"a": [300]}, {"a": "300"}, False, id="number-vs-string"),
    pytest.param({"a": ["300"]}, {"a": 300}, False, id="string-vs-number"),
    # Numbers compare by value. [JRC] writeRules adds a numeric-equals matcher for a number,
    # and [LS-PAT] number_comparison_float shows AWS matching [300] with 300.0. [EB-PAT] still
    # says "300, 300.0, and 3.0e2 are not considered equal"; AWS's measured answer wins.
    pytest.param({"a": [300]}, {"a": 300.0}, True, id="number-by-value"),
    pytest.param({"a": [3.0e2]}, {"a": 300}, True, id="exponent-form-by-value"),
    # The same pattern holds three ways: [JRCTest] testVariantForms
    pytest.param(
        {
            "a": [133.3],
            "n": [{"numeric": [">", 120, "<=", 140]}],
            "b": ["192.0.2.0"],
            "c": [{"cidr": "192.0.2.0/24"}],
        },
        {"a": 133.3, "n": 133.3, "b": "192.0.2.0", "c": "192.0.2.0"},
        True,
        id="variant-forms",
    ),
    # [JRC] writeRules turns an IP-shaped exact string into a one-address range, so event-ruler
    # would equate other spellings of the address. EventBridge documents "exact
    # character-by-character matching without case-folding or any other string
    # normalization" [EB-PAT], which stptui follows.
    pytest.param(
        {"ip": ["2001:db8::1"]},
        {"ip": "2001:0db8:0:0:0:0:0:1"},
        False,
        id="ip-shaped-string-is-exact",
    ),
    # null and "" are different: [EB-NULL]
    pytest.param({"v": [None]}, {"v": None}, True, id="null-matches-null"),
    pytest.param({"v": [""]}, {"v": ""}, True, id="empty-string-matches"),
    pytest.param({"v": [""]}, {"v": None}, False, id="empty-string-is-not-null"),
    pytest.param({"v": [None]}, {"v": ""}, False, id="null-is-not-empty-string"),
    pytest.param({"v": [None]}, {}, False, id="null-is-not-missing"),
    # Non-empty intersection of two arrays: [EB-ARR]
    pytest.param(
        {"resources": ["arn:x:1", "arn:x:2"]},
        {"resources": ["arn:y:9", "arn:x:1"]},
        True,
        id="array-intersection",
    ),
    pytest.param({"tags": ["a", "b"]}, {"tags": ["c", "d"]}, False, id="array-no-intersection"),
    # Dotted pattern keys are the same path: [JRCTest] testEnd2End (rules 4 and 5)
    pytest.param(
        {"detail.state": ["in-service"]},
        {"detail": {"state": "in-service"}},
        True,
        id="dotted-key",
    ),
    pytest.param(
        {"detail.level": ["urgent"]}, {"detail": {"state": "x"}}, False, id="dotted-key-missing"
    ),
    # -- anything-but ------------------------------------------------------------------------
    # [RulerTest] WHEN_WeTryAnythingButRules: one field changed at a time
    pytest.param(ANYTHING_BUT_RULE, ANYTHING_BUT_OK, True, id="anything-but-all-hold"),
    pytest.param(
        ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, c="zz"), False, id="anything-but-string"
    ),
    pytest.param(ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, z=1.01), False, id="range-above"),
    pytest.param(
        ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, a="m1"), False, id="anything-but-string-list"
    ),
    pytest.param(
        ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, b=20), False, id="anything-but-number-list"
    ),
    pytest.param(ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, d=5), False, id="anything-but-number"),
    pytest.param(
        ANYTHING_BUT_RULE, _with(ANYTHING_BUT_OK, w="qaxy"), False, id="anything-but-prefix"
    ),
    # anything-but never matches a missing field: [LS-PAT] content_anything_but_*_missing_NEG
    pytest.param(
        ANYTHING_BUT_RULE, _without(ANYTHING_BUT_OK, "c"), False, id="anything-but-missing"
    ),
    # anything-but with a wildcard: [EB-OPS] "Anything-but using a wildcard"
    pytest.param(
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/lib/libc.so"},
        False,
        id="anything-but-wildcard-excluded",
    ),
    pytest.param(
        {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]},
        {"FilePath": "/usr/bin/env"},
        True,
        id="anything-but-wildcard-other",
    ),
    # anything-but ignoring case: [EB-OPS] "Anything-but (ignore case)"
    pytest.param(
        {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]},
        {"state": "INITIALIZING"},
        False,
        id="anything-but-ignore-case-excluded",
    ),
    # anything-but with a suffix: [EB-OPS] "Anything-but (ends with)"
    pytest.param(
        {"FileName": [{"anything-but": {"suffix": ".png"}}]},
        {"FileName": "a.jpg"},
        True,
        id="anything-but-suffix",
    ),
    # -- equals-ignore-case --------------------------------------------------------------------
    # [RulerTest] WHEN_WeTryEqualsIgnoreCaseRules
    pytest.param(EIC_RULE, {"a": "MAP", "b": "kEY", "c": "Via", "d": "x"}, True, id="eic-all"),
    pytest.param(EIC_RULE, {"a": "MAP", "b": "keyx", "c": "via"}, False, id="eic-longer"),
    pytest.param(EIC_RULE, {"a": "MAP", "c": "via"}, False, id="eic-missing-field"),
    pytest.param(EIC_RULE, {"a": "MAP", "b": "via", "c": "key"}, False, id="eic-swapped"),
    # [EICParser]: each character of the pattern stands for its own lower- and upper-case
    # forms (Locale.ROOT); the event's text is compared as it is, without folding.
    pytest.param(
        {"v": [{"equals-ignore-case": "Σίσυφος"}]},
        {"v": "ΣΊΣΥΦΟΣ"},
        True,
        id="eic-greek-upper",
    ),
    # Final sigma: the pattern's σ is σ or Σ, never ς.
    pytest.param(
        {"v": [{"equals-ignore-case": "ΣΊΣΥΦΟΣ"}]},
        {"v": "σίσυφος"},
        False,
        id="eic-final-sigma-is-not-sigma",
    ),
    # ß upper-cases to SS, but SS never lower-cases to ß, and ss is neither form of ß.
    pytest.param(
        {"v": [{"equals-ignore-case": "straße"}]}, {"v": "STRASSE"}, True, id="eic-sharp-s-upper"
    ),
    pytest.param(
        {"v": [{"equals-ignore-case": "straße"}]}, {"v": "strasse"}, False, id="eic-sharp-s-ss"
    ),
    pytest.param(
        {"v": [{"equals-ignore-case": "STRASSE"}]}, {"v": "straße"}, False, id="eic-ss-not-sharp"
    ),
    # The Kelvin sign lower-cases to k, but k's two forms are k and K.
    pytest.param(
        {"v": [{"equals-ignore-case": "k"}]}, {"v": "\u212a"}, False, id="eic-kelvin-sign"
    ),
    # Forms of different UTF-8 lengths: [EICParser] test (ⱥ and Ⱥ)
    pytest.param(
        {"v": [{"equals-ignore-case": "ⱥb"}]}, {"v": "ȺB"}, True, id="eic-different-byte-lengths"
    ),
    # The same character sets apply under prefix, suffix and anything-but.
    pytest.param(
        {"v": [{"prefix": {"equals-ignore-case": "ß"}}]},
        {"v": "SSX"},
        True,
        id="prefix-eic-sharp-s",
    ),
    pytest.param(
        {"v": [{"prefix": {"equals-ignore-case": "ß"}}]},
        {"v": "ssx"},
        False,
        id="prefix-eic-not-ss",
    ),
    pytest.param(
        {"v": [{"suffix": {"equals-ignore-case": "ς"}}]},
        {"v": "ΛΟΓΟΣ"},
        True,
        id="suffix-eic-final-sigma-upper",
    ),
    pytest.param(
        {"v": [{"anything-but": {"equals-ignore-case": "straße"}}]},
        {"v": "strasse"},
        True,
        id="anything-but-eic-sharp-s",
    ),
    # prefix / suffix ignoring case: [EB-OPS] "Begins with (ignore case)", "Ends with"
    pytest.param(
        {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]},
        {"service": "EventBridge"},
        True,
        id="prefix-ignore-case",
    ),
    pytest.param(
        {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]},
        {"FileName": "PHOTO.PNG"},
        True,
        id="suffix-ignore-case",
    ),
    # -- wildcard ------------------------------------------------------------------------------
    # [RulerTest] WHEN_WeTryWildcardRules
    pytest.param(WILDCARD_RULE, {"a": "xyzyz", "b": "keeeem", "c": "pq"}, True, id="wc-all"),
    pytest.param(WILDCARD_RULE, {"a": "xyzyz", "b": "keeeemx", "c": "pq"}, False, id="wc-trailing"),
    pytest.param(WILDCARD_RULE, {"a": "xyzyz", "b": "keeeem"}, False, id="wc-missing"),
    pytest.param(WILDCARD_RULE, {"a": "xyzyz", "b": "pq", "c": "keeeem"}, False, id="wc-swapped"),
    # Wildcards match strings only: [EB-OPS] wildcard matching on string values
    pytest.param({"v": [{"wildcard": "*"}]}, {"v": 5}, False, id="wc-not-a-number"),
    # -- numeric and cidr ------------------------------------------------------------------------
    # Numeric matching works on JSON numbers only: [EB-CF] Numeric matching
    pytest.param({"n": [{"numeric": ["<", 10]}]}, {"n": "5"}, False, id="numeric-not-a-string"),
    # The guide's combined example: [EB-CF] "Complex example with multiple matching"
    pytest.param(
        {
            "time": [{"prefix": "2017-10-02"}],
            "detail": {
                "state": [{"anything-but": "initializing"}],
                "c-count": [{"numeric": [">", 0, "<=", 5]}],
                "d-count": [{"numeric": ["<", 10]}],
                "x-limit": [{"anything-but": [100, 200, 300]}],
            },
        },
        {
            "time": "2017-10-02T18:43:48Z",
            "detail": {"state": "running", "c-count": 5, "d-count": 9.5, "x-limit": 301.8},
        },
        True,
        id="guide-complex-example",
    ),
    # IPv6 addresses in a CIDR: [EB-CF] IP address matching
    pytest.param(
        {"ip": [{"cidr": "2001:db8::/32"}]},
        {"ip": "2001:db8:ffff::1"},
        True,
        id="cidr-ipv6",
    ),
    pytest.param({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.1"}, False, id="cidr-outside"),
    # -- $or -----------------------------------------------------------------------------------
    # [JRCTest] testBasicFunctionOfOrRelationshipRules: one branch holding is enough
    pytest.param({"detail": {"$or": OR_COUNTS}}, OR_EVENT, True, id="or-one-branch"),
    pytest.param(
        {
            "detail": {
                "kind": ["Instance State"],
                "info": {"status": ["pending", "running"], "load": {"count": [100]}},
                "$or": OR_COUNTS,
            },
            "news": {
                "provider": ["p1", "p2"],
                "$or": [{"first": ["n111"]}, {"second": ["n222"]}],
            },
        },
        OR_EVENT,
        True,
        id="or-two-groups-with-siblings",
    ),
    pytest.param(
        {"detail": {"$or": OR_COUNTS}},
        {"detail": {"c-count": 9, "d-count": 10, "x-limit": 301.9}},
        False,
        id="or-no-branch",
    ),
    # The siblings of a $or still apply to every branch: [JRC] parseIntoOrRelationship
    pytest.param(
        {"source": ["aws.cloudwatch"], "$or": [{"metric": ["CPU"]}, {"scope": ["Service"]}]},
        {"source": "aws.s3", "scope": "Service"},
        False,
        id="or-sibling-fails",
    ),
    # A "$or" that is not an array of at least two plain objects is an ordinary field name:
    # event-ruler's GenericMachine.addRule falls back to the legacy RuleCompiler when [JRC]
    # refuses it ([JRCTest] testOrFieldCanKeepWorkingInLegacyRuleCompiler).
    pytest.param({"$or": ["x", "y"]}, {"$or": "y"}, True, id="or-of-strings-is-a-field"),
    pytest.param(
        {"$or": [{"numeric": [">", 0]}, {"prefix": "x"}]},
        {"$or": 5},
        True,
        id="or-of-operators-is-a-field",
    ),
    pytest.param({"$or": {"a": ["1"]}}, {"$or": {"a": "1"}}, True, id="or-object-is-a-field"),
    pytest.param({"$or": {"a": ["1"]}}, {"a": "1"}, False, id="or-object-is-not-an-or"),
    # null is a present value, so exists:false fails on it: [JRC] writeRules
    pytest.param({"a": [{"exists": False}]}, {"a": None}, False, id="exists-false-on-null"),
]


@pytest.mark.parametrize(("pattern", "event", "expected"), CASES)
def test_ruler_case(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected
    # explain must reach the same verdict, and give reasons for a miss
    explanation = explain(compile_pattern(pattern), event)
    assert explanation.matched is expected
    assert bool(explanation.failures) is not expected


INVALID = [
    # Leaf values must be arrays: [JRCTest] testCompile "Values must be in an array"
    pytest.param({"a": 1}, '"a" must be an object or an array', id="leaf-not-array"),
    # An object in a value array must be a known operator: [JRCTest] "Array values must be
    # primitives"
    pytest.param({"a": [{"x": 2}]}, "Unrecognized match type x", id="unknown-operator"),
    pytest.param({"foo": {}}, "Empty objects are not allowed", id="empty-object"),
    pytest.param({"foo": []}, "Empty arrays are not allowed", id="empty-array"),
    pytest.param([1, 2, 3], "Filter is not an object", id="top-level-array"),
    # [JRCTest] badPatternTypes, each with event-ruler's message
    pytest.param(
        {"a": [{"prefix": "child", "foo": []}]},
        "Only one key allowed in match expression",
        id="prefix-extra-key",
    ),
    pytest.param({"a": [{"prefix": 3}]}, "prefix match pattern must be a string", id="prefix-num"),
    pytest.param({"a": [{"suffix": 3}]}, "suffix match pattern must be a string", id="suffix-num"),
    pytest.param({"a": [{"cidr": "foo"}]}, "Malformed CIDR, one '/' required", id="cidr-bad"),
    pytest.param(
        {"a": [{"anything-but": ["child0", 111, "child2"]}]},
        "Inside anything but list, either all values are number or string, "
        "mixed type is not supported",
        id="anything-but-mixed-list",
    ),
    pytest.param(
        {"a": [{"anything-but": {"foo": 3}}]},
        "Unsupported anything-but pattern: foo",
        id="anything-but-unknown-inner",
    ),
    pytest.param(
        {"a": [{"anything-but": {"prefix": ""}}]},
        "Null prefix/suffix not allowed",
        id="anything-but-empty-prefix",
    ),
    pytest.param(
        {"a": [{"anything-but": {"suffix": ["1", ""]}}]},
        "Null prefix/suffix not allowed",
        id="anything-but-empty-suffix-in-list",
    ),
    pytest.param(
        {"a": [{"anything-but": {"prefix": [1, 2, 3]}}]},
        "prefix/suffix match pattern must be a string",
        id="anything-but-prefix-numbers",
    ),
    pytest.param(
        {"a": [{"anything-but": {"equals-ignore-case": [1, 2, 3]}}]},
        "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        id="anything-but-eic-numbers",
    ),
    pytest.param(
        {"a": [{"anything-but": {"wildcard": "foo**bar"}}]},
        "Consecutive wildcard characters at pos 4",
        id="anything-but-wildcard-double-star",
    ),
    pytest.param(
        {"a": [{"anything-but": {"wildcard": "foo*bar\\"}}]},
        "Invalid escape character at pos 8",
        id="anything-but-wildcard-trailing-backslash",
    ),
    pytest.param(
        {"a": [{"anything-but": {"wildcard": [1, 2, 3]}}]},
        "wildcard match pattern must be a string",
        id="anything-but-wildcard-numbers",
    ),
    pytest.param(
        {"a": [{"anything-but": {"prefix": "foo"}, "x": 1}]},
        "Too many elements in numeric expression",
        id="anything-but-extra-key",
    ),
    pytest.param(
        {"a": [{"equals-ignore-case": 5}]},
        "equals-ignore-case match pattern must be a string",
        id="eic-number",
    ),
    pytest.param(
        {"a": [{"equals-ignore-case": ["abc"]}]},
        "equals-ignore-case match pattern must be a string",
        id="eic-list",
    ),
    pytest.param(
        {"a": [{"prefix": {"invalid-expression": ["abc"]}}]},
        "Unsupported prefix pattern: invalid-expression",
        id="prefix-unknown-inner",
    ),
    pytest.param(
        {"a": [{"suffix": {"equals-ignore-case": "abc", "test": "def"}}]},
        "Only one key allowed in match expression",
        id="suffix-eic-extra-key",
    ),
    pytest.param({"a": [{"wildcard": 5}]}, "wildcard match pattern must be a string", id="wc-num"),
    pytest.param(
        {"a": [{"wildcard": ["abc"]}]}, "wildcard match pattern must be a string", id="wc-list"
    ),
    # anything-but takes no case-insensitive prefix or suffix: [LS-PAT]
    # content_anything_prefix_ignorecase_EXC, content_anything_suffix_ignorecase_EXC
    pytest.param(
        {"a": [{"anything-but": {"prefix": {"equals-ignore-case": "us-"}}}]},
        "Value of anything-but must be an array or single string/number value.",
        id="anything-but-prefix-eic",
    ),
    pytest.param(
        {"a": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]},
        "Value of anything-but must be an array or single string/number value.",
        id="anything-but-suffix-eic",
    ),
    # `**` is refused: [EB-OPS] wildcard matching
    pytest.param(
        {"a": [{"wildcard": "a**b"}]}, "Consecutive wildcard characters at pos 2", id="wc-stars"
    ),
    # [JRCTest] testNumericExpressions bads
    pytest.param(
        {"x": [{"numeric": ["=", True]}]}, "Value of equals must be numeric", id="numeric-bool"
    ),
    pytest.param({"x": [{"numeric": ["<"]}]}, "Value of < must be numeric", id="numeric-no-value"),
    pytest.param(
        {"x": [{"numeric": ["<>", 1, ">", 0]}]},
        "Unrecognized numeric range operator: <>",
        id="numeric-unknown-op",
    ),
    pytest.param(
        {"x": [{"numeric": ["<", 1, ">", 0]}]},
        "Too many elements in numeric expression",
        id="numeric-lt-then-gt",
    ),
    pytest.param(
        {"x": [{"numeric": [">", 1, "<", 1]}]},
        "Bottom must be less than top",
        id="numeric-empty-range",
    ),
    pytest.param(
        {"x": [{"numeric": [">", 1, "<", 30, False]}]},
        "Too many terms in numeric range expression",
        id="numeric-five-operands",
    ),
    # [JRCTest] testExistsExpression bads
    pytest.param(
        {"x": [{"exists": "badString"}]},
        "exists match pattern must be either true or false.",
        id="exists-string",
    ),
    pytest.param(
        {"x": [{"exists": True, "extraKey": "extraValue"}]},
        "Only one key allowed in match expression",
        id="exists-extra-key",
    ),
    # event-ruler's JsonRuleCompiler also knows "exactly"; EventBridge's operator list
    # [EB-OPS] does not, so stptui refuses it as an unknown operator.
    pytest.param({"a": [{"exactly": "x"}]}, "Unrecognized match type exactly", id="exactly"),
    # A $or with one object falls back to an ordinary field ([JRC] via GenericMachine.addRule's
    # legacy compiler), whose value array then holds an object that is no operator.
    pytest.param({"$or": [{"a": ["1"]}]}, "Unrecognized match type a", id="or-with-one-branch"),
    # ... and so does a "$or" whose array holds a non-object ([JRC] "Only JSON object is
    # allowed") or whose branch uses an operator name as a field ([JRC] "Ruler reserved
    # fieldName"): the legacy reading then meets the first branch as an unknown operator.
    pytest.param(
        {"$or": [{"a": ["1"]}, "x"]}, "Unrecognized match type a", id="or-with-a-non-object"
    ),
    pytest.param(
        {"d": {"$or": [{"b": ["1"]}, {"prefix": ["z"]}]}},
        "Unrecognized match type b",
        id="or-with-reserved-field-name",
    ),
    pytest.param({"$or": []}, "Empty arrays are not allowed", id="or-empty-array"),
    pytest.param({"$or": "x"}, '"$or" must be an object or an array', id="or-string"),
]


@pytest.mark.parametrize(("pattern", "message"), INVALID)
def test_ruler_invalid_pattern(pattern: Any, message: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert caught.value.aws_message == f"Event pattern is not valid. Reason: {message}"


def test_explain_names_the_case_folding_near_miss() -> None:
    # [EICParser]: "strasse" is "straße" only under full case folding, which event-ruler does
    # not apply; the explanation says so instead of leaving the miss unexplained.
    explanation = explain({"v": [{"equals-ignore-case": "straße"}]}, {"v": "strasse"})
    assert explanation.lines() == [
        "1 of 1 condition failed: v",
        '  v: expected "straße" in any letter case, got "strasse" (equal only under full '
        "Unicode case folding; EventBridge matches each pattern letter's own lower- and "
        "upper-case forms)",
    ]
    # an ordinary miss gets no such note
    other = explain({"v": [{"equals-ignore-case": "straße"}]}, {"v": "street"})
    assert other.failures[0].reason == 'expected "straße" in any letter case, got "street"'
