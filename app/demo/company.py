"""The demo company's people: a deterministic cross-border + domestic e-commerce company.

Fifty people by default (the seed's size): a general manager; 运营, 客服, 仓储, 美工 and 采购 teams, each
led by a department head (部门主管); and 人事行政部 (its head, an HR member and an admin). Everyone is
assessed — the heads and the general manager on the 部门主管 template, HR on 人事行政 — because the
spec assesses managers and HR like everyone else; the general manager's manager-rated items are
HR's to rate (nobody is above them). `employees` grows every team in proportion for benchmarks;
the same seed always gives the same people.

Each person has a skill that persists from month to month with a small trend, so the same people
lead or trail month after month the way real teams do, and a few improve or slip.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = (
    "子涵 浩然 雨桐 梓萱 欣怡 思远 俊杰 佳琪 宇航 诗涵 晨曦 明轩 若曦 嘉怡 天宇 雅婷 志强 海燕 建华 丽娟 晓东 秀英 "
    "文博 静怡 振宇 婉婷 国栋 春梅 家豪 淑芬 鹏程 玉兰 立新 美玲 俊辉 慧敏 永刚 晓燕 子轩 梦瑶 浩宇 佳怡 泽宇 一诺 "
    "雨欣 博文 欣妍 志明 红霞 伟东 雪梅 建国 秀兰 海涛 凤英 宏伟 晓红 志刚 桂芳 永红 丽华 金凤 文静 晓丽 亚楠 "
    "思琪 梓涵 宇轩 紫萱 子墨 昊然 语桐 可馨 睿泽 佳豪 梦琪 晓雯 俊豪 雅琴 子豪 艺涵 思彤 宏杰 晓婷 嘉欣 嘉伟 "
    "婧 磊 洁 涛 敏 静 超 军 颖 琳 斌 杰 鑫 帆 倩 蕾 峰 岚"
).split()

# (department code, name, rest weekdays, team position, people in a 50-person company, the head included)
TEAMS = (
    ("ops", "运营部", "6,7", "ops", 14),
    ("cs", "客服部", "6,7", "cs", 12),
    ("warehouse", "仓储部", "7", "warehouse", 10),  # the warehouse works Saturdays
    ("design", "设计部", "6,7", "designer", 6),
    ("purchasing", "采购部", "6,7", "purchaser", 4),
)
STAFF = (("gm", "总经办", "6,7"), ("hr", "人事行政部", "6,7"))
TEAM_POSITIONS = frozenset(team[3] for team in TEAMS)
HEAD_POSITION, HR_POSITION = "dept_head", "hr_admin"
CAREFUL_NAMES = 500  # up to this many people every pair of names is kept apart
FOUNDED = date(2018, 3, 12)  # the general manager's first day: nobody joined before


@dataclass
class Person:
    id: int
    employee_no: str
    name: str
    department: str
    position: str
    manager_id: int | None
    joined_on: date
    is_hr: bool = False
    is_admin: bool = False
    skill: float = 1.0  # how good this person is, about 0.8–1.15: drives their figures and ratings
    trend: float = 0.0  # how much their skill moves each month (a few improve, a few slip)
    left_on: date | None = None
    extra: dict = field(default_factory=dict)

    def skill_in(self, month_index: int) -> float:
        """Their skill in the demo's `month_index`-th month (0 = the first past month)."""
        return self.skill + self.trend * month_index


def build_people(rng: random.Random, employees: int, first_month: date) -> list[Person]:
    """Everyone, managers first; ids are assigned here (the demo fills an empty database)."""
    names = _names(rng, employees)
    people: list[Person] = []
    latest = first_month - timedelta(days=45)  # the last hire before the history starts

    def add(department: str, position: str, manager_id: int | None, joined: date, **flags) -> Person:
        person = Person(id=len(people) + 1, employee_no=f"E{len(people) + 1:05d}", name=names[len(people)],
                        department=department, position=position, manager_id=manager_id, joined_on=joined,
                        skill=round(rng.triangular(0.78, 1.16, 0.98), 3), trend=round(rng.gauss(0, 0.008), 3),
                        **flags)
        people.append(person)
        return person

    boss = add("gm", HEAD_POSITION, None, FOUNDED)
    hr_head = add("hr", HEAD_POSITION, boss.id, _day_between(rng, FOUNDED + timedelta(days=60), date(2020, 6, 1)),
                  is_hr=True)
    add("hr", HR_POSITION, hr_head.id, _day_between(rng, hr_head.joined_on, latest), is_hr=True)
    add("hr", HR_POSITION, hr_head.id, _day_between(rng, hr_head.joined_on, latest), is_admin=True)
    for (code, _, _, position, _), size in zip(TEAMS, _team_sizes(employees - len(people)), strict=True):
        head = add(code, HEAD_POSITION, boss.id, _day_between(rng, FOUNDED + timedelta(days=30), date(2022, 6, 30)))
        for _ in range(size - 1):
            add(code, position, head.id, _day_between(rng, max(head.joined_on, date(2020, 9, 1)), latest))
    return people


def _day_between(rng: random.Random, first: date, last: date) -> date:
    """A weekday between the two (people start on working days, not all on the 1st)."""
    day = first + timedelta(days=rng.randrange(max(1, (last - first).days)))
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _team_sizes(available: int) -> list[int]:
    """Split the non-staff headcount over the teams in the 50-person company's proportions."""
    base = [team[4] for team in TEAMS]
    total = sum(base)
    sizes = [max(3, available * b // total) for b in base]
    sizes[0] += available - sum(sizes)
    return sizes


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct Chinese names, none the start of another (no 杨霞 beside 杨霞飞), no given name twice
    while the list lasts. A benchmark-sized company only keeps them distinct (a numeric suffix once
    a name repeats): comparing every pair of 5,000 names would cost more than it shows."""
    names: list[str] = []
    taken: set[str] = set()
    given_left = list(GIVEN)
    rng.shuffle(given_left)
    while len(names) < count:
        name = rng.choice(SURNAMES) + (given_left.pop() if given_left else rng.choice(GIVEN))
        if count > CAREFUL_NAMES:
            name = f"{name}{len(names)}" if name in taken else name
        elif any(name.startswith(other) or other.startswith(name) for other in taken):
            continue
        taken.add(name)
        names.append(name)
    return names
