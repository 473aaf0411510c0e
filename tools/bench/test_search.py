"""Self-test of the zero-loss search with synthetic collectors (`make test`, milliseconds):
python3 -m unittest discover -s tools/bench -p 'test_*.py'"""
import unittest

from search import absorbed_rate, confirm, search, spread


def collector(limit, sender_max=None):
    """A collector that loses above `limit` datagrams/s, fed by a sender that tops out at sender_max."""
    calls = []

    def probe(rate):
        sent = min(rate, sender_max) if sender_max else rate
        calls.append(rate)
        return {"rate": rate, "sent_per_s": sent, "lost": sent > limit}
    probe.calls = calls
    return probe


class SearchTest(unittest.TestCase):
    def assert_bracket(self, result, limit, tolerance=0.05):
        self.assertEqual("loss", result["limited_by"])
        self.assertLessEqual(result["lo"], limit)
        self.assertGreater(result["hi"], limit)
        self.assertLessEqual(result["hi"] - result["lo"], tolerance * result["hi"] + 1)

    def test_brackets_the_limit_within_tolerance_from_anywhere(self):
        for limit in (4_000, 25_000, 74_990, 108_677, 149_000, 199_000):
            for start in (None, 10_000, 50_000, 150_000):
                probe = collector(limit)
                result = search(probe, ceiling=200_000, start=start)
                self.assert_bracket(result, limit)
                # The budget the bench's time estimate rests on: coarse steps + 4-5 bisections.
                self.assertLessEqual(len(probe.calls), 12, (limit, start, probe.calls))

    def test_from_the_ceiling_a_limit_above_an_eighth_of_it_takes_at_most_eight_probes(self):
        for limit in (30_000, 60_000, 110_000, 170_000):
            probe = collector(limit)
            search(probe, ceiling=217_000)
            self.assertLessEqual(len(probe.calls), 8, (limit, probe.calls))

    def test_no_loss_up_to_the_ceiling_stops_there(self):
        probe = collector(10**9)
        result = search(probe, ceiling=200_000, start=50_000)
        self.assertEqual(("ceiling", 200_000, None), (result["limited_by"], result["lo"], result["hi"]))
        self.assertEqual([50_000, 100_000, 200_000], probe.calls)

    def test_a_sender_short_of_the_asked_rate_is_the_limit(self):
        probe = collector(10**9, sender_max=150_000)
        result = search(probe, ceiling=400_000, start=100_000)
        self.assertEqual("sender", result["limited_by"])
        self.assertEqual([100_000, 200_000], probe.calls)

    def test_loss_down_to_the_floor_means_no_zero_loss_rate(self):
        probe = collector(100)
        result = search(probe, ceiling=200_000, floor=5_000)
        self.assertEqual(("floor", None), (result["limited_by"], result["lo"]))
        self.assertEqual(5_000, probe.calls[-1])

    def test_stages_are_recorded(self):
        result = search(collector(70_000), ceiling=200_000)
        stages = [p["stage"] for p in result["probes"]]
        # 200k and 100k lose, 50k passes: the bracket; then bisection only.
        self.assertEqual(["coarse"] * 3, stages[:3])
        self.assertTrue(len(stages) > 3 and all(s == "bisect" for s in stages[3:]), stages)


class ConfirmTest(unittest.TestCase):
    def test_passing_rate_is_repeated(self):
        probe = collector(100_000)
        result = confirm(probe, 90_000, repeats=3)
        self.assertTrue(result["confirmed"])
        self.assertEqual(([90_000] * 3, 90_000), (probe.calls, result["rate"]))

    def test_long_runs_that_lose_step_down_until_they_pass(self):
        # 20 s runs lose above 80k where the short probes passed 90k: stop at the first lossy repeat, 0.9×.
        probe = collector(80_000)
        result = confirm(probe, 95_000, repeats=3, backoff=0.9, retries=2)
        self.assertTrue(result["confirmed"])
        self.assertEqual([95_000, 85_500, 76_950, 76_950, 76_950], probe.calls)  # nothing absorbed said: 0.9 x asked
        self.assertEqual(76_950, result["rate"])
        self.assertEqual(3, len(result["attempts"]))

    def test_gives_up_after_the_retries(self):
        probe = collector(10_000)
        result = confirm(probe, 95_000, retries=2)
        self.assertFalse(result["confirmed"])
        self.assertIsNone(result["rate"])
        self.assertEqual(3, len(probe.calls))

    def test_a_starved_sender_steps_down_from_what_it_reached(self):
        # A flood beside the exporter holds the sender at 330k whatever is asked; the collector keeps 300k:
        # stepping from the asked 669k (602k, 542k, ...) never gets below the limit.
        probe = collector(300_000, sender_max=330_000)
        result = confirm(probe, 669_000, repeats=3, backoff=0.9, retries=2)
        self.assertTrue(result["confirmed"])
        self.assertEqual([669_000, 297_000, 297_000, 297_000], probe.calls)

    def test_a_collector_that_kept_most_steps_down_from_what_it_kept(self):
        # 20 s at 61k: 81 % of the datagrams received (the v5 run of 2026-12-02 into Kafka); next: 0.9 x 50k.
        calls = []

        def probe(rate):
            calls.append(rate)
            received = min(rate, 50_000) * 20
            return {"rate": rate, "sent_per_s": rate, "sent": rate * 20, "received": received, "lost": rate > 50_000}
        result = confirm(probe, 61_457, repeats=3, backoff=0.9, retries=2)
        self.assertTrue(result["confirmed"])
        self.assertEqual([61_457, 45_000, 45_000, 45_000], calls)

    def test_absorbed_rate_takes_the_smallest_share_through(self):
        step = {"sent_per_s": 100_000, "sent": 2_000_000, "received": 1_900_000, "flows_offered": 1000,
                "flows_decoded": 950, "flows_in_kafka": 800}
        self.assertAlmostEqual(80_000, absorbed_rate(step))
        self.assertEqual(70_000, absorbed_rate({"sent_per_s": 70_000, "flows_offered": 10, "flows_out": None}))

    def test_spread(self):
        self.assertEqual({"median": 100, "min": 95, "max": 105, "relative": 0.1}, spread([105, 95, 100]))
        self.assertIsNone(spread([])["median"])


if __name__ == "__main__":
    unittest.main()
