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
