"""Consumer readiness (--readiness claris|incidentiq|illuminate|all): will this consumer work here?

For each consumer (fixtures/consumers/*.yaml) and each operation it reads: its credentials are
accepted, the operation answers 200, and the records carry what the consumer reads. A gap is
reported in the district admin's words, with the SIS permission to grant and how sure that is.
These checks run only when --readiness is given; --gate readiness lets only them decide the exit.
"""

import re

import pytest

from oneroster_conformance.checks import answered, fail, not_applicable, observe
from oneroster_conformance.client import evidence
from oneroster_conformance.readiness import diagnose
from oneroster_conformance.readiness.diagnose import NOT_SERVED, REFUSED
from oneroster_conformance.readiness.probe import Readiness

_PREFIXED = re.compile(r"^([A-Za-z]+_)")


@pytest.fixture(scope="session")
def readiness(harness):
    return Readiness(harness)


def _credentials_note(readiness, consumer) -> None:
    """With several consumers and no client of their own, say that one record stood in for all."""
    _, own = readiness.credentials(consumer)
    if not own and readiness.harness.settings.readiness == "all":
        observe(f"checked with the run's own credentials: add a profile client named '{consumer.name}' "
                f"(the {consumer.record} record's consumer id and secret) to check that record")


@pytest.mark.requirement("readiness/consumer-api")
def test_consumer_api(readiness_consumer):
    if not readiness_consumer.uses_oneroster:
        fail(f"{readiness_consumer.title}: {readiness_consumer.api_note}", expected="a OneRoster consumer",
             actual=readiness_consumer.api)


@pytest.mark.requirement("readiness/consumer-connects")
def test_consumer_connects(readiness, readiness_consumer):
    consumer = readiness_consumer
    _credentials_note(readiness, consumer)
    problem = readiness.connect(consumer)
    if problem is None:
        return
    if not consumer.uses_oneroster:
        not_applicable(f"{consumer.title} connects with the Aeries API certificate, not OneRoster keys, and the "
                       f"provider refused the OneRoster credentials given ({problem}): nothing more can be checked "
                       "from here")
    fail(diagnose.credentials_refused(consumer, problem), expected="a token for the consumer's credentials",
         actual=problem)


def _answer(readiness, case):
    answer = readiness.answer(case.consumer, case.read.operation)
    if answer.reply is None:
        not_applicable(f"{case.consumer.title}: {answer.path} was not called: {answer.reason}")
    evidence.record(answer.reply.exchange)
    return answer


@pytest.mark.requirement("readiness/operation-served")
def test_operation_served(readiness, readiness_read):
    consumer, read = readiness_read.consumer, readiness_read.read
    answer = _answer(readiness, readiness_read)
    reply = answer.reply
    answered(reply)
    if reply.status == 200:
        if answer.records is None:
            fail(f"{consumer.title}: {answer.path} answered 200 without a '{answer.op.wrapper}' list it can read",
                 expected=f"{{'{answer.op.wrapper}': [...]}}", actual=reply.content[:120].decode("utf-8", "replace"))
        return
    if reply.status in REFUSED:
        message = diagnose.refused(consumer, answer.path, reply.status)
    elif reply.status in NOT_SERVED:
        message = diagnose.not_served(consumer, read, answer.path, reply.status)
    else:
        message = diagnose.server_trouble(consumer, answer.path, str(reply.status))
    if not consumer.uses_oneroster:
        message += f" ({consumer.title} reads this through the Aeries API certificate; the same box gates both.)"
    fail(message, expected="200", actual=reply.status)


@pytest.mark.requirement("readiness/data-populated")
def test_data_populated(readiness, readiness_need):
    consumer, read = readiness_need.consumer, readiness_need.read
    answer = _answer(readiness, readiness_need)
    if answer.reply.status != 200 or answer.records is None:
        not_applicable(f"{answer.path} answered {answer.reply.status}; judged by readiness/operation-served")
    records = answer.records
    if not records:
        if read.records == "required":
            fail(diagnose.empty(consumer, read, answer.path), expected="records", actual="none")
        return
    gaps = []
    for field in read.all_fields:
        bad = [str(r.get("sourcedId")) for r in records if r.get(field) in (None, "", [])]
        if bad:
            gaps.append(diagnose.missing_on_some(field, bad, len(records)))
    for field in read.some_fields:
        if all(r.get(field) in (None, "", []) for r in records):
            gaps.append(diagnose.missing_on_all(field, len(records)))
    prefixes = {m.group(1) for r in records if (m := _PREFIXED.match(str(r.get("sourcedId", ""))))}
    if len(prefixes) == 1 and all(_PREFIXED.match(str(r.get("sourcedId", ""))) for r in records):
        observe(f"every sourcedId of {answer.path} starts with '{prefixes.pop()}' (a prefixed SIS number)")
    if gaps:
        fail(diagnose.fields_missing(consumer, answer.path, gaps), expected="the fields the consumer reads",
             actual="; ".join(gaps))
