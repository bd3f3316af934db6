"""`flask sources …`: HR lists the data sources and marks one configured or not; a refusal prints
its reason (zh-CN) and exits 2 (issue 16.1)."""

from tests.support.company import small_company


def test_hr_configures_and_unconfigures_a_source_from_the_cli(db_session, redis_client, runner):
    people = small_company()
    by = ["--by", people.hr.employee_no]

    listed = runner.invoke(args=["sources", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0] == "amazon_ads\t未配置\t广告ROI、主图点击率"
    assert len(listed.stdout.splitlines()) == 6  # amazon_ads, amazon_sp_api, chat_import, erp, erp_import, zendesk

    done = runner.invoke(args=["sources", "configure", "amazon_ads", *by])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "数据来源 amazon_ads 已配置：结算将要求它每个工作日的数据"
    assert runner.invoke(args=["sources", "list"]).stdout.splitlines()[0] == "amazon_ads\t已配置\t广告ROI、主图点击率"

    undone = runner.invoke(args=["sources", "unconfigure", "amazon_ads", *by])
    assert undone.exit_code == 0, undone.output
    assert undone.stdout.strip() == "数据来源 amazon_ads 未配置：其指标改用员工自报或导入的数据"

    for args, message in ((["configure", "shopify", *by], "没有名为「shopify」的数据来源"),
                          (["configure", "erp", "--by", people.star.employee_no], "只有人事可以修改公司设置")):
        refused = runner.invoke(args=["sources", *args])
        assert (refused.exit_code, refused.stderr.strip()) == (2, message)
