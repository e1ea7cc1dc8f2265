"""What a workload reaches and is given: `connectTo`, `environment`, legacy `accessControl`.

Functions, batch jobs and containers share these properties, so their reading is in one
place; the environment Stacktape injects (`STP_*`) is computed later, by `envvars.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.loader import DataPath
from stptui.config.model import (
    EnvVar,
    Ref,
    Workload,
)
from stptui.config.normalize_props import describe_value
from stptui.config.normalize_schema import (
    STR,
    P,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


def _env_text(value: Any) -> str:
    """A value as the JavaScript deployer writes it into the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class EnvironmentReaders(_BuilderBase):
    """Readers of a workload's access and environment (a part of `normalize.StackBuilder`)."""

    def _legacy_access_control(self, raw: dict[str, Any], path: DataPath, name: str) -> None:
        ac = raw.pop("accessControl")
        allow = ac.get("allowAccessTo") if isinstance(ac, dict) else None
        self.diag(
            (*path, "accessControl"),
            "warning",
            "alternate-spelling",
            "`accessControl.allowAccessTo` is the pre-3.x spelling; today it is `connectTo`",
            key=True,
            resource=name,
            hint="write `connectTo: [...]`",
        )
        if allow is not None and "connectTo" not in raw:
            raw["connectTo"] = allow
            # Positions of the list entries stay those under accessControl.allowAccessTo.
            src = (*path, "accessControl", "allowAccessTo")
            for p, mark in list(self.loaded.value_marks.items()):
                if p[: len(src)] == src:
                    self.loaded.value_marks[(*path, "connectTo", *p[len(src) :])] = mark

    def _workload_common(self, w: Workload, props: dict[str, Any], path: DataPath) -> None:
        if "environment" in props:
            w.environment = self._environment(props["environment"], (*path, "environment"), w.name)
        w.connect_to = self._connect_to(props.get("connectTo"), path, w.name)
        events = props.get("events")
        if isinstance(events, list):
            for i, ev in enumerate(events):
                trig = self._trigger(w.name, ev, (*path, "events", i), i, allowed=None)
                if trig is not None:
                    w.events.append(trig)

    def _connect_to(self, connect: Any, path: DataPath, owner: str) -> list[Ref]:
        """The references of a `connectTo` list (`path` is the owner's properties): resource
        names, and `aws:` macros, of which only `aws:ses` exists. Anything else is None or
        was reported as not a list already."""
        refs: list[Ref] = []
        if not isinstance(connect, list):
            return refs
        for i, entry in enumerate(connect):
            epath = (*path, "connectTo", i)
            if not isinstance(entry, str):
                self.diag(
                    epath,
                    "error",
                    "wrong-type",
                    f"connectTo entries must be resource names, not {describe_value(entry)}",
                    resource=owner,
                )
                continue
            if entry.startswith("aws:"):
                if entry != "aws:ses":
                    self.diag(
                        epath,
                        "warning",
                        "unknown-aws-macro",
                        f"{entry!r} is not a Stacktape macro; only 'aws:ses' exists, so this "
                        "entry grants nothing",
                        resource=owner,
                    )
                refs.append(Ref(raw=entry, path=epath, target=None, by="macro"))
                continue
            refs.append(Ref(raw=entry, path=epath, target=entry, by="name"))
        return refs

    def _environment(self, raw: Any, path: DataPath, owner: str) -> list[EnvVar]:
        out: list[EnvVar] = []
        if isinstance(raw, dict):
            self.diag(
                path,
                "warning",
                "alternate-spelling",
                "`environment` written as a map; Stacktape's YAML schema wants a list of "
                "{name, value}",
                key=True,
                resource=owner,
                hint="write `- name: KEY` / `value: ...` entries",
            )
            for key, value in raw.items():
                if self._env_value_ok(value, (*path, key), key, owner):
                    out.append(EnvVar(key, _env_text(value), (*path, key)))
            return out
        if not isinstance(raw, list):
            return out
        for i, item in enumerate(raw):
            ipath = (*path, i)
            if not isinstance(item, dict):
                self.diag(
                    ipath,
                    "error",
                    "wrong-type",
                    f"environment entries must be {{name, value}}, not {describe_value(item)}",
                    resource=owner,
                )
                continue
            props = self.read_props(
                item,
                ipath,
                {"name": STR, "value": P("scalar")},
                owner,
                where=" in an environment entry",
            )
            if "name" not in props:
                if "name" not in item:
                    self.diag(
                        ipath,
                        "error",
                        "missing-property",
                        "environment entry needs `name`",
                        resource=owner,
                    )
                continue
            if "value" not in item:
                self.diag(
                    ipath,
                    "error",
                    "missing-property",
                    f"environment variable {props['name']!r} needs `value`",
                    resource=owner,
                )
                continue
            if "value" in props:
                out.append(EnvVar(props["name"], _env_text(props["value"]), ipath))
        return out

    def _env_value_ok(self, value: Any, path: DataPath, key: str, owner: str) -> bool:
        return self.check_value(P("scalar"), value, path, f"environment.{key}", owner)
