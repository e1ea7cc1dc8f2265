"""The behaviours file reader's checks of `poll`: the queues a container workload's code
polls, with the ReceiveMessage parameters it passes (docs/behaviors.md, "Workers that poll
queues").

`PollChecks` is a part of the reader (`reader.Reader` inherits it): its methods report
through the reader's `report` and read the stack it was given. Each item names a queue of
the stack that the workload's role may receive from and delete from (as emissions are
checked against `connectTo` and `iamRoleStatements`), and whole numbers in the ranges
ReceiveMessage takes; an item that does not fit is reported and left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean, with_article
from stptui.config.loader import DataPath
from stptui.config.model import SERVICE_CONTAINER_NAME, Containerized, ContainerWorkload, Queue
from stptui.config.permissions import Permissions, Target, evaluate
from stptui.sim.behavior.declared import PollSpec, WorkloadBehavior
from stptui.sim.behavior.durations import format_duration
from stptui.sim.behavior.expressions import is_number

if TYPE_CHECKING:
    from stptui.sim.behavior.reader import Reader as _ReaderBase
else:
    _ReaderBase = object

POLL_KEYS = (
    "queue",
    "maxMessages",
    "waitSeconds",
    "visibilityTimeout",
    "concurrency",
    "heartbeat",
    "onFailure",
)
# The words of SQS's ReceiveMessage and of a Lambda `sqs` event for a poll item's keys,
# which no spelling is close enough to the poll item's own to guess.
_POLL_WORDS = {
    "batchsize": "maxMessages",
    "maxnumberofmessages": "maxMessages",
    "waittimeseconds": "waitSeconds",
    "sqsqueuename": "queue",
    "queuename": "queue",
    "queueurl": "queue",
    "pollers": "concurrency",
    "workers": "concurrency",
}
HEARTBEAT_KEYS = ("every", "extendBy")
ON_FAILURE_KEYS = ("visibilityTimeout",)
# ReceiveMessage's ranges (SQS API reference): MaxNumberOfMessages 1-10 (default 1),
# WaitTimeSeconds 0-20, VisibilityTimeout 0-43200 (12 hours).
MAX_MESSAGES = (1, 10)
WAIT_SECONDS = (0, 20)
VISIBILITY_SECONDS = (0, 43_200)
# How many pollers one item may run: a bound of the simulator (each is a container task's
# receive loop), far above Stacktape's usual scaling of a worker.
CONCURRENCY = (1, 100)
# What the code needs on the queue: receive, then delete what it processed.
POLL_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage")


def default_concurrency(workload: Containerized) -> int:
    """How many copies of the workload run: its `scaling.minInstances`, Stacktape's default
    1 when it is not written (or not a whole number, which `validate` reports)."""
    scaling = workload.properties.get("scaling")
    low = scaling.get("minInstances") if isinstance(scaling, dict) else None
    if isinstance(low, int) and not isinstance(low, bool) and low >= 1:
        return low
    return 1


class PollChecks(_ReaderBase):
    """The reader's checks of `poll` items (mixed into `reader.Reader`)."""

    _poll_permissions: Permissions | None = None

    def poll(
        self, b: WorkloadBehavior, value: Any, path: DataPath, workload: Containerized
    ) -> None:
        """`poll`: one item or a list of them, each compiled into `b.polls`."""
        container = self._polling_container(workload, path)
        if container is None:
            return
        for item, ipath in self.each_item(value, path):
            spec = self._poll_item(item, ipath, workload, container)
            if spec is not None:
                b.polls.append(spec)

    def _polling_container(self, workload: Containerized, path: DataPath) -> str | None:
        """The container whose code polls: the one the entry names (`WORKLOAD.CONTAINER`),
        a service's only container, or a workload's only one; None (reported) when a
        workload with several containers does not say which."""
        if "." in self.fn:
            return self.fn.partition(".")[2]
        if not isinstance(workload, ContainerWorkload):
            return SERVICE_CONTAINER_NAME
        if len(workload.containers) == 1:
            return workload.containers[0]
        names = ", ".join(f"{workload.name}.{c}" for c in workload.containers)
        self.report(
            path,
            "behavior-poll-container",
            f"{workload.name} has {len(workload.containers)} containers: say which one's code "
            "polls the queue",
            key=True,
            hint=f"move `poll` under the container's own entry: {names or '(none)'}",
        )
        return None

    def _poll_item(
        self, item: Any, path: DataPath, workload: Containerized, container: str
    ) -> PollSpec | None:
        if not isinstance(item, dict):
            self.report(
                path,
                "behavior-bad-value",
                "a poll item is a mapping with the queue the code polls",
                hint="e.g. poll: {queue: jobs, maxMessages: 10}",
            )
            return None
        self.unknown_keys(item, path, POLL_KEYS, _POLL_WORDS)
        # A misspelt `queue` (`qeue`, `sqsQueueName`) has its error, which says which word
        # is meant: "needs the `queue`" as well would be a second error for one mistake.
        misspelt = "queue" not in item and any(
            (did_you_mean(str(k), POLL_KEYS) or _POLL_WORDS.get(str(k).lower())) == "queue"
            for k in item
        )
        queue = (
            None
            if misspelt
            else self._poll_queue(item.get("queue"), (*path, "queue"), path, workload)
        )
        max_messages = self._poll_number(item, path, "maxMessages", MAX_MESSAGES, 1)
        wait = self._poll_number(item, path, "waitSeconds", WAIT_SECONDS, None)
        visibility = self._poll_number(item, path, "visibilityTimeout", VISIBILITY_SECONDS, None)
        concurrency = self._poll_number(
            item, path, "concurrency", CONCURRENCY, default_concurrency(workload)
        )
        if queue is None or max_messages is False or wait is False or visibility is False:
            return None
        if concurrency is False:
            return None
        # The timeout each receive gives: the heartbeat must come before it ends.
        timeout_s = queue.visibility_timeout_s if visibility is None else int(visibility)
        heartbeat = self._poll_heartbeat(item, path, timeout_s)
        on_failure = self._poll_on_failure(item, path)
        if heartbeat is False or on_failure is False:
            return None
        every_ms, extend_s = heartbeat if heartbeat else (None, None)
        return PollSpec(
            workload.name,
            container,
            queue.name,
            int(max_messages or 1),
            # The queue's ReceiveMessageWaitTimeSeconds (Stacktape's longPollingSeconds)
            # applies to a receive that passes no WaitTimeSeconds.
            queue.long_polling_s if wait is None else int(wait),
            None if visibility is None else int(visibility),
            int(concurrency or 1),
            self.fn,
            self.y.pos(path),
            every_ms,
            extend_s,
            on_failure,
        )

    def _poll_heartbeat(
        self, item: dict[str, Any], path: DataPath, timeout_s: int
    ) -> tuple[int, int] | bool | None:
        """`heartbeat: {every, extendBy}`: (every in ms, extendBy in s); None when not
        written, False (reported) when it does not fit. Each beat must come while the
        message is still hidden: `every` shorter than the receive's visibility timeout and
        than `extendBy`, or the message would be visible (and received again) meanwhile."""
        if "heartbeat" not in item:
            return None
        hpath = (*path, "heartbeat")
        value = item["heartbeat"]
        if not isinstance(value, dict):
            self.report(
                hpath,
                "behavior-bad-value",
                "heartbeat is a mapping: how often the code extends the visibility, and by how "
                "much",
                hint="e.g. heartbeat: {every: 20s, extendBy: 60s}",
            )
            return False
        self.unknown_keys(value, hpath, HEARTBEAT_KEYS)
        every = self.one_duration(value.get("every"), (*hpath, "every"), required="every")
        extend = self._whole_seconds(value, hpath, "extendBy", required=True)
        if every is None or extend is False or extend is None:
            return False
        if every == 0:
            self.report(
                (*hpath, "every"),
                "behavior-bad-value",
                "heartbeat.every must be longer than 0",
                hint="e.g. every: 20s",
            )
            return False
        if every >= extend * 1000:
            self.report(
                (*hpath, "every"),
                "behavior-poll-heartbeat",
                f"heartbeat.every ({format_duration(every)}) is not shorter than extendBy "
                f"({format_duration(extend * 1000)}): the message is visible again between "
                "two beats",
                hint="extend by more than the interval, e.g. every: 20s with extendBy: 60s",
            )
            return False
        if every >= timeout_s * 1000:
            self.report(
                (*hpath, "every"),
                "behavior-poll-heartbeat",
                f"heartbeat.every ({format_duration(every)}) is not shorter than the "
                f"receive's visibility timeout ({format_duration(timeout_s * 1000)}): the "
                "message is visible again before the first beat",
                hint="beat more often than the visibility timeout, or raise `visibilityTimeout`",
            )
            return False
        return every, extend

    def _poll_on_failure(self, item: dict[str, Any], path: DataPath) -> int | bool | None:
        """`onFailure: {visibilityTimeout}`: the seconds a failed message stays hidden
        (0: visible at once); None when not written, False (reported) when it does not fit."""
        if "onFailure" not in item:
            return None
        fpath = (*path, "onFailure")
        value = item["onFailure"]
        if not isinstance(value, dict):
            self.report(
                fpath,
                "behavior-bad-value",
                "onFailure is a mapping with the visibilityTimeout a failed message gets",
                hint="e.g. onFailure: {visibilityTimeout: 0s}",
            )
            return False
        self.unknown_keys(value, fpath, ON_FAILURE_KEYS)
        seconds = self._whole_seconds(value, fpath, "visibilityTimeout", required=True)
        return False if seconds is None else seconds

    def _whole_seconds(
        self, value: dict[str, Any], path: DataPath, key: str, *, required: bool
    ) -> int | bool | None:
        """A duration of whole seconds from 0 to 43,200 (ChangeMessageVisibility's
        VisibilityTimeout); None when not written, False (reported) when it does not fit."""
        if key not in value:
            if required:
                self.report(path, "behavior-bad-value", f"`{key}` is needed here", key=True)
                return False
            return None
        ms = self.one_duration(value[key], (*path, key))
        if ms is None:
            return False
        lo, hi = VISIBILITY_SECONDS
        if ms % 1000 or not lo <= ms // 1000 <= hi:
            self.report(
                (*path, key),
                "behavior-bad-value",
                f"{key} is ChangeMessageVisibility's VisibilityTimeout: whole seconds from "
                f"{lo} to {hi:,} (12 hours), not {format_duration(ms)}",
                hint=f"e.g. {key}: 60s",
            )
            return False
        return ms // 1000

    def _poll_queue(
        self, name: Any, path: DataPath, item_path: DataPath, workload: Containerized
    ) -> Queue | None:
        """The queue an item names: a queue of the stack the workload's role may receive from
        and delete from; None (reported) otherwise."""
        queues = [q.name for q in self.stack.queues]
        if name is None:
            self.report(
                item_path,
                "behavior-bad-value",
                "a poll item needs the `queue` the code polls",
                hint=f"queues of the stack: {', '.join(queues) or '(none)'}",
            )
            return None
        res = self.stack.resources.get(name) if isinstance(name, str) else None
        if not isinstance(res, Queue):
            guess = did_you_mean(str(name), queues)
            what = (
                f"{name!r} is {with_article(res.type)}, not an sqs-queue"
                if res is not None
                else f"no sqs-queue named {name!r} in the stack"
            )
            self.report(
                path,
                "behavior-poll-unknown-queue",
                what + (f"; did you mean {guess!r}?" if guess else ""),
                hint=f"queues of the stack: {', '.join(queues) or '(none)'}",
            )
            return None
        if self._poll_permissions is None:
            self._poll_permissions = Permissions(self.stack)
        perms = self._poll_permissions
        target = Target(perms.arn_of(res.name))
        for action in POLL_ACTIONS:
            decision = evaluate(perms.policies(workload), action, target)
            if not decision.allowed:
                why = (
                    f"its iamRoleStatements[{decision.denied_by}] denies {action}"
                    if decision.denied_by is not None
                    else f"neither its connectTo nor its iamRoleStatements allow {action}"
                )
                self.report(
                    path,
                    "behavior-poll-denied",
                    f"{workload.name} may not poll {res.name}: {why} on the queue",
                    hint=perms.fix(workload.name, "send", res.name, decision),
                )
                return None
        return res

    def _poll_number(
        self,
        item: dict[str, Any],
        path: DataPath,
        key: str,
        bounds: tuple[int, int],
        default: int | None,
    ) -> int | bool | None:
        """A whole number in `bounds` (`default` when the key is not written); False,
        reported, when it is anything else."""
        if key not in item:
            return default
        value = item[key]
        lo, hi = bounds
        # `lo <= value <= hi` first: it is False for NaN and the infinities, which have no
        # whole value to compare with.
        if not is_number(value) or not lo <= value <= hi or value != int(value):
            self.report(
                (*path, key),
                "behavior-bad-value",
                f"{key} is a whole number from {lo:,} to {hi:,}, not {value!r}",
                hint=f"e.g. {key}: {lo if default is None else default}",
            )
            return False
        return int(value)
