"""The suite's comparison: every output read under one filter combination, each set against
what its meaning of "matching" says (tests/consistency/truth.py)."""

from tests.consistency.registry import OUTPUTS
from tests.consistency.truth import differences


def disagreements(client, project, truth, combo, outputs=OUTPUTS) -> dict[str, list[str]]:
    """{output name: what it gets wrong} for the outputs that can express the combination
    and do not agree with the truth; {} when every one agrees."""
    found = {}
    for output in outputs:
        reading = output.read(client, project, combo.filters)
        if reading is None:
            continue
        expected = truth.expected(combo.filters, output.meaning, output.box, output.communes)
        problems = differences(reading, expected)
        if problems:
            found[output.name] = problems
    return found
