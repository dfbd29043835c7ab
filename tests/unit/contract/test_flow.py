from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.flow import (
    BULK_MULTIPLE,
    DAILY_FLOOR,
    FlowDecision,
    classify,
    reclassify_by_dates,
    usual_daily_volume,
)

DAILY = FlowDecision("daily", "within_daily_volume", "")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], None),
        ([10, 10, 10, 10], None),  # four active days: too little history
        ([0, 0, 0, 0, 0, 0, 10, 10, 10, 10], None),  # idle days do not count as history
        ([10, 10, 10, 10, 10], 10.0),
        ([10, 20, 30, 40, 50], 40.0),  # upper quartile
        # A weekly uploader: idle days ignored, so its usual day is its upload day.
        ([400, 0, 0, 0, 0] * 6, 400.0),
        # One huge day among twenty ordinary ones does not move the usual volume.
        ([75] * 20 + [5000], 75.0),
        # Only the last 30 business days are read: the old busy period has aged out.
        ([900] * 10 + [60] * 30, 60.0),
        ([60] * 30 + [900] * 10, 900.0),
    ],
)
def test_usual_daily_volume(counts, expected):
    assert usual_daily_volume(counts) == expected


def test_usual_daily_volume_refuses_negative_counts():
    with pytest.raises(ValueError):
        usual_daily_volume([5, 5, -1, 5, 5])


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=60))
def test_usual_daily_volume_lies_within_the_active_days(counts):
    usual = usual_daily_volume(counts)
    active = [c for c in counts[-30:] if c > 0]
    if len(active) < 5:
        assert usual is None
    else:
        assert usual is not None and min(active) <= usual <= max(active)


@pytest.mark.parametrize(
    ("count", "declared", "usual", "age", "flow", "code"),
    [
        # Declared archives are always bulk, however small.
        (5, "bulk", 75.0, 400, "bulk", "declared_bulk"),
        (5, "bulk", None, 0, "bulk", "declared_bulk"),
        # Known usual volume of 75: bulk strictly above 5x = 375.
        (375, None, 75.0, 400, "daily", "within_daily_volume"),
        (376, None, 75.0, 400, "bulk", "above_daily_volume"),
        (1800, None, 75.0, 400, "bulk", "above_daily_volume"),
        (375, "daily", 75.0, 400, "daily", "within_daily_volume"),
        (376, "daily", 75.0, 400, "bulk", "above_daily_volume"),
        # Small dossiers: the 200 floor wins over 5x.
        (200, None, 3.0, 400, "daily", "within_daily_volume"),
        (201, None, 3.0, 400, "bulk", "above_daily_volume"),
        (200, None, 40.0, 400, "daily", "within_daily_volume"),
        (201, None, 40.0, 400, "bulk", "above_daily_volume"),
        # Large dossiers: 5x wins over the floor.
        (5000, None, 1000.0, 400, "daily", "within_daily_volume"),
        (5001, None, 1000.0, 400, "bulk", "above_daily_volume"),
        # No usual volume: the floor alone, whatever the dossier's age.
        (1, None, None, 0, "daily", "new_dossier_floor"),
        (200, None, None, 0, "daily", "new_dossier_floor"),
        (201, None, None, 0, "bulk", "above_new_dossier_floor"),
        (200, None, None, 700, "daily", "new_dossier_floor"),
        (201, "daily", None, 700, "bulk", "above_new_dossier_floor"),
    ],
)
def test_classify(count, declared, usual, age, flow, code):
    decision = classify(count, declared, usual, age)
    assert (decision.flow, decision.reason) == (flow, code)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            (1800, None, 75.0, 400),
            "1,800 documents, 24× this dossier's usual daily volume of 75 (bulk above 375)",
        ),
        (
            (120, None, 75.0, 400),
            "120 documents, 1.6× this dossier's usual daily volume of 75 (daily up to 375)",
        ),
        (
            (12_345, None, 1_250.5, 400),
            "12,345 documents, 9.9× this dossier's usual daily volume of 1,250.5 "
            "(bulk above 6,252.5)",
        ),
        (
            (1800, "daily", 75.0, 400),
            "declared daily, but 1,800 documents, 24× this dossier's usual daily volume of 75 "
            "(bulk above 375), which makes it bulk",
        ),
        ((2500, "bulk", None, 0), "declared an archive by the client (2,500 documents)"),
        (
            (150, None, None, 1),
            "150 documents, within the 200 taken as daily while a dossier opened 1 day ago "
            "has no usual volume yet",
        ),
        (
            (4000, None, None, 3),
            "4,000 documents, above the 200 taken as daily while a dossier opened 3 days ago "
            "has no usual volume yet",
        ),
        (
            (150, None, None, 90),
            "150 documents, within the 200 taken as daily while this dossier has too few "
            "recent upload days for a usual volume",
        ),
    ],
)
def test_classify_message_names_rule_and_figures(args, reason):
    assert classify(*args).message == reason


