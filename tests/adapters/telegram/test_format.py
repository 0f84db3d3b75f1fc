"""Reply parts → HTML for a phone: escaping, the 4096 limit, the scorecard in one message."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.format import MAX_CHARS, render, split_html, units
from bot.adapters.telegram.keyboards import parse_pick, pick_data
from bot.messages import Feedback, FeedbackItem, Notice, PersonaLine, Reply


def test_persona_lines_share_a_message_and_are_escaped():
    reply = Reply((PersonaLine("Dana", "Fine <maybe> & then?"), PersonaLine("Dana", "Well.")))
    [message] = render(reply)
    assert message.html == "<b>Dana:</b> Fine &lt;maybe&gt; &amp; then?\n<b>Dana:</b> Well."


def test_feedback_quotes_are_shortened_for_a_phone():
    item = FeedbackItem("state_reason", "State your reason", 2, "x" * 500, "Gatekeepers", "")
    [message] = render(Reply((Feedback(2, (item,)),)))
    assert "✅ State your reason +2: <i>“" + "x" * 199 + "…”</i> (Gatekeepers)" in message.html


def test_scorecard_fits_one_message(chat):
    chat.say("/start cold_call")
    chat.say("Hi Dana, this is Sam from Kestrel. I'm calling because forecasting eats Mondays.")
    card = chat.say("/quit").parts[-1]
    [message] = render(Reply((card,)))
    assert message.html.startswith("<b>Scorecard: Cold call a VP of Sales</b>")
    assert "Best reply" in message.html
    assert "<i>because of:</i> " in message.html  # the words behind the best reply's points


def test_long_text_is_split_on_line_boundaries():
    lines = [f"<b>line {n}</b> " + "é" * 90 for n in range(100)]
    chunks = split_html("\n".join(lines))
    assert len(chunks) == 3
    assert all(units(c) <= MAX_CHARS for c in chunks)
    assert "\n".join(chunks).split("\n") == lines  # nothing lost, no tag cut


def test_one_overlong_line_is_cut_as_plain_text_outside_entities():
    line = "<i>" + "a &amp; b " * 1000 + "</i>"
    chunks = split_html(line)
    assert all(units(c) <= MAX_CHARS for c in chunks)
    assert all("<" not in c and not c.endswith("&am") for c in chunks)
    assert "".join(chunks).replace(" ", "") == ("a&amp;b" * 1000)


def test_emoji_count_twice_towards_the_limit():
    assert units("📝") == 2
    assert all(units(c) <= 10 for c in split_html("📝📝📝📝📝📝", limit=10))


def test_errors_and_hints_are_marked():
    messages = render(Reply((Notice("No.", "error"), Notice("Ask why.", "hint"))))
    assert [m.html for m in messages] == ["⚠️ No.", "💡 <i>Ask why.</i>"]


@pytest.mark.parametrize(
    ("data", "command"),
    [
        ("/start cold_call", "/start cold_call"),
        ("/start cold_call hard", "/start cold_call hard"),
        ("/quit", None),
        ("/start cold_call; /quit", None),
        ("", None),
        (None, None),
    ],
)
def test_only_start_commands_come_back_from_buttons(data, command):
    assert parse_pick(data) == command


def test_button_data_fits_telegrams_64_bytes():
    assert pick_data("cold_call", "hard") == "/start cold_call hard"
    with pytest.raises(ValueError):
        pick_data("x" * 60)
