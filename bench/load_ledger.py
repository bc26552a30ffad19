"""The load run's bookkeeping and verdict (bench/load_faults.py): what every request answered,
what every acknowledged write was, whether each one is in the database exactly once, and
whether the run proved anything at all.

A ledger kind passes only when it acknowledged at least its floor of writes (a run where
every write was refused proves nothing), lost none and duplicated none. "ok" is the status
the route documents, nothing else: a 403 or a 401 on a write is an error, not a success.
The verdict code needs no database: tests/scaling/test_load_faults.py checks it directly.
"""

import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# The write kinds, in the order of the table.
KINDS = (
    "contributions",
    "votes",
    "comments",
    "follows",
    "reports",
    "moderation",
    "answers",
)
# The floor: acknowledged writes of each kind per 120 s of run, scaled with the duration.
FLOOR_PER_120S = 100
# Each variant of a contribution (point, line, area; with and without a photo) has at least
# this share of the contributions' floor.
VARIANT_SHARE = 0.1
ERROR_RATE_TARGET = 0.5  # % of requests outside the fault windows
RATE_LIMITED_TARGET = 1.0  # % of all requests answered 429
RECOVERY_TARGET_S = 10.0
# The proof that the rate limits are on: one address asks for six vote links in a row, and
# the sixth is refused (email_link: 5 an hour per address).
LIMITER_EXPECTED = [202] * 5 + [429]

# What each route answers when it did what it was asked (its documented status).
EXPECTED = {
    "page": {200},
    "clusters": {200},
    "tile": {200, 204},
    "detail": {200},
    "submit": {201},
    "vote request": {202},  # an address's vote: a confirmation link is mailed
    "vote link": {200},  # the link opened: what it would do, with its button
    "vote confirm": {302},  # the button: the vote counts, back to the contribution
    "comment": {201},
    "follow request": {302},  # the page's form: a link is mailed
    "follow link": {200},
    "follow confirm": {302},
    "report": {302},
    "staff page": {200},
    "moderation": {302},
    "answer": {302},
}
READ_ROUTES = ("clusters", "tile", "detail")
WRITE_ROUTES = (
    "submit",
    "vote request",
    "vote confirm",
    "comment",
    "follow request",
    "follow confirm",
    "report",
    "moderation",
    "answer",
)
READ_TARGET_MS, WRITE_TARGET_MS = 300, 1000


def floor_for(duration_s: float, per_120s: int = FLOOR_PER_120S) -> int:
    return max(1, math.ceil(per_120s * duration_s / 120))


@dataclass
class Sample:
    start: float
    route: str
    ms: float
    status: int | None  # None: no answer (connection refused or reset, timeout)
    error: str = ""  # the exception's name when there was no answer

    @property
    def ok(self) -> bool:
        return self.status in EXPECTED[self.route]

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else (self.error or "no answer")


@dataclass
class Recorder:
    """What every request answered and every write the clients saw acknowledged."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list = field(default_factory=list)
    # kind -> {key: detail}; the key says how to find the write again.
    ledger: dict = field(default_factory=lambda: {kind: {} for kind in KINDS})
    gave_up: Counter = field(default_factory=Counter)  # kind -> writes never acknowledged
    variants: Counter = field(default_factory=Counter)  # "line, photo" -> acknowledged
    residents: int = 0

    def add(self, sample: Sample):
        with self.lock:
            self.samples.append(sample)

    def acknowledge(self, kind: str, key, detail=None):
        with self.lock:
            self.ledger[kind][key] = detail

    def give_up(self, kind: str):
        with self.lock:
            self.gave_up[kind] += 1


@dataclass
class KindResult:
    acknowledged: int
    lost: int
    duplicated: int
    examples: list = field(default_factory=list)  # a few lost or duplicated keys, to look up

    def passes(self, floor: int) -> bool:
        return self.acknowledged >= floor and self.lost == 0 and self.duplicated == 0


@dataclass
class Outcome:
    """The run's figures, from which the table and the verdict are made."""

    duration_s: float
    floor: int
    kinds: dict  # kind -> KindResult
    variants: dict = field(default_factory=dict)  # "point, photo" -> acknowledged
    photos_missing: int = 0
    requests: int = 0
    outside: int = 0
    errors_outside: Counter = field(default_factory=Counter)  # status label -> count
    inside: int = 0
    errors_inside: Counter = field(default_factory=Counter)
    rate_limited: int = 0
    recovery_s: float | None = None
    faults_expected: bool = True
    limiter: list = field(default_factory=list)  # statuses of the rate-limit probe

    @property
    def limits_on(self) -> bool:
        return self.limiter == LIMITER_EXPECTED

    @property
    def error_rate(self) -> float:
        return 100 * sum(self.errors_outside.values()) / self.outside if self.outside else 0.0

    @property
    def rate_limited_share(self) -> float:
        return 100 * self.rate_limited / self.requests if self.requests else 0.0

    @property
    def variant_floor(self) -> int:
        return max(1, math.ceil(self.floor * VARIANT_SHARE))


