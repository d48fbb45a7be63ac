"""The proposal's state diagram: an SVG drawn once per language from the list of transitions,
then marked for each page with the current state and the states passed (a class on two boxes).

The life of a proposal runs down the left column; the states it can leave that life for sit in
the right column. An arrow between neighbours is a straight line; any other arrow leaves its
state sideways, runs along a lane between the columns (one lane per target) and enters its target.
The same transitions give the README's mermaid block (`mermaid()`).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import ProposalState
from .models import ProposalState as S
from .transitions import TRANSITIONS

# Where each state sits: the usual life of a proposal down the left column, the ways out of it
# on the right, beside the states they are reached from.
GRID = """
draft      withdrawn
submitted  returned
in_review  rejected
endorsed
voting
approved
issued     revoked
in_effect
completed
"""
PLACES = {
    state: (column, row)
    for row, line in enumerate(GRID.strip().splitlines())
    for column, state in enumerate(line.split())
}
COLUMN_X, COLUMN_WIDTH = (20, 262), (166, 112)
ROW_PITCH, BOX_HEIGHT, LANE_GAP, PORT_GAP = 64, 40, 14, 8
CHAR_WIDTH = 8.1  # average advance of a 15 px letter


@dataclass(frozen=True)
class Edge:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str


def declared_edges() -> list[Edge]:
    """The transitions as workflow/transitions.py declares them (one edge per target). The only
    place that knows where the transitions come from: the drawing takes any list of edges."""
    return [
        Edge(t.name, tuple(str(s) for s in t.sources), str(target), str(t.label))
        for t in TRANSITIONS
        for target in t.target
    ]


def _box(state):
    column, row = PLACES[state]
    return COLUMN_X[column], 8 + row * ROW_PITCH, COLUMN_WIDTH[column], BOX_HEIGHT


def _lines(label: str, width: float) -> list[str]:
    """The label in one line, or two split at the space nearest the middle when too long."""
    if len(label) * CHAR_WIDTH <= width - 12 or " " not in label:
        return [label]
    spaces = [i for i, c in enumerate(label) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return [label[:cut], label[cut + 1 :]]


def draw(labels: dict[str, str], edges: list[Edge]) -> str:
    """The diagram's boxes and arrows (the inside of the <svg>), for the given state labels."""
    arrows = {(s, e.target): e for e in edges for s in e.sources}
    row = {state: place[1] for state, place in PLACES.items()}
    elbows = [(s, t) for s, t in arrows if PLACES[s][0] != PLACES[t][0] and row[s] != row[t]]
    lanes = {t: i for i, t in enumerate(sorted({t for _s, t in elbows}, key=row.get))}
    # An arrow going up leaves its box above the middle, one going down below, the farthest
    # outermost; the middle is for the arrows straight across.
    ports = {}
    for source in PLACES:
        for sign in (-1, 1):
            away = [t for s, t in elbows if s == source and (row[t] - row[source]) * sign > 0]
            away.sort(key=lambda t: -abs(row[t] - row[source]))
            for i, target in enumerate(away):
                ports[(source, target)] = sign * (4 + PORT_GAP * (len(away) - i))
    parts, texts, joins = [], [], {}
    # Shortest arrows first: a longer arrow for the same action joins the one drawn before.
    for source, target in sorted(arrows, key=lambda st: abs(row[st[0]] - row[st[1]])):
        edge, back = arrows[(source, target)], (target, source) in arrows
        (sx, sy, sw, sh), (tx, ty, tw, th) = _box(source), _box(target)
        x1, x2 = (sx + sw, tx) if tx > sx else (sx, tx + tw)
        head, label = True, None
        if PLACES[source][0] == PLACES[target][0]:  # a column: straight, both ways side by side
            down = row[target] > row[source]
            x = sx + sw / 2 + (12 if down else -12) * back
            y1, y2 = (sy + sh, ty) if down else (sy, ty + th)
            path = f"M{x},{y1} V{y2}"
            label = (
                (x + 6, (y1 + y2) / 2 + 4, "start")
                if down or not back
                else (x - 6, (y1 + y2) / 2 + 4, "end")
            )
        elif row[source] == row[target]:  # straight across, the way back below
            y = sy + sh / 2 + 5 * back * (1 if tx < sx else -1)
            path = f"M{x1},{y} H{x2}"
            label = ((x1 + x2) / 2, y + (12 if back and tx < sx else -4), "middle")
            joins.setdefault((edge.label, target), y)
        else:  # along the target's lane, joining an arrow of the same action when there is one
            lane = x1 + LANE_GAP * (1 + lanes[target]) * (1 if tx > sx else -1)
            y1 = sy + sh / 2 + ports[(source, target)]
            joined = joins.get((edge.label, target))
            if joined is None:
                y2 = joins[(edge.label, target)] = ty + th / 2
                path = f"M{x1},{y1} H{lane} V{y2} H{x2}"
                label = (lane + 4, (y1 + y2) / 2 + 4, "start")
            else:
                path, head = f"M{x1},{y1} H{lane} V{joined}", False
        marker = ' marker-end="url(#sd-arrow)"' if head else ""
        parts.append(
            f'<g class="sd-edge" data-transition="{edge.name}" data-from="{source}" '
            f'data-to="{target}"><title>{escape(labels[source])} → {escape(labels[target])}: '
            f'{escape(edge.label)}</title><path d="{path}"{marker}/></g>'
        )
        if label:
            texts.append(
                f'<text class="sd-edge-label" x="{label[0]}" y="{label[1]}" '
                f'text-anchor="{label[2]}" aria-hidden="true">{escape(edge.label)}</text>'
            )
    for state, label in labels.items():
        x, y, w, h = _box(state)
        lines = _lines(label, w)
        tspans = "".join(
            f'<tspan x="{x + w / 2}" y="{y + h / 2 + 5 + 16 * (i - (len(lines) - 1) / 2)}">'
            f"{escape(line)}</tspan>"
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<g class="sd-state" data-state="{state}"><rect x="{x}" y="{y}" width="{w}" '
            f'height="{h}" rx="7"/><text text-anchor="middle">{tspans}</text></g>'
        )
    return "".join(parts + texts)


