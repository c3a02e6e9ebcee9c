"""Alerts that reach the phone: group robots of 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书/Lark.

Qt-free; used by the desktop app (in the background) and by the headless ``watch`` / ``check --notify``.

* :mod:`.channels` — the configured channels (kind, name, on/off in the store's settings; the robot
  URL and the signing secret in the OS keychain only), URL checks, channels from the environment.
* :mod:`.messages` — what a digest says (shop, count, money, soonest deadline, one line per request),
  as Markdown or text in the user's language, fitted to each platform's byte limit.
* :mod:`.transport` — one signed POST to a robot and its answer in plain words.
* :mod:`.dispatch` — the one entry point: :meth:`~.dispatch.RobotDispatcher.submit` queues notices
  per channel (each once: the memory survives restarts), :meth:`~.dispatch.RobotDispatcher.deliver`
  sends each channel's queue as ONE digest, respecting the robot's rate limit (coalescing, never
  dropping), retrying transient failures with backoff and recording every send.
* :mod:`.planning` — which notices are due now (alert tiers, auto-approvals, a sync failing for more
  than an hour), with the robots' own quiet hours.
"""
