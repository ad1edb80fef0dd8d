"""The compiled schema fast path agrees with jsonschema: on every operation's real body and on
mutated ones. A "valid" from the fast path that jsonschema would refuse would hide a failure."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneroster_conformance.provider.app import create_app
from oneroster_conformance.provider.auth import load_clients
from oneroster_conformance.provider.config import ProviderConfig
from oneroster_conformance.spec import schemas
from oneroster_conformance.spec.operations import EVERY_READ_SCOPE, SERVICE_ROOTS, read_operations

# Values that break records in the ways providers do: wrong types, bad dates, vocabulary edges.
ODD_VALUES = [None, True, False, 0, 1, 1.0, 1.5, -3, "", "x", "ext:local", "active", "tobedeleted", "2024-02-30",
              "2024-01-01", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", "2024-01-01 00:00", "teacher",
              "student", "school", "term", [], ["x"], [1], {}, {"sourcedId": "a"},
              {"href": "http://h/x", "sourcedId": "a", "type": "user"}, {"href": 1, "sourcedId": "a", "type": "nope"}]


@pytest.fixture(scope="module")
def bodies() -> list[tuple[str, object]]:
    """(response schema, real body) for every GET operation of the three services on the sample roster."""
    from starlette.testclient import TestClient

    client = TestClient(create_app(ProviderConfig()))  # in-process: no port, no thread
    secret = load_clients()["conformance-all"].client_secret
    token = client.post("/token", data={"grant_type": "client_credentials", "scope": " ".join(EVERY_READ_SCOPE)},
                        auth=("conformance-all", secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    out: list[tuple[str, object]] = []
    first_ids: dict[tuple[str, str], str] = {}
    ops = read_operations("v1p2")
    for op in ops:
        if op.is_collection and not op.path_params:
            body = client.get(SERVICE_ROOTS[op.service] + op.path, params={"limit": 20}, headers=headers).json()
            out.append((op.response_schema, body))
            rows = body.get(op.wrapper) or []
            if rows:
                first_ids[op.service, op.path] = rows[0]["sourcedId"]
    for op in ops:
        if op.path_params and not op.is_collection:
            ids = {p: first_ids.get((op.service, "/" + op.path.strip("/").split("/")[0]), "") for p in op.path_params}
            reply = client.get(SERVICE_ROOTS[op.service] + op.url_path(**ids), headers=headers)
            assert reply.status_code == 200, op.operation_id
            out.append((op.response_schema, reply.json()))
    return out


def _slots(value: object, path: tuple = ()) -> Iterator[tuple]:
    """Paths to every value inside a body."""
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _slots(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _slots(v, (*path, i))


def _agree(name: str, body: object) -> None:
    fast = schemas.fast_check(name)
    assert fast is not None, f"{name} does not compile"
    assert fast(body) == schemas.validator(name).is_valid(body), (name, body)


def test_every_spec_schema_compiles() -> None:
    names = {op.response_schema for op in read_operations("v1p2")} | {"imsx_StatusInfo"}
    assert all(schemas.fast_check(n) is not None for n in names)


def test_real_bodies_valid_both_ways(bodies) -> None:
    assert len(bodies) > 20
    assert {name for name, _ in bodies} >= {op.response_schema for op in read_operations("v1p2")}
    for name, body in bodies:
        _agree(name, body)
        assert schemas.fast_check(name)(body)


@settings(max_examples=400, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_bodies_agree(bodies, data) -> None:
    name, body = data.draw(st.sampled_from(bodies), label="body")
    body = copy.deepcopy(body)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        slots = [p for p in _slots(body) if p]
        if not slots:
            break
        path = data.draw(st.sampled_from(slots), label="path")
        parent = body
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "extra"]), label="action")
        if action == "replace":
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(ODD_VALUES), label="value"))
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "metadata", "status", "sourcedId"]))] = \
                copy.deepcopy(data.draw(st.sampled_from(ODD_VALUES)))
    _agree(name, body)


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_odd_top_level_bodies_agree(value) -> None:
    for name in ("UserSet", "SingleUser", "EnrollmentSet", "imsx_StatusInfo"):
        _agree(name, copy.deepcopy(value))
