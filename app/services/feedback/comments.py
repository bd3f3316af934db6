"""Comments (点评) on a day's progress or on an assessment, and replies, telling the other side.

A manager's comment goes to the employee; the employee's reply goes to the managers who took part
in that conversation (or, when none has yet, to their direct manager). Comments are content, not
changes of a figure, so the comment row is the record (no audit row).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, Comment, Employee, ProgressEntry
from app.services.authz import Action, Actor, Subject, require
from app.services.lookup import cycle_of, name_of
from app.services.notify import outbox
from app.services.usecase import get_or_404, now_or_clock, require_text, use_case


@use_case
def add_comment(who: Actor, body: str, *, progress_entry_id: int | None = None, assessment_id: int | None = None,
                parent_id: int | None = None, now: datetime | None = None) -> Comment:
    """Comment on a progress entry or an assessment, or reply to a comment (the reply joins the
    parent's conversation). Committed with its notifications."""
    now = now_or_clock(now)
    if parent_id is not None:
        parent = get_or_404(Comment, parent_id, "点评")
        progress_entry_id, assessment_id = parent.progress_entry_id, parent.assessment_id
    elif (progress_entry_id is None) == (assessment_id is None):
        raise ApiError("invalid_input", "请指定要点评的工作进展或考核表（二选一）", 422, {"target": "二选一"})
    employee_id, about = _target(progress_entry_id, assessment_id)
    require(who, Action.COMMENT, Subject(employee_id))
    text = require_text(body, "body", "点评内容")
    comment = Comment(author_id=who.employee_id, progress_entry_id=progress_entry_id, assessment_id=assessment_id,
                      parent_id=parent_id, body=text, created_at=now)
    db.session.add(comment)
    db.session.flush()
    _notify(comment, employee_id, about, now)
    db.session.commit()
    return comment


def list_comments(who: Actor, *, progress_entry_id: int | None = None,
                  assessment_id: int | None = None) -> list[dict[str, Any]]:
    """The conversation on a progress entry or an assessment, oldest first."""
    employee_id, _ = _target(progress_entry_id, assessment_id)
    require(who, Action.VIEW_PROGRESS, Subject(employee_id))
    column, value = ((Comment.progress_entry_id, progress_entry_id) if progress_entry_id
                     else (Comment.assessment_id, assessment_id))
    rows = db.session.execute(select(Comment, Employee.name).join(Employee, Employee.id == Comment.author_id)
                              .where(column == value).order_by(Comment.created_at, Comment.id))
    return [{"id": c.id, "parent_id": c.parent_id, "author_id": c.author_id, "author": name, "body": c.body,
             "created_at": c.created_at.isoformat()} for c, name in rows]


def _target(progress_entry_id: int | None, assessment_id: int | None) -> tuple[int, str]:
    """The person the conversation is about, and how a message names what was commented on."""
    if progress_entry_id is not None:
        entry = get_or_404(ProgressEntry, progress_entry_id, "工作进展")
        return entry.employee_id, f"{entry.day.month}月{entry.day.day}日的工作进展"
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    return assessment.employee_id, f"{cycle_of(assessment).label}考核表"


def _notify(comment: Comment, employee_id: int, about: str, now: datetime) -> None:
    author = name_of(comment.author_id)
    if comment.author_id != employee_id:
        recipients, audience = [employee_id], "employee"
        title, body = "收到点评", f"{author}点评了你{about}：{comment.body}"
    else:
        recipients, audience = _managers_in_conversation(comment, employee_id), "manager"
        title, body = "员工回复了点评", f"{author}回复了关于{about}的点评：{comment.body}"
    for recipient in recipients:
        outbox.enqueue(recipient, "comment", title=title, summary=comment.body[:20], body=body,
                       dedupe_key=f"comment:{comment.id}:{recipient}", now=now, audience=audience,
                       data={"comment_id": comment.id, "progress_entry_id": comment.progress_entry_id,
                             "assessment_id": comment.assessment_id})


def _managers_in_conversation(comment: Comment, employee_id: int) -> list[int]:
    column, value = ((Comment.progress_entry_id, comment.progress_entry_id) if comment.progress_entry_id
                     else (Comment.assessment_id, comment.assessment_id))
    authors = db.session.scalars(select(Comment.author_id).where(column == value, Comment.author_id != employee_id)
                                 .order_by(Comment.id)).all()
    if authors:
        return list(dict.fromkeys(authors))
    manager = db.session.scalar(select(Employee.manager_id).where(Employee.id == employee_id))
    return [manager] if manager else []
