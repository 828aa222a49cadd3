// Security keys and passkeys (WebAuthn) on the second-step pages. A static file: the
// Content-Security-Policy allows no inline script. Each <form data-webauthn="register|authenticate">
// names two endpoints: the first answers the options as JSON (binary values in base64url), this
// script hands them to navigator.credentials.create() or .get(), and posts the browser's answer
// (base64url again) to the second, which answers {"redirect": url} or {"error": "words"}.
// The words this script may show come translated from the page (data-msg-*).
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var text = window.atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) {
      bytes[i] = text.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return window.btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBinaryIds(list) {
    return (list || []).map(function (descriptor) {
      var copy = Object.assign({}, descriptor);
      copy.id = toBytes(descriptor.id);
      return copy;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = withBinaryIds(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = withBinaryIds(json.allowCredentials);
    return options;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
    };
  }

  function registrationJSON(credential) {
    var json = common(credential);
    var response = credential.response;
    json.response = {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : [],
    };
    return json;
  }

  function assertionJSON(credential) {
    var json = common(credential);
    var response = credential.response;
    json.response = {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: toBase64url(response.userHandle),
    };
    return json;
  }

  function post(form, url, body) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return window
      .fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token ? token.value : "",
        },
        body: JSON.stringify(body),
      })
      .then(
        function (response) {
          return response.json().then(
            function (data) {
              return { ok: response.ok, data: data };
            },
            function () {
              return { ok: false, data: {} };
            }
          );
        },
        function () {
          return { ok: false, data: { error: form.dataset.msgNetwork } };
        }
      );
  }

  function say(form, text, isError) {
    var status = form.querySelector("[data-webauthn-status]");
    if (!status) {
      return;
    }
    status.textContent = text || "";
    status.hidden = !text;
    status.classList.toggle("errorlist", Boolean(isError));
  }

  // What a browser's refusal means for the person (the names are the WebAuthn spec's).
  function browserMessage(form, error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return form.dataset.msgCancelled;
    }
    if (name === "InvalidStateError") {
      return form.dataset.msgDuplicate;
    }
    if (name === "SecurityError") {
      return form.dataset.msgAddress;
    }
    return form.dataset.msgFailed;
  }

  function supported() {
    return Boolean(
      window.PublicKeyCredential && navigator.credentials && navigator.credentials.create
    );
  }

  function run(form, button) {
    var registering = form.dataset.webauthn === "register";
    var nameField = form.querySelector("input[name$=name]");
    var nextField = form.querySelector("input[name=next]");
    var first = registering
      ? { name: nameField ? nameField.value : "" }
      : { next: nextField ? nextField.value : "" };
    var done = false;
    button.disabled = true;
    say(form, form.dataset.msgWorking, false);
    post(form, form.dataset.optionsUrl, first)
      .then(function (answer) {
        if (!answer.ok || answer.data.redirect) {
          return answer;
        }
        var publicKey = answer.data.publicKey;
        var ceremony = registering
          ? navigator.credentials.create({ publicKey: creationOptions(publicKey) })
          : navigator.credentials.get({ publicKey: requestOptions(publicKey) });
        return ceremony.then(
          function (credential) {
            var json = registering ? registrationJSON(credential) : assertionJSON(credential);
            return post(form, form.dataset.completeUrl, Object.assign({ credential: json }, first));
          },
          function (error) {
            return { ok: false, data: { error: browserMessage(form, error) } };
          }
        );
      })
      .then(function (answer) {
        if (answer.ok && answer.data.redirect) {
          done = true;
          window.location.assign(answer.data.redirect);
          return;
        }
        say(form, answer.data.error || form.dataset.msgFailed, true);
      })
      .catch(function () {
        say(form, form.dataset.msgFailed, true);
      })
      .then(function () {
        if (!done) {
          button.disabled = false;
        }
      });
  }

  function setUp(form) {
    var button = form.querySelector("[data-webauthn-button]");
    if (!button) {
      return;
    }
    if (!supported()) {
      say(form, form.dataset.msgUnsupported, true);
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      run(form, button);
    });
    // Enter in the name box submits the form: run the ceremony instead.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!button.disabled) {
        run(form, button);
      }
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(setUp);
})();
