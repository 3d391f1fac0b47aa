"""Hypothesis against the push endpoints: whatever the records hold (any JSON, the contract's fields with
strange values, control characters, numbers too long for any field), a batch is answered with the
import document or a 400/413 in Chinese, never a server error; every record is counted once and
every refused record is reported with its place in the batch. Bounded by FUZZ_EXAMPLES per endpoint
(marked `slow`: `bash scripts/test` and CI run it, a plain `pytest` does not)."""

from __future__ import annotations

import os
import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govwatch.accounts.models import Membership

pytestmark = pytest.mark.slow

FUZZ_EXAMPLES = int(os.environ.get("GOVWATCH_FUZZ_EXAMPLES", "20"))
CJK = re.compile(r"[\u4e00-\u9fff]")

PUSHES = {
    "/api/v1/units/": ["code", "name", "parent_code", "kind", "phone", "hours"],
    "/api/v1/items/": ["code", "name", "unit_code", "type", "level", "legal_days", "promised_days", "online"],
    "/api/v1/case-events/": ["case_no", "event", "at", "item_code", "unit_code", "reason", "channel"],
    "/api/v1/evaluations/": ["eval_id", "level", "at", "case_no", "unit_code", "evaluator", "comment"],
    "/api/v1/complaints/": ["complaint_id", "at", "source", "content", "unit_code", "case_no", "contact"],
    "/api/v1/applicant-contacts/": ["case_no", "phone"],
}

texts = st.text(st.sampled_from(list("DSTCI90-:T .+中文\x00\x01\n\u2028\u202e=@")), max_size=12)
# Values of the region's fixtures, so that some records are good ones and land among the bad.
known = st.sampled_from(["D", "ST", "ST1", "SC", "I9", "I0", "M1", "accept", "complete", "2026-03-02T09:00:00",
                         "2", "5", "street", "community", "hotline", "13912345678"])  # fmt: skip
scalars = st.one_of(
    known, texts, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
)
values = st.one_of(scalars, st.lists(scalars, max_size=2), st.dictionaries(texts, scalars, max_size=2))


def records_for(names: list[str]):
    record = st.dictionaries(st.one_of(st.sampled_from(names), texts), values, max_size=len(names) + 1)
    return st.lists(st.one_of(record, scalars), min_size=1, max_size=6)


@pytest.mark.parametrize("url", list(PUSHES))
def test_any_batch_is_answered_with_every_refused_record_by_its_place(url, people, facts, token_client):
    Membership.objects.filter(user=people["hub"]).update(grants=["master_data"])
    client = token_client(people["hub"])

    @given(records=records_for(PUSHES[url]))
    @settings(
        max_examples=FUZZ_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def answered(records):
        cache.clear()  # the push throttle
        response = client.post(url, {"records": records}, format="json")
        assert response.status_code in (200, 422), response.content
        doc = response.json()
        assert doc["read"] == len(records)
        assert doc["imported"] + doc["duplicates"] + doc["rejected"] == doc["read"]
        lines = {error["line"] for error in doc["errors"]}
        assert lines <= set(range(1, len(records) + 1))
        assert len(lines) == doc["rejected"]
        for error in doc["errors"]:
            assert CJK.search(error["message"]), error
        for line, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                assert line in lines

    answered()
