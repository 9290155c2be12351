"""What a briefing hides to protect small groups, in plain Danish: the list in section 7 and the
fagområde figure's caption. Built from the summary's ``suppressed`` list, grouped by who the hidden
cells are about (a respondent group, a fagområde, a staff function, a burden area) and why — never
one line per cell.

Where a respondent group's count is hidden, every cell about that group is hidden with it (its
scores, the sections only it is asked, the ``alle`` row of an item only it answers); those are
told in the group's own line instead of line by line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fundament_lib.framework import GROUP_LABELS
from fundament_lib.results.privacy import REASONS

from .common import asked_block, fw_of

__all__ = ["hidden_lines", "hidden_fagomraader", "omitted_fagomraader_text", "hidden_groups", "frontline_hidden_note",
           "join_da"]

# Tables whose cells are about one respondent group, and what they hold (in Danish).
_GROUP_TABLES = {"scores": "scorer", "items": "svarfordelinger på udsagn", "respondents": "antal svar",
                 "missingness": "«Ved ikke»-andele", "burden_share": "tid til faglig ledelse"}
_PARTIAL = {"scores": "{h} af {n} scorer", "items": "svarfordelingen på {h} af {n} udsagn",
            "respondents": "antal svar", "missingness": "«Ved ikke»-andelen for {h} af {n} temaer",
            "burden_share": "tid til faglig ledelse"}
_SIBLING = {"stab": "borgernaer", "borgernaer": "stab"}
_GROUP_ORDER = ("stab", "borgernaer", "alle")
_WHO = {"stab": "staben", "borgernaer": "de borgernære ledere"}
_UNIT = {"group": "tal", "fagomraade": "scorer", "role": "roller", "area": "tal"}


@dataclass
class _Subject:
    """The hidden cells about one group, fagområde, staff function or burden area."""

    kind: str  # "group", "fagomraade", "role" or "area"
    key: str
    label: str
    reasons: Counter[str] = field(default_factory=Counter)  # reason key → hidden cells
    hidden: Counter[str] = field(default_factory=Counter)  # table → hidden cells
    total: Counter[str] = field(default_factory=Counter)  # table → all cells about the subject
    items: list[str] = field(default_factory=list)  # hidden item ids (group subjects)


def join_da(names: list[str], last: str = "og") -> str:
    """'A', 'A og B', 'A, B og C' (or '… eller C')."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {last} " + names[-1]


def hidden_groups(s: dict[str, Any]) -> dict[str, str]:
    """Respondent groups whose count is hidden → the reason key (``few``, ``complement``, ``empty``)."""
    return {str(r["group"]): str(r.get("suppression")) for r in s["quality"].get("respondents", [])
            if r.get("suppressed")}


def _subjects(s: dict[str, Any]) -> list[_Subject]:
    fw = fw_of(s)
    fag = next((b.options for b in fw.background if b.id == "fagomraade"), {})
    functions = {f.id: f.title for f in fw.roles.functions} if fw.roles is not None else {}
    areas = {a.id: a.title for a in fw.burden.areas} if fw.burden is not None else {}
    found: dict[tuple[str, str], _Subject] = {}
    for e in s.get("suppressed", []):
        table = e.get("table")
        if table in _GROUP_TABLES:
            kind, key, label = "group", str(e["group"]), GROUP_LABELS.get(str(e["group"]), str(e["group"]))
        elif table == "subgroups":
            kind, key = "fagomraade", str(e["group"])
            label = fag.get(key, key)
        elif table == "roles":
            kind, key = "role", str(e["function"])
            label = functions.get(key, key)
        elif table == "burden_areas":
            kind, key = "area", str(e["area"])
            label = areas.get(key, key)
        else:
            continue
        subject = found.setdefault((kind, key), _Subject(kind, key, label))
        subject.reasons[str(e.get("reason", ""))] += 1
        subject.hidden[str(table)] += 1
        if table == "items":
            subject.items.append(str(e.get("item_id")))
    for subject in found.values():
        subject.total.update(_totals(s, subject))
    order = {"group": list(_GROUP_ORDER), "fagomraade": list(fag), "role": list(functions), "area": list(areas)}
    return sorted(found.values(), key=lambda x: (x.kind, order[x.kind].index(x.key) if x.key in order[x.kind]
                                                 else len(order[x.kind])))


