"""Template ids per deployment: WeChat registers them per account, so they come from settings."""

from datetime import datetime

import pytest

from app import create_app
from app.services.notify.kinds import (
    GENERIC_KEYS,
    FieldInput,
    deployment_templates,
    for_deployment,
    generic_facts,
    missing_templates,
    report_facts,
    subscribe_templates,
    template,
)
from config import ConfigError, TestConfig

REAL = {"WECHAT_MP_TEMPLATES": "report_published = AbC-report_1, reminder=XyZ9",
        "WECHAT_OA_TEMPLATES": "digest=OAdigest"}


def test_configured_ids_replace_the_development_ones():
    spec = for_deployment("report_published", REAL)
    assert (spec.mp_template, spec.oa_template) == ("AbC-report_1", "dev-oa-report")
    assert for_deployment("digest", REAL).oa_template == "OAdigest"


KEYED = {"WECHAT_MP_TEMPLATES": "report_published=AbC-report_1 title:thing4 total:character_string2 grade:phrase1 "
                                 "time:date3, reminder=XyZ9 title:thing2 summary:thing5 time:time1",
         "WECHAT_OA_TEMPLATES": "digest=OAdigest title:first summary:keyword1 time:keyword2"}


def test_production_never_sends_a_development_id():
    production = {**KEYED, "ENV_NAME": "production"}
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


def test_each_fact_goes_in_the_key_the_company_registered():
    at = datetime(2026, 11, 3, 9, 0)
    report = template("report_published", "mp", KEYED)
    facts = report_facts(FieldInput("2026年10月考核结果", "", {"total": "88.5", "grade": "优秀"}, at))
    assert report.fields(facts) == {"thing4": "2026年10月考核结果", "character_string2": "88.5", "phrase1": "优秀",
                                    "date3": "2026年11月3日 09:00"}
    digest = template("digest", "oa", KEYED).fields(generic_facts(FieldInput("团队进展" * 6, "", {}, at)))
    assert digest == {"first": "团队进展" * 6, "keyword1": "团队进展" * 6, "keyword2": "2026年11月3日 09:00"}
    assert template("reminder", "mp", {"WECHAT_MP_TEMPLATES": "reminder=XyZ9"}).keys == GENERIC_KEYS  # development
    assert template("reminder", "mp", {"ENV_NAME": "production"}) is None


@pytest.mark.parametrize("value, says", [
    ("reminder=XyZ9", "reminder needs its template's field key for each of its facts"),  # production: keys owed
    ("reminder=XyZ9 title:thing1 time:time3", "each of its facts"),
    ("reminder=XyZ9 title:thing1 summary:thing2 time:time3 grade:phrase4", "each of its facts"),
    ("reminder=XyZ9 title:thing1 summary:thing1 time:time3", "each once"),
    ("reminder=XyZ9 title:thing1 summary:thing2 time:number3", "time goes in a key of type time or date"),
    ("report_published=AbC title:thing1 total:number2 grade:number3 time:time4", "grade goes in a key of type phrase"),
    ("reminder=XyZ9 title:keyword1 summary:thing2 time:time3", "title goes in a key of type thing"),  # mp: typed
])
def test_field_keys_that_cannot_carry_the_message_stop_the_app_at_start(tmp_path, value, says):
    with pytest.raises(ConfigError, match=says):
        deployment_templates({"ENV_NAME": "production", "WECHAT_MP_TEMPLATES": value})
    if ":" in value:  # keys given are checked everywhere, not only in production
        with pytest.raises(ConfigError, match=f"WECHAT_MP_TEMPLATES: .*{says}"):
            create_app(TestConfig({"JIXIAO_INSTANCE": str(tmp_path), "WECHAT_MP_TEMPLATES": value}))
