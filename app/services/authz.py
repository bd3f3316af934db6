"""The authorisation edge: load who is acting (once per request) and ask the domain policy.

Every workflow service takes an `Actor` and calls `require` before it writes anything, so the
mini-program, the bot and the console get the same answer from the same rule (app.domain.authz).
The clock and the CLI act as `system(...)`, which the policy allows only what names it. A person
who has left is still an actor — `Actor.left`, to whom the policy allows only their own last reports
(docs/product.md "People change") — so that refusal, too, is the policy's.
"""

from sqlalchemy import Select, bindparam, exists, literal, select
from sqlalchemy.orm import aliased

from app.domain.authz import Action, Actor, Subject, refusal, system_actor
from app.errors import ApiError
from app.extensions import db
from app.models import Employee, WeChatIdentity

MAX_DEPTH = 64  # a reporting line is never this long; the bound ends a walk through looping data

__all__ = ["Action", "Actor", "Subject", "actor", "actor_of_account", "can", "can_view", "require", "subtree_of",
           "managers_of", "active_managers_of", "system"]


def actor(employee_id: int) -> Actor:
    """The acting person with their reporting subtree, in two queries whatever the tree's size; a
    leaver with no flags and no subtree, marked `left` (the policy allows them their own reports)."""
    row = db.session.execute(select(Employee.id, Employee.is_hr, Employee.is_admin, Employee.status)
                             .where(Employee.id == employee_id)).first()
    if row is None or row.status not in ("active", "left"):
        raise ApiError("unknown_actor", "找不到该用户", 401)
    if row.status == "left":
        return Actor(row.id, left=True)
    return Actor(row.id, bool(row.is_hr), bool(row.is_admin), subtree_of(row.id))


def actor_of_account(channel: str, external_id: str) -> Actor | None:
    """The active person a bound WeChat account belongs to, as an actor (None when unbound or not
    active). Every mini-program request asks, so it is one query, and a second (the subtree) only
    for someone people report to."""
    row = db.session.execute(_ACCOUNT, {"channel": channel, "external_id": external_id}).first()
    if row is None:
        return None
    return Actor(row.id, bool(row.is_hr), bool(row.is_admin), subtree_of(row.id) if row.manages else frozenset())


def system(source: str) -> Actor:
    """The product acting on its own: "clock" for the tick's work, "cli" for an operator's command."""
    return system_actor(source)


def subtree_of(employee_id: int) -> frozenset[int]:
    """Everyone below `employee_id` in the manager_id tree, by one recursive query (set-based).
    UNION (not UNION ALL) ends the walk even if bad data ever made the tree a loop."""
    return frozenset(db.session.scalars(_SUBTREE, {"root": employee_id}))


def _subtree() -> Select[int]:
    tree = select(Employee.id).where(Employee.manager_id == bindparam("root")).cte("subtree", recursive=True)
    tree = tree.union(select(Employee.id).join(tree, Employee.manager_id == tree.c.id))
    return select(tree.c.id)


def _account() -> Select[int, bool, bool, bool]:
    report = aliased(Employee)
    return (select(Employee.id, Employee.is_hr, Employee.is_admin,
                   exists().where(report.manager_id == Employee.id).label("manages"))
            .join(WeChatIdentity, WeChatIdentity.employee_id == Employee.id)
            .where(WeChatIdentity.channel == bindparam("channel"),
                   WeChatIdentity.external_id == bindparam("external_id"), Employee.status == "active"))


# Built once: building them (a recursive CTE, an alias) cost more than running them on every request.
_SUBTREE, _ACCOUNT = _subtree(), _account()


def managers_of(employee_id: int) -> list[int]:
    """The person's managers, nearest first (one recursive query)."""
    chain = (select(Employee.manager_id.label("id"), literal(1).label("depth"))
             .where(Employee.id == employee_id, Employee.manager_id.is_not(None)).cte("chain", recursive=True))
    chain = chain.union(select(Employee.manager_id, chain.c.depth + 1).join(chain, Employee.id == chain.c.id)
                        .where(Employee.manager_id.is_not(None), chain.c.depth < MAX_DEPTH))
    return [row.id for row in db.session.execute(select(chain.c.id, chain.c.depth).order_by(chain.c.depth))]


def active_managers_of(employee_id: int) -> list[int]:
    """The person's managers who have not left, nearest first: who rates their manager items (none:
    HR does, Subject.without_manager)."""
    chain = managers_of(employee_id)
    if not chain:
        return []
    active = set(db.session.scalars(select(Employee.id).where(Employee.id.in_(chain), Employee.status == "active")))
    return [manager for manager in chain if manager in active]


def require(who: Actor, action: Action, subject: Subject) -> None:
    """Raise the one refusal shape (403) unless the policy allows the action."""
    reason = refusal(who, action, subject)
    if reason is not None:
        raise ApiError("forbidden", reason, 403, {"action": action.value})


def can(who: Actor, action: Action, subject: Subject) -> bool:
    return refusal(who, action, subject) is None


def can_view(who: Actor, employee_id: int) -> bool:
    """Whether the actor may see this person's progress and reports."""
    return can(who, Action.VIEW_PROGRESS, Subject(employee_id))