def _totals(s: dict[str, Any], subject: _Subject) -> dict[str, int]:
    """How many cells of each table are about the subject, hidden or not."""
    def count(rows: list[dict[str, Any]] | None, column: str) -> int:
        return sum(1 for r in rows or [] if str(r.get(column)) == subject.key)

    if subject.kind == "fagomraade":
        return {"subgroups": count(*_rows(s, "fagomraade"))}
    if subject.kind == "role":
        return {"roles": count(*_rows(s, "role"))}
    if subject.kind == "area":
        return {"burden_areas": 1}
    return {"scores": count(s.get("scores"), "group"), "items": count(s.get("items"), "group"),
            "respondents": count(s["quality"].get("respondents"), "group"),
            "missingness": count(s["quality"].get("missingness"), "group"),
            "burden_share": int(subject.hidden["burden_share"] > 0)}


def _few(k: int) -> str:
    return f"for få svar (under {k})"


_FAGOMRAADE_COMPLEMENT = "skjult, så et andet fagområde med for få svar ikke kan regnes ud"


def _complement(subject: _Subject) -> str:
    if subject.kind == "group" and subject.key in _SIBLING:
        other = GROUP_LABELS[_SIBLING[subject.key]].lower()
        return f"skjult, fordi tallene for {other} ellers kunne regnes ud som forskellen til alle ledere"
    if subject.kind == "fagomraade":
        return _FAGOMRAADE_COMPLEMENT
    return REASONS["complement"]


def _reason(subject: _Subject, k: int) -> str:
    """Why the subject's cells are hidden, e.g. 'for få svar (under 5)'."""
    r = subject.reasons
    few, comp, empty = r.get("few", 0), r.get("complement", 0), r.get("empty", 0)
    other = [x for x in r if x not in ("few", "complement", "empty")]
    parts: list[str] = []
    if few and comp:
        parts.append(f"{few} af {few + comp} {_UNIT[subject.kind]} har {_few(k)}; de øvrige {comp} er "
                     f"{_complement(subject)}")
    elif few:
        parts.append(_few(k))
    elif comp:
        parts.append(_complement(subject))
    if empty:
        parts.append(REASONS["empty"])
    parts += other
    return "; ".join(parts)


def _extent(subject: _Subject) -> str:
    """What is hidden about the subject: '' when everything is, else e.g. ' (2 af 5 roller)'."""
    if subject.kind == "group":
        if all(subject.hidden[t] >= subject.total[t] for t in subject.total if subject.total[t]):
            return ". Ingen af gruppens tal vises for sig"
        whole = [_GROUP_TABLES[t] for t in _GROUP_TABLES if subject.hidden[t] and subject.hidden[t] >= subject.total[t]]
        partial = [_PARTIAL[t].format(h=subject.hidden[t], n=subject.total[t]) for t in _GROUP_TABLES
                   if 0 < subject.hidden[t] < subject.total[t]]
        text = ". Det gælder " + (("gruppens " + join_da(whole)) if whole else "")
        return text + (" samt " if whole and partial else "") + join_da(partial) if partial else text
    table = next(iter(subject.hidden))
    hidden, total = subject.hidden[table], subject.total[table]
    if hidden >= total or total == 0:
        return ""
    return f" ({hidden} af {total} {_UNIT[subject.kind]})"


_KIND = {"fagomraade": ("{names} ({noun})", "fagområde", "fagområder", "Alle fagområder"),
         "role": ("Stabenes roller for {names}", "", "", "Stabenes roller for alle stabsfunktioner"),
         "area": ("Administrativ byrde for {names}", "", "", "Administrativ byrde på alle områder")}


def _follows(s: dict[str, Any]) -> list[str]:
    """What else is hidden when the frontline leaders' group is (sections only they are asked)."""
    fw = fw_of(s)
    return [*(["opdelingen på fagområde"] if any(b.id == "fagomraade" for b in fw.background) else []),
            *(["vurderingen af stabenes roller"] if fw.roles is not None and asked_block(s, "role") else []),
            *(["den administrative byrde"] if fw.burden is not None and asked_block(s, "burden") else [])]


