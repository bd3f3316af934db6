"""The WeChat layer: API clients (mini-program, WeCom, official account) and callback security.

Everything talks to the hosts named by WECHAT_API_BASE / WECOM_API_BASE, so tests and `make run`
reach the local stand-in (`app.standins.wechat`) and production the real hosts, by configuration alone.
"""
