"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from app.models.alert import Alert, AlertRule
from app.models.audit import AuditLog
from app.models.base import Base
from app.models.calendar import CalendarDay, CalendarYear, FxRate
from app.models.cycle import Assessment, AssessmentItem, Cycle, SheetLine, TargetAmendment
from app.models.feedback import Appeal, Comment
from app.models.inbound import WeChatPush
from app.models.kpi import Indicator, KpiTemplate, TemplateItem
from app.models.login import ConsoleLogin
from app.models.mismatch import MismatchNotice
from app.models.monthly import MonthlyReport, PayrollExport
from app.models.notify import (
    DeliveryAttempt,
    Digest,
    DigestLine,
    NotifyState,
    OutboxMessage,
    SubscribeQuota,
)
from app.models.observation import ImportPreset, ImportRow, Observation, Restatement, Shipment, SyncRun
from app.models.org import (
    BindCode,
    Department,
    Employee,
    ExternalIdentity,
    LeaveRecord,
    WeChatIdentity,
)
from app.models.outcome import Outcome
from app.models.position import JobDescription, Position
from app.models.progress import PrivacyConsent, ProgressEntry, ProgressSnapshot, Screenshot
from app.models.rating import PeerRater, Rating, RatingReturn
from app.models.score import ItemScore, Report, Score, ScoringRun
from app.models.setting import CompanySetting
from app.models.source import Connector, SourceSetting, UnmappedRecord
from app.models.workflow import CorrectionRequest, ItemOverride

__all__ = [
    "Alert", "AlertRule", "Appeal", "Assessment", "AssessmentItem", "AuditLog", "Base", "BindCode", "CalendarDay",
    "CalendarYear", "Comment", "CompanySetting", "ConsoleLogin", "Connector", "CorrectionRequest", "Cycle",
    "DeliveryAttempt", "Department",
    "Digest", "DigestLine", "Employee", "ExternalIdentity", "FxRate", "ImportPreset", "ImportRow", "Indicator",
    "ItemOverride", "ItemScore",
    "JobDescription", "KpiTemplate", "LeaveRecord", "MismatchNotice", "MonthlyReport", "NotifyState",
    "Observation", "OutboxMessage", "Outcome", "PayrollExport", "PeerRater", "Position", "PrivacyConsent",
    "ProgressEntry", "ProgressSnapshot", "Rating", "RatingReturn",
    "Report", "Restatement", "Score", "ScoringRun", "Screenshot", "SheetLine", "Shipment", "SourceSetting",
    "SubscribeQuota",
    "SyncRun", "TargetAmendment", "TemplateItem", "UnmappedRecord", "WeChatIdentity", "WeChatPush",
]
