"""axe-core in a page (the package installed here by npm), and the check that each checkbox
and radio sits on one line with its label."""

from tests.conftest import ROOT, need

AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, what the RGAA 4.1 maps to.
AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


def axe_violations(page):
    """The serious and critical violations of the page as it is now."""
    need(AXE.is_file(), f"axe-core is not installed ({AXE}); run: cd tests/a11y && npm install")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


# For each visible checkbox and radio: its label's first line of text (a Range's first box),
# and whether the box sits on that line, before the text.
BOXES_AND_LABELS = """() => [...document.querySelectorAll(
    "input[type=checkbox], input[type=radio]")]
  .filter(input => input.offsetParent !== null)
  .map(input => {
    const box = input.getBoundingClientRect();
    const label = input.labels && input.labels[0];
    if (!label) return {id: input.id || input.name, label: null};
    const range = document.createRange();
    range.selectNodeContents(label);
    if (label.contains(input)) range.setStartAfter(input);  // a label wrapping its box
    const line = [...range.getClientRects()].find(r => r.width > 0 && r.height > 0);
    const middle = box.top + box.height / 2;
    return {
      id: input.id || input.name,
      label: label.textContent.trim().slice(0, 40),
      sameLine: Boolean(line) && middle >= line.top && middle <= line.bottom,
      before: Boolean(line) && box.right <= line.left + 1 && line.left - box.right < 24,
    };
  })"""


def boxes_apart_from_their_labels(page) -> list[dict]:
    """The checkboxes and radios not on one line with their label, box first ([]: none)."""
    found = page.evaluate(BOXES_AND_LABELS)
    return [item for item in found if not (item.get("sameLine") and item.get("before"))]
