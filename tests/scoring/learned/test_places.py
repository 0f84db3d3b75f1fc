"""Where in the reply each feature came from: the characters the learner typed."""

from __future__ import annotations

import numpy as np
import pytest

from bot.scoring.learned import LinearModel
from bot.scoring.learned.features import Features
from bot.scoring.learned.places import ReplyPlaces, occurrences


@pytest.mark.parametrize(
    ("reply", "name", "quotes"),
    [
        ("Can u do Thurs?", "w:thurs", ["Thurs"]),
        ("Can u do Thurs?", "w:u do", ["u do"]),
        ("Can u do Thurs?", "c: thu", ["Thu"]),
        ("Can u do Thurs?", "c:s?", ["s?"]),
        ("tmrw 10ish? or tmrw 3", "w:tmrw", ["tmrw", "tmrw"]),
        ("İstanbul team, thurs?", "c:thur", ["thur"]),  # lower-casing İ adds a character
        ("İstanbul team, thurs?", "w:team", ["team"]),
        ("ok. How do u do it? we do it", "q:do it", ["do it"]),  # only inside the question
        ("ok. How do u do it? we do it", "q:ok", []),
    ],
)
def test_occurrences_quote_the_characters_typed(reply: str, name: str, quotes: list[str]) -> None:
    spans = occurrences(reply, name)
    assert [reply[s:e] for s, e in spans] == quotes


def test_a_reply_without_features_shares_out_nothing(model: LinearModel) -> None:
    empty = Features(np.zeros(0, dtype=np.int64), np.zeros(0))
    places = ReplyPlaces(model.vocab, "how many reps?", empty, {})
    assert not places.token_weights(np.zeros(0)).any()
    assert not places.saliency(np.zeros(0)).any()
