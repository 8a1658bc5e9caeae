"""Addresses to places: the offline matcher over the standard address register (标准地址库).

A hotline or app work order often carries only an address as a citizen said it — "周河村滨江路297号附近",
"江阴市南闸街道金巷社区春申路340号". The register (tables address_roads and address_points, migration
005) holds the county's roads with their door-number ranges, door plates, compounds, buildings and
named places, each in its grid. Matching is done here, offline, in three steps:

  normalise  full-width characters, 號/幢/栋 spellings, a few traditional characters, spaces and
             punctuation, the province/city/county prefix, trailing 附近/旁/对面/门口/…
  parse      town, village, road, door number, compound/place and building, read against the
             county's own names (every town and village, jy_area_names) — the vocabulary no general
             parser has (see docs/data.md: why not jionlp/cpca); a misspelt village by its closest name
  candidates one SQL statement for the whole batch (geo/sql/address_candidates.sql): the village's
             roads nearest in name with the door plate or the number interpolated along the road,
             or the compounds/buildings/places nearest in name (pg_trgm, GIN index)

Each candidate gets a score in 0..1 (SCORE below); an address is *clear* when its best candidate
scores at least CLEAR and leads the next place by MARGIN; otherwise it is not guessed: the caller
lists the candidates (Open311's 400, the form's choices) or queues the row for a person (imports).
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from geo import db, sqlfiles

CLEAR = 0.75          # the best candidate's score at least this …
MARGIN = 0.08         # … and this far ahead of the next different place
MAX_CANDIDATES = 5
# The score's parts (they add to 1 for a road address with village, road and a plate of that number).
W_ROAD_NAME, W_VILLAGE, W_NUMBER = 0.45, 0.35, 0.20
W_PLACE_NAME, W_PLACE_AREA = 0.85, 0.15

# a handful of traditional characters and variants seen in typed addresses
_VARIANTS = str.maketrans({"號": "号", "陰": "阴", "園": "园", "區": "区", "鎮": "镇", "橋": "桥", "東": "东",
                           "長": "长", "華": "华", "興": "兴", "陽": "阳", "龍": "龙", "鳳": "凤", "灣": "湾",
                           "莊": "庄", "門": "门", "樓": "楼", "圍": "围", "澂": "澄", "巿": "市", "衖": "弄",
                           "栋": "幢", "座": "幢"})
_PREFIXES = ("中华人民共和国", "中国", "江苏省", "江苏", "无锡市", "无锡", "江阴市", "江阴")
_SUFFIX = re.compile(r"(?:附近|旁边|旁|对面|对过|周边|一带|边上|门口|路口|交叉口|东侧|西侧|南侧|北侧|东面|西面|南面|北面"
                     r"|往?[东西南北]\d+米处?|\d+米处?|处)+$")
_PUNCT = re.compile(r"[\s,，、;；:：。.（）()\[\]【】\"'“”‘’<>《》/\\|]+")
_ROAD = re.compile(r"^(?P<road>.{1,12}?(?:大道|路|街|巷|弄|道))(?:(?P<num>\d{1,5})(?:号|#)?)?(?P<rest>.*)$")
_BUILDING = re.compile(r"(?P<b>\d{1,3})(?:幢|号楼|#楼?)")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=号|幢)")
_VILLAGE_SUFFIXES = ("社区", "村")
_ROAD_SUFFIXES = ("大道", "路", "街", "巷", "弄", "道")
_TOWN_SUFFIXES = ("街道", "镇")


def _cn_to_int(s: str) -> int | None:
    """三百四十 -> 340, 十二 -> 12, 二〇五 -> 205."""
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            cur = _CN_DIGITS[c]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[c]
            total += (cur or 1) * unit
            cur = 0
    return total + cur


def normalise(text: str) -> str:
    """The address in the register's spelling: half-width, simplified, no spaces or punctuation, no
    county prefix, no trailing "nearby" words, numbers in digits."""
    s = unicodedata.normalize("NFKC", text or "").translate(_VARIANTS)
    s = _PUNCT.sub("", s)
    s = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), s)
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p) and not s[len(p):].startswith("高新"):   # 江阴高新技术产业开发区
                s, changed = s[len(p):], True
    return _SUFFIX.sub("", s)


@dataclass(frozen=True)
class Parsed:
    text: str                       # as written
    normalised: str
    town: str | None = None         # codes
    village: str | None = None
    village_guess: bool = False     # the village by its closest name, not as written
    road: str | None = None
    number: int | None = None
    place: str | None = None        # compound, building or named place
    town_conflict: bool = False     # the village written is not in the town written


@dataclass(frozen=True)
class Candidate:
    label: str                      # town, village and the register's name: 南闸街道金巷社区春申路340号
    kind: str                       # road | compound | building | place
    code: str
    score: float
    lon: float
    lat: float
    grid_code: str | None
    village_code: str
    town_code: str

    def as_dict(self) -> dict:
        return {"label": self.label, "kind": self.kind, "score": round(self.score, 3), "lon": round(self.lon, 7),
                "lat": round(self.lat, 7), "grid_code": self.grid_code, "village_code": self.village_code,
                "town_code": self.town_code}


@dataclass
class Match:
    parsed: Parsed
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        """The candidate the address clearly means, or None (nothing, or several places alike)."""
        if not self.candidates or self.candidates[0].grid_code is None:
            return None
        top = self.candidates[0]
        if top.score < CLEAR:
            return None
        rival = self.candidates[1] if len(self.candidates) > 1 else None     # another place (deduplicated)
        return top if rival is None or top.score - rival.score >= MARGIN else None

    @property
    def status(self) -> str:
        return "clear" if self.best else ("ambiguous" if self.candidates else "none")

    def describe(self) -> tuple[str, str]:
        """(English, Chinese) of why this address is not placed, listing what was found."""
        text = self.parsed.text
        if not self.candidates:
            return (f"address {text!r} matches nothing in the address register",
                    f"地址“{text}”在标准地址库中没有找到")
        found_en = "; ".join(f"{c.label} ({c.score:.2f})" for c in self.candidates)
        found_zh = "；".join(f"{i}. {c.label}（匹配度 {c.score:.2f}）" for i, c in enumerate(self.candidates, 1))
        tie = len(self.candidates) > 1 and self.candidates[0].score - self.candidates[1].score < MARGIN
        if self.candidates[0].score < CLEAR and not tie:
            return (f"address {text!r} matches nothing clearly; closest: {found_en}",
                    f"地址“{text}”没有可靠的匹配，最接近的有：{found_zh}")
        return (f"address {text!r} fits several places alike: {found_en}",
                f"地址“{text}”对应多处，无法确定：{found_zh}")


# ------------------------------------------------------------------------------------ vocabulary
class Vocabulary:
    """The county's town and village names (jy_area_names), for reading an address's prefix."""

    def __init__(self, rows: list[tuple[str, int, str, str]]):
        self.towns: dict[str, str] = {}           # name or short name -> code
        self.villages: dict[str, list[str]] = {}  # name or stem -> codes
        self.village_name: dict[str, str] = {}
        self.town_name: dict[str, str] = {}
        self.village_town: dict[str, str] = {}
        for code, level, name, town in rows:
            if level == 1:
                self.town_name[code] = name
                self.towns[name] = code
                for suf in _TOWN_SUFFIXES:
                    if name.endswith(suf) and len(name) > len(suf) + 1:
                        self.towns.setdefault(name[: -len(suf)], code)
                if name.endswith("开发区"):
                    self.towns.setdefault("高新区", code)
                    self.towns.setdefault(name.removeprefix("江阴"), code)
            else:
                self.village_name[code] = name
                self.village_town[code] = town
                self.villages.setdefault(name, []).append(code)
                for suf in _VILLAGE_SUFFIXES:
                    if name.endswith(suf) and len(name) > len(suf) + 1:
                        self.villages.setdefault(name[: -len(suf)], []).append(code)
        self.village_names = list(self.village_name.values())
        self._longest_town = max(map(len, self.towns), default=0)
        self._longest_village = max(map(len, self.villages), default=0)

    def _prefix(self, s: str, table: dict, longest: int):
        for n in range(min(longest, len(s)), 1, -1):
            if s[:n] in table:
                return s[:n], table[s[:n]]
        return None, None

    def parse(self, text: str) -> Parsed:
        s = normalise(text)
        norm = s
        town = village = None
        stem = ""               # a village written by its stem (花巷): a compound's name may start with it
        guess = conflict = False
        word, code = self._prefix(s, self.towns, self._longest_town)
        village_word, _ = self._prefix(s, self.villages, self._longest_village)
        short_town = False
        if word and len(village_word or "") <= len(word):        # 周庄社区… is a village, not 周庄(镇) + 社区…
            town, s = code, s[len(word):]
            short_town = code is not None and self.town_name.get(code) != word
        after_town = s
        word, codes = self._prefix(s, self.villages, self._longest_village)
        if word and not word.endswith(_VILLAGE_SUFFIXES) and s[len(word):].startswith(_ROAD_SUFFIXES):
            word = codes = None             # 花园路…: a road named like a village's stem (花园村)
        if word and codes:
            inside = [c for c in codes if town is None or self.village_town[c] == town]
            if inside:
                village = inside[0] if len(inside) == 1 else None
            else:
                village, conflict = codes[0], len(codes) == 1
            if village or inside:
                s = s[len(word):]
                stem = word if not word.endswith(_VILLAGE_SUFFIXES) else ""
        m = _ROAD.match(s)
        road = number = place = None
        if m and (m.group("num") or not m.group("rest")):
            road, rest = m.group("road"), m.group("rest")
            number = int(m.group("num")) if m.group("num") else None
            if village is None and not word:
                village, road, guess = self._village_in(road, town)
            if rest and _BUILDING.search(rest) and not number:
                place = rest
        elif s:
            # a place's name often starts with its town's short name (澄江派出所): keep it then
            place = stem + s if village else after_town if not short_town else self.town_name_short(town) + after_town
            if village is None:
                village, place, guess = self._village_in(place, town)
        if place:
            place = _BUILDING.sub(lambda b: f"{b.group('b')}幢", place)
        return Parsed(text, norm, town, village, guess, road or None, number, place or None, conflict)

    def town_name_short(self, town: str | None) -> str:
        name = self.town_name.get(town or "", "")
        return next((name[: -len(suf)] for suf in _TOWN_SUFFIXES if name.endswith(suf)), name)

    def _village_in(self, head: str, town: str | None):
        """A village written misspelt at the start of `head` ("周和村滨江路"): the closest village name
        (in the town, when written) and what follows it; else (None, head, False)."""
        for suf in _VILLAGE_SUFFIXES:
            at = head.find(suf)
            if 1 < at <= 8:
                written, rest = head[: at + len(suf)], head[at + len(suf):]
                if not rest:
                    break
                names = [self.village_name[c] for c in self.village_name
                         if town is None or self.village_town[c] == town]
                close = difflib.get_close_matches(written, names, n=2, cutoff=0.6)
                if len(close) == 1 or (close and close[0] != close[1]
                                       and difflib.SequenceMatcher(None, written, close[0]).ratio()
                                       > difflib.SequenceMatcher(None, written, close[1]).ratio()):
                    codes = self.villages[close[0]]
                    if len(codes) == 1:
                        return codes[0], rest, True
                break
        return None, head, False


VOCAB_TTL_S = 60.0          # a grid import renames or adds a village: seen within a minute


def vocabulary(conn) -> Vocabulary:
    """The county's names (jy_area_names), read once a minute per database — not on every match; none
    without a signed context (nothing kept then)."""
    return db.kept(conn, "area_names", VOCAB_TTL_S,
                   lambda: Vocabulary(db.tuples(conn, "SELECT code, level, name, town_code FROM jy_area_names()")),
                   keep=lambda v: bool(v.town_name))


# ------------------------------------------------------------------------------------ matching
def _name_score(register: str, written: str | None, trigram: float) -> float:
    if not written:
        return 0.0
    if register == written:
        return 1.0
    return max(float(trigram), difflib.SequenceMatcher(None, register, written).ratio())


def _score(row: dict, p: Parsed) -> float:
    if row["kind"] == "road":
        name = _name_score(row["name_only"], p.road, row["s_name"])
        if row["village_given"]:
            area = 0.85 if p.village_guess else 1.0
            if p.town_conflict:
                area *= 0.6
        else:
            area = 0.3 if p.town else 0.0
        if p.number is None:
            number = 0.5
        else:
            number = 1.0 if row["door"] else (0.9 if row["in_range"] else 0.2)
        return W_ROAD_NAME * name + W_VILLAGE * area + W_NUMBER * number
    name = _name_score(row["name"], p.place, row["s_name"])
    return W_PLACE_NAME * name + W_PLACE_AREA * (1.0 if row["village_given"] else 0.5 if p.town else 0.0)


def match(conn, texts: list[str]) -> list[Match]:
    """Candidates, best first, for each address (one SQL statement for all of them)."""
    vocab = vocabulary(conn)
    parsed = [vocab.parse(t) for t in texts]
    out = [Match(p) for p in parsed]
    ask = [(i, p) for i, p in enumerate(parsed) if p.road or p.place]
    if not ask:
        return out
    rows = db.rows(conn, sqlfiles.load("address_candidates"), {
        "i": [i for i, _ in ask], "town": [p.town for _, p in ask], "village": [p.village for _, p in ask],
        "road": [p.road for _, p in ask], "num": [p.number for _, p in ask], "place": [p.place for _, p in ask]})
    for r in rows:
        p = parsed[r["i"]]
        r["name_only"] = r["name"] if r["kind"] != "road" else re.sub(r"\d+号$", "", r["name"])
        score = min(1.0, max(0.0, _score(r, p)))
        label = vocab.town_name.get(r["town_code"], "") + vocab.village_name.get(r["village_code"], "") + r["name"]
        out[r["i"]].candidates.append(Candidate(label, r["kind"], r["code"], score, float(r["lon"]), float(r["lat"]),
                                                r["grid_code"], r["village_code"], r["town_code"]))
    for m in out:
        m.candidates.sort(key=lambda c: (-c.score, c.code))
        seen, kept = set(), []
        for c in m.candidates:
            if (c.code, c.label) not in seen:
                seen.add((c.code, c.label))
                kept.append(c)
        m.candidates = kept[:MAX_CANDIDATES]
    return out


def match_one(conn, text: str) -> Match:
    return match(conn, [text])[0]


# ------------------------------------------------------------------------------------ review queue
_REVIEW_LIST = """
SELECT id, source, file_name, row_number, external_id, address, report, candidates, best_score, created_at, created_by,
       count(*) OVER () AS open_total            -- every open row the caller sees, not only those listed
  FROM address_review WHERE status = 'open' ORDER BY created_at, id LIMIT %(limit)s
