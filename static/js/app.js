/* The app's only script: progressive enhancement. Every page works without it.
   Everything is bound by event delegation on the document, so content swapped in by
   HTMX (an uploaded file list, a new duty row, a page of results) keeps working. */
(function () {
  'use strict';

  /* --- tables of records become labelled cards on a phone (CSS does the layout; the
     labels come from each table's header row) --------------------------------------- */
  function labelTables(root) {
    root.querySelectorAll('table.list').forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) {
        return th.textContent.trim();
      });
      if (!heads.length) return;
      table.querySelectorAll('tbody tr').forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (td.tagName === 'TD' && heads[col] && !td.hasAttribute('colspan')) td.setAttribute('data-label', heads[col]);
          col += td.colSpan || 1;
        });
      });
    });
  }

  /* --- glossary explanations stay inside the viewport ------------------------------ */
  function placeTip(term) {
    var tip = term.querySelector('.term-tip');
    if (!tip || window.matchMedia('(max-width: 760px)').matches) return; // phone: CSS pins it
    tip.style.left = '0px';
    var rect = tip.getBoundingClientRect(), room = document.documentElement.clientWidth - 8;
    if (rect.right > room) tip.style.left = Math.min(0, room - rect.right) + 'px';
  }
  document.addEventListener('mouseover', function (ev) {
    var term = ev.target.closest && ev.target.closest('dfn.term');
    if (term) placeTip(term);
  });
  document.addEventListener('focusin', function (ev) {
    if (ev.target.matches && ev.target.matches('dfn.term')) placeTip(ev.target);
  });

  /* --- the org chart opens with its top node in view --------------------------------- */
  function centreCharts(root) {
    root.querySelectorAll('.orgchart').forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) box.scrollLeft = (box.scrollWidth - box.clientWidth) / 2;
    });
  }

  /* --- uploads: drag and drop onto the drop zone, the file count, progress ----------- */
  function showCount(form, files) {
    var label = form.querySelector('.dropzone span');
    if (label) label.textContent = '已选择 ' + files.length + ' 个文件';
  }
  ['dragenter', 'dragover'].forEach(function (name) {
    document.addEventListener(name, function (ev) {
      var zone = ev.target.closest && ev.target.closest('[data-upload] .dropzone');
      if (zone) { ev.preventDefault(); zone.classList.add('over'); }
    });
  });
  document.addEventListener('dragleave', function (ev) {
    var zone = ev.target.closest && ev.target.closest('[data-upload] .dropzone');
    if (zone) zone.classList.remove('over');
  });
  document.addEventListener('drop', function (ev) {
    var zone = ev.target.closest && ev.target.closest('[data-upload] .dropzone');
    if (!zone) return;
    ev.preventDefault();
    zone.classList.remove('over');
    var form = zone.closest('[data-upload]'), input = form.querySelector('input[type=file]');
    input.files = ev.dataTransfer.files;
    showCount(form, input.files);
  });
  document.addEventListener('change', function (ev) {
    var form = ev.target.closest && ev.target.closest('[data-upload]');
    if (form && ev.target.matches('input[type=file]')) showCount(form, ev.target.files);
  });
  document.addEventListener('htmx:xhr:progress', function (ev) {
    var p = ev.target.querySelector && ev.target.querySelector('progress');
    if (p && ev.detail.lengthComputable) { p.hidden = false; p.value = ev.detail.loaded / ev.detail.total * 100; }
  });

  /* --- the duty editor: move rows, show sub-items indented --------------------------- */
  function renumber(box) {
    box.querySelectorAll('[data-row]').forEach(function (row, i) {
      row.querySelector('input[type=number]').value = (i + 1) * 10;
      row.classList.toggle('is-sub', row.querySelector('[data-sub]').checked);
      row.querySelector('.movers').hidden = false;
    });
  }
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('#duty-rows [data-move]');
    if (!btn) return;
    var box = document.getElementById('duty-rows'), row = btn.closest('[data-row]');
    if (btn.dataset.move === '-1' && row.previousElementSibling) box.insertBefore(row, row.previousElementSibling);
    if (btn.dataset.move === '1' && row.nextElementSibling) box.insertBefore(row.nextElementSibling, row);
    renumber(box);
  });
  document.addEventListener('change', function (ev) {
    if (ev.target.matches && ev.target.matches('#duty-rows [data-sub]')) renumber(document.getElementById('duty-rows'));
  });

  /* --- an HTMX request the server refused: say why beside the control, in Chinese ---- */
  function showError(elt, text) {
    /* A link (a tab, a menu entry) gets no note beside it: a tab bar or a menu is no place
       for a sentence. The message goes to the top of the page, as a flash message would. */
    if (!elt.closest || elt.tagName === 'A' || elt === document.body || elt.closest('nav')) {
      var main = document.querySelector('main') || document.body;
      var box = main.querySelector('.htmx-error.page-error');
      if (!box) {
        box = document.createElement('div');
        box.className = 'flash flash-error htmx-error page-error';
        box.setAttribute('role', 'alert');
        main.insertAdjacentElement('afterbegin', box);
      }
      box.textContent = text;
      box.scrollIntoView({block: 'nearest'});
      return;
    }
    var anchor = elt.closest('form') || elt, note = anchor.nextElementSibling;
    if (!(note && note.classList.contains('htmx-error'))) {
      note = document.createElement('div');
      note.className = 'error htmx-error';
      note.setAttribute('role', 'alert');
      anchor.insertAdjacentElement('afterend', note);
    }
    note.textContent = text;
  }
  /* A page left open past the CSRF token's lifetime: the server refused the request and
     sent a fresh token; every form and the HTMX headers take it, nothing typed is lost. */
  function refreshCsrf(token) {
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (i) { i.value = token; });
    var headers = {};
    try { headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}'); } catch (e) { /* keep {} */ }
    headers['X-CSRFToken'] = token;
    document.body.setAttribute('hx-headers', JSON.stringify(headers));
  }
  function reportError(elt, xhr) {
    var fresh = xhr.getResponseHeader('X-CSRF-Refresh');
    if (fresh) refreshCsrf(fresh);
    var doc = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
    var h = doc.querySelector('h1'), p = doc.querySelector('p');
    var code = h && h.querySelector('.err-code');
    if (code) code.remove();  /* "422 · " means nothing beside a button; the full page keeps it */
    showError(elt, (h ? h.textContent : '操作失败（' + xhr.status + '）') + (p ? '：' + p.textContent : ''));
  }
  document.addEventListener('htmx:responseError', function (ev) { reportError(ev.detail.elt, ev.detail.xhr); });
  /* A 422 normally brings the re-rendered form; a bare error message never replaces it. */
  document.addEventListener('htmx:beforeSwap', function (ev) {
    var xhr = ev.detail.xhr;
    if (ev.detail.shouldSwap && xhr.status >= 400 && xhr.getResponseHeader('X-Error-Message')) {
      ev.detail.shouldSwap = false;
      // detail.elt is the swap target here; the message goes beside the control used
      reportError((ev.detail.requestConfig && ev.detail.requestConfig.elt) || ev.detail.elt, xhr);
    } else if (xhr.status >= 400 && ev.detail.boosted && !xhr.getResponseHeader('X-Error-Message')) {
      /* A boosted form answered with its own page (the login with 用户名或密码不正确 (401),
         the lockout's message (429)): show that page, as without JavaScript. */
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });
  /* A boosted form refused (422, 409 …) comes back as its page, re-rendered where the user
     was (boosting keeps the scroll position): bring the first message into view, on a
     phone it is often above the submit button, out of sight, and put the cursor in its field. */
  function showFirstError(selector) {
    var first = document.querySelector(selector);
    if (!first) return;
    first.scrollIntoView({block: 'center'});
    var input = first.querySelector && first.querySelector('input:not([type=hidden]), select, textarea');
    if (input) input.focus({preventScroll: true});
  }
  document.addEventListener('htmx:afterSettle', function (ev) {
    var xhr = ev.detail.xhr;
    if (!ev.detail.boosted || !xhr || xhr.status < 400) return;
    showFirstError('main .has-error, main .flash-error, main .error[role="alert"]');
  });
  /* The same for a form posted without boosting (one with a file to upload) and refused:
     the page comes back at its top, its field's message far below on a phone; and at the
     form's address, which opened again (or reloaded) is a 405 or a second post: the
     address bar gets the page the form was on back (base.html names it on the body). */
  document.addEventListener('DOMContentLoaded', function () {
    showFirstError('main .has-error');
    var from = document.body.getAttribute('data-posted-from');
    if (!from) return;
    var page = new URL(from, location.href);
    if (page.origin === location.origin && page.pathname !== location.pathname) {
      history.replaceState(null, '', page.pathname + page.search);
    }
  });
  document.addEventListener('htmx:sendError', function (ev) {
    showError(ev.detail.elt, '网络连接失败，请检查网络后重试。');
  });
  document.addEventListener('htmx:beforeRequest', function (ev) {
    var anchor = ev.detail.elt.closest && (ev.detail.elt.closest('form') || ev.detail.elt);
    var note = anchor && anchor.nextElementSibling;
    if (note && note.classList.contains('htmx-error')) note.remove();
    var page = document.querySelector('.htmx-error.page-error');
    if (page) page.remove();
  });

  /* --- a tab bar wider than the phone scrolls its current tab into sight ----------- */
  function showCurrentTabs(root) {
    root.querySelectorAll('.subnav').forEach(function (nav) {
      var tab = nav.querySelector('a.active, a[aria-current]');
      if (tab && nav.scrollWidth > nav.clientWidth) {
        nav.scrollLeft = tab.offsetLeft - nav.offsetLeft - (nav.clientWidth - tab.offsetWidth) / 2;
      }
      markHiddenTabs(nav);
    });
  }
  /* the side where tabs lie out of sight fades out (CSS), as long as they do */
  function markHiddenTabs(nav) {
    nav.classList.toggle('more-left', nav.scrollLeft > 2);
    nav.classList.toggle('more-right', nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 2);
  }
  document.addEventListener('scroll', function (ev) {
    if (ev.target.classList && ev.target.classList.contains('subnav')) markHiddenTabs(ev.target);
  }, true);

  /* --- on load and on every swap ----------------------------------------------------- */
  function init() {
    labelTables(document);
    centreCharts(document);
    showCurrentTabs(document);
    var box = document.getElementById('duty-rows');
    if (box) renumber(box);
  }
  /* Behaviour by data attributes, no inline handlers (the Content-Security-Policy allows
     no inline script): data-confirm asks before a form is sent, data-autosubmit sends its
     form on change, data-remove-line removes its line of a multi-line form. */
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.matches && form.matches('form[data-confirm]') && !window.confirm(form.getAttribute('data-confirm'))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener('change', function (ev) {
    if (ev.target.matches && ev.target.matches('[data-autosubmit]') && ev.target.form) ev.target.form.requestSubmit();
  });
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('[data-remove-line]');
    if (btn) btn.closest('[data-line]').remove();
  });
  /* The duty editor's "添加一行" asks for the row with the next index (no hx-vals js:,
     which would need eval under the Content-Security-Policy). */
  document.addEventListener('htmx:configRequest', function (ev) {
    if (ev.detail.elt.id === 'add-row') {
      ev.detail.parameters.index = document.querySelectorAll('#duty-rows [data-row]').length;
    }
  });
  document.addEventListener('DOMContentLoaded', init);
  document.addEventListener('htmx:load', init);
})();