def hidden_lines(s: dict[str, Any]) -> list[str]:
    """One plain-Danish line per group of hidden cells, e.g.
    'Beskæftigelse og Teknik og miljø (fagområder): for få svar (under 5).'"""
    k = int(s["min_n"])
    subjects = _subjects(s)
    groups = hidden_groups(s)
    audience = fw_of(s).single_audience()
    alle = next((x for x in subjects if x.kind == "group" and x.key == "alle"), None)
    # The 'alle' row of an item only a hidden group answers is that group's row: told in its line.
    folded = (alle is not None and bool(alle.items) and set(alle.reasons) <= {"complement"}
              and sum(alle.hidden.values()) == len(alle.items) and all(audience.get(i) in groups for i in alle.items))
    lines: list[str] = []
    pair = _hidden_pair(subjects, groups)
    if pair:  # which of the two is the small one is not said (section 2 calls it «en af grupperne»)
        also = _follows(s)
        lines.append(f"{pair[0].label} og {pair[1].label.lower()}: en af grupperne har {_few(k)}, og den anden er "
                     "skjult, så den lille gruppe ikke kan regnes ud. Ingen af gruppernes tal vises for sig"
                     + (" – heller ikke " + join_da(also, "eller") if also else "") + ".")
    for x in subjects:
        if x.kind != "group" or (folded and x is alle) or (pair and x in pair):
            continue
        own = [i for i in alle.items if audience.get(i) == x.key] if folded and alle is not None else []
        also = [*(_follows(s) if x.key == "borgernaer" and x.key in groups else []),
                *([f"svarene på de {len(own)} udsagn, som kun {_WHO.get(x.key, x.label.lower())} besvarer"]
                  if own else [])]
        extent = _extent(x)
        if also:
            extent += (" – heller ikke " + join_da(also, "eller") if extent.startswith(". Ingen")
                       else ". Heller ikke " + join_da(also, "eller") + " vises")
        lines.append(f"{x.label}: {_reason(x, k)}{extent}.")
    for kind, (pattern, one, many, every_text) in _KIND.items():
        if kind in ("role", "area") and "borgernaer" in groups:
            continue  # hidden with the frontline leaders' group: said in its line
        of_kind = [x for x in subjects if x.kind == kind]
        merged: dict[tuple[str, str], list[str]] = {}
        for x in of_kind:
            merged.setdefault((_reason(x, k), _extent(x)), []).append(x.label)
        every = len(merged) == 1 and len(of_kind) > 2 and len(of_kind) == _count_of_kind(s, kind)
        for (reason, extent), labels in merged.items():
            who = every_text if every else pattern.format(names=join_da(labels),
                                                          noun=one if len(labels) == 1 else many)
            lines.append(f"{who}{extent}: {reason}.")
    return lines


def _hidden_pair(subjects: list[_Subject], groups: dict[str, str]) -> tuple[_Subject, _Subject] | None:
    """Staff and frontline leaders when both are wholly hidden, one for too few answers and the other as
    its complement (Læsø); else None."""
    both = [x for x in subjects if x.kind == "group" and x.key in ("stab", "borgernaer")]
    if len(both) != 2 or {groups.get("stab"), groups.get("borgernaer")} != {"few", "complement"}:
        return None
    if not all(_extent(x).startswith(". Ingen") for x in both):
        return None
    stab = next(x for x in both if x.key == "stab")
    return stab, next(x for x in both if x.key == "borgernaer")


def _count_of_kind(s: dict[str, Any], kind: str) -> int:
    """How many fagområder, staff functions or burden areas the summary has cells for."""
    rows, column = _rows(s, kind)
    return len({str(r.get(column)) for r in rows or []})


def _rows(s: dict[str, Any], kind: str) -> tuple[list[dict[str, Any]] | None, str]:
    """The summary's rows about the fagområder, staff functions or burden areas, and the column that
    names which one a row is about."""
    if kind == "fagomraade":
        return s.get("subgroups", {}).get("fagomraade"), "group"
    if kind == "role":
        return s.get("roles"), "function"
    return (s.get("burden") or {}).get("areas"), "area"


def hidden_fagomraader(s: dict[str, Any]) -> list[str]:
    """Fagområder with every cell hidden (so left out of the figure), in the framework's order."""
    return [x.label for x in _whole_fagomraader(s)]


def omitted_fagomraader_text(s: dict[str, Any]) -> str:
    """The sentence saying which fagområder the figure leaves out and why ('' when none is)."""
    whole = _whole_fagomraader(s)
    if not whole:
        return ""
    k = int(s["min_n"])
    keys = set().union(*(x.reasons for x in whole))
    why = [text for key, text in (("few", _few(k)), ("complement", _FAGOMRAADE_COMPLEMENT), ("empty", REASONS["empty"]))
           if key in keys]
    names = join_da([x.label for x in whole])
    return (f"{names} er udeladt: " + (" eller ".join(why) if why else "skjult for at beskytte små grupper")
            + ". Se «Skjulte tal» i bilaget.")


def _whole_fagomraader(s: dict[str, Any]) -> list[_Subject]:
    return [x for x in _subjects(s) if x.kind == "fagomraade" and x.hidden["subgroups"] >= x.total["subgroups"]]


def frontline_hidden_note(s: dict[str, Any], what: str) -> str | None:
    """'Opdelingen på fagområde vises ikke, fordi …' when the frontline leaders' group is hidden, else None."""
    if "borgernaer" not in hidden_groups(s):
        return None
    return (f"{what} vises ikke, fordi de borgernære lederes tal er skjult for at beskytte en lille gruppe "
            "(se «Skjulte tal» i bilaget).")
