"""Real clients from PyPI against a running Passerelle demo.

- `dhis2-client` (a DHIS2 Web API client) posts a data value set, reads it back,
  reads the analytics grid and gets DHIS2's import summary for a refused file;
- `libhxl` reads the HXL-tagged CSV and XLSX exports of an indicator's values.

`tests/exchange/run` installs both in a virtual environment and runs this file with
PASSERELLE_BIN naming the binary (scripts/test does it after the Rust tests).
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import hxl
from dhis2_client import DHIS2Client, DHIS2HTTPError

PASSWORD = "passerelle-demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    """The demo binary on a free port with a fresh data directory."""

    def __init__(self):
        binary = os.environ["PASSERELLE_BIN"]
        self.dir = tempfile.TemporaryDirectory(prefix="passerelle-exchange-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [binary, "demo", "--data-dir", self.dir.name, "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the demo did not start")

    def token(self, username):
        """Signs in through the login form and creates an API token (psl_…)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        csrf = lambda html: re.search(r'name="_csrf" value="([0-9a-f]{64})"', html).group(1)
        page = opener.open(self.base + "/login").read().decode()
        form = {"_csrf": csrf(page), "username": username, "password": PASSWORD, "next": "/"}
        opener.open(self.base + "/login", urllib.parse.urlencode(form).encode())
        page = opener.open(self.base + "/account").read().decode()
        form = {"_csrf": csrf(page), "name": "dhis2 client"}
        page = opener.open(self.base + "/account/tokens", urllib.parse.urlencode(form).encode()).read().decode()
        return re.search(r'id="new-token">(psl_[0-9a-f]+)<', page).group(1)

    def download(self, path, token, suffix):
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {token}"})
        body = urllib.request.urlopen(req).read()
        f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False, dir=self.dir.name)
        f.write(body)
        f.close()
        return f.name

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.dir.cleanup()


class ExchangeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.demo = Demo()
        cls.token = cls.demo.token("focal.anapec")
        cls.client = DHIS2Client(cls.demo.base, token=f"Bearer {cls.token}", retries=0)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.demo.stop()

    def values(self, params):
        got = self.client.get_data_value_set(params)
        return {(v["dataElement"], v["categoryOptionCombo"]): v["value"] for v in got["dataValues"]}

    def test_the_2020_figures_read_as_a_data_value_set(self):
        got = self.values({"dataSet": "ANAPEC_EMPLOI_MIG", "period": "2020", "orgUnit": "MAR"})
        self.assertEqual(got[("ANAPEC_MIG_INSCRITS", "default")], "680")
        self.assertEqual(got[("ANAPEC_MIG_INSCRITS", "SEX_F")], "261")
        self.assertEqual(got[("ANAPEC_MIG_INSERES", "SEX_M")], "14")

    def test_a_posted_set_is_imported_read_back_and_counted_by_analytics(self):
        payload = {
            "dataSet": "ANAPEC_EMPLOI_MIG",
            "period": "2021",
            "orgUnit": "MAR_R04",
            "attributeOptionCombo": "ANAPEC",
            "dataValues": [
                {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "default", "value": "50"},
                {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_F", "value": "20"},
                {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_M", "value": "30"},
            ],
        }
        summary = self.client.post_data_value_set(payload)
        self.assertEqual(summary["status"], "SUCCESS", summary)
        self.assertEqual(summary["importCount"]["imported"], 3)
        again = self.client.post_data_value_set(payload)
        self.assertEqual(again["importCount"]["updated"], 3)

        got = self.values({"dataSet": "ANAPEC_EMPLOI_MIG", "period": "2021", "orgUnit": "MAR_R04"})
        self.assertEqual(got, {
            ("ANAPEC_MIG_INSCRITS", "default"): "50",
            ("ANAPEC_MIG_INSCRITS", "SEX_F"): "20",
            ("ANAPEC_MIG_INSCRITS", "SEX_M"): "30",
        })
        grid = self.client.get_analytics_data(dx="ANAPEC_MIG_INSCRITS", pe="2021", ou="MAR_R04")
        self.assertEqual([h["name"] for h in grid["headers"]], ["dx", "pe", "ou", "value"])
        self.assertEqual(grid["rows"], [["ANAPEC_MIG_INSCRITS", "2021", "MAR_R04", "50"]])

    def test_a_refused_set_lists_every_conflict_and_writes_nothing(self):
        payload = {
            "period": "2022",
            "orgUnit": "MAR",
            "dataValues": [
                {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "default", "value": "10"},
                {"dataElement": "ANAPEC_MIG_INSCRITS", "categoryOptionCombo": "SEX_F", "value": "12"},
                {"dataElement": "NOT_MAPPED", "value": "1"},
            ],
        }
        with self.assertRaises(DHIS2HTTPError) as caught:
            self.client.post_data_value_set(payload)
        body = caught.exception.payload
        self.assertEqual(caught.exception.status_code, 409)
        self.assertEqual(body["status"], "ERROR")
        self.assertEqual([c["object"] for c in body["conflicts"]], ["NOT_MAPPED"])
        payload["dataValues"].pop()
        with self.assertRaises(DHIS2HTTPError) as caught:
            self.client.post_data_value_set(payload)
        conflicts = caught.exception.payload["conflicts"]
        self.assertEqual(conflicts[0]["errorCode"], "rule_violated", conflicts)
        self.assertEqual(self.values({"dataSet": "ANAPEC_EMPLOI_MIG", "period": "2022"}), {})

    def test_libhxl_reads_the_hxl_and_xlsx_exports(self):
        path = "/api/v1/indicators/SNIA-P7-ANAPEC-INSCRITS/values?period=2020&by=sex"
        csv_file = self.demo.download(path + "&format=hxl", self.token, ".csv")
        data = hxl.data(csv_file, hxl.InputOptions(allow_local=True)).cache()
        tags = [c.display_tag for c in data.columns]
        for tag in ["#indicator+code", "#date+period", "#country+code", "#sex", "#affected+num"]:
            self.assertIn(tag, tags)
        by_sex = {row.get("#sex") or "": row.get("#affected+num") for row in data}
        self.assertEqual(by_sex, {"F": "261", "M": "419", "": "680"})
        self.assertEqual({row.get("#indicator+code") for row in data}, {"SNIA-P7-ANAPEC-INSCRITS"})

        xlsx_file = self.demo.download(path + "&format=xlsx", self.token, ".xlsx")
        sheet = hxl.data(xlsx_file, hxl.InputOptions(allow_local=True)).cache()
        self.assertIn("#affected+num", [c.display_tag for c in sheet.columns])
        values = sorted(float(row.get("#affected+num")) for row in sheet)
        self.assertEqual(values, [261.0, 419.0, 680.0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
