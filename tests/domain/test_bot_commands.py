"""The bot's command parser (issue 21): real variants people type parse as intended; near-misses
get help, never an action."""

from decimal import Decimal as D

import pytest

from app.domain.bot_commands import (
    Bind,
    Comment,
    Decide,
    Help,
    Rate,
    Resolved,
    Score,
    StartRating,
    Team,
    Todo,
    Unknown,
    parse,
    resolve_rating,
)


@pytest.mark.parametrize(("typed", "meant"), [
    ("帮助", Help()),
    (" 帮助。", Help()),
    ("待办", Todo()),
    ("待办！", Todo()),
    ("团队", Team()),
    ("绑定 483920", Bind("483920")),
    ("绑定４８３９２０", Bind("483920")),
    ("绑定 E00012 483920", Bind("483920", "E00012")),
    ("点评 1 主图不错", Comment(1, "主图不错")),
    ("点评1 主图不错", Comment(1, "主图不错")),
    ("点评1：主图不错，继续。", Comment(1, "主图不错，继续")),
    ("点评１：主图不错", Comment(1, "主图不错")),
    ("点评 12,  转化率要盯紧", Comment(12, "转化率要盯紧")),
    ("3 回复客户要再快一点", Comment(3, "回复客户要再快一点", explicit=False)),
    ("３　回复再快一点。", Comment(3, "回复再快一点", explicit=False)),
    ("评分", StartRating()),
    ("评分。", StartRating()),
    ("同意 2 数据已核实", Decide(2, True, "数据已核实")),
    ("同意2", Decide(2, True, "")),
    ("同意２：核实无误。", Decide(2, True, "核实无误")),
    ("驳回 1 后台ROI核实为3", Decide(1, False, "后台ROI核实为3")),
    ("驳回１、截图与后台不符", Decide(1, False, "截图与后台不符")),
    ("评分 张三 团队协作 4", Rate("张三 团队协作", D("4"))),
    ("评分 欧阳 娜娜 团队协作 4.5", Rate("欧阳 娜娜 团队协作", D("4.5"))),
    ("评分 张三 团队协作 ４分", Rate("张三 团队协作", D("4"))),
    ("评分 张三 团队协作4", Rate("张三 团队协作", D("4"))),
    ("4", Score(D("4"))),
    ("４.５分", Score(D("4.5"))),
    ("5分。", Score(D("5"))),
])
def test_what_people_type_parses_as_meant(typed, meant):
    assert parse(typed) == meant


@pytest.mark.parametrize(("typed", "hint"), [
    ("点评 主图不错", "点评 编号 内容"),  # no number: which line?
    ("点评 1", "点评 编号 内容"),  # a number and nothing to say
    ("驳回 2", "驳回 编号 理由"),  # a rejection needs its reason
    ("同意 张三", "同意 编号 理由"),
    ("评分 张三 团队协作 6", "评分 姓名 考核项 分数"),  # out of 1–5
    ("评分 4", "评分 姓名 考核项 分数"),  # nobody named
    ("评分 张三 团队协作 3.3", "评分 姓名 考核项 分数"),  # halves only
    ("绑定", "绑定 绑定码"),
])
def test_near_misses_get_the_usage_not_an_action(typed, hint):
    parsed = parse(typed)
    assert isinstance(parsed, Unknown) and parsed.hint.startswith(hint), parsed


@pytest.mark.parametrize("typed", ["你好", "今天的数据呢", "6", "0", "点", ""])
def test_anything_else_is_unknown(typed):
    assert isinstance(parse(typed), Unknown)


def test_a_rating_finds_its_person_and_item_whatever_the_spaces():
    people, items = ["张三", "欧阳娜娜", "李四"], ["团队协作", "创新能力", "协作"]
    assert resolve_rating("欧阳 娜娜 团队协作", people, items) == Resolved("欧阳娜娜", "团队协作")
    assert resolve_rating("张三 创新 能力", people, items) == Resolved("张三", "创新能力")
    assert resolve_rating("王五 团队协作", people, items) == Resolved(item="团队协作", problem="no_person")
    assert resolve_rating("张三 执行力", people, items) == Resolved(problem="no_item")
    twins = resolve_rating("李四 团队协作", ["李四", "李四", "张三"], items)
    assert twins.problem == "ambiguous_person" and twins.candidates == ("李四", "李四")
