"""The export's data dictionary: what every table and column means, in Danish.

Each exported table gets one row, and each of its columns one row with its type
and meaning. A column without a description is an error
(:func:`data_dictionary` raises), so a new column cannot slip out undocumented.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from fundament_lib.framework.model import Framework

from .export_tables import CONFIDENTIAL_PREFIX

__all__ = ["data_dictionary"]

_TABLES = {
    "scores": "Score (0–100) pr. kommune × gruppe × pejlemærke/tema i kommunens seneste runde, som "
              "briefingen viser den; skjulte celler har ingen tal.",
    "items": "Svarfordeling pr. kommune × gruppe × spørgsmål, som briefingen viser den; skjulte celler har ingen tal.",
    "subgroup_scores": "De borgernære lederes score pr. fagområde, som briefingen viser den.",
    "gaps": "Forskellen stab − borgernære ledere pr. kommune × pejlemærke/tema, kun hvor begge grupper vises.",
    "benchmark": "Kommunens placering blandt alle kommuner, i regionen og i kommunegruppen (alle ledere).",
    "changes": "Ændring siden forrige runde pr. kommune × gruppe × pejlemærke/tema, kun hvor begge runder vises.",
    "roles": "De borgernære lederes vurdering af hver stabsfunktions fem roller (0–100), som briefingen viser den.",
    "burden": "Andel borgernære ledere, der peger på hvert opgaveområde som tidsrøver, som briefingen viser den.",
    "scales": "Hvilken skala (antal trin) hvert tema og hver spørgsmålsblok er stillet på i kommunens måling.",
    "analyses": "Hvilke analyser kommunens data tillod, og hvorfor ikke, hvor en analyse mangler (som i briefingen).",
    f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": "FORTROLIGT: svar på respondentniveau (ét svar pr. række). "
        "Kun til forskere med adgang til rådata. Må ikke offentliggøres eller deles. Fritekst er renset for navne, "
        "e-mail og telefonnumre.",
    f"{CONFIDENTIAL_PREFIX}scorer_pr_respondent": "FORTROLIGT: hver respondents scorer (0–100). Kun til forskere "
        "med adgang til rådata. Må ikke offentliggøres eller deles.",
}
_COLUMNS = {
    "kommunekode": "Kommunens 3-cifrede kode (Danmarks Statistik)",
    "kommune": "Kommunens navn",
    "wave": "Undersøgelsesrunde, fx 2025",
    "min_n": "Kommunens diskretionsgrænse: der vises intet om færre svar",
    "id": "Pejlemærke (P1, P2) eller tema (P1.1 …)",
    "title": "Pejlemærkets eller temaets titel",
    "level": "'pejlemaerke' eller 'theme' (tema)",
    "group": "Respondentgruppe: 'alle', 'stab' (stab og ledelse) eller 'borgernaer' (borgernære ledere)",
    "n": "Antal respondenter (scorer) eller substantielle svar (spørgsmål) bag tallet; tom når skjult",
    "score": "Gennemsnit på 0–100 (laveste svarmulighed = 0, højeste = 100); for afkrydsning andel valgt × 100",
    "top2": "Andel positive svar (de to øverste svarmuligheder), 0–1",
    "ci_low": "Nedre grænse af scorens konfidensinterval (bootstrap over respondenter, niveau som i briefingen)",
    "ci_high": "Øvre grænse af scorens konfidensinterval (bootstrap over respondenter, niveau som i briefingen)",
    "suppressed": "Sand, hvis cellen er skjult af diskretionshensyn",
    "suppression": "Hvorfor skjult: 'few' (for få svar), 'complement' (ville afsløre en mindre gruppe), 'empty'",
    "suppression_text": "Hvorfor skjult, på dansk",
    "item_id": "Spørgsmålets id i rammens kodebog",
    "block": "Spørgsmålets blok: theme, importance, outcome, role, burden, prerequisite …",
    "theme": "Temaet, spørgsmålet hører til (tom for spørgsmål uden tema)",
    "text": "Spørgsmålets ordlyd",
    "dont_know": "Antal 'Ved ikke'-svar (tæller ikke med i n eller gennemsnit)",
    "missing": "Antal ubesvarede",
    "fagomraade": "Fagområde (de borgernære lederes)",
    "respondent_id": "Respondentens id (entydigt i datasættet) – FORTROLIGT",
    "stabsfunktion": "Stabsfunktion (stabens respondenter)",
    "ledelsesniveau": "Ledelsesniveau",
    "value": "Svaret som tal (kun ved substantielt svar)",
    "status": "'svar', 'ved_ikke' eller 'ubesvaret'",
    "points": "Antal trin (K) på den skala, svaret er givet på; værdien går fra 1 (skalaens negative ende) til K; "
              "tom for afkrydsning, tal og tekst. I tabellen scales: temaets skalaer, adskilt af komma, hvis der "
              "er flere",
    "n_stab": "Antal respondenter i staben bag forskellen",
    "n_borgernaer": "Antal borgernære ledere bag forskellen",
    "diff": "Forskel i point: stabens score minus de borgernære lederes",
    "hedges_g": "Standardiseret forskel (Hedges' g)",
    "p": "p-værdi (Welch-test)",
    "p_holm": "p-værdi justeret for antallet af temaer (Holm)",
    "clear": "Sand, hvis forskellen/ændringen er klar (Holm-justeret p under 5 %) – samme dom som i briefingen",
    "norm": "Det normale på landsplan: medianen af forskellen stab − borgernære ledere over kommunerne",
    "large": "Sand, hvis forskellen er klar og større end det normale på landsplan",
    "rank": "Placering blandt alle kommuner (1 = højeste score)",
    "n_kommuner": "Antal kommuner i sammenligningen",
    "percentile": "Percentil blandt alle kommuner (100 = højeste)",
    "rank_ci_low": "Bedste placering i 95 %-intervallet for placeringen",
    "rank_ci_high": "Dårligste placering i 95 %-intervallet for placeringen",
    "rank_region": "Placering i regionen", "n_region": "Antal kommuner i regionen",
    "percentile_region": "Percentil i regionen",
    "rank_region_ci_low": "Bedste placering i regionen (95 %-interval)",
    "rank_region_ci_high": "Dårligste placering i regionen (95 %-interval)",
    "rank_kommunegruppe": "Placering i kommunegruppen", "n_kommunegruppe": "Antal kommuner i kommunegruppen",
    "percentile_kommunegruppe": "Percentil i kommunegruppen",
    "rank_kommunegruppe_ci_low": "Bedste placering i kommunegruppen (95 %-interval)",
    "rank_kommunegruppe_ci_high": "Dårligste placering i kommunegruppen (95 %-interval)",
    "wave_previous": "Forrige runde", "n_previous": "Antal respondenter i forrige runde",
    "n_latest": "Antal respondenter i seneste runde", "score_previous": "Score i forrige runde",
    "score_latest": "Score i seneste runde", "change": "Ændring i point (seneste minus forrige runde)",
    "function": "Stabsfunktion, der vurderes", "role": "Rollen, der vurderes",
    "area": "Opgaveområde", "share": "Andel (0–1)",
    "framework_points": "Antal trin på rammens egen skala for spørgsmålene",
    "analysis": "Analysen: benchmark, gaps, changes, drivers, reliability, priority, fagomraade, roles, burden, "
                "free_text",
    "done": "Sand, hvis analysen kunne laves på kommunens data",
    "reason": "Hvorfor ikke (kode): not_asked, one_kommune, one_group, no_previous_wave, few_respondents, hidden, "
              "all_strong",
}
_TEXT_IN = {"analyses": {"text": "Hvorfor analysen mangler, på dansk, som briefingen siger det"},
            f"{CONFIDENTIAL_PREFIX}svar_pr_respondent": {"text": "Fritekstsvar, renset for navne, e-mail og "
                                                                 "telefonnumre – FORTROLIGT"}}


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "sand/falsk"
    if pd.api.types.is_integer_dtype(s):
        return "heltal"
    if pd.api.types.is_float_dtype(s):
        values = s.dropna()
        return "heltal" if len(values) and (values == values.round()).all() and s.name != "score" else "decimaltal"
    return "tekst"


def _meaning(table: str, col: str, fw: Framework) -> str:
    if col in _TEXT_IN.get(table, {}):
        return _TEXT_IN[table][col]
    if re.fullmatch(r"c\d+", col):
        code = int(col[1:])
        likert = fw.scales[fw.theme_scale].labels
        label = f" (fx '{likert[code]}' på temaudsagnene)" if code in likert else ""
        return f"Antal svar med kode {code} på spørgsmålets skala{label}; 0/1 for afkrydsning"
    titles = {i: t for i, t in [(d.id, d.title) for d in fw.domains] + [(t.id, t.title) for t in fw.themes()]}
    if col in titles:
        return f"Respondentens score (0–100) på {col} {titles[col]}; tom uden nok besvarede udsagn"
    return _COLUMNS.get(col, "")


def data_dictionary(tables: Mapping[str, pd.DataFrame], fw: Framework) -> pd.DataFrame:
    """One row per table (column ``"(tabel)"``) and per column: ``table``, ``column``, ``type``, ``meaning``.

    Raises
    ------
    ValueError
        If a column has no description (so a new column cannot slip out undocumented).
    """
    rows = []
    for name, frame in tables.items():
        rows.append({"table": name, "column": "(tabel)", "type": "", "meaning": _TABLES.get(name, "")})
        for col in frame.columns:
            meaning = _meaning(name, str(col), fw)
            if not meaning:
                raise ValueError(f"column {col!r} of table {name!r} has no entry in the data dictionary")
            rows.append({"table": name, "column": str(col), "type": _kind(frame[col]), "meaning": meaning})
    return pd.DataFrame(rows)
