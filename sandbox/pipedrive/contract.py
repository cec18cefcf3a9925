"""Pipedrive's own OpenAPI files as the stand-in's contract: every request is checked against
the operation it names, every answer (in strict mode) against the documented response, and
every request is priced by the operation's ``x-token-cost`` (§2.11 rules 4, 6, 11).

The files (``pipedrive-v1-openapi.yml`` 1.8 MB, ``pipedrive-v2-openapi.yml`` 1.0 MB) are
Pipedrive's, so they are read at run time from ``PIPEDRIVE_OPENAPI_DIR`` (default
``<repo>/../shared/contracts``) and never copied into the repo; without them the stand-in
cannot be strict, so ``load_contract`` raises ``ContractMissing`` naming the directory.
Parsing both with ``yaml.CSafeLoader`` costs 1-2 s, so a process loads them once
(``load_contract`` is cached per directory). openapi-spec-validator over the two files costs
another 3 s per process and proves nothing new about Pipedrive's published files, so the
specs are used unvalidated (``Config(spec_validator_cls=None)``).

Where the files and the real API differ, the real API wins, patched in memory only:

* ``addOrganization`` lists ``required: [title]`` though its body has no ``title``: the real
  API requires ``name``, so the list is rewritten to ``name``.
* Query parameters described as "a comma-separated string array" but typed as one string
  ``enum`` (``fields`` of the search endpoints): the enum would refuse
  ``fields=custom_fields,email``, so it is lifted and each comma-separated item is checked
  against it here instead.
* ``additional_data.next_cursor`` is typed a plain string, yet the same schemas say it "will
  be ``null`` if you have reached the end" (and the reference agrees, §2.6): every
  ``next_cursor`` property is made nullable.
* ``searchProducts`` types ``item.code`` as an integer; a product's ``code`` is a string in
  every other schema (``addProduct``...), so the search item's is made a string too.
* v2 bodies: a root key the operation's body schema does not list is refused with 400
  ``ERR_SCHEMA_VALIDATION_FAILED`` "Parameter 'x' is not allowed for this request" even where
  the schema allows extra properties, because the real API does (destinations-2.md §2.5,
  client-nodejs#651): that is how a custom-field hash at the root and ``custom_fields`` on an
  activity (whose schema has none, rule 6) are refused.

Choices where the reference is silent: a schema failure answers the first error jsonschema
reports, as "Validation failed: <field path>: <message>" (v2 shape) or the same text in the
v1 shape; an unknown path or a method the path does not have is 404 (``ERR_NOT_FOUND`` in
v2, "Unknown method ." in v1, as the app answers unknown routes); the ``x-api-token``
security requirement is the app's job (rule 1), so it is taken as met here. An answer with a
status the operation does not document passes only as an error body of the right shape.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from sandbox.pipedrive.errors import NOT_FOUND, SCHEMA_FAILED, PdError, not_allowed
from sandbox.pipedrive.refusal import Refusal

SPEC_FILES = {"v1": "pipedrive-v1-openapi.yml", "v2": "pipedrive-v2-openapi.yml"}
PREFIXES = {"v2": "/api/v2", "v1": "/v1"}
HOST = "https://api.pipedrive.com"  # the specs' servers are HOST + prefix
METHODS = ("get", "post", "put", "patch", "delete")
ENV = "PIPEDRIVE_OPENAPI_DIR"


class ContractMissing(RuntimeError):
    """The OpenAPI files are not where the stand-in looks for them."""


def contract_dir() -> Path:
    """``PIPEDRIVE_OPENAPI_DIR``, else ``<repo>/../shared/contracts``."""
    configured = os.environ.get(ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "contracts"


@functools.cache
def _load(directory: str) -> Contract:
    specs: dict[str, dict[str, Any]] = {}
    for version, name in SPEC_FILES.items():
        path = Path(directory) / name
        if not path.is_file():
            raise ContractMissing(
                f"Pipedrive OpenAPI file {name} not found in {directory} "
                f"(set {ENV} to the directory holding {' and '.join(SPEC_FILES.values())})"
            )
        with path.open(encoding="utf-8") as handle:
            specs[version] = yaml.load(handle, Loader=yaml.CSafeLoader)
    return Contract(specs)


def load_contract(directory: Path | None = None) -> Contract:
    """The contract of ``directory`` (default ``contract_dir()``), parsed once per process."""
    return _load(str((directory or contract_dir()).resolve()))


@dataclass(frozen=True)
class Operation:
    version: str  # "v1" | "v2"
    method: str  # lower case
    template: str  # spec path, "/persons/{id}"
    operation_id: str
    cost: int | None  # x-token-cost
    pattern: re.Pattern[str]
    root_keys: frozenset[str] | None  # v2 body keys the schema lists; None: not checked
    listed: dict[str, frozenset[str]] = field(default_factory=dict)  # comma-separated enums


@dataclass
class _Request:
    """The smallest object openapi-core's ``Request`` protocol accepts."""

    method: str
    path: str
    body: bytes | None
    parameters: RequestParameters
    host_url: str = HOST
    content_type: str = "application/json"


