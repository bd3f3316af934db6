"""Ratings (评分) of qualitative items, and who is asked to give peer ratings."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, ExactDecimal, Key, utcnow


class Rating(Base):
    """A 1–5 score by a rater. Customer ratings have no rater employee, only a source reference."""

    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("assessment_item_id", "rater_kind", "rater_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"), index=True)
    rater_kind: Mapped[str] = mapped_column(String(16))  # manager | peer | customer
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    # The rater employee's id as text, or the source record for customer ratings: one unique key.
    rater_ref: Mapped[str] = mapped_column(Key(128))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PeerRater(Base):
    """Who rates an assessment's peer items: same department, at least two, never the manager."""

    __tablename__ = "peer_rater"
    __table_args__ = (UniqueConstraint("assessment_id", "rater_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    chosen_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))


class RatingReturn(Base):
    """HR sent a manager's rating back during the review (待发布) with a note: the month is not
    published until someone who may give the item's manager rating rates it again (`answered_at`).
    `rater_id` is whom HR's note went to (the acting manager when it was sent back)."""

    __tablename__ = "rating_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_item_id: Mapped[int] = mapped_column(ForeignKey("assessment_item.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    note: Mapped[str] = mapped_column(String(500))
    returned_by: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    returned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
