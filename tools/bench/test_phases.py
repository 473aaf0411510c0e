"""Self-test of the phase plumbing that decides what a run measures (`make test`, well under a second)."""
import unittest

import variants  # noqa: F401 (their phases, registered in bench.py's order: declaration order is run order)
import lifecycle  # noqa: F401
from phases import default_phases, flows_per_record, in_topic, selected_phases


class PhasesTest(unittest.TestCase):
    def test_a_searching_phase_brings_the_kernel_limit_and_phases_run_in_declaration_order(self):
        self.assertEqual(["kernel", "none", "kafka", "peers"], selected_phases("peers,sluice"))
        self.assertEqual(["decode"], selected_phases("decode"))
        with self.assertRaises(SystemExit):
            selected_phases("nope")

    def test_opt_in_phases_stay_out_of_a_plain_run(self):
        for name in ("packed", "acks", "share", "soak", "producer", "handover-search", "steering", "guard", "handover"):
            self.assertNotIn(name, default_phases().split(","))
            self.assertIn(name, selected_phases(name))
        self.assertEqual(["kernel", "decode", "none", "kafka", "peers"], default_phases().split(","))
        self.assertEqual(["kernel", "decode", "none", "kafka", "steering", "guard", "peers", "packed", "handover"],
                         selected_phases("full"))
        self.assertEqual(["kernel", "kafka", "acks", "handover", "soak"], selected_phases("soak,handover,acks,kafka"))
        # the handover search starts from the soak's lossless rate, so it runs after the soak
        self.assertEqual(["kernel", "kafka", "soak", "handover-search"], selected_phases("handover-search,soak,kafka"))

    def test_flows_per_record_comes_from_the_settings(self):
        self.assertEqual(1, flows_per_record(["kafka.producer.linger.ms=5"]))
        self.assertEqual(32, flows_per_record(["kafka.flows-per-record=32"]))

    def test_every_flow_in_the_topic(self):
        one = {"flows_in_kafka": 100, "records_in_kafka": 100, "flows_decoded": 100, "flows_delivered": 100}
        self.assertTrue(in_topic(one, 1))
        self.assertFalse(in_topic(dict(one, flows_in_kafka=99), 1))
        packed = dict(one, flows_in_kafka=None, records_in_kafka=4)
        self.assertTrue(in_topic(packed, 32))                              # 100 flows in >= ceil(100/32) records
        self.assertFalse(in_topic(dict(packed, records_in_kafka=3), 32))   # records missing
        self.assertFalse(in_topic(dict(packed, flows_delivered=99), 32))   # a flow not acknowledged


if __name__ == "__main__":
    unittest.main()