@pytest.mark.parametrize(
    ("count", "total", "usual", "flow", "reason"),
    [
        # A 5,000-file archive sent 100 at a time to a dossier of 75 a day: every batch is bulk.
        (100, 5000, 75.0, "bulk", "5,000 documents in this upload (100 in this batch), 67× this "
                                  "dossier's usual daily volume of 75 (bulk above 375)"),
        (100, 300, 75.0, "daily", "300 documents in this upload (100 in this batch), 4.0× this "
                                  "dossier's usual daily volume of 75 (daily up to 375)"),
        (100, 300, None, "bulk", "300 documents in this upload (100 in this batch), above the 200 "
                                 "taken as daily while a dossier opened 2 days ago has no usual volume yet"),
        # Saying less than the batch holds changes nothing.
        (300, 10, None, "bulk", "300 documents, above the 200 taken as daily while a dossier opened "
                                "2 days ago has no usual volume yet"),
    ],
)
def test_a_batch_is_judged_as_part_of_its_whole_upload(count, total, usual, flow, reason):
    decision = classify(count, None, usual, 2, total)
    assert (decision.flow, decision.message) == (flow, reason)


@given(count=st.integers(1, 10_000), total=st.integers(1, 100_000),
       usual=st.one_of(st.none(), st.floats(min_value=0.5, max_value=10**4)))
def test_splitting_an_upload_never_changes_its_flow(count, total, usual):
    whole = max(count, total)
    assert classify(count, None, usual, 2, total).flow == classify(whole, None, usual, 2).flow
    # A stated total can only make a batch bulk, never daily.
    if classify(count, None, usual, 2).flow == "bulk":
        assert classify(count, None, usual, 2, total).flow == "bulk"


@pytest.mark.parametrize(
    "args",
    [(0, None, 75.0, 10), (10, "archive", 75.0, 10), (10, None, 0.0, 10), (10, None, -3.0, 10),
     (10, None, 75.0, 10, 0)],
)
def test_classify_refuses_nonsense(args):
    with pytest.raises(ValueError):
        classify(*args)


@given(
    count=st.integers(min_value=1, max_value=10**7),
    usual=st.one_of(st.none(), st.floats(min_value=0.5, max_value=10**5)),
    age=st.integers(min_value=0, max_value=5000),
)
def test_declaring_daily_never_avoids_bulk_and_bulk_always_wins(count, usual, age):
    undeclared = classify(count, None, usual, age)
    assert classify(count, "daily", usual, age).flow == undeclared.flow
    assert classify(count, "bulk", usual, age).flow == "bulk"
    # The floor: nothing at or under it is bulk by volume; a large multiple always is.
    if count <= DAILY_FLOOR:
        assert undeclared.flow == "daily"
    if usual is not None and count > max(BULK_MULTIPLE * usual, DAILY_FLOOR):
        assert undeclared.flow == "bulk"


def _dates(first: date, count: int, step_days: int) -> list[date]:
    return [first + timedelta(days=i * step_days) for i in range(count)]


@pytest.mark.parametrize(
    ("dates", "bulk"),
    [
        # 19 dated documents are too few, whatever their spread.
        (_dates(date(2025, 1, 1), 19, 30), False),
        (_dates(date(2025, 1, 1), 20, 30), True),
        # A lone date 62 days out is trimmed; half the batch at 62 days is daily, at 63 bulk.
        ([date(2026, 1, 1)] * 19 + [date(2026, 3, 4)], False),
        ([date(2026, 1, 1)] * 10 + [date(2026, 3, 4)] * 10, False),  # 62 days apart
        ([date(2026, 1, 1)] * 10 + [date(2026, 3, 5)] * 10, True),  # 63 days apart
        # One misread date among twenty does not flip a batch; two (one each end) neither.
        ([date(2026, 5, 4)] * 19 + [date(2016, 5, 4)], False),
        ([date(2016, 5, 4)] + [date(2026, 5, 4)] * 18 + [date(2036, 5, 4)], False),
        # ... but two old dates at the same end are not both trimmed.
        ([date(2016, 5, 4)] * 2 + [date(2026, 5, 4)] * 18, True),
        # Late-month and early-month invoices, three calendar months but five weeks: daily.
        (_dates(date(2026, 2, 25), 40, 1), False),
    ],
)
def test_reclassify_by_dates(dates, bulk):
    decision = reclassify_by_dates(dates, DAILY)
    assert (decision is not None) is bulk
    if bulk:
        assert (decision.flow, decision.reason) == ("bulk", "spans_months")


def test_reclassify_reason_names_the_months():
    dates = [date(2026, month, 15) for month in range(3, 10) for _ in range(3)]
    decision = reclassify_by_dates(dates, DAILY)
    assert decision is not None
    assert decision.message == (
        "invoices dated from March 2026 to September 2026 (7 months), more than the 62 days "
        "a daily batch spans, the 1 oldest and 1 newest dates set aside"
    )


def test_reclassify_reason_across_a_year_without_trimming_note():
    dates = [date(2025, 11, 3)] * 10 + [date(2026, 2, 2)] * 10
    decision = reclassify_by_dates(dates, DAILY)
    assert decision is not None
    assert decision.message.startswith(
        "invoices dated from November 2025 to February 2026 (4 months), "
    )


def test_a_bulk_batch_is_never_reclassified():
    current = FlowDecision("bulk", "declared_bulk", "declared")
    assert reclassify_by_dates(_dates(date(2020, 1, 1), 100, 30), current) is None


@given(st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), max_size=80))
def test_reclassify_is_order_independent_and_only_ever_moves_to_bulk(dates):
    decision = reclassify_by_dates(dates, DAILY)
    assert decision == reclassify_by_dates(list(reversed(dates)), DAILY)
    if decision is not None:
        assert (decision.flow, decision.reason) == ("bulk", "spans_months")
        assert len(dates) >= 20
        assert max(dates) - min(dates) > timedelta(days=62)