def failures(outcome: Outcome) -> list[str]:
    """Every target the run missed, in words; empty when it passed."""
    missed = []
    for kind in KINDS:
        result = outcome.kinds.get(kind) or KindResult(0, 0, 0)
        if result.acknowledged < outcome.floor:
            missed.append(
                f"{kind}: {result.acknowledged} acknowledged, below the floor of {outcome.floor}"
            )
        if result.lost:
            missed.append(f"{kind}: {result.lost} acknowledged but not in the database")
        if result.duplicated:
            missed.append(f"{kind}: {result.duplicated} written more than once")
    for variant in contribution_variants():
        count = outcome.variants.get(variant, 0)
        if count < outcome.variant_floor:
            missed.append(
                f"contributions ({variant}): {count} acknowledged, below {outcome.variant_floor}"
            )
    if outcome.photos_missing:
        missed.append(f"{outcome.photos_missing} acknowledged contributions lack their photo")
    if outcome.outside == 0:
        missed.append("no request outside the fault windows")
    if outcome.error_rate >= ERROR_RATE_TARGET:
        missed.append(
            f"errors outside fault windows {outcome.error_rate:.2f}% >= {ERROR_RATE_TARGET}%"
        )
    if outcome.rate_limited_share >= RATE_LIMITED_TARGET:
        missed.append(
            f"429 on {outcome.rate_limited_share:.2f}% of requests >= {RATE_LIMITED_TARGET}%"
        )
    if not outcome.limits_on:
        missed.append(f"rate limits not in force: six links to one address got {outcome.limiter}")
    if outcome.faults_expected and (
        outcome.recovery_s is None or outcome.recovery_s >= RECOVERY_TARGET_S
    ):
        missed.append(f"recovery after the PostgreSQL restart: {outcome.recovery_s} s")
    return missed


def contribution_variants():
    return [
        f"{shape}, {photo}" for shape in ("point", "line", "area") for photo in ("photo", "none")
    ]


def in_window(sample, windows) -> bool:
    """Whether the request was in flight at some moment of a fault window."""
    end = sample.start + sample.ms / 1000
    return any(sample.start <= stop and end >= start for _name, start, stop in windows)


def tally(samples, windows):
    """Requests inside and outside the fault windows, errors by status, 429s apart."""

    counts = {"outside": 0, "inside": 0, "rate_limited": 0}
    errors_outside, errors_inside = Counter(), Counter()
    for sample in samples:
        if sample.status == 429:
            counts["rate_limited"] += 1
            continue  # counted apart, not as an error
        where = "inside" if in_window(sample, windows) else "outside"
        counts[where] += 1
        if not sample.ok:
            (errors_inside if where == "inside" else errors_outside)[sample.label] += 1
    return counts, errors_outside, errors_inside


def latencies(samples, windows):
    """Route -> times (ms) of its ok answers outside the fault windows."""
    found = defaultdict(list)
    for sample in samples:
        if sample.ok and not in_window(sample, windows):
            found[sample.route].append(sample.ms)
    return found


# ------------------------------------------------------------------ against the database


