"""Every page a message links to (the API's `x-pages`: page → query parameter → the operation that
loads its object) is a page of the mini-program, and opens on the object its parameter names."""

import json
import re

from tests.miniprogram.recording import API
from tests.miniprogram.screenshots import MINIPROGRAM


def test_every_linked_page_exists_and_reads_its_parameter(client):
    linked = client.get(f"{API}/openapi.json").get_json()["x-pages"]
    pages = json.loads((MINIPROGRAM / "app.json").read_text())["pages"]
    assert set(linked) <= set(pages), sorted(set(linked) - set(pages))
    for page, parameters in linked.items():
        code = (MINIPROGRAM / f"{page}.js").read_text()
        for parameter in filter(None, parameters):
            assert re.search(rf"query\.{parameter}\b", code), f"{page} ignores ?{parameter}="
