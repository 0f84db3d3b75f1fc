"""Slack surface (slack-bolt): Socket Mode or HTTP, DMs, /roleplay, buttons and App Home.

Modules: `settings` (environment), `app` (listeners and turn delivery), `blocks` (reply
parts → Block Kit), `transports` (Socket Mode and HTTP servers), `load` (the load check)
and `fake` (a loopback Slack for the load check and the tests).
"""
