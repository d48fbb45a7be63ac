"""The state diagram: drawn once per language from the list of transitions, every state and
transition in it, the current state marked, readable without the picture; the README's diagram
comes from the same list."""

import re
from pathlib import Path

from django.utils import translation
from django_fsm import RETURN_VALUE

from workflow import diagram
from workflow.diagram import Edge, declared_edges, draw, mermaid, state_diagram_svg, state_steps
from workflow.models import ProposalState, RotationProposal

README = Path(__file__).resolve().parents[2] / "README.md"


def nodes(svg: str) -> dict[str, str]:
    """data-state → class of each state box."""
    return {
        state: classes
        for classes, state in re.findall(r'<g class="(sd-state[^"]*)" data-state="([a-z_]+)"', svg)
    }


def edges(svg: str) -> set[tuple[str, str, str]]:
    return set(
        re.findall(
            r'<g class="sd-edge" data-transition="([a-z_]+)" data-from="([a-z_]+)" '
            r'data-to="([a-z_]+)"',
            svg,
        )
    )


def transitions() -> set[tuple[str, str, str]]:
    return {(e.name, source, e.target) for e in declared_edges() for source in e.sources}


def test_the_edges_are_the_declared_transitions_which_the_fsm_field_runs():
    found = transitions()
    # close_vote returns one of two states: both arrows are there.
    assert ("close_vote", "voting", "approved") in found
    assert ("close_vote", "voting", "rejected") in found
    field = RotationProposal._meta.get_field("state")
    fsm = set()
    for t in field.get_all_transitions(RotationProposal):
        targets = t.target.allowed_states if isinstance(t.target, RETURN_VALUE) else [t.target]
        fsm |= {(t.name, str(t.source), str(target)) for target in targets}
    assert found == fsm


def test_every_state_and_every_transition_is_drawn():
    with translation.override("vi"):
        svg = str(state_diagram_svg(current="in_review"))
    assert set(nodes(svg)) == {s.value for s in ProposalState}
    assert edges(svg) == transitions()
    boxes = re.findall(r'data-state="([a-z_]+)"><rect[^>]*/><text[^>]*>(.*?)</text>', svg)
    with translation.override("vi"):
        assert {
            state: " ".join(re.findall(r">([^<]+)</tspan>", text)) for state, text in boxes
        } == {state.value: str(state.label) for state in ProposalState}


def test_every_state_has_a_place_and_no_two_boxes_overlap():
    assert set(diagram.PLACES) == set(ProposalState.values)
    assert len(set(diagram.PLACES.values())) == len(diagram.PLACES)


def test_it_is_drawn_once_per_language():
    diagram._drawn.cache_clear()
    for language in ("vi", "en", "vi"):
        with translation.override(language):
            state_diagram_svg(current="draft")
            state_diagram_svg(current="voting", visited={"draft"})
    assert diagram._drawn.cache_info().misses == 2


def test_the_current_state_is_marked_and_the_states_passed_too():
    svg = str(state_diagram_svg(current="voting", visited={"draft", "submitted", "voting"}))
    classes = nodes(svg)
    assert classes["voting"] == "sd-state sd-current"
    assert classes["draft"] == classes["submitted"] == "sd-state sd-visited"
    assert classes["approved"] == "sd-state"
    assert sum("sd-current" in c for c in classes.values()) == 1


def test_the_picture_names_itself_and_the_current_state_and_scales_to_its_box():
    with translation.override("vi"):
        svg = str(state_diagram_svg(current="endorsed"))
    assert 'role="img" aria-labelledby="state-diagram-title state-diagram-desc"' in svg
    assert '<title id="state-diagram-title">Sơ đồ trạng thái của đề xuất</title>' in svg
    assert "Đề xuất đang ở trạng thái “Đã thẩm định, trình BTV”." in svg
    # A viewBox and no fixed size: the CSS fits it to the width of a phone.
    assert re.search(r'<svg [^>]*viewBox="0 0 [\d.]+ [\d.]+"', svg)
    assert not re.search(r"<svg [^>]*width=", svg)


def test_a_long_label_wraps_in_its_box():
    with translation.override("en"):
        svg = str(state_diagram_svg())
    assert ">Endorsed to the</tspan>" in svg
    assert ">Standing Committee</tspan>" in svg


def test_the_drawing_takes_any_list_of_edges():
    labels = {s.value: s.value for s in ProposalState}
    svg = draw(labels, [Edge("go", ("draft", "submitted"), "withdrawn", "go")])
    assert edges(svg) == {("go", "draft", "withdrawn"), ("go", "submitted", "withdrawn")}
    # The longer arrow of an action into the same state joins the shorter one: one arrowhead,
    # one label.
    assert svg.count('marker-end="url(#sd-arrow)"') == 1
    assert svg.count('class="sd-edge-label"') == 1


def test_the_text_alternative_lists_where_each_state_leads():
    with translation.override("vi"):
        steps = {step.state: step for step in state_steps(current="voting", visited={"draft"})}
    assert steps["voting"].current and not steps["draft"].current
    assert steps["draft"].visited
    assert ("kết thúc biểu quyết", "BTV đã thông qua") in steps["voting"].leads_to
    assert ("kết thúc biểu quyết", "Không thông qua") in steps["voting"].leads_to
    assert ("hủy biểu quyết", "Đã thẩm định, trình BTV") in steps["voting"].leads_to
    assert steps["completed"].leads_to == []


def test_the_labels_follow_the_language():
    with translation.override("en"):
        svg = str(state_diagram_svg(current="draft"))
    assert ">Draft</tspan>" in svg
    assert "State diagram of the proposal" in svg


def test_the_readme_shows_the_same_diagram():
    block = mermaid()
    assert block in README.read_text(), (
        "README.md's workflow diagram is out of date; replace its mermaid block with:\n" + block
    )
