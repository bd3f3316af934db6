"""What HR hands on from a month: the stored versions of its 月度报表 (XLSX) and each payroll export
(薪资交接) with the 绩效系数 it gave, so a later change can be told."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class MonthlyReport(Base):
    """One version of a month's workbook. A build whose bytes equal the latest version's stores
    nothing; a build after an accepted appeal differs and becomes the next version, the older ones
    staying downloadable. `basis_report_id` is the newest report version the build read."""

    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    blob_key: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    employees: Mapped[int] = mapped_column(Integer)
    basis_report_id: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("employee.id"))
    built_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PayrollExport(Base):
    """One payroll CSV as HR downloaded it: its cutoff and each person's 绩效系数 in it
    (`coefficients`: employee number → coefficient text); `told` keeps the changes HR was already
    told of (employee number → the coefficient told), so each change is told once; the clock looks
    again only when a report newer than `checked_report_id` is out."""

    __tablename__ = "payroll_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    cutoff: Mapped[date] = mapped_column(Date)
    exported_by: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    exported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    provisional: Mapped[int] = mapped_column(Integer)  # rows marked 暂定
    coefficients: Mapped[dict] = mapped_column(JSON)
    told: Mapped[dict] = mapped_column(JSON, default=dict)
    checked_report_id: Mapped[int] = mapped_column(Integer, default=0)
