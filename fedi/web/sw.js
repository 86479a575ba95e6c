// fedi's service worker (served as /sw.js): an offline page, and nothing else kept. Members'
// pages and API answers are never put in a cache, as a phone can be lost or seized: only the
// offline page, its style sheet and its icon, cached under a name that changes with them.
"use strict";

var CACHE = "fedi-offline-__VERSION__";
var OFFLINE = "/offline";
var FILES = [OFFLINE, "/static/style.css", "/static/icon-192.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        return cache.addAll(
          FILES.map(function (url) {
            return new Request(url, { cache: "reload" });
          })
        );
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function fromCache(path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  // Forms' POSTs are left to the browser, so that it sees their answers itself (sign-out's
  // Clear-Site-Data among them).
  if (request.method !== "GET") return;
  // Pages: always from the network; the offline page only when the network fails.
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(function () {
        return fromCache(OFFLINE);
      })
    );
    return;
  }
  // The offline page's own files: from the network too, from the cache when it fails.
  var url = new URL(request.url);
  if (
    url.origin === self.location.origin &&
    url.search === "" &&
    FILES.indexOf(url.pathname) > 0
  ) {
    event.respondWith(
      fetch(request).catch(function () {
        return fromCache(url.pathname);
      })
    );
  }
  // Anything else is left to the browser, uncached by this worker.
});