def _size() -> tuple[float, float]:
    right = max(x + w for x, _y, w, _h in map(_box, PLACES))
    bottom = max(y + h for _x, y, _w, h in map(_box, PLACES))
    return right + 8, bottom + 8


@lru_cache(maxsize=8)
def _edges(language: str) -> list[Edge]:
    return declared_edges()


@lru_cache(maxsize=8)
def _drawn(language: str) -> str:
    labels = {state.value: str(state.label) for state in ProposalState}
    return draw(labels, _edges(language))


def state_diagram_svg(*, current: str | None = None, visited=()) -> str:
    """The SVG (safe HTML) with every state and transition; `current` filled, `visited` marked."""
    body = _drawn(get_language())
    for state in {*visited} - {current}:
        body = body.replace(
            f'"sd-state" data-state="{state}"', f'"sd-state sd-visited" data-state="{state}"'
        )
    if current:
        body = body.replace(
            f'"sd-state" data-state="{current}"', f'"sd-state sd-current" data-state="{current}"'
        )
        desc = _("The proposal is now in the state “%(state)s”.") % {
            "state": ProposalState(current).label
        }
    else:
        desc = _("Every state of a proposal and the actions that lead from one to another.")
    title = _("State diagram of the proposal")
    width, height = _size()
    return mark_safe(
        f'<svg class="state-diagram" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="state-diagram-title state-diagram-desc">'
        f'<title id="state-diagram-title">{escape(title)}</title>'
        f'<desc id="state-diagram-desc">{escape(desc)}</desc>'
        '<defs><marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'class="sd-arrow"/></marker></defs>{body}</svg>'
    )


@dataclass
class StateStep:
    state: str
    label: str
    current: bool
    visited: bool
    leads_to: list[tuple[str, str]]  # (action label, state label)


def state_steps(*, current: str | None = None, visited=()) -> list[StateStep]:
    """The diagram as text: each state and where its actions lead (the SVG's text alternative)."""
    edges = _edges(get_language())
    return [
        StateStep(
            state.value,
            str(state.label),
            state == current,
            state in visited,
            sorted({(e.label, str(S(e.target).label)) for e in edges if state in e.sources}),
        )
        for state in ProposalState
    ]


def mermaid(edges: list[Edge] | None = None) -> str:
    """The diagram as a mermaid block for the README, in English."""
    with translation.override("en"):
        lines = ["```mermaid", "stateDiagram-v2"]
        lines += [f'    state "{state.label}" as {state.value}' for state in ProposalState]
        lines.append(f"    [*] --> {S.DRAFT.value}")
        order = list(ProposalState.values).index
        arrows = [(s, e.target, e.label) for e in edges or declared_edges() for s in e.sources]
        arrows.sort(key=lambda a: (order(a[0]), order(a[1])))
        lines += [f"    {source} --> {target}: {label}" for source, target, label in arrows]
    return "\n".join(lines + ["```"])
