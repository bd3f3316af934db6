"""The demo company's people: a deterministic cross-border + domestic e-commerce team.

Fifty people by default (the seed's size): a general manager, operations, customer service,
warehouse and design teams each with a manager, and HR/admin. `scale` grows every team in
proportion for benchmarks; the same seed always gives the same people.

Everyone but the general manager is assessed: the team leads on their team's position (they
work alongside their people), the head of 人事行政部 as 部门主管 and the two people under that head as
人事行政. The general manager has nobody above to rate their work, so has no position.
"""

import random
from dataclasses import dataclass, field
from datetime import date

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞婷雪琳晨浩宇欣怡子涵梓轩佳俊思远"

# (department code, name, rest weekdays, position code or None, people in a 50-person company)
TEAMS = (
    ("ops", "运营部", "6,7", "ops", 14),
    ("cs", "客服部", "6,7", "cs", 14),
    ("warehouse", "仓储部", "7", "warehouse", 12),  # the warehouse works Saturdays
    ("design", "设计部", "6,7", "designer", 6),
)
STAFF = (("gm", "总经办", "6,7"), ("hr", "人事行政部", "6,7"))
TEAM_POSITIONS = frozenset(team[3] for team in TEAMS)
HEAD_POSITION, HR_POSITION = "dept_head", "hr_admin"  # the positions of the HR department's people


@dataclass
class Person:
    id: int
    employee_no: str
    name: str
    department: str
    position: str | None
    manager_id: int | None
    joined_on: date
    is_hr: bool = False
    is_admin: bool = False
    # How good this person is, 0.72–1.12: drives their generated figures.
    talent: float = 1.0
    extra: dict = field(default_factory=dict)


def build_people(rng: random.Random, employees: int, first_month: date) -> list[Person]:
    """Everyone, managers first; ids are assigned here (the demo fills an empty database)."""
    names = _names(rng, employees)
    people: list[Person] = []

    def add(department, position, manager_id, **flags) -> Person:
        person = Person(
            id=len(people) + 1, employee_no=f"E{len(people) + 1:05d}", name=names[len(people)],
            department=department, position=position, manager_id=manager_id,
            joined_on=date(first_month.year - 1 - rng.randrange(3), rng.randrange(1, 13), 1),
            talent=round(rng.uniform(0.72, 1.12), 3), **flags,
        )
        people.append(person)
        return person

    boss = add("gm", None, None)
    hr_lead = add("hr", HEAD_POSITION, boss.id, is_hr=True)
    add("hr", HR_POSITION, hr_lead.id, is_hr=True)
    add("hr", HR_POSITION, hr_lead.id, is_admin=True)
    sizes = _team_sizes(employees - len(people))
    for (code, _, _, position, _), size in zip(TEAMS, sizes, strict=True):
        lead = add(code, position, boss.id)
        for _ in range(size - 1):
            add(code, position, lead.id)
    return people


def _team_sizes(available: int) -> list[int]:
    """Split the non-staff headcount over the teams in the 50-person company's proportions."""
    base = [team[4] for team in TEAMS]
    total = sum(base)
    sizes = [max(2, available * b // total) for b in base]
    sizes[0] += available - sum(sizes)
    return sizes


def _names(rng: random.Random, count: int) -> list[str]:
    """Distinct Chinese names; a numeric suffix only once the combinations run out."""
    seen: set[str] = set()
    names = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name in seen:
            name = f"{name}{len(names)}" if len(seen) > 2000 else None
        if name:
            seen.add(name)
            names.append(name)
    return names
