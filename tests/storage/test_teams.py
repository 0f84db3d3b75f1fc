"""People across platforms, membership and the manager relation, on a real SQLite file."""

from __future__ import annotations

from bot.storage.sqlite import SqliteStore


def test_a_new_identity_is_a_new_person(store: SqliteStore) -> None:
    with store.transaction():
        a = store.learner("slack", "T:U1", "Ana")
        b = store.learner("telegram", "42", "Ana")
    assert a.person_id != b.person_id and store.person_name(a.person_id) == "Ana"


def test_merging_people_moves_identities_teams_and_certificates(store: SqliteStore) -> None:
    with store.transaction():
        slack = store.learner("slack", "T:U1", "Ana")
        telegram = store.learner("telegram", "42", "ana_t")
        team = store.create_team("West")
        store.add_member(team.id, telegram.person_id, "rep")
        store.add_member(team.id, slack.person_id, "rep")
        session = store.create_session(
            telegram.id, "cold_call", "v", "normal", _state(), mode="exam"
        )
        store.certify(telegram.person_id, "cold_call", "normal", session.id, 80)
        store.merge_person(telegram.person_id, slack.person_id)
    assert store.find_learner("telegram", "42").person_id == slack.person_id
    assert [c.score for c in store.certificates(slack.person_id)] == [80]
    assert store.count("team_members") == 1  # the duplicate membership folded into one
    assert store.count("people", "id = ?", [telegram.person_id]) == 0
    assert [s.id for s in store.person_sessions(slack.person_id)] == [session.id]


def test_manages_needs_a_shared_team_with_the_right_roles(store: SqliteStore) -> None:
    with store.transaction():
        boss, rep, peer = (store.learner("t", u).person_id for u in ("boss", "rep", "peer"))
        west, east = store.create_team("West"), store.create_team("East")
        store.add_member(west.id, boss, "manager")
        store.add_member(west.id, rep, "rep")
        store.add_member(east.id, peer, "rep")
    assert store.manages(boss, rep)
    assert not store.manages(rep, boss) and not store.manages(boss, peer)
    assert not store.manages(rep, rep)
    assert store.team("west") == west  # names are case-insensitive


def test_the_moves_table_mirrors_the_vocabulary(store: SqliteStore) -> None:
    from bot.vocabulary import vocabulary

    rows = store.read("SELECT id, skill FROM moves", {})
    assert {r["id"]: r["skill"] for r in rows} == {
        m.id: m.skill for m in vocabulary().moves.values()
    }


def _state():
    from bot.storage.base import SessionState

    return SessionState("start", 0, {}, 0)
