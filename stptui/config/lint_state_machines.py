"""Whole-stack checks of Step Functions state machines: each definition's structure and data
flow (stptui.sim.asl, with Step Functions' own messages), and what each Task state invokes.

`StateMachineChecks` is a part of the linter (`lint._Linter` inherits it): its methods report
through the linter's `report`, at the line and column inside the definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.config.directives import fake_resource_param, stack_context
from stptui.config.model import StateMachine

if TYPE_CHECKING:
    from stptui.config.lint import _Linter as _LinterBase
else:
    _LinterBase = object


class StateMachineChecks(_LinterBase):
    """The state machine checks of the linter."""

    def check_state_machines(self) -> None:
        """Check every state machine's definition and the functions its tasks invoke."""
        from stptui.sim import asl  # lazily: the simulator imports config, not back

        for sm in self.stack.of_type(StateMachine):
            if sm.definition is None:
                continue
            at = sm.definition_path
            for p in asl.check_definition(sm.definition):
                path = (*at, *p.path)
                if p.kind == "schema":
                    self.report(
                        path, "error", "asl-schema", p.message, resource=sm.name, hint=p.hint
                    )
                elif p.kind == "transition":
                    self.report(
                        path, "error", "asl-transition", p.message, resource=sm.name, hint=p.hint
                    )
                elif p.kind == "unreachable":
                    self.report(
                        path, "error", "asl-unreachable", p.message, resource=sm.name, hint=p.hint
                    )
                elif p.kind == "data":
                    self.report(
                        path, "error", "asl-data-flow", p.message, resource=sm.name, hint=p.hint
                    )
                else:
                    self.report(
                        path,
                        "warning",
                        "asl-not-simulated",
                        p.message,
                        resource=sm.name,
                        hint=p.hint,
                    )
            self.check_task_targets(sm)

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
            target = asl.task_target(state, functions)
            if target.function is None and target.why is not None:
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
