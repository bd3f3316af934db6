"""Positions (岗位) with their job description (岗位说明书)."""

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Key


class Position(Base):
    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(Key(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))

    job_description: Mapped["JobDescription | None"] = relationship(back_populates="position", uselist=False)


class JobDescription(Base):
    """Duties (each with frequency and standard), authorities (with limits) and goals, as lists."""

    __tablename__ = "job_description"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), unique=True)
    duties: Mapped[list] = mapped_column(JSON, default=list)
    authorities: Mapped[list] = mapped_column(JSON, default=list)
    goals: Mapped[list] = mapped_column(JSON, default=list)

    position: Mapped[Position] = relationship(back_populates="job_description")
