"""Whole-stack checks of Step Functions state machines: each definition's structure and data
flow (stptui.sim.asl, with Step Functions' own messages), and what each Task state invokes.

`StateMachineChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report`, at the line and column inside the definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import Severity
from stptui.config.directives import fake_resource_param, stack_context
from stptui.config.loader import DataPath
from stptui.config.model import StateMachine

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
    from stptui.sim.asl import AslProblem
else:
    _LinterBase = object


class StateMachineChecks(_LinterBase):
    """The state machine checks of the linter."""

    def check_state_machines(self) -> None:
        """Check every state machine's definition and the functions its tasks invoke."""
        machines = [sm for sm in self.stack.of_type(StateMachine) if sm.definition is not None]
        if not machines:
            return  # before importing asl, which most stacks, having no state machine, never need
        from stptui.sim import asl  # lazily: the simulator imports config, not back

        for sm in machines:
            at = sm.definition_path
            for p in asl.check_definition(sm.definition):
                path = (*at, *p.path)
                if p.kind == "schema":
                    self.report_asl(sm, path, "error", "asl-schema", p)
                elif p.kind == "transition":
                    self.report_asl(sm, path, "error", "asl-transition", p)
                elif p.kind == "unreachable":
                    self.report_asl(sm, path, "error", "asl-unreachable", p)
                elif p.kind == "data":
                    self.report_asl(sm, path, "error", "asl-data-flow", p)
                elif p.kind == "error-name":
                    self.report_asl(sm, path, "warning", "asl-error-name", p)
                elif p.kind == "variable":
                    self.report_asl(sm, path, "warning", "asl-variable", p)
                elif p.kind == "jsonata":
                    self.report_asl(sm, path, "error", "asl-jsonata", p)
                elif p.kind == "jsonata-literal":
                    self.report_asl(sm, path, "warning", "asl-jsonata-literal", p)
                elif p.kind == "no-task-token":
                    self.report_asl(sm, path, "warning", "asl-no-task-token", p)
                else:
                    self.report_asl(sm, path, "warning", "asl-not-simulated", p)
            self.check_task_targets(sm)

    def report_asl(
        self, sm: StateMachine, path: DataPath, severity: Severity, code: str, p: AslProblem
    ) -> None:
        """Report a problem asl's definition checks found in `sm`, as diagnostic `code`."""
        self.report(path, severity, code, p.message, resource=sm.name, hint=p.hint)

    def check_task_targets(self, sm: StateMachine) -> None:
        """Warn about Task states whose target the simulator cannot run: an integration other
        than Lambda, or a function that is not in the stack."""
        from stptui.sim import asl  # lazily, as above

        ctx = stack_context(self.stack)
        functions = {
            f.name: fake_resource_param(ctx, f.name, "arn", "function")
            for f in self.stack.functions
        }
        for path, state in asl.lambda_function_targets(sm.definition):
            if "Resource" not in state:
                continue  # reported as a schema problem
            if self.directive_failed((*sm.definition_path, *path, "Resource")):
                continue  # its directive's error says what is wrong with it
            target = asl.task_target(state, functions)
            if target.integration in asl.JOB_INTEGRATIONS:
                self.check_job_target(sm, path, state, target.integration)
                continue
            if target.integration is not None:
                self.check_integration_target(sm, path, state, target.integration)
                continue
            # A function named at run time is checked when an execution names it.
            if target.function is None and target.why is not None and not target.dynamic:
                names = ", ".join(asl.logical_function_id(n) for n in functions) or "none"
                self.report(
                    (*sm.definition_path, *path, "Resource"),
                    "warning",
                    "asl-task-target",
                    f"Task state {path[-1]!r} of {sm.name!r}: {target.why}; executions fail "
                    "when they reach it",
                    resource=sm.name,
                    hint="invoke a function of the stack: Resource: {Fn::GetAtt: "
                    f"[<Name>Function, Arn]}} (here: {names}), $ResourceParam('<name>', 'arn') "
                    "or arn:aws:states:::lambda:invoke with Parameters.FunctionName",
                )

    def check_integration_target(
        self, sm: StateMachine, path: tuple[str | int, ...], state: Mapping[str, Any], resource: str
    ) -> None:
        """Warn when a simulated integration's constant target (QueueUrl, TopicArn,
        TableName, an entry's EventBusName) names no resource of its type in the stack."""
        from stptui.sim import asl_integrations as integ  # lazily, as above
        from stptui.sim import asl_sdk
        from stptui.sim.asl import request_field
        from stptui.sim.asl_jsonata import is_expression
        from stptui.sim.asl_targets import known_forms

        kind = integ.TARGETS.get(resource) or asl_sdk.APIS[resource].kind
        if kind is None:  # DescribeReplay, CancelReplay: a replay, no resource of the stack
            return
        known = known_forms(self.stack, kind)
        request = request_field(state)
        params = state.get(request)
        if not isinstance(params, dict):
            return
        found: list[tuple[tuple[str | int, ...], Any]] = []
        if resource in (integ.EVENTS_PUT, asl_sdk.EVENTS_PUT):
            entries = params.get("Entries")
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                # `default` and its ARN name the account's bus, no resource of the stack.
                bus = entry.get("EventBusName", "default") if isinstance(entry, dict) else None
                if bus is not None and bus not in ("default", self.stack.default_bus_arn):
                    found.append((("Entries", i, "EventBusName"), entry["EventBusName"]))
        elif kind.param in params:
            found.append(((kind.param,), params[kind.param]))
        for where, value in found:
            # A JSONata expression names its target at run time.
            if is_expression(value) or integ.target_name(value, kind, known) is not None:
                continue
            if self.directive_failed((*sm.definition_path, *path, request, *where)):
                continue
            names = ", ".join(known) or "none"
            param = (
                "url"
                if kind.param == "QueueUrl"
                else "name"
                if kind.rtype == "bucket"
                else integ.ARCHIVE_PARAM
                if kind.rtype == integ.ARCHIVE
                else "arn"
            )
            what = "archive of a bus (`archivation`)" if kind.rtype == integ.ARCHIVE else kind.rtype
            self.report(
                (*sm.definition_path, *path, request, *where),
                "warning",
                "asl-task-target",
                f"Task state {path[-1]!r} of {sm.name!r}: {where[-1]} {integ.shown(value)} "
                f"names no {what} of this stack; executions fail when they reach it",
                resource=sm.name,
                hint=f"name one with $ResourceParam('<name>', '{param}') (here: {names})",
            )

    def check_job_target(
        self, sm: StateMachine, path: tuple[str | int, ...], state: Mapping[str, Any], resource: str
    ) -> None:
        """Warn when a batch:submitJob task's constant JobDefinition names no batch job of
        the stack, or a states:startExecution task's StateMachineArn no state machine."""
        from stptui.sim import asl_integrations as integ  # lazily, as above
        from stptui.sim import asl_jobs
        from stptui.sim.asl import request_field
        from stptui.sim.asl_jsonata import is_expression
        from stptui.sim.asl_targets import known_forms

        batch = resource.startswith(asl_jobs.BATCH_SUBMIT)
        kind = asl_jobs.JOB_DEFINITION if batch else asl_jobs.STATE_MACHINE
        request = request_field(state)
        params = state.get(request)
        if not isinstance(params, dict) or kind.param not in params:
            return
        known = known_forms(self.stack, kind)
        value = params[kind.param]
        if is_expression(value) or integ.target_name(value, kind, known) is not None:
            return
        if self.directive_failed((*sm.definition_path, *path, request, kind.param)):
            return
        names = ", ".join(known) or "none"
        param = "jobDefinitionArn" if batch else "arn"
        self.report(
            (*sm.definition_path, *path, request, kind.param),
            "warning",
            "asl-task-target",
            f"Task state {path[-1]!r} of {sm.name!r}: {kind.param} {integ.shown(value)} "
            f"names no {kind.rtype} of this stack; executions fail when they reach it",
            resource=sm.name,
            hint=f"name one with $ResourceParam('<name>', '{param}') (here: {names})",
        )