@dataclass
class _Response:
    status_code: int
    data: bytes | None
    headers: Headers = field(default_factory=Headers)
    content_type: str = "application/json"


class Contract:
    def __init__(self, specs: dict[str, dict[str, Any]]) -> None:
        specs = {version: copy.deepcopy(spec) for version, spec in specs.items()}
        self.operations: dict[str, list[Operation]] = {}
        for version, spec in specs.items():
            _patch_add_organization(spec)
            _nullable_cursors(spec)
            _product_search_code(spec)
            self.operations[version] = _index(version, spec)
        self._specs = specs
        config = Config(spec_validator_cls=None)
        self._apis = {v: OpenAPI.from_dict(spec, config=config) for v, spec in specs.items()}

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation ``METHOD /api/v2/...`` or ``/v1/...`` names (literal paths first)."""
        version = _version(path)
        if version is None:
            return None
        rest = path[len(PREFIXES[version]) :]
        for op in self.operations[version]:
            if op.method == method.lower() and op.pattern.match(rest):
                return op
        return None

    def token_cost(self, method: str, path: str) -> int:
        """The operation's ``x-token-cost``; 0 for a request that names no operation."""
        op = self.operation(method, path)
        return (op.cost or 0) if op else 0

    def check_request(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes | None
    ) -> Refusal | None:
        op = self.operation(method, path)
        v1 = path.startswith(PREFIXES["v1"] + "/")
        if op is None:
            if v1:
                return _refuse(PdError(404, "Unknown method .", v1=True))
            return _refuse(PdError(404, f"Unknown route {method} {path}", NOT_FOUND))
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return _refuse(PdError(400, "Invalid JSON body", v1=v1))
        if op.root_keys is not None and isinstance(parsed, dict):
            for key in parsed:
                if key not in op.root_keys:
                    return _refuse(not_allowed(key))
        for name, allowed in op.listed.items():
            for value in query.get(name, []):
                for item in value.split(","):
                    if item.strip() not in allowed:
                        return _invalid(f"{name}: '{item}' is not one of {sorted(allowed)}", v1)
        try:
            self._apis[op.version].validate_request(_request(method, path, query, body))
        except OpenAPIError as exc:
            return _invalid(_describe(exc), v1)
        return None

    def check_response(self, method: str, path: str, status: int, body: Any) -> str | None:
        """None when the answer conforms to the operation's documented response, else why."""
        op = self.operation(method, path)
        if op is None:
            return f"{method} {path} is no operation of the spec"
        documented = self._documented(op)
        if str(status) not in documented and "default" not in documented:
            if status >= 400:
                return _error_shape(op.version, body)
            return f"{op.operation_id} documents {sorted(documented)}, not {status}"
        response = _Response(status, json.dumps(body).encode() if body is not None else None)
        try:
            self._apis[op.version].validate_response(_request(method, path, {}, None), response)
        except OpenAPIError as exc:
            return f"{op.operation_id} {status}: {_describe(exc)}"
        return None

    def _documented(self, op: Operation) -> set[str]:
        responses = self._specs[op.version]["paths"][op.template][op.method]["responses"]
        return {str(key) for key in responses}


def _version(path: str) -> str | None:
    for version, prefix in PREFIXES.items():
        if path.startswith(prefix + "/"):
            return version
    return None


def _patch_add_organization(spec: dict[str, Any]) -> None:
    """The v2 spec's known defect: addOrganization requires ``title``; the API requires ``name``."""
    post = spec.get("paths", {}).get("/organizations", {}).get("post", {})
    schema = (
        post.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    )
    if post.get("operationId") == "addOrganization" and isinstance(schema, dict):
        required = schema.get("required", [])
        if "title" in required and "title" not in schema.get("properties", {}):
            schema["required"] = ["name" if key == "title" else key for key in required]


