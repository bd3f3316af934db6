"""Template ids per deployment: WeChat registers them per account, so they come from settings."""

import pytest

from app import create_app
from app.services.notify.kinds import (
    for_deployment,
    missing_templates,
    subscribe_templates,
)
from config import ConfigError, TestConfig

REAL = {"WECHAT_MP_TEMPLATES": "report_published = AbC-report_1, reminder=XyZ9",
        "WECHAT_OA_TEMPLATES": "digest=OAdigest"}


def test_configured_ids_replace_the_development_ones():
    spec = for_deployment("report_published", REAL)
    assert (spec.mp_template, spec.oa_template) == ("AbC-report_1", "dev-oa-report")
    assert for_deployment("digest", REAL).oa_template == "OAdigest"


def test_production_never_sends_a_development_id():
    production = {**REAL, "ENV_NAME": "production"}
    assert for_deployment("report_published", production).oa_template is None
    assert for_deployment("comment", production).mp_template is None
    assert subscribe_templates(production) == {"report_published": "AbC-report_1", "reminder": "XyZ9"}
    missing = missing_templates(production)
    assert "report_published" not in missing["mp"] and "comment" in missing["mp"]
    assert "digest" not in missing["oa"] and "reply" not in missing["oa"]  # a reply needs no template


def test_a_reply_has_no_template_on_any_channel_even_when_one_is_named():
    with pytest.raises(ConfigError, match="WECHAT_MP_TEMPLATES: 'reply=abc'"):
        for_deployment("reminder", {"WECHAT_MP_TEMPLATES": "reply=abc"})


@pytest.mark.parametrize("value", ["report_published", "report_published=", "nosuchkind=abc", "reminder=dev-tpl-x"])
def test_a_malformed_setting_stops_the_app_at_start_naming_it(tmp_path, value):
    environ = {"JIXIAO_INSTANCE": str(tmp_path), "WECHAT_MP_TEMPLATES": value}
    with pytest.raises(ConfigError, match="WECHAT_MP_TEMPLATES"):
        create_app(TestConfig(environ))
