// fedi's own script, loaded after htmx (when `fedi vendor` fetched it): htmx settings, the CSRF
// token on htmx requests, focus after boosted navigation, status and alert regions, the
// browser's time zone for fields that ask for it, and the service worker. Every page works without it; the conventions are in fedi/web/enhance.py.
(function () {
  "use strict";
  var doc = document;
  var busyFeeds = new WeakMap();

  if (window.htmx) {
    var config = window.htmx.config;
    config.historyCacheSize = 0; // no copy of members' pages in localStorage
    config.refreshOnHistoryMiss = true; // back and forward ask the server again
    config.allowEval = false; // the Content-Security-Policy forbids eval anyway
    config.allowScriptTags = false;
    config.includeIndicatorStyles = false; // an inline <style>: style.css has these rules
    config.selfRequestsOnly = true;
    config.methodsThatUseUrlParams = ["get"]; // DELETE sends a form body, as POST does
  }

  function csrfToken(elt) {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    var form = elt && elt.closest ? elt.closest("form") : null;
    var field = (form || doc).querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  // Live regions must be in the page before their text changes to be announced; a boosted
  // navigation replaces <body>, so they are put back after each swap.
  function region(role) {
    var id = "fedi-" + role;
    var el = doc.getElementById(id);
    if (!el) {
      el = doc.createElement("div");
      el.id = id;
      el.className = "visually-hidden";
      el.setAttribute("role", role);
      el.setAttribute("aria-live", role === "alert" ? "assertive" : "polite");
      doc.body.appendChild(el);
    }
    return el;
  }

  function say(text, role) {
    var el = region(role || "status");
    el.textContent = "";
    // Set a moment later, so that the same text twice is announced twice.
    window.setTimeout(function () {
      el.textContent = text;
    }, 50);
  }

  function errorText(xhr) {
    // Error pages are translated by the server: read their heading.
    var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var heading = page.querySelector("main h1") || page.querySelector("h1");
    return heading ? heading.textContent.trim() : "";
  }

  function focusHeading() {
    var heading = doc.querySelector("main h1") || doc.querySelector("h1");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  doc.addEventListener("htmx:configRequest", function (evt) {
    var detail = evt.detail;
    if (detail.verb === "get") return;
    var token = csrfToken(detail.elt);
    if (!token) return;
    detail.headers["X-CSRF-Token"] = token;
    if (detail.formData && !detail.formData.has("csrf_token")) {
      detail.formData.set("csrf_token", token);
    }
  });

  // The feed that changes is busy meanwhile: the one holding the card acted on, or the one the
  // next page's cards go to (its link is after the feed).
  doc.addEventListener("htmx:beforeRequest", function (evt) {
    var target = evt.detail.target;
    var feed = target && target.closest ? target.closest('[role="feed"]') : null;
    if (feed) {
      feed.setAttribute("aria-busy", "true");
      busyFeeds.set(evt.detail.xhr, feed);
    }
  });

  doc.addEventListener("htmx:afterRequest", function (evt) {
    var feed = busyFeeds.get(evt.detail.xhr);
    if (feed) feed.removeAttribute("aria-busy");
  });

  // A time typed in a form is read in the member's zone; without their own preference, the
  // server learns the browser's from the fields marked data-browser-zone (else it reads UTC).
  function fillZones() {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return;
    }
    doc.querySelectorAll("input[data-browser-zone]").forEach(function (field) {
      if (!field.value) field.value = zone;
    });
  }

  doc.addEventListener("htmx:afterSettle", function (evt) {
    fillZones();
    region("status");
    region("alert");
    if (evt.detail.boosted && evt.target === doc.body) focusHeading();
  });

  doc.addEventListener("fedi:status", function (evt) {
    if (evt.detail && evt.detail.value) say(String(evt.detail.value));
  });

  doc.addEventListener("htmx:responseError", function (evt) {
    var text = errorText(evt.detail.xhr);
    if (text) say(text, "alert");
  });

  // The server cannot be reached: do what the browser does without htmx, so that the service
  // worker can show the offline page.
  doc.addEventListener("htmx:sendError", function (evt) {
    var detail = evt.detail;
    var request = detail.requestConfig || {};
    var form = detail.elt && detail.elt.closest ? detail.elt.closest("form") : null;
    if (request.verb && request.verb !== "get" && form) {
      form.submit();
    } else if (detail.boosted && detail.pathInfo) {
      window.location.assign(detail.pathInfo.requestPath);
    }
  });

  region("status");
  region("alert");
  fillZones();

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
        // No worker (a private window, an old browser): the pages work the same.
      });
    });
  }
})();
