"""The API connectors this product has, by source (the Indicator.source their figures carry)."""

from app.connectors import zendesk
from app.connectors.base import Kind
from app.errors import ApiError

KINDS = {kind.source: kind for kind in (
    Kind(zendesk.SOURCE, "Zendesk 客服系统", "zendesk", zendesk.FIELDS, zendesk.Zendesk, every_hours=1),
)}


def kind(source: str) -> Kind:
    """The connector of `source`; an unknown one is a 404 with its stable code."""
    try:
        return KINDS[source]
    except KeyError:
        raise ApiError("unknown_connector", f"没有名为「{source}」的数据连接", 404, {"source": source}) from None
