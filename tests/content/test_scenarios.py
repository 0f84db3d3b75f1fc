"""Every scenario rewards the right technique and punishes the wrong one.

A scripted "good rep" and several scripted "terrible reps" play each scenario through the
trainer (real content, real detector, real SQLite). Each step of a script is a pool of
interchangeable phrasings; a seeded random picks one per step, so a pass does not hinge
on one fixed sentence per move. Assertions are about outcomes (won or lost, passed or
failed, the sign of points), not about detector details.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.content.library import Library
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply, Scorecard
from bot.storage.sqlite import SqliteStore

Script = Sequence[Sequence[str]]  # steps, each a pool of phrasings
SEEDS = range(4)

GOOD: dict[str, Script] = {
    "gatekeeper": [
        [
            "Hi Maya, I'm Sam from Kestrel. I'm calling because we help sales leaders "
            "trust their forecast, and I wonder if you could help me reach Dana.",
            "Morning Maya, this is Priya with Kestrel. Honest reason for the call: we work "
            "with sales teams on forecast accuracy. Could you help me find the best way to "
            "get a few minutes with Dana?",
            "Hello Maya, it's Leo from Kestrel. I'm calling about how the sales team builds "
            "its revenue forecast. I was hoping you could point me to the best way to reach Dana.",
        ],
        [
            "When is she usually easiest to catch?",
            "What time of day is she normally at her desk?",
            "Is there a time of day that's better for her?",
        ],
        [
            "Could I try her tomorrow at 8:30, before her meetings start?",
            "Would it be OK if I called back on Thursday at 8:45?",
            "Could you let her know I'll call tomorrow at 8:30?",
        ],
    ],
    "cold_call": [
        [
            "Hi Dana, this is Sam from Kestrel. I'm calling because we help sales leaders "
            "trust their forecast. Could I ask you a couple of quick questions to see if "
            "it's relevant?",
            "Hi Dana, Priya from Kestrel here. We work with sales leaders on forecast "
            "accuracy. Mind if I ask you two quick questions so I'm not generic?",
        ],
        [
            "What CRM are you on?",
            "What do you use for your CRM today?",
        ],
        [
            "How do your managers put the forecast together each week?",
            "How does the forecast get built each week?",
        ],
        [
            "What's the hardest part of getting that number right?",
            "What's the most frustrating part of the forecast process for you?",
        ],
        [
            "When the forecast misses by that much, what does it do to your hiring plans?",
            "When the number is off like that, what happens with the board and your hiring?",
        ],
        [
            "Teams like yours cut forecast misses in half within a quarter, so you could "
            "keep your hiring plan and walk into the board meeting with a number you trust.",
            "Teams like yours get forecast misses down to under 5% in two quarters, so "
            "hiring stays on plan and the board sees a number you trust.",
        ],
        [
            "I understand, you're slammed. A PDF tends to sit in an inbox though. Would a "
            "20-minute call with your numbers be more useful? How does that sound?",
            "Totally understand. Another way to think about it: a brochure is generic, a "
            "20-minute call would be about your forecast. Does that sound fair?",
        ],
        [
            "Would Thursday at 2pm work for 20 minutes?",
            "Would Tuesday at 10am work for twenty minutes?",
        ],
    ],
    "spin_discovery": [
        ["How many reps are on the team?", "How many sales reps do you have today?"],
        ["How is the forecast built today?", "How does the forecast get put together each week?"],
        [
            "What's the hardest part of getting that number right?",
            "What's the biggest headache with the forecast right now?",
        ],
        [
            "When the forecast misses by that much, what does it do to your hiring plans?",
            "When the number is off like that, what happens with the board and your hiring?",
        ],
        [
            "If you could trust the number, what would that be worth to you?",
            "If the forecast were within 5%, what would that do for you with the board?",
        ],
        [
            "Teams like yours cut forecast misses in half within a quarter, so you could "
            "hire ahead of the quarter. Would Tuesday at 10 work to walk your managers through it?",
            "Teams like yours get forecast misses down to under 5% in two quarters, so hiring "
            "stays on plan. Could we book Thursday at 2pm with your managers?",
        ],
    ],
    "sponsor_prep": [
        [
            "That's completely understandable. What does Martin care most about this year?",
            "I'd be nervous too. What's top of Martin's agenda right now?",
        ],
        [
            "What's the hardest part of month-end for your team?",
            "What's the biggest headache in the close right now?",
        ],
        [
            "When the close takes nine days, what does that do to Martin's decisions?",
            "When the numbers arrive that late, what happens to cash planning?",
        ],
        [
            "If the close took five days instead of nine, what would that mean for Martin?",
            "If you had those four days back, what would that be worth to the business?",
        ],
        [
            "What do you think Martin will push back on first?",
            "What do you think Martin's first objection will be?",
        ],
        [
            "Good point. Have you considered framing it as a 60-day pilot rather than a "
            "project? Does that feel like something you could say?",
            "Fair question. Harbour Logistics had the same worry and went live in three "
            "weeks. Would that help you answer him?",
        ],
        [
            "Fair question. Harbour Logistics had the same worry and went live in three "
            "weeks. Would that help you answer him?",
            "Good point. Have you considered framing it as a 60-day pilot rather than a "
            "project? Does that feel like something you could say?",
        ],
        [
            "Would it work if I called you tomorrow at 10:30, straight after?",
            "Could I call you tomorrow at 11am, straight after your meeting?",
        ],
    ],
    "cfo_best_price": [
        [
            "If we can agree on terms, are we your final choice?",
            "Before we talk numbers: if the terms work, are we the vendor you're choosing?",
        ],
        [
            "Apart from price, is there anything else stopping us from moving forward?",
            "Is price the only thing still open?",
        ],
        [
            "If we agree today, can you sign today?",
            "If we settle this today, could the contract be signed today?",
        ],
        [
            "If you can commit to two years paid annually upfront, I can take 6% off the annual fee.",
            "If you sign a two-year term, I can bring the rate down by 6%.",
        ],
        [
            "I could add another 2% if you sign today and agree to a case study after go-live.",
            "If we can sign today, I can go a further 2% in exchange for a reference call.",
        ],
    ],
    "procurement_negotiation": [
        [
            "Fair question. Their quote leaves out onboarding and admin training, so the two "
            "numbers aren't the same package. Shall we line them up side by side?",
            "I understand. It's a bit apples and oranges though: Corvane's price has no "
            "onboarding or support in it, and ours does. Does that make sense?",
        ],
        [
            "What range has finance given you for this?",
            "Is there a budget range you need to land in?",
        ],
        [
            "If you can commit to a three-year term, I can take 6% off list.",
            "If we go to three years, I can bring the price down by 6%.",
        ],
        [
            "If you can pay annually upfront, I can add another 3%.",
            "I could do a further 3% if you pay the first year upfront.",
        ],
        [
            "I understand. If we can sign today, I can hold the full 9% and start your "
            "onboarding next week.",
            "I can keep the 9% if we sign this month. If we agree today, can you sign by Friday?",
        ],
    ],
    "anti_sponsor": [
        [
            "That makes sense, six years without an outage is worth a lot. How does the "
            "forecast roll-up work in Forgepoint today?",
            "I hear you, a stable system is worth protecting. What's the hardest part of "
            "the forecast roll-up with Forgepoint today?",
        ],
        [
            "That's a fair concern after 2021. Harbour Logistics had the same worry; we ran "
            "alongside their old system for a month first. Would a setup like that work for you?",
            "I understand, nobody wants another overrun. Have you considered a 60-day pilot "
            "next to Forgepoint, with no migration at all? How does that sound?",
        ],
        [
            "Fair question. Harbour Logistics had the same doubt three years ago; they've run "
            "the forecast on us since and cut their roll-up to an hour. Does that address it?",
            "That's fair. Harbour Logistics had the same worry when they started with us five "
            "years ago, and their roll-up went from two days to an hour. Does that help?",
        ],
    ],
    "cfo_concerns": [
        [
            "That's a fair worry, and I'd rather talk about it now. What happened with the "
            "last two systems?",
            "I understand, thanks for raising it. What went wrong with the last two tools?",
        ],
        [
            "When that happens, what does it do to your standing with the board?",
            "When a tool fails like that, what does it cost you with the board?",
        ],
        [
            "If adoption were measured from week one and you could stop after a pilot, what "
            "would that be worth to you?",
            "If you knew within a month that the reps were using it, what would that change "
            "for you?",
        ],
        [
            "Let me make sure I've got it: a pilot with usage figures and an exit clause. On "
            "that basis, could you sign today?",
            "Just so we're on the same page: a 60-day pilot, weekly usage numbers and an exit "
            "if adoption is low, right? If so, can we sign today?",
        ],
    ],
    "ceo_two_minutes": [
        [
            "Teams like Tom's cut month-end close from nine days to five, so you'd see cash "
            "four days earlier.",
            "Harbour Logistics cut their month-end close from nine days to five with us, so "
            "their CEO saw cash four days earlier.",
        ],
        [
            "Would Thursday at 10 work for 30 minutes with you and Tom?",
            "Could we book 30 minutes with you and Tom on Tuesday at 9?",
        ],
    ],
    "deal_journey": [
        [
            "How do you use the sales forecast in cash planning today?",
            "How does the sales forecast feed into your cash plan?",
        ],
        [
            "What budget have you set aside for this?",
            "Is there budget set aside for this line this year?",
        ],
        [
            "Teams like yours get forecast misses down to under 5% in two quarters, so you "
            "could stop cutting the forecast by twenty percent in your cash plan.",
            "Harbour Logistics had the same problem; they got their forecast within 4% in "
            "two quarters, so their CFO stopped discounting it.",
        ],
        ["If we can agree on terms, are we your final choice?"],
        ["Apart from price, is there anything else stopping us from moving forward?"],
        ["If we agree today, can you sign today?"],
        ["If you can commit to two years paid annually upfront, I can take 6% off the annual fee."],
        ["I could add another 2% if you sign today and agree to a case study after go-live."],
    ],
}

TERRIBLE: dict[str, list[Script]] = {
    "gatekeeper": [
        [
            [
                "Hi, Dana's expecting my call, we met at the conference last month.",
                "It's a personal matter, she'll know what it's about.",
                "We already work with Dana's team, I just need to check in with her.",
            ],
        ],
        [
            [
                "Just put me through please, it's urgent and I'm not hanging up.",
                "Come on, it will take two minutes. Put me through now, it's urgent.",
            ],
            [
                "I need to speak to her today, it's urgent, put me through.",
                "Come on, I've called three times already. Just put me through.",
            ],
            ["Put me through.", "It's urgent, put me through now."],
            ["Please, I really need this today.", "Just put me through, it's urgent."],
        ],
    ],
    "cold_call": [
        [
            [
                "Hi Dana, Sam from Kestrel, calling about forecasting. Can I ask you a couple "
                "of questions?"
            ],
            [
                "We have AI forecasting, pipeline dashboards, Salesforce sync, deal scoring "
                "and 40 integrations.",
                "Our platform does AI deal scoring, custom dashboards, Slack alerts, "
                "automated roll-ups and 60+ integrations.",
            ],
        ],
        [
            [
                "Hi Dana, Sam from Kestrel. I'm calling because we help sales leaders trust "
                "their forecast. Could I ask you a couple of quick questions?",
            ],
            ["What CRM are you on?"],
            ["What's the hardest part of getting that number right?"],
            ["When the forecast misses by that much, what does it do to your hiring plans?"],
            ["Teams like yours cut forecast misses in half within a quarter."],
            [
                "Sure, no problem, I'll send it over right away.",
                "OK, I'll email you our brochure today.",
            ],
        ],
    ],
    "spin_discovery": [
        [
            [
                "We have AI forecasting, pipeline dashboards, Salesforce sync, deal scoring "
                "and 40 integrations.",
                "Our platform does AI deal scoring, custom dashboards, Slack alerts, automated "
                "roll-ups and 60+ integrations.",
            ],
            ["We also do mobile apps, SSO, audit logs, custom fields and an API."],
            ["Plus AI scoring, dashboards, Slack alerts and 40 integrations."],
        ],
        [
            ["How many reps are on the team?"],
            [
                "Teams like yours cut forecast misses in half within a quarter.",
                "Teams like yours get forecast misses down to under 5% in two quarters.",
            ],
            ["Would Tuesday at 10 work to walk your managers through it?"],
            ["Would Thursday at 2pm work instead?"],
            ["Would Friday at 9 work then?"],
        ],
    ],
    "sponsor_prep": [
        [
            ["Just tell him it pays for itself, he'll be fine with that."],
            [
                "What you should do is read him our ROI slide word for word.",
                "What you need to do is show him our ROI slide and tell him it's a no brainer.",
            ],
            ["Don't worry about it, he'll love it."],
        ],
        [
            ["What does Martin care most about this year?"],
            [
                "Come on Tom, you really need to get him to sign tomorrow or we'll lose the slot.",
                "You really need to push him to decide tomorrow, I can't hold this price.",
            ],
            ["Seriously, you have to get this signed tomorrow. It's urgent."],
        ],
    ],
    "cfo_best_price": [
        [["OK, I'll take 15% off.", "Fine, 20% it is."]],
        [
            [
                "If you sign a two-year term, I can bring the rate down by 6%.",
                "If you can commit to two years, I can take 6% off.",
            ],
        ],
        [
            ["What price would work for you?", "What number are you looking for?"],
            ["Just tell me your number and I'll see what I can do."],
            ["What would the number need to be for you to sign?"],
        ],
    ],
    "procurement_negotiation": [
        [
            [
                "Corvane is cheap because it's junk, you get what you pay for.",
                "Honestly, Corvane's product barely works once you're live.",
            ],
            ["Their support is terrible, everyone knows it."],
        ],
        [
            ["What price would make this work for you?", "What number are you looking for?"],
            ["OK. I'll drop it by 20%.", "Fine, 20% it is."],
        ],
    ],
    "anti_sponsor": [
        [
            [
                "Forgepoint is basically a dead product, everyone's moving off it.",
                "Honestly, Forgepoint is junk, their support takes a week to answer.",
            ],
        ],
        [
            ["That makes sense. How does the forecast roll-up work in Forgepoint today?"],
            [
                "Don't worry about that, migrations are never a problem with us.",
                "Honestly, it's nothing to worry about, it's a no brainer.",
            ],
        ],
    ],
    "cfo_concerns": [
        [
            ["Don't worry, it won't fail. It's never a problem with our customers."],
            ["Honestly, there's nothing to worry about, it's a no brainer."],
            ["Trust me, you'll be fine."],
        ],
        [
            ["I understand. OK, I'll take 15% off to make it easier."],
            ["Fine, 20% it is."],
            ["You really need to sign today or you'll lose the slot."],
        ],
    ],
    "ceo_two_minutes": [
        [
            [
                "We have AI forecasting, pipeline dashboards, Salesforce sync, deal scoring "
                "and 40 integrations.",
                "Our platform does AI deal scoring, custom dashboards, Slack alerts, automated "
                "roll-ups and 60+ integrations.",
            ],
        ],
        [
            ["How was the conference last week?", "How's your week going?"],
            ["So, what do you think of forecasting in general?"],
        ],
    ],
    "deal_journey": [
        [
            [
                "Teams like yours cut forecast misses in half within a quarter.",
                "Harbour Logistics got their forecast within 4% in two quarters.",
            ],
            ["OK, I'll take 15% off.", "Fine, 20% it is."],
        ],
        [
            ["How does the sales forecast feed into your cash plan?"],
            ["What budget have you set aside for this?"],
            ["Teams like yours get forecast misses down to under 5% in two quarters."],
            ["If you can commit to two years, I can take 6% off."],
        ],
    ],
}


def _learner(name: str) -> Learner:
    return Learner("test", name, name)


def play(
    trainer: Trainer,
    scenario: str,
    replies: Sequence[str],
    *,
    level: str = "",
    learner: str = "rep",
    quit_at_end: bool = True,
) -> tuple[Scorecard | None, list[Reply]]:
    """Start `scenario` and send every reply until it ends (then /quit unless told not to)."""
    who = _learner(learner)
    replies_seen = [trainer.handle(Inbound(who, f"/start {scenario} {level}".strip()))]
    for text in replies:
        reply = trainer.handle(Inbound(who, text))
        replies_seen.append(reply)
        if reply.ended:
            cards = reply.of_type(Scorecard)
            return cards[0] if cards else None, replies_seen
    if not quit_at_end:
        return None, replies_seen
    quit_reply = trainer.handle(Inbound(who, "/quit"))
    return quit_reply.of_type(Scorecard)[0], replies_seen


def draw(script: Script, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(list(pool)) for pool in script]


def _transcript(replies: list[Reply]) -> str:
    return "\n".join(repr(part) for reply in replies for part in reply.parts)


@pytest.fixture
def fresh(library: Library, tmp_path: Path):
    stores: list[SqliteStore] = []

    def make() -> Trainer:
        store = SqliteStore(tmp_path / f"t{len(stores)}.db")
        stores.append(store)
        return Trainer(library, store)

    yield make
    for store in stores:
        store.close()


def test_every_scenario_has_good_and_terrible_reps(library: Library) -> None:
    assert set(GOOD) == set(library.scenarios)
    assert set(TERRIBLE) == set(library.scenarios)


@pytest.mark.parametrize("scenario", sorted(GOOD))
@pytest.mark.parametrize("seed", SEEDS)
def test_good_rep_wins(scenario: str, seed: int, fresh) -> None:
    card, replies = play(fresh(), scenario, draw(GOOD[scenario], seed))
    assert card is not None and card.outcome == "won", _transcript(replies)
    assert card.passed, _transcript(replies)


@pytest.mark.parametrize("scenario", sorted(TERRIBLE))
@pytest.mark.parametrize("seed", SEEDS)
def test_terrible_rep_never_wins(scenario: str, seed: int, fresh) -> None:
    for script in TERRIBLE[scenario]:
        card, replies = play(fresh(), scenario, draw(script, seed))
        assert card is not None, _transcript(replies)
        assert card.outcome != "won" and not card.passed, _transcript(replies)


# --- difficulty levels ----------------------------------------------------------------

COLD_CALL_NO_PERMISSION = [
    "Hi Dana, Sam from Kestrel. I'm calling because we help sales leaders trust their forecast.",
]


@pytest.mark.parametrize("scenario", ["cold_call", "cfo_best_price", "procurement_negotiation"])
def test_levels_are_defined(scenario: str, library: Library) -> None:
    assert {"easy", "hard"} <= set(library.scenario(scenario).levels)


def test_cold_call_hard_level_brushes_off_even_a_good_opening(fresh) -> None:
    opening = GOOD["cold_call"][0][0]
    trainer = fresh()
    for level, expected in (("normal", "discovery"), ("hard", "brush_off")):
        play(trainer, "cold_call", [opening], level=level, learner=level, quit_at_end=False)
        session = trainer.store.active_session(trainer.store.learner("test", level, level).id)
        assert session.state == expected, level


def test_cold_call_easy_reveals_a_pain_without_background(fresh) -> None:
    replies = [GOOD["cold_call"][0][0], "What's the hardest part of getting the forecast right?"]
    trainer = fresh()
    for level, expected in (("easy", "deeper"), ("normal", "discovery")):
        play(trainer, "cold_call", replies, level=level, learner=level, quit_at_end=False)
        session = trainer.store.active_session(trainer.store.learner("test", level, level).id)
        assert session.state == expected, level


def test_negotiation_easy_closes_after_one_trade_normal_needs_two(fresh) -> None:
    script = [pool[0] for pool in GOOD["cfo_best_price"]][:4]
    easy, _ = play(fresh(), "cfo_best_price", script, level="easy")
    normal, _ = play(fresh(), "cfo_best_price", script, level="normal")
    assert easy.outcome == "won" and normal.outcome != "won"


def test_negotiation_hard_walks_out_when_asked_to_name_the_price(fresh) -> None:
    replies = ["What price would work for you?"]
    hard, _ = play(fresh(), "cfo_best_price", replies, level="hard")
    normal, _ = play(fresh(), "cfo_best_price", replies, level="normal")
    assert hard.outcome == "lost" and normal.outcome == "quit"


def test_procurement_ledger_shows_every_trade(fresh) -> None:
    card, _ = play(fresh(), "procurement_negotiation", draw(GOOD["procurement_negotiation"], 0))
    assert card.outcome == "won"
    assert len(card.ledger) == 3
    assert all(line.get for line in card.ledger)


# --- the deal journey carries what was earned ------------------------------------------


def test_deal_journey_carries_the_sponsor_commitment(fresh) -> None:
    """After a passed sponsor preparation, Helen skips the business case."""
    trainer = fresh()
    card, _ = play(trainer, "sponsor_prep", draw(GOOD["sponsor_prep"], 0), learner="journey")
    assert card.passed
    short = [pool[0] for pool in GOOD["deal_journey"][3:]]
    warm, _ = play(
        trainer, "deal_journey", ["Thanks for making the time, Helen.", *short], learner="journey"
    )
    cold, _ = play(
        fresh(), "deal_journey", ["Thanks for making the time, Helen.", *short], learner="journey"
    )
    assert warm.outcome == "won" and warm.passed
    assert cold.outcome != "won"


def test_deal_journey_carries_pains_revealed_in_the_cold_call(fresh) -> None:
    """Dana's pains make a value statement credible to Helen without more discovery."""
    value = GOOD["deal_journey"][2][0]
    trainer = fresh()
    card, _ = play(trainer, "cold_call", draw(GOOD["cold_call"], 0), learner="journey")
    assert card.passed
    play(trainer, "deal_journey", [value], learner="journey", quit_at_end=False)
    with_history = trainer.store.active_session(trainer.store.learner("test", "journey").id)
    other = fresh()
    play(other, "deal_journey", [value], learner="journey", quit_at_end=False)
    without = other.store.active_session(other.store.learner("test", "journey").id)
    assert with_history.state == "price_ask"
    assert without.state == "business_case"


