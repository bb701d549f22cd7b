/*
 * Full-resolution image viewer: pan and zoom with mouse, touch or keyboard.
 * No outside scripts and no inline code, so it runs under a strict Content-Security-Policy.
 * Without JavaScript each thumbnail still links to the full-size image.
 */
(function () {
  "use strict";

  var MAX_SCALE = 4; // 400 % of the scan's own pixels
  var STEP = 1.25;

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function button(className, label, text) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "image-viewer-button " + className;
    element.setAttribute("aria-label", label);
    element.title = label;
    element.textContent = text;
    return element;
  }

  function Viewer(section) {
    var data = section.dataset;
    this.links = Array.prototype.slice.call(section.querySelectorAll("a.record-image-link"));
    this.index = 0;
    this.scale = 1;
    this.fitScale = 1;
    this.x = 0;
    this.y = 0;
    this.pointers = new Map();
    this.returnFocus = null;

    var dialog = document.createElement("dialog");
    dialog.className = "image-viewer";
    dialog.setAttribute("aria-label", data.labelDialog || "Image viewer");

    var toolbar = document.createElement("div");
    toolbar.className = "image-viewer-toolbar";
    this.previous = button("image-viewer-previous", data.labelPrevious || "Previous", "\u2039");
    this.next = button("image-viewer-next", data.labelNext || "Next", "\u203a");
    this.zoomOut = button("image-viewer-zoom-out", data.labelZoomOut || "Zoom out", "\u2212");
    this.zoomIn = button("image-viewer-zoom-in", data.labelZoomIn || "Zoom in", "+");
    this.fit = button("image-viewer-fit", data.labelFit || "Fit", "\u2922");
    // The name holds what the button shows, so that a reader speaking to the page can say either (WCAG 2.5.3).
    this.actual = button("image-viewer-actual", (data.labelActual || "Actual size") + " (1:1)", "1:1");
    this.close = button("image-viewer-close", data.labelClose || "Close", "\u00d7");
    this.status = document.createElement("span");
    this.status.className = "image-viewer-status";
    this.status.setAttribute("aria-live", "polite");
    [this.previous, this.next, this.zoomOut, this.zoomIn, this.fit, this.actual, this.status, this.close]
      .forEach(function (element) { toolbar.appendChild(element); });

    // What the image is, as under its thumbnail, for the sighted; the stage's name already says it to a reader.
    this.caption = document.createElement("p");
    this.caption.className = "image-viewer-caption";
    this.caption.setAttribute("aria-hidden", "true");

    this.stage = document.createElement("div");
    this.stage.className = "image-viewer-stage";
    this.stage.tabIndex = 0;
    this.stage.setAttribute("role", "img");
    var help = document.createElement("p");
    help.className = "image-viewer-help";
    help.id = "image-viewer-help-" + Math.random().toString(36).slice(2);
    help.textContent = data.labelHelp || "";
    this.stage.setAttribute("aria-describedby", help.id);

    // Panning without dragging, for a pointer that cannot drag (WCAG 2.5.7): each button does what its arrow
    // key does.
    this.pan = document.createElement("div");
    this.pan.className = "image-viewer-pan";
    this.pan.setAttribute("role", "group");
    this.pan.setAttribute("aria-label", data.labelPan || "Scroll the image");
    this.panButtons = {
      ArrowUp: button("image-viewer-pan-up", data.labelPanUp || "Scroll up", "\u2191"),
      ArrowLeft: button("image-viewer-pan-left", data.labelPanLeft || "Scroll left", "\u2190"),
      ArrowRight: button("image-viewer-pan-right", data.labelPanRight || "Scroll right", "\u2192"),
      ArrowDown: button("image-viewer-pan-down", data.labelPanDown || "Scroll down", "\u2193")
    };
    var pan = this.pan;
    Object.keys(this.panButtons).forEach(function (key) { pan.appendChild(this.panButtons[key]); }, this);

    this.image = document.createElement("img");
    this.image.className = "image-viewer-image";
    this.image.alt = "";
    this.image.draggable = false;
    this.stage.appendChild(this.image);

    // The stage and the buttons over it fill what the toolbar (one line, or two on a phone) and the help leave.
    var body = document.createElement("div");
    body.className = "image-viewer-body";
    body.appendChild(this.stage);
    body.appendChild(this.pan);
    dialog.appendChild(toolbar);
    dialog.appendChild(this.caption);
    dialog.appendChild(body);
    dialog.appendChild(help);
    document.body.appendChild(dialog);
    this.dialog = dialog;
    this.bind();
  }

  Viewer.prototype.bind = function () {
    var self = this;
    this.links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
          return; // let the browser open the full image in a new tab
        }
        event.preventDefault();
        self.open(index, link);
      });
    });
    this.zoomIn.addEventListener("click", function () { self.zoomBy(STEP); });
    this.zoomOut.addEventListener("click", function () { self.zoomBy(1 / STEP); });
    this.fit.addEventListener("click", function () { self.reset(); });
    this.actual.addEventListener("click", function () { self.zoomTo(1); });
    this.previous.addEventListener("click", function () { self.show(self.index - 1); });
    this.next.addEventListener("click", function () { self.show(self.index + 1); });
    this.close.addEventListener("click", function () { self.dialog.close(); });
    Object.keys(this.panButtons).forEach(function (key) {
      self.panButtons[key].addEventListener("click", function () { self.panByKey(key, false); });
    });
    this.dialog.addEventListener("close", function () {
      self.image.removeAttribute("src");
      if (self.returnFocus) {
        self.returnFocus.focus();
      }
    });
    this.dialog.addEventListener("keydown", function (event) { self.onKey(event); });
    this.stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      var point = self.stagePoint(event);
      self.zoomBy(Math.exp(-event.deltaY * 0.002), point.x, point.y);
    }, { passive: false });
    this.stage.addEventListener("dblclick", function (event) {
      var point = self.stagePoint(event);
      self.zoomBy(2, point.x, point.y);
    });
    this.stage.addEventListener("pointerdown", function (event) {
      self.stage.setPointerCapture(event.pointerId);
      self.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      self.stage.classList.add("is-dragging");
    });
    this.stage.addEventListener("pointermove", function (event) { self.onPointerMove(event); });
    ["pointerup", "pointercancel"].forEach(function (type) {
      self.stage.addEventListener(type, function (event) {
        self.pointers.delete(event.pointerId);
        if (!self.pointers.size) {
          self.stage.classList.remove("is-dragging");
        }
      });
    });
    window.addEventListener("resize", function () {
      if (self.dialog.open) {
        self.reset();
      }
    });
  };

  Viewer.prototype.stagePoint = function (event) {
    var box = this.stage.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  Viewer.prototype.onPointerMove = function (event) {
    var previous = this.pointers.get(event.pointerId);
    if (!previous) {
      return;
    }
    var current = { x: event.clientX, y: event.clientY };
    if (this.pointers.size === 2) {
      // Pinch: zoom by the change in distance between the two fingers, around their midpoint.
      var other = null;
      this.pointers.forEach(function (value, key) {
        if (key !== event.pointerId) { other = value; }
      });
      var before = Math.hypot(previous.x - other.x, previous.y - other.y);
      var after = Math.hypot(current.x - other.x, current.y - other.y);
      var box = this.stage.getBoundingClientRect();
      if (before > 0) {
        this.zoomBy(after / before, (current.x + other.x) / 2 - box.left, (current.y + other.y) / 2 - box.top);
      }
    } else {
      this.panBy(current.x - previous.x, current.y - previous.y);
    }
    this.pointers.set(event.pointerId, current);
  };

  // An arrow moves the view that way: the image the other way.
  var PAN = { ArrowLeft: [1, 0], ArrowRight: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };

  Viewer.prototype.panByKey = function (key, far) {
    var step = far ? 200 : 60;
    this.panBy(PAN[key][0] * step, PAN[key][1] * step);
  };

  Viewer.prototype.onKey = function (event) {
    var handled = true;
    switch (event.key) {
      case "+": case "=": this.zoomBy(STEP); break;
      case "-": case "_": this.zoomBy(1 / STEP); break;
      case "0": this.reset(); break;
      case "1": this.zoomTo(1); break;
      case "ArrowLeft": case "ArrowRight": case "ArrowUp": case "ArrowDown":
        this.panByKey(event.key, event.shiftKey);
        break;
      case "PageUp": this.show(this.index - 1); break;
      case "PageDown": this.show(this.index + 1); break;
      case "Home": this.reset(); break;
      default: handled = false;
    }
    if (handled && !(event.target instanceof HTMLButtonElement && event.key === "Enter")) {
      event.preventDefault();
    }
  };

  Viewer.prototype.open = function (index, link) {
    this.returnFocus = link;
    this.dialog.showModal();
    this.show(index);
    this.stage.focus();
  };

  Viewer.prototype.show = function (index) {
    if (index < 0 || index >= this.links.length) {
      return;
    }
    var link = this.links[index];
    var thumb = link.querySelector("img");
    this.index = index;
    this.naturalWidth = parseInt(link.dataset.width, 10) || 1;
    this.naturalHeight = parseInt(link.dataset.height, 10) || 1;
    this.image.style.width = this.naturalWidth + "px";
    this.image.style.height = this.naturalHeight + "px";
    // Named as the thumbnail's link is: its caption (in the caption's language) and the page of the file.
    var page = link.querySelector(".record-image-page");
    this.stage.setAttribute("aria-label", (thumb ? thumb.alt : "") + (page ? page.textContent : ""));
    if (thumb && thumb.lang) {
      this.stage.lang = thumb.lang;
    } else {
      this.stage.removeAttribute("lang");
    }
    var figure = link.closest("figure");
    var figcaption = figure ? figure.querySelector("figcaption") : null;
    this.caption.textContent = "";
    if (figcaption) {
      Array.prototype.forEach.call(figcaption.childNodes, function (node) {
        this.caption.appendChild(node.cloneNode(true));
      }, this);
    }
    // Show the web-size image; the full resolution is fetched only once zooming needs its pixels.
    this.webWidth = parseInt(link.dataset.webWidth, 10) || 0;
    this.fullSrc = link.dataset.fullSrc;
    this.fullRequested = false;
    delete this.image.dataset.loaded;
    this.image.src = link.dataset.webSrc || this.fullSrc;
    this.previous.disabled = index === 0;
    this.next.disabled = index === this.links.length - 1;
    this.reset();
  };

  Viewer.prototype.loadFull = function () {
    if (this.fullRequested) {
      return;
    }
    this.fullRequested = true;
    var image = this.image;
    var full = this.fullSrc;
    var loader = new Image();
    loader.onload = function () {
      if (image.dataset.pending === full) {
        image.src = full;
        image.dataset.loaded = full;
      }
    };
    image.dataset.pending = full;
    loader.src = full;
  };

  Viewer.prototype.reset = function () {
    var width = this.stage.clientWidth || 1;
    var height = this.stage.clientHeight || 1;
    this.fitScale = Math.min(width / this.naturalWidth, height / this.naturalHeight, 1);
    this.scale = this.fitScale;
    this.x = (width - this.naturalWidth * this.scale) / 2;
    this.y = (height - this.naturalHeight * this.scale) / 2;
    this.apply();
  };

  Viewer.prototype.zoomTo = function (scale, cx, cy) {
    var width = this.stage.clientWidth;
    var height = this.stage.clientHeight;
    cx = cx === undefined ? width / 2 : cx;
    cy = cy === undefined ? height / 2 : cy;
    var next = clamp(scale, Math.min(this.fitScale, 1) / 2, MAX_SCALE);
    // Keep the point under the cursor (or the centre) where it is.
    this.x = cx - (cx - this.x) * (next / this.scale);
    this.y = cy - (cy - this.y) * (next / this.scale);
    this.scale = next;
    this.apply();
  };

  Viewer.prototype.zoomBy = function (factor, cx, cy) {
    this.zoomTo(this.scale * factor, cx, cy);
  };

  Viewer.prototype.panBy = function (dx, dy) {
    this.x += dx;
    this.y += dy;
    this.apply();
  };

  Viewer.prototype.apply = function () {
    // Never let the image leave the stage entirely.
    var width = this.stage.clientWidth;
    var height = this.stage.clientHeight;
    var shownWidth = this.naturalWidth * this.scale;
    var shownHeight = this.naturalHeight * this.scale;
    var margin = 40;
    this.x = clamp(this.x, margin - shownWidth, width - margin);
    this.y = clamp(this.y, margin - shownHeight, height - margin);
    this.image.style.transform = "translate(" + this.x + "px, " + this.y + "px) scale(" + this.scale + ")";
    if (shownWidth * (window.devicePixelRatio || 1) > this.webWidth) {
      this.loadFull();
    }
    var percent = Math.round(this.scale * 100) + " %";
    var status = (this.index + 1) + " / " + this.links.length + " \u00b7 " + percent;
    // A live region speaks whenever its text is set: panning, which changes none of it, stays quiet.
    if (this.status.textContent !== status) {
      this.status.textContent = status;
    }
    this.dialog.dataset.scale = this.scale.toFixed(4);
    this.dialog.dataset.x = Math.round(this.x);
    this.dialog.dataset.y = Math.round(this.y);
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-image-viewer]"), function (section) {
      if (typeof HTMLDialogElement === "function") {
        section.viewer = new Viewer(section);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
