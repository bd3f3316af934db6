"""The data sources (数据来源) and whether the company configured each (CLI now, the console later).

A source is an Indicator.source other than self-report and rating: amazon_sp_api, amazon_ads,
zendesk, erp, chat_import … A source nobody configured is not configured. The month's close expects
every working day's figures from configured sources only (app.services.cycle.completeness), and an
item of a source that is not configured takes what the person reports, or an import brings, as its
figures of record, with no 数据未更新 for a source the company never connected
(docs/kpi-rules.md "Sources").

HR sets the flag here, audited, one transaction per change; a connector sets it when its
credentials validate, on the same row (app.connectors.admin, app.models.SourceSetting).
"""

from sqlalchemy import select

from app.domain.indicators import SELF_REPORT
from app.errors import ApiError
from app.extensions import db
from app.models import Indicator, SourceSetting
from app.services import audit, authz
from app.services.lookup import configured_sources
from app.services.usecase import JsonDict, use_case

RATING = "rating"  # the source of rated items: people, not a system


def listing() -> list[JsonDict]:
    """Every source the indicator library names, in order, with its flag and the indicators it feeds."""
    configured = configured_sources()
    feeds: dict[str, list[str]] = {}
    for source, name in db.session.execute(select(Indicator.source, Indicator.name)
                                           .where(Indicator.source.not_in((SELF_REPORT, RATING)))
                                           .order_by(Indicator.source, Indicator.id)):
        feeds.setdefault(source, []).append(name)
    return [{"source": source, "configured": source in configured, "indicators": names}
            for source, names in sorted(feeds.items())]


@use_case
def set_configured(source: str, configured: bool, *, hr_id: int) -> str:
    """HR marks `source` configured (the close expects its figures every working day) or not (its
    items take self-reported or imported figures); audited. Returns what changed, for people."""
    authz.require(authz.actor(hr_id), authz.Action.CHANGE_SETTINGS, authz.Subject())
    if source not in {row["source"] for row in listing()}:
        raise ApiError("unknown_source", f"没有名为「{source}」的数据来源", 404, {"source": source})
    row = db.session.scalar(select(SourceSetting).where(SourceSetting.source == source))
    if bool(row and row.configured) == configured:
        raise ApiError("source_unchanged", f"数据来源 {source} {_state(configured)}，无需更改", 409,
                       {"source": source})
    if row is None:
        row = SourceSetting(source=source)
        db.session.add(row)
    row.configured, row.updated_by = configured, hr_id
    db.session.flush()
    audit.record("source.configure" if configured else "source.unconfigure", "source_setting", row.id,
                 actor_id=hr_id, before={"source": source, "configured": not configured},
                 after={"source": source, "configured": configured})
    db.session.commit()
    if configured:
        return f"数据来源 {source} 已配置：结算将要求它每个工作日的数据"
    return f"数据来源 {source} 未配置：其指标改用员工自报或导入的数据"


def _state(configured: bool) -> str:
    return "已配置" if configured else "未配置"
