// The meeting pack on a projector: the arrow keys move to the next or previous page (the
// title, the overview, the list, then one proposal each), and the position is announced.
"use strict";
(function () {
  const slides = Array.from(document.querySelectorAll(".slide"));
  const position = document.querySelector("[data-position]");
  if (!slides.length) {
    return;
  }
  let current = 0;

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    const slide = slides[current];
    slide.scrollIntoView({ block: "start" });
    slide.focus({ preventScroll: true });
    if (position) {
      position.textContent = `${current + 1} / ${slides.length}`;
    }
  }

  function nearest() {
    // The page whose top is the last one above a third of the screen.
    let found = 0;
    slides.forEach((slide, index) => {
      if (slide.getBoundingClientRect().top <= window.innerHeight / 3) {
        found = index;
      }
    });
    return found;
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || (target && target.closest("input, textarea, select, [role=region]"))) {
      return;
    }
    const moves = { ArrowRight: 1, ArrowLeft: -1, n: 1, p: -1 };
    if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      show(event.key === "Home" ? 0 : slides.length - 1);
      return;
    }
    if (moves[event.key]) {
      event.preventDefault();
      show(nearest() + moves[event.key]);
    }
  });

  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  // The position follows scrolling too (the mouse, a link of the list, the address's #).
  let pending = false;
  function follow() {
    pending = false;
    const text = `${nearest() + 1} / ${slides.length}`;
    if (position && position.textContent !== text) {
      position.textContent = text;
    }
  }
  window.addEventListener("scroll", () => {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(follow);
    }
  }, { passive: true });
  follow();
})();