def check_ledger(db, ledger, email_participant) -> tuple[dict, int]:
    """Each acknowledged write looked up in the database (a psycopg connection):
    kind -> KindResult, and how many acknowledged contributions lack their photo.
    `email_participant` turns an address into the participant its confirmed vote is."""
    results = {}

    # Contributions: by id, and by their unique title for duplicates; photos and shapes.
    contributions = ledger["contributions"]  # id -> (title, shape, photo)
    ids = list(contributions)
    rows = db.execute(
        "SELECT c.id::text, c.title, ST_GeometryType(c.geom),"
        " (SELECT count(*) FROM contributions_photo p WHERE p.contribution_id = c.id)"
        " FROM contributions_contribution c WHERE c.id = ANY(%s::uuid[])",
        [ids],
    ).fetchall()
    found = {row[0]: row for row in rows}
    titles = [title for title, _shape, _photo in contributions.values()]
    title_counts = dict(
        db.execute(
            "SELECT title, count(*) FROM contributions_contribution WHERE title = ANY(%s)"
            " GROUP BY title",
            [titles],
        ).fetchall()
    )
    missing = [
        pk
        for pk, (title, shape, _photo) in contributions.items()
        if pk not in found or found[pk][1] != title or SHAPES[shape] not in found[pk][2]
    ]
    photos_missing = sum(
        1
        for pk, (_t, _s, photo) in contributions.items()
        if photo and pk in found and not found[pk][3]
    )
    results["contributions"] = KindResult(
        len(contributions),
        len(missing),
        sum(max(0, n - 1) for n in title_counts.values()),
        missing[:5] + [title for title, n in title_counts.items() if n > 1][:5],
    )

    # Votes: (contribution, confirmed address); one row per participant by constraint.
    votes = list(ledger["votes"])  # (contribution id, email)
    pairs = [(pk, email_participant(email)) for pk, email in votes]
    counts = Counter(
        {
            (pk, participant): n
            for pk, participant, n in db.execute(
                "SELECT contribution_id::text, participant, count(*) FROM contributions_vote"
                " WHERE participant = ANY(%s) GROUP BY 1, 2",
                [[participant for _pk, participant in pairs]],
            ).fetchall()
        }
    )
    results["votes"] = _by_count(pairs, counts)

    # Comments: by id and by their unique body.
    comments = ledger["comments"]  # id -> body
    by_body = Counter(
        dict(
            db.execute(
                "SELECT body, count(*) FROM contributions_comment WHERE body = ANY(%s)"
                " GROUP BY body",
                [list(comments.values())],
            ).fetchall()
        )
    )
    present = {
        row[0]
        for row in db.execute(
            "SELECT id::text FROM contributions_comment WHERE id = ANY(%s::uuid[])",
            [list(comments)],
        ).fetchall()
    }
    results["comments"] = KindResult(
        len(comments),
        sum(1 for pk in comments if pk not in present),
        sum(max(0, n - 1) for n in by_body.values()),
        [pk for pk in comments if pk not in present][:5]
        + [body for body, n in by_body.items() if n > 1][:5],
    )

    # Follows: (contribution, address), written once confirmed.
    follows = list(ledger["follows"])
    counts = Counter(
        {
            (pk, email): n
            for pk, email, n in db.execute(
                "SELECT contribution_id::text, email, count(*) FROM contributions_follow"
                " WHERE email = ANY(%s) GROUP BY 1, 2",
                [[email for _pk, email in follows]],
            ).fetchall()
        }
    )
    results["follows"] = _by_count(follows, counts)

    # Reports: by their unique reason.
    reports = list(ledger["reports"])  # (contribution id, reason)
    counts = Counter(
        {
            (pk, reason): n
            for pk, reason, n in db.execute(
                "SELECT contribution_id::text, reason, count(*) FROM contributions_abusereport"
                " WHERE reason = ANY(%s) GROUP BY 1, 2",
                [[reason for _pk, reason in reports]],
            ).fetchall()
        }
    )
    results["reports"] = _by_count(reports, counts)

    # Moderation: the comments staff published are published.
    published = list(ledger["moderation"])
    present = {
        row[0]
        for row in db.execute(
            "SELECT id::text FROM contributions_comment WHERE id = ANY(%s::uuid[])"
            " AND status = 'published'",
            [published],
        ).fetchall()
    }
    results["moderation"] = KindResult(
        len(published),
        sum(1 for pk in published if pk not in present),
        0,
        [pk for pk in published if pk not in present][:5],
    )

    # Answers: the contribution carries the answer, and its history holds it once.
    answers = list(ledger["answers"])  # (contribution id, answer)
    current = {
        (pk, answer)
        for pk, answer in db.execute(
            "SELECT id::text, answer FROM contributions_contribution WHERE answer = ANY(%s)",
            [[answer for _pk, answer in answers]],
        ).fetchall()
    }
    history = Counter(
        {
            (pk, answer): n
            for pk, answer, n in db.execute(
                "SELECT contribution_id::text, answer, count(*)"
                " FROM contributions_statuschange WHERE answer = ANY(%s) GROUP BY 1, 2",
                [[answer for _pk, answer in answers]],
            ).fetchall()
        }
    )
    results["answers"] = KindResult(
        len(answers),
        sum(1 for pair in answers if pair not in current or not history[pair]),
        sum(max(0, history[pair] - 1) for pair in answers),
        [list(pair) for pair in answers if pair not in current or history[pair] != 1][:5],
    )
    return results, photos_missing


SHAPES = {"point": "Point", "line": "LineString", "area": "Polygon"}


def _by_count(keys, counts) -> KindResult:
    return KindResult(
        len(keys),
        sum(1 for key in keys if not counts[key]),
        sum(max(0, counts[key] - 1) for key in keys),
        [list(key) for key in keys if counts[key] != 1][:5],
    )
