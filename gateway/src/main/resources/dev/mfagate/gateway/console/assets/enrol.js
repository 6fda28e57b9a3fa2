// mfagate console, Enrol a seed: scans a QR code with the device's camera where the browser allows
// (a secure context with navigator.mediaDevices.getUserMedia), decodes it here with jsQR (served by
// the gateway), stops the camera, and puts the text into the secret field. It never submits: the
// admin chooses the label and sends the form, so the seed leaves the browser once.
"use strict";
(function () {
  var box = document.getElementById("scan");
  if (!box || !window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia
      || typeof window.jsQR !== "function") {
    return;
  }
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var secret = document.getElementById("secret");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var timer = null;

  function end(message) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    if (message) { status.textContent = message; }
  }

  function frame() {
    timer = null;
    if (!stream) { return; }
    if (video.readyState >= 2 && video.videoWidth > 0) {
      var scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "attemptBoth" });
      if (found && found.data) {
        secret.value = found.data;
        end("QR code read into the secret field. Choose the label, then enrol.");
        secret.focus();
        return;
      }
    }
    timer = setTimeout(frame, 200);
  }

  start.addEventListener("click", function () {
    status.textContent = "Starting the camera…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      stop.hidden = false;
      start.hidden = true;
      status.textContent = "Hold the QR code in front of the camera.";
      return video.play();
    }).then(function () {
      stop.focus();
      frame();
    }).catch(function () {
      end("The camera could not be opened; upload a picture of the QR code instead.");
    });
  });
  stop.addEventListener("click", function () {
    end("Camera stopped.");
    start.focus();
  });
  window.addEventListener("pagehide", function () { end(null); });
  box.hidden = false;
}());
