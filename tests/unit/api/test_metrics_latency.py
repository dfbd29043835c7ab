from api.metrics_latency import LATENCY_BUCKETS, cumulative_buckets


def test_buckets_are_cumulative_with_each_value_under_its_first_bound() -> None:
    buckets, total = cumulative_buckets([0.5, 1.0, 1.5, 7.0, 100.0], (1.0, 5.0, 10.0))
    assert buckets == [("1", 2.0), ("5", 3.0), ("10", 4.0), ("+Inf", 5.0)]
    assert total == 110.0


def test_no_values_give_empty_buckets_and_fractional_bounds_keep_their_digits() -> None:
    assert cumulative_buckets([], (0.5, 2.0)) == ([("0.5", 0.0), ("2", 0.0), ("+Inf", 0.0)], 0.0)


def test_the_latency_buckets_rise_and_hold_the_48_hour_commitment() -> None:
    assert list(LATENCY_BUCKETS) == sorted(set(LATENCY_BUCKETS))
    assert 48 * 3600.0 in LATENCY_BUCKETS and 24 * 3600.0 in LATENCY_BUCKETS
