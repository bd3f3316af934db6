"""The signed-in person's own profile, as the mini-program's "me" shows it: who they are, where
they work, whom they report to, whether they manage anyone (the team view is theirs then), and
their assessments of the month in progress."""

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.domain.cycles import CycleStatus
from app.extensions import db
from app.models import Assessment, Cycle, Department, Employee, JobDescription, Position, WeChatIdentity
from app.services.authz import Actor
from app.services.notify.wechat_status import CHANNEL_NAMES
from app.services.usecase import JsonDict


def me(who: Actor) -> JsonDict:
    """The person acting, about themselves only (the Actor is the authority: there is no subject)."""
    manager = aliased(Employee)
    row = db.session.execute(
        select(Employee, Department.name, Position.name, manager.name)
        .outerjoin(Department, Department.id == Employee.department_id)
        .outerjoin(Position, Position.id == Employee.position_id)
        .outerjoin(manager, manager.id == Employee.manager_id).where(Employee.id == who.employee_id)).one()
    person, department, position, manager_name = row
    channels = db.session.scalars(select(WeChatIdentity.channel).where(WeChatIdentity.employee_id == person.id))
    return {"employee_no": person.employee_no, "name": person.name, "department": department or "",
            "position": position or "", "manager": manager_name or "", "joined_on": person.joined_on,
            "status": person.status, "manages": len(who.subtree), "is_hr": person.is_hr,
            "channels": sorted(CHANNEL_NAMES.get(c, c) for c in channels)}


def current_assessments(who: Actor) -> list[JsonDict]:
    """The person's own assessments of the month in progress (two after a mid-month transfer)."""
    rows = db.session.execute(
        select(Assessment.id, Cycle.year, Cycle.month, Assessment.first_day, Assessment.last_day, Position.name)
        .join(Cycle, Cycle.id == Assessment.cycle_id).outerjoin(Position, Position.id == Assessment.position_id)
        .where(Assessment.employee_id == who.employee_id, Cycle.status == CycleStatus.OPEN)
        .order_by(Assessment.first_day)).all()
    return [{"id": r.id, "label": f"{r.year}年{r.month}月", "first_day": r.first_day, "last_day": r.last_day,
             "position": r.name or ""} for r in rows]


def job_description(who: Actor) -> JsonDict:
    """The person's own 岗位说明书: what their position is for (duties, authorities, goals)."""
    row = db.session.execute(select(Position.name, JobDescription).join(
        JobDescription, JobDescription.position_id == Position.id).join(
        Employee, Employee.position_id == Position.id).where(Employee.id == who.employee_id)).first()
    if row is None:
        return {"position": "", "duties": [], "authorities": [], "goals": []}
    name, jd = row
    return {"position": name, "duties": jd.duties, "authorities": jd.authorities, "goals": jd.goals}
