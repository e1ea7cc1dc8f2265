"""The `alarms` and `cdn` sections that functions, buckets, gateways, services and databases
share: each alarm's trigger and notification targets, a CDN's routes and cache behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.loader import DataPath
from stptui.config.normalize_schema import (
    ALARM_PROPS,
    CACHE_METHODS,
    CDN_PROPS,
    CDN_ROUTES,
    DICT,
    FORWARD_METHODS,
    NEW_INVALIDATION,
    NEWER_DOCS_ALARM,
    NEWER_DOCS_CHANNELS,
    NO_PROPERTIES_TRIGGERS,
    NOTIFICATION_TARGETS,
    OLD_INVALIDATION,
    OPTIONAL_TARGET_PROPERTIES,
    P,
    PackagingType,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class SectionReaders(_BuilderBase):
    """Readers of the shared `alarms` and `cdn` sections (a part of `normalize.StackBuilder`)."""

    def _alarms(
        self,
        props: dict[str, Any],
        path: DataPath,
        owner: str,
        triggers: dict[str, PackagingType],
        *,
        foreign_prefixes: tuple[str, ...] = (),
    ) -> None:
        """Each of `alarms` against ALARM_PROPS, its trigger against `triggers` and its
        notification targets; a trigger whose type has none of `foreign_prefixes` is left to
        lint (a web service's alarms of its load balancing's other type)."""
        alarms = props.get("alarms")
        spec = {**ALARM_PROPS, **NEWER_DOCS_ALARM}
        for i, alarm in enumerate(alarms if isinstance(alarms, list) else []):
            apath = (*path, "alarms", i)
            if not self.check_value(DICT, alarm, apath, f"alarms[{i}]", owner):
                continue
            got = self.read_props(alarm, apath, spec, owner, where=f" in `alarms[{i}]`")
            self.require_all(got, alarm, spec, ("trigger",), apath, owner, f"`alarms[{i}]`")
            self.nested(got, "evaluation", apath, owner, "alarm evaluation")
            for key, kinds in (
                ("notificationTargets", NOTIFICATION_TARGETS),
                ("notificationChannels", NEWER_DOCS_CHANNELS),
            ):
                targets = got.get(key)
                for j, target in enumerate(targets if isinstance(targets, list) else []):
                    self.typed_object(
                        target,
                        (*apath, key, j),
                        owner,
                        "notification target",
                        kinds,
                        optional_properties=OPTIONAL_TARGET_PROPERTIES,
                    )
            trigger = got.get("trigger")
            kind = trigger.get("type") if isinstance(trigger, dict) else None
            if trigger is None or (
                isinstance(kind, str) and foreign_prefixes and not kind.startswith(foreign_prefixes)
            ):
                continue
            self.typed_object(
                trigger,
                (*apath, "trigger"),
                owner,
                "trigger",
                triggers,
                optional_properties=NO_PROPERTIES_TRIGGERS,
            )

    def _cdn(
        self, props: dict[str, Any], path: DataPath, owner: str, spec: dict[str, P] = CDN_PROPS
    ) -> None:
        """A `cdn` against `spec` (CDN_PROPS, or BUCKET_CDN_PROPS for a bucket's), its nested
        objects and route rewrites."""
        raw = props.get("cdn")
        if not isinstance(raw, dict):
            return  # absent, or the wrong type: reported with the resource's properties
        cpath = (*path, "cdn")
        if OLD_INVALIDATION in raw:
            raw = self._old_invalidation(raw, cpath, owner)
        cdn = self.read_props(raw, cpath, spec, owner, where=" in `cdn`")
        self.require_all(cdn, raw, spec, ("enabled",), cpath, owner, "`cdn`")
        self.each_item(cdn, "customDomains", cpath, owner)
        self._cdn_behaviour(cdn, cpath, owner)
        self._route_rewrites(cdn, cpath, owner)

    def _route_rewrites(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """Each of the `routeRewrites` of a CDN (or of a hosting bucket), its options and its
        `routeTo`."""
        self.each_item(props, "routeRewrites", path, owner)
        rewrites = props.get("routeRewrites")
        for i, rewrite in enumerate(rewrites if isinstance(rewrites, list) else []):
            if not isinstance(rewrite, dict):
                continue  # reported by each_item
            rpath = (*path, "routeRewrites", i)
            self._cdn_behaviour(rewrite, rpath, owner)
            if isinstance(rewrite.get("routeTo"), dict):
                self.typed_object(
                    rewrite["routeTo"], (*rpath, "routeTo"), owner, "routeTo", CDN_ROUTES
                )

    def _old_invalidation(self, raw: dict[str, Any], path: DataPath, owner: str) -> dict[str, Any]:
        """`raw` without the older `invalidateAfterDeploy` (at `path`), reported with the real
        property, whose value is its opposite."""
        kpath = (*path, OLD_INVALIDATION)
        old = raw[OLD_INVALIDATION]
        if NEW_INVALIDATION in raw:
            self.diag(
                kpath,
                "error",
                "conflicting-spelling",
                f"both `{OLD_INVALIDATION}` and `{NEW_INVALIDATION}` are set in `cdn`; keep "
                f"`{NEW_INVALIDATION}`",
                key=True,
                resource=owner,
            )
        else:
            written = f"`{NEW_INVALIDATION}: {str(not old).lower()}`"
            self.diag(
                kpath,
                "warning",
                "alternate-spelling",
                f"`{OLD_INVALIDATION}` is an older spelling in `cdn`; the real "
                f"property is `{NEW_INVALIDATION}`, its opposite",
                key=True,
                resource=owner,
                hint=f"write {written}" if isinstance(old, bool) else None,
            )
        return {k: v for k, v in raw.items() if k != OLD_INVALIDATION}

    def _cdn_behaviour(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """The caching, forwarding and edge function options of a CDN or a route rewrite."""
        caching = self.nested(props, "cachingOptions", path, owner)
        self.items(caching, "cacheMethods", (*path, "cachingOptions"), owner, CACHE_METHODS)
        kpath = (*path, "cachingOptions", "cacheKeyParameters")
        key = self.nested(caching, "cacheKeyParameters", (*path, "cachingOptions"), owner)
        for part in ("cookies", "headers", "queryString"):
            self.nested(key, part, kpath, owner, f"cache key {part}")
        fpath = (*path, "forwardingOptions")
        forwarding = self.nested(props, "forwardingOptions", path, owner)
        self.items(forwarding, "allowedMethods", fpath, owner, FORWARD_METHODS)
        self.each_item(forwarding, "customRequestHeaders", fpath, owner)
        for part in ("cookies", "headers", "queryString"):
            self.nested(forwarding, part, fpath, owner, f"forward {part}")
        self.nested(props, "edgeFunctions", path, owner)