def test_whole_journey_gatekeeper_to_signature(fresh) -> None:
    trainer = fresh()
    for scenario in ("gatekeeper", "cold_call", "spin_discovery", "sponsor_prep"):
        card, _ = play(trainer, scenario, draw(GOOD[scenario], 1), learner="journey")
        assert card.passed, scenario
    card, _ = play(
        trainer,
        "deal_journey",
        ["Good to meet you, Helen."] + [pool[0] for pool in GOOD["deal_journey"][3:]],
        learner="journey",
    )
    assert card.passed


# --- content rules --------------------------------------------------------------------


def test_every_persona_line_has_three_variants(library: Library) -> None:
    for persona_id, source in library.personas.items():
        persona = source.model
        spoken = {**persona.lines, **persona.objections}
        for key, variants in spoken.items():
            assert len(variants) >= 3, f"{persona_id}.{key}"
        for item in (*persona.facts, *persona.pains):
            assert len(item.text) >= 3, f"{persona_id}.{item.id}"
        for pain in persona.pains:
            assert len(pain.implication) >= 3, f"{persona_id}.{pain.id}.implication"
            assert pain.payoff is None or len(pain.payoff) >= 3, f"{persona_id}.{pain.id}"


def test_content_loads_cleanly_and_ids_match_file_names(library: Library) -> None:
    assert library.problems == []
    for kind in ("personas", "flows", "scenarios"):
        for content_id, source in getattr(library, kind).items():
            assert source.path.stem == content_id


def test_every_non_terminal_state_has_three_hints_and_terminals_have_outcomes(
    library: Library,
) -> None:
    for flow_id, source in library.flows.items():
        for name, state in source.model.states.items():
            if state.terminal:
                assert not state.transitions, f"{flow_id}.{name}"
            else:
                assert len(state.hint) == 3, f"{flow_id}.{name}: nudge, prompt, example"
                assert state.expects, f"{flow_id}.{name}"


def test_every_flow_ends_a_conversation_that_goes_nowhere(library: Library) -> None:
    for flow_id, source in library.flows.items():
        flow = source.model
        for name, state in flow.states.items():
            if state.terminal:
                continue
            guards = [t.when for t in (*state.transitions, *flow.always) if t.to]
            assert any(g.turns_in_state_at_least or g.mood_below is not None for g in guards), (
                f"{flow_id}.{name} has no patience limit"
            )
