"""Delivery shared by every chat surface: a durable inbox and outbox beside the engine.

A platform's message is stored in the inbox before the platform is acknowledged; turns are
played from the inbox one at a time per learner, in arrival order; the messages that answer
a turn are written to the outbox in the turn's own transaction and sent from there, so a
crash loses neither a message nor a reply, and a redelivery sends nothing twice.
"""

from bot.delivery.surface import PermanentError, Surface
from bot.delivery.worker import SORRY, DeliveryWorker

__all__ = ["SORRY", "DeliveryWorker", "PermanentError", "Surface"]
