/* 頂部登錄狀態 */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = '您好，<b>' + j.user + '</b><a href="/api/danger/logout-all">［登出］</a>';
    }
  }).catch(function () {});
})();
