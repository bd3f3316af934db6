"""Login with Amazon: the refresh-token exchange SP-API and Amazon Ads share.

`POST {AMAZON_LWA_URL}` with the form fields grant_type=refresh_token, refresh_token, client_id and
client_secret gives an access token good for `expires_in` seconds (3600). It is cached in Redis,
sealed, until a minute before it expires, so every worker reuses it; an expired or revoked one
(401/403 on a call) is dropped and exchanged again, once per call.
"""

import hashlib

from app.connectors import vault
from app.connectors.http import Sleep, VendorError, VendorHttp
from app.extensions import redis_store

CACHE = "jixiao:lwa:{}"
EARLY_SECONDS = 60


class AccessToken:
    """The current LWA access token of one app + seller authorisation."""

    def __init__(self, token_url: str, credentials: dict[str, str], sleep: Sleep):
        self.http, self.token_url = VendorHttp("Login with Amazon", sleep=sleep), token_url
        self.form = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"],
                     "client_id": credentials["client_id"], "client_secret": credentials["client_secret"]}
        digest = hashlib.sha256("\n".join(self.form.values()).encode()).hexdigest()[:24]
        self.key = CACHE.format(digest)

    def __call__(self) -> str:
        sealed = redis_store.client.get(self.key)
        if sealed:
            text = sealed.decode() if isinstance(sealed, bytes) else str(sealed)
            return str(vault.unseal(text)["access_token"])
        return self.exchange()

    def exchange(self) -> str:
        body = self.http.json("POST", self.token_url, data=self.form, headers={
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"})
        token, expires = (body.get("access_token"), body.get("expires_in")) if isinstance(body, dict) else (None, None)
        if not isinstance(token, str) or not token or not isinstance(expires, int):
            raise VendorError("Login with Amazon 返回的令牌格式不对")
        redis_store.client.set(self.key, vault.seal({"access_token": token}), ex=max(1, expires - EARLY_SECONDS))
        return token

    def drop(self) -> None:
        redis_store.client.delete(self.key)