def _product_search_code(spec: dict[str, Any]) -> None:
    """searchProducts' ``item.code``: integer in the spec, a string like every product code."""
    get = spec.get("paths", {}).get("/products/search", {}).get("get", {})
    schema = get.get("responses", {}).get("200", {}).get("content", {})
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            item = node.get("properties", {}).get("item")
            code = item.get("properties", {}).get("code") if isinstance(item, dict) else None
            if isinstance(code, dict) and code.get("type") == "integer":
                code["type"] = "string"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _nullable_cursors(node: Any) -> None:
    """Mark every ``next_cursor`` property nullable (the specs' own text: null at the end)."""
    if isinstance(node, dict):
        cursor = node.get("properties", {}).get("next_cursor")
        if isinstance(cursor, dict):
            cursor["nullable"] = True
        for value in node.values():
            _nullable_cursors(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_cursors(value)


def _index(version: str, spec: dict[str, Any]) -> list[Operation]:
    operations = []
    for template, item in spec.get("paths", {}).items():
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        pattern = re.compile(f"^{regex}$")
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            root_keys = _root_keys(spec, op) if version == "v2" else None
            operations.append(
                Operation(
                    version,
                    method,
                    template,
                    op.get("operationId", f"{method} {template}"),
                    op.get("x-token-cost"),
                    pattern,
                    root_keys,
                    _lift_listed_enums([*item.get("parameters", []), *op.get("parameters", [])]),
                )
            )
    # a literal segment beats a template one: /persons/search before /persons/{id}
    operations.sort(key=lambda o: (o.template.count("{"), o.template))
    return operations


def _lift_listed_enums(parameters: list[dict[str, Any]]) -> dict[str, frozenset[str]]:
    listed = {}
    for param in parameters:
        schema = param.get("schema", {})
        described = "comma-separated" in str(param.get("description", "")).lower()
        if param.get("in") == "query" and described and schema.get("enum"):
            listed[param["name"]] = frozenset(str(v) for v in schema.pop("enum"))
    return listed


def _root_keys(spec: dict[str, Any], op: dict[str, Any]) -> frozenset[str] | None:
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    keys = _properties(spec, schema) if schema else set()
    return frozenset(keys) if keys else None


def _properties(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """Root property names of an object schema, through ``$ref`` and ``allOf``."""
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    keys = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        keys |= _properties(spec, part)
    return keys


def _request(method: str, path: str, query: dict[str, list[str]], body: bytes | None) -> _Request:
    pairs = [(name, value) for name, values in query.items() for value in values]
    parameters = RequestParameters(
        query=ImmutableMultiDict(pairs),
        header=Headers({"x-api-token": "checked-by-the-app"}),
    )
    return _Request(method.lower(), path, body or None, parameters)


def _describe(exc: BaseException) -> str:
    """The first concrete error under an openapi-core exception, with its field path."""
    cause = exc.__cause__
    errors = getattr(cause, "schema_errors", None) or getattr(exc, "schema_errors", None)
    if errors:
        first = sorted(errors, key=lambda e: len(e.path))[0]
        where = ".".join(str(p) for p in first.path) or getattr(exc, "name", None) or "body"
        return f"{where}: {first.message}"
    name = getattr(exc, "name", None)
    text = str(cause) if cause is not None else str(exc)
    return f"{name}: {text}" if name and name not in text else text


def _invalid(message: str, v1: bool) -> Refusal:
    if v1:
        return _refuse(PdError(400, message, v1=True))
    return _refuse(PdError(400, f"Validation failed: {message}", SCHEMA_FAILED))


def _refuse(error: PdError) -> Refusal:
    return Refusal(error.status, error.body())


def _error_shape(version: str, body: Any) -> str | None:
    if not isinstance(body, dict) or body.get("success") is not False:
        return f"an error answer must be an object with success false, got {body!r}"
    if not isinstance(body.get("error"), str):
        return "an error answer needs an 'error' string"
    if version == "v1" and not {"error_info", "data", "additional_data"} <= set(body):
        return "a v1 error answer needs error_info, data and additional_data"
    if version == "v2" and not isinstance(body.get("code", body.get("errorCode")), str | int):
        return "a v2 error answer needs a 'code'"
    return None
