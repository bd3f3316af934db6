"""The signed-in person's own profile, as the mini-program's "me" shows it: who they are, where
they work, whom they report to, and whether they manage anyone (the team view is theirs then)."""

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Department, Employee, Position, WeChatIdentity
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
