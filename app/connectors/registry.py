"""The API connectors this product has, by source (the Indicator.source their figures carry)."""

from app.connectors import amazon_ads, amazon_sp_api, zendesk
from app.connectors.base import Kind
from app.errors import ApiError

KINDS = {kind.source: kind for kind in (
    Kind(amazon_sp_api.SOURCE, "亚马逊销售数据（SP-API）", "amazon", amazon_sp_api.FIELDS, amazon_sp_api.SellingPartner,
         every_hours=24),
    Kind(amazon_ads.SOURCE, "亚马逊广告数据（Amazon Ads）", "amazon", amazon_ads.FIELDS, amazon_ads.AmazonAds,
         every_hours=24),
    Kind(zendesk.SOURCE, "Zendesk 客服系统", "zendesk", zendesk.FIELDS, zendesk.Zendesk, every_hours=1),
)}


def kind(source: str) -> Kind:
    """The connector of `source`; an unknown one is a 404 with its stable code."""
    try:
        return KINDS[source]
    except KeyError:
        raise ApiError("unknown_connector", f"没有名为「{source}」的数据连接", 404, {"source": source}) from None
