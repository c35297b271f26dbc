/* Header: who is signed in */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = 'Hi, <b>' + j.user + '</b><a href="/api/danger/logout-all">[Log out]</a>';
    }
  }).catch(function () {});
})();
