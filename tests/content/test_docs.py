"""The generated docs stay true to the content and the vocabulary."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli.docs_command import docs_command
from bot.content.library import Library, default_content_root
from bot.docs import scenarios_markdown, stale_docs, techniques_markdown
from bot.vocabulary import vocabulary


def test_committed_docs_are_up_to_date(library: Library) -> None:
    stale = stale_docs(library, default_content_root())
    assert not stale, f"stale generated docs {stale}: run `roleplay docs`"


def test_check_option_fails_when_a_doc_is_stale(tmp_path, library: Library) -> None:
    for kind in ("personas", "state_machines", "scenarios"):
        (tmp_path / kind).mkdir()
        for source in getattr(library, "flows" if kind == "state_machines" else kind).values():
            if source.path.parent.name == kind:
                (tmp_path / kind / source.path.name).write_bytes(source.path.read_bytes())
    runner = CliRunner()
    assert runner.invoke(docs_command, ["--check", "--content", str(tmp_path)]).exit_code != 0
    assert runner.invoke(docs_command, ["--content", str(tmp_path)]).exit_code == 0
    assert runner.invoke(docs_command, ["--check", "--content", str(tmp_path)]).exit_code == 0
    (tmp_path / "docs" / "scenarios.md").write_text("edited by hand\n", encoding="utf-8")
    assert runner.invoke(docs_command, ["--check", "--content", str(tmp_path)]).exit_code != 0


def test_every_scenario_has_a_section_and_a_diagram(library: Library) -> None:
    text = scenarios_markdown(library)
    for scenario_id, source in library.scenarios.items():
        assert f"## {source.model.title}" in text
        assert f'<a id="{scenario_id.replace("_", "-")}"></a>' in text
    assert text.count("```mermaid") == len(library.scenarios)


def test_every_technique_link_has_its_anchor() -> None:
    text = techniques_markdown()
    for technique in vocabulary().techniques.values():
        assert f'<a id="{technique.link.split("#", 1)[1]}"></a>' in text
        assert f"## {technique.name}" in text
    for move in vocabulary().ids:
        assert f"`{move}`" in text
