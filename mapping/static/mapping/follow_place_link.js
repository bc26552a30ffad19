// The map page's "Follow a place" link carries the map's current centre, so the follow page
// can offer a circle around it. Without the map (no JavaScript, no Leaflet) the link still
// opens the page, with the commune choice.
(function () {
  "use strict";
  var link = document.getElementById("follow-place-link");
  if (!link) return;
  function withCentre() {
    var state = window.projectMap;
    if (!state || !state.map || !state.map.getCenter) return;
    var centre = state.map.getCenter();
    var url = new URL(link.getAttribute("href"), window.location.href);
    url.searchParams.set("lon", centre.lng.toFixed(6));
    url.searchParams.set("lat", centre.lat.toFixed(6));
    link.setAttribute("href", url.pathname + url.search);
  }
  link.addEventListener("click", withCentre);
  link.addEventListener("focus", withCentre);
  link.addEventListener("mouseenter", withCentre);
})();