"""
_REVIEW_ONE = "SELECT * FROM address_review WHERE id = %(id)s AND status = 'open' FOR UPDATE"
_REVIEW_CLOSE = """
UPDATE address_review SET status = %(status)s, event_id = %(event)s, resolved_by = %(by)s, resolved_at = now()
 WHERE id = %(id)s AND status = 'open'
"""


def review_open(conn, limit: int = 200) -> list[dict]:
    """The open rows of the review queue the caller sees (row-level security: the importer's area), the
    oldest `limit`; each row carries `open_total`, how many are open in all."""
    return db.rows(conn, _REVIEW_LIST, {"limit": limit})


def review_count(conn) -> int:
    return int(db.value(conn, "SELECT count(*) FROM address_review WHERE status = 'open'") or 0)


def review_place(conn, review_id: int, lon: float, lat: float, by, label: str | None = None,
                 score: float | None = None) -> int:
    """A queued row placed by a person at a point (a candidate's, or one picked on the map, CGCS2000):
    the event is created by the one intake path under the file's number and source, and the row
    closed, in one transaction. The event id."""
    from geo import intake
    from geo.errors import NotFound

    with conn.transaction():
        row = db.one(conn, _REVIEW_ONE, {"id": review_id})
        if row is None:
            raise NotFound(f"no open review row {review_id}", f"待核地址 {review_id} 不存在或已处理。")
        r = row["report"]
        rep = intake.Report(r["category_code"], r["description"], int(r["priority"]), lon, lat, "wgs84",
                            address=row["address"], reporter=r.get("reporter"), source=r.get("source") or "hotline",
                            external_id=row["external_id"],
                            reported_at=dt.datetime.fromisoformat(r["reported_at"]) if r.get("time_given") else None,
                            address_match=label, address_score=score)
        who = intake.Reporter(by.username, by.role, by.name, by.via, by.staff_id, row["source"])
        event_id = intake.submit(conn, [rep], who)[0]
        conn.execute(_REVIEW_CLOSE, {"status": "placed", "event": event_id, "by": by.name, "id": review_id})
    return event_id


def review_dismiss(conn, review_id: int, by) -> None:
    """A queued row that is no event (a test call, a duplicate): closed without one."""
    from geo.errors import NotFound

    with conn.transaction():
        if conn.execute(_REVIEW_CLOSE, {"status": "dismissed", "event": None, "by": by.name, "id": review_id}).rowcount != 1:
            raise NotFound(f"no open review row {review_id}", f"待核地址 {review_id} 不存在或已处理。")
