/* global document, window, location */
/*
 * ArtisanConnect booking page embed: put next to the <iframe data-artisanconnect …> of the
 * snippet (README). Resizes the iframe to the page's height, as told by the page itself
 * (postMessage from the iframe's own origin only).
 */
(function () {
  var frames = document.querySelectorAll('iframe[data-artisanconnect]');
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || data.type !== 'artisanconnect:height' || typeof data.height !== 'number') return;
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, location.href).origin !== event.origin) continue;
      frame.style.height = Math.max(200, Math.min(20000, Math.ceil(data.height))) + 'px';
    }
  });
})();
