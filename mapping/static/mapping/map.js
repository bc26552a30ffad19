/* The project map (modules/main.js and the modules it imports: one idea each). A classic
 * script that loads the module, so every page keeps the same <script> tag. */
(function () {
  "use strict";
  var script = document.currentScript;
  // The map is one Tab stop (Leaflet makes it so once loaded): said at once, so the page reads
  // the same before the module has run.
  var map = document.getElementById("map");
  if (map && !map.hasAttribute("tabindex")) map.setAttribute("tabindex", "0");
  import(new URL("modules/main.js", script.src).href);
})();
