"""The organisation: departments, employees and their reporting line, leave, identities."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Key, utcnow


class Department(Base):
    """部门. `rest_weekdays` lists ISO weekdays off (e.g. "6,7"); warehouses may work Saturdays."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Key(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    rest_weekdays: Mapped[str] = mapped_column(String(16), default="6,7")


class Employee(Base):
    """员工. Anyone with direct reports is a manager; HR and admin are flags on the user."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(Key(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    is_hr: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | left

    department: Mapped[Department] = relationship()
    manager: Mapped["Employee | None"] = relationship(remote_side=[id])


class LeaveRecord(Base):
    """请假: leave days count as rest days for that person (no reminders, no streaks, pro-rating)."""

    __tablename__ = "leave_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="personal")
    note: Mapped[str] = mapped_column(String(200), default="")


class WeChatIdentity(Base):
    """A bound WeChat account: mini-program openid, WeCom userid or official-account openid."""

    __tablename__ = "wechat_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # mp | wecom | oa
    external_id: Mapped[str] = mapped_column(Key(128))
    unionid: Mapped[str | None] = mapped_column(Key(128))
    bound_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Official account only: the person's last message to us opens a 48-hour window in which we may
    # send them 5 customer-service messages (app.services.notify.reply_window).
    window_opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    window_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ExternalIdentity(Base):
    """An account in another system (an ASIN, a Zendesk agent, an ERP packer code) owned by an
    employee from `effective_from` until `effective_to` (inclusive; open when null)."""

    __tablename__ = "external_identity"
    __table_args__ = (
        UniqueConstraint("source", "external_id", "effective_from"),
        Index("ix_external_identity_lookup", "source", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(Key(128))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)


class BindCode(Base):
    """A one-time code HR gives an employee to bind a WeChat account. Only a keyed hash is stored;
    it expires, works once, and is void after too many wrong guesses."""

    __tablename__ = "bind_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_attempts: Mapped[int] = mapped_column(default=0)
