/* Every page: the header menu is a <details> that opens and closes without JavaScript. Wide screens
   show its content through ::details-content (static/css/omooc.css); where a browser does not know
   that selector, this opens the menu on wide screens and closes it again on narrow ones. */
(function () {
  "use strict";
  var menu = document.querySelector(".site-menu");
  if (!menu || !window.matchMedia) return;
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (supported) return;
  var wide = window.matchMedia("(min-width: 48rem)");
  function apply() { menu.open = wide.matches; }
  apply();
  if (wide.addEventListener) wide.addEventListener("change", apply);
})();

/* Every page: a wide table or chart scrolls sideways inside its wrapper on small screens. A region that
   scrolls must be reachable by keyboard (WCAG 2.1.1): while it overflows, the wrapper is a focusable,
   named region (the table's caption, else the nearest heading before it, with the translated hint
   "scrolls sideways" from <body data-scroll-hint>, so it never repeats the name of its section). */
(function () {
  "use strict";
  var wraps = document.querySelectorAll(".table-wrap, .timeline-wrap");
  if (!wraps.length) return;
  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var headings = document.querySelectorAll("main h1, main h2, main h3");
    var name = "";
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING) {
        name = headings[i].textContent.trim();
      }
    }
    return name || document.title;
  }
  var hint = document.body.getAttribute("data-scroll-hint") || "";
  var used = {};
  function label(wrap) {
    var name = nameOf(wrap) + (hint ? " (" + hint + ")" : "");
    used[name] = (used[name] || 0) + 1;
    return used[name] > 1 ? name + " " + used[name] : name;
  }
  function update() {
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", label(wrap));
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    }
  }
  update();
  window.addEventListener("resize", update);
})();
