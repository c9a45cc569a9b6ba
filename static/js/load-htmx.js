/* Loads htmx from its CDN (with SRI) without ever keeping the page waiting for it.
   The page renders at once; the CDN copy is fetched with a one-second budget and only then
   run, so a slow or unreachable CDN never leaves two copies running: past the budget, or
   on any failure, the vendored copy of the same version is loaded instead. */
(function () {
  'use strict';
  var me = document.currentScript, cdn = me.dataset.cdn, sri = me.dataset.sri, local = me.dataset.local;

  function add(src, integrity) {
    var s = document.createElement('script');
    s.src = src;
    if (integrity) { s.integrity = integrity; s.crossOrigin = 'anonymous'; }
    // htmx starts on DOMContentLoaded, or at once when the document is 'complete'. Arriving
    // in between (DOMContentLoaded passed, images still loading) it would wait forever:
    // tell it again that the document is ready.
    s.onload = function () {
      if (document.readyState === 'interactive') document.dispatchEvent(new Event('DOMContentLoaded'));
    };
    document.head.appendChild(s);
  }

  var settled = false;
  function useLocal() { if (!settled) { settled = true; add(local); } }
  if (!cdn || !window.fetch || !window.AbortController) { useLocal(); return; }

  var abort = new AbortController();
  var timer = setTimeout(function () { abort.abort(); useLocal(); }, 1000);
  fetch(cdn, { integrity: sri, mode: 'cors', credentials: 'omit', signal: abort.signal })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      clearTimeout(timer);
      if (!settled) { settled = true; add(cdn, sri); }  // now in the HTTP cache: runs at once
    })
    .catch(function () { clearTimeout(timer); useLocal(); });
})();
