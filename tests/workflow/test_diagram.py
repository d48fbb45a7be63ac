"""The state diagram: drawn from the model's state machine, every state and transition in it,
the current state marked, readable without the picture."""

import re

from django.utils import translation

from workflow.diagram import layout, state_diagram_svg, state_machine, state_steps
from workflow.models import ProposalState, RotationProposal


def nodes(svg: str) -> dict[str, str]:
    """data-state → class of each state box."""
    return {
        state: classes
        for classes, state in re.findall(r'<g class="(sd-state[^"]*)" data-state="([a-z_]+)"', svg)
    }


def edges(svg: str) -> set[tuple[str, str, str]]:
    found = set()
    for names, source, target in re.findall(
        r'<g class="sd-edge" data-transition="([^"]+)" data-from="([a-z_]+)" data-to="([a-z_]+)"',
        svg,
    ):
        for name in names.split():
            found.add((name, source, target))
    return found


def test_the_machine_is_read_from_the_fsm_field():
    states, initial, transitions = state_machine()
    assert states == [s.value for s in ProposalState]
    assert initial == "draft"
    # close_vote returns one of two states: both arrows are there.
    assert ("close_vote", "voting", "approved") in transitions
    assert ("close_vote", "voting", "rejected") in transitions
    field = RotationProposal._meta.get_field("state")
    names = {t.name for t in field.get_all_transitions(RotationProposal)}
    assert {name for name, _source, _target in transitions} == names


def test_every_state_and_every_transition_is_drawn():
    with translation.override("vi"):
        svg = str(state_diagram_svg(current="in_review"))
    _states, _initial, transitions = state_machine()
    assert set(nodes(svg)) == {s.value for s in ProposalState}
    assert edges(svg) == set(transitions)
    for state in ProposalState:
        assert f">{state.label}</text>" in svg


def test_the_current_state_is_marked_and_the_states_passed_too():
    svg = str(state_diagram_svg(current="voting", visited={"draft", "submitted", "voting"}))
    classes = nodes(svg)
    assert classes["voting"] == "sd-state sd-current"
    assert classes["draft"] == classes["submitted"] == "sd-state sd-visited"
    assert classes["approved"] == "sd-state"
    assert sum("sd-current" in c for c in classes.values()) == 1


def test_the_picture_names_itself_and_the_current_state():
    with translation.override("vi"):
        svg = str(state_diagram_svg(current="endorsed", title_id="d"))
    assert 'role="img" aria-labelledby="d-title d-desc"' in svg
    assert '<title id="d-title">Sơ đồ trạng thái của đề xuất</title>' in svg
    assert "Đề xuất đang ở trạng thái “Đã thẩm định, trình BTV”." in svg


def test_the_boxes_do_not_overlap_and_fit_the_picture():
    states, initial, transitions = state_machine()
    labels = {s.value: str(s.label) for s in ProposalState}
    placed, _edges = layout(states, initial, transitions, labels)
    boxes = list(placed.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a.x + a.width <= b.x
                or b.x + b.width <= a.x
                or a.y + a.height <= b.y
                or b.y + b.height <= a.y
            )
            assert apart, (a.state, b.state)
    svg = str(state_diagram_svg())
    x0, y0, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    for box in boxes:
        assert x0 <= box.x and box.x + box.width <= x0 + width
        assert y0 <= box.y and box.y + box.height <= y0 + height


def test_the_usual_life_runs_down_the_middle():
    states, initial, transitions = state_machine()
    labels = {s: s for s in states}
    placed, _edges = layout(states, initial, transitions, labels)
    spine = [s for s in sorted(placed, key=lambda s: placed[s].row) if placed[s].column == 1]
    assert spine == [
        "draft",
        "submitted",
        "in_review",
        "endorsed",
        "voting",
        "approved",
        "issued",
        "in_effect",
        "completed",
    ]


def test_a_state_added_to_a_machine_is_drawn_without_an_edit():
    states = ["new", "open", "done", "dropped"]
    transitions = [("open", "new", "open"), ("finish", "open", "done"), ("drop", "new", "dropped")]
    placed, drawn = layout(states, "new", transitions, {s: s.title() for s in states})
    assert set(placed) == set(states)
    assert placed["dropped"].column != 1
    assert {(e.source, e.target) for e in drawn} == {(s, t) for _n, s, t in transitions}


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
    assert ">Draft</text>" in svg
    assert "State diagram of the proposal" in svg
