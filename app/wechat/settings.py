"""WeChat settings as one value, read from the app config (which reads the environment).

Three channels share one shape: the mini-program ("mp"), the WeCom self-built app ("wecom") and the
official account ("oa"). Credentials are deployment settings (docs/product.md "Roles"); the base URLs are
the only thing that differs between production (real hosts) and tests / `make run` (the stand-in).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from config import WECHAT_CREDENTIALS, ConfigError

REAL_WECHAT_API = "https://api.weixin.qq.com"
REAL_WECOM_API = "https://qyapi.weixin.qq.com"
CHANNELS = ("mp", "wecom", "oa")


@dataclass(frozen=True)
class Account:
    """One WeChat account: what we call its APIs with and what signs / encrypts its callbacks.

    `appid` is the mini-program / official-account AppID, or the WeCom CorpID: it is the id the
    AES envelope carries in all three cases.
    """

    channel: str
    appid: str
    secret: str
    token: str
    aes_key: str
    agent_id: str = ""

    @property
    def can_call(self) -> bool:
        return bool(self.appid and self.secret)

    @property
    def can_receive(self) -> bool:
        return bool(self.appid and self.token)


@dataclass(frozen=True)
class WeChatSettings:
    mp: Account
    wecom: Account
    oa: Account
    api_base: str
    wecom_api_base: str
    production: bool

    def account(self, channel: str) -> Account:
        if channel not in CHANNELS:
            raise KeyError(channel)
        return getattr(self, channel)

    def base_for(self, channel: str) -> str:
        return self.wecom_api_base if channel == "wecom" else self.api_base

    def status(self) -> dict:
        """What the admin console shows: which channels are connected, and to which host."""
        return {
            channel: {
                "can_call": self.account(channel).can_call,
                "can_receive": self.account(channel).can_receive,
                "api_base": self.base_for(channel),
            }
            for channel in CHANNELS
        }


def settings_from_config(config: Mapping) -> WeChatSettings:
    """Build the settings; production refuses a base URL that is not https (no stand-in by accident)."""
    production = config.get("ENV_NAME") == "production"
    api_base = _base(config.get("WECHAT_API_BASE") or REAL_WECHAT_API, production)
    wecom_base = _base(config.get("WECOM_API_BASE") or REAL_WECOM_API, production)
    get = lambda name: str(config.get(name) or "").strip()  # noqa: E731
    app_account = lambda channel, prefix: Account(  # noqa: E731
        channel, get(f"{prefix}APPID"), get(f"{prefix}SECRET"), get(f"{prefix}TOKEN"), get(f"{prefix}AES_KEY")
    )
    return WeChatSettings(
        mp=app_account("mp", "WECHAT_MP_"),
        wecom=Account(
            "wecom", get("WECOM_CORP_ID"), get("WECOM_SECRET"), get("WECOM_TOKEN"), get("WECOM_AES_KEY"),
            agent_id=get("WECOM_AGENT_ID"),
        ),
        oa=app_account("oa", "WECHAT_OA_"),
        api_base=api_base,
        wecom_api_base=wecom_base,
        production=production,
    )


def wechat_environment_given(environ: Mapping) -> bool:
    """True when any WeChat setting is in the environment: then `make run` starts no stand-in."""
    names = WECHAT_CREDENTIALS + ("WECHAT_API_BASE", "WECOM_API_BASE")
    return any(environ.get(name) for name in names)


def _base(url: str, production: bool) -> str:
    url = url.rstrip("/")
    if production and not url.startswith("https://"):
        raise ConfigError(f"production must reach WeChat over https, not {url}")
    return url
