// warp.js fast-forwards a page for the bench's at-rest query count: added
// after probe.js to the pages of that run only, it runs the page's clocks
// (performance.now, Date) and timers (setTimeout, setInterval) K times
// faster than real time, so that minutes of a page at rest pass in seconds.
// Everything a page schedules by the clock (polls, their jitter and back-off,
// heartbeats) keeps its rate in page time; what the bench counts is per
// minute of page time. Frames (requestAnimationFrame) and the network keep
// real time. The probe bound its own clock before this runs.
(() => {
  "use strict";
  const K = WARP;
  const realNow = performance.now.bind(performance);
  const realDate = Date;
  // Page time is real time since navigation start, times K; Date keeps its
  // offset from performance.now, as in an unwarped page.
  const dateBase = realDate.now() - realNow() * K;
  const pageNow = () => realNow() * K;
  const dateNow = () => dateBase + realNow() * K;
  performance.now = pageNow;
  function WarpDate(...args) {
    if (!new.target) return new realDate(dateNow()).toString();
    return args.length > 0 ? new realDate(...args) : new realDate(dateNow());
  }
  WarpDate.prototype = realDate.prototype;
  WarpDate.now = dateNow;
  WarpDate.parse = realDate.parse;
  WarpDate.UTC = realDate.UTC;
  window.Date = WarpDate;
  const timeout = window.setTimeout.bind(window);
  const interval = window.setInterval.bind(window);
  window.setTimeout = (fn, ms, ...args) => timeout(fn, (Number(ms) || 0) / K, ...args);
  window.setInterval = (fn, ms, ...args) => interval(fn, (Number(ms) || 0) / K, ...args);
})();
