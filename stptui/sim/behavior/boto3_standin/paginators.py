"""boto3's paginators (`client.get_paginator(name).paginate(...)`): each page is one call of
the operation, the next asked for with the token the last answered, as botocore's
PageIterator does; PaginationConfig's MaxItems and PageSize; `search` and
`build_full_result`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jmespath

from stptui.sim.behavior.boto3_standin.exceptions import ParamValidationError, refuse


@dataclass(frozen=True, slots=True)
class Paging:
    """How an operation pages, as botocore's paginators-1.json has it: the request's token
    parameter, the answer's token key, the page-size parameter and the keys of the results
    (the first is what MaxItems counts), and the key that says there is more, where
    botocore's has one."""

    input_token: str
    output_token: str  # a JMESPath expression of the page, as botocore's
    limit_key: str
    result_keys: tuple[str, ...]
    # The page's key that says whether there is more (None: the token alone says it).
    more_results: str | None = None


_CONFIG_KEYS = ("MaxItems", "PageSize", "StartingToken")


class PageIterator:
    """The pages of one `paginate` call, asked for as they are iterated (each iteration
    asks again, as botocore's does)."""

    def __init__(self, method: Callable[..., Any], paging: Paging, params: dict[str, Any]) -> None:
        config = params.pop("PaginationConfig", None) or {}
        if not isinstance(config, dict) or any(k not in _CONFIG_KEYS for k in config):
            raise ParamValidationError(
                report=f"PaginationConfig takes {', '.join(_CONFIG_KEYS)}, not {config!r}"
            )
        if config.get("StartingToken") is not None:
            raise refuse(
                "paginate",
                "does not resume from a StartingToken: pass the operation's own token "
                f"({paging.input_token}) instead",
            )
        for name in ("MaxItems", "PageSize"):
            value = config.get(name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ParamValidationError(
                    report=f"Invalid type for PaginationConfig {name}, value: {value!r}, "
                    f"type: {type(value)}, valid types: <class 'int'>"
                )
        self._method = method
        self._paging = paging
        self._params = params
        self._max_items: int | None = config.get("MaxItems")
        if config.get("PageSize") is not None:
            self._params[paging.limit_key] = config["PageSize"]
        # What botocore's PageIterator has after a MaxItems cut; stptui gives no token.
        self.resume_token: str | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        params = dict(self._params)
        paging = self._paging
        counted = paging.result_keys[0]
        seen = 0
        while True:
            page = self._method(**params)
            if self._max_items is not None:
                items = page.get(counted) or []
                if seen + len(items) >= self._max_items:
                    page[counted] = items[: self._max_items - seen]
                    yield page
                    return
                seen += len(items)
            yield page
            if paging.more_results is not None and not page.get(paging.more_results):
                return
            token = jmespath.search(paging.output_token, page)
            if not token:
                return
            params[paging.input_token] = token

    def search(self, expression: str) -> Iterator[Any]:
        """The JMESPath `expression` applied to each page: a list's elements, one at a
        time, or the value itself, as botocore's `search` gives them."""
        compiled = jmespath.compile(expression)
        for page in self:
            found = compiled.search(page)
            if isinstance(found, list):
                yield from found
            else:
                yield found

    def build_full_result(self) -> dict[str, Any]:
        """Every page's results in one answer: lists joined, counts added."""
        full: dict[str, Any] = {}
        for page in self:
            for key in self._paging.result_keys:
                if key not in page:
                    continue
                value = page[key]
                if isinstance(value, list):
                    full.setdefault(key, []).extend(value)
                elif isinstance(value, int):
                    full[key] = full.get(key, 0) + value
        return full


class Paginator:
    """`client.get_paginator(name)`: `paginate(**params)` gives the operation's pages."""

    def __init__(self, method: Callable[..., Any], paging: Paging) -> None:
        self._method = method
        self._paging = paging

    def paginate(self, **params: Any) -> PageIterator:
        """The pages of the operation called with `params` (and PaginationConfig)."""
        return PageIterator(self._method, self._paging, params)
