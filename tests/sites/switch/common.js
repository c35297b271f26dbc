/* 顶部登录状态 */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = '您好，<b>' + j.user + '</b><a href="/api/danger/logout-all">[退出]</a>';
    }
  }).catch(function () {});
})();

/* 偏好设置开关：点一下即保存 */
(function () {
  var switches = document.querySelectorAll('button[role="switch"]');
  Array.prototype.forEach.call(switches, function (sw) {
    sw.addEventListener('click', function () {
      var on = sw.getAttribute('aria-checked') !== 'true';
      sw.setAttribute('aria-checked', on ? 'true' : 'false');
      if (sw.id === 'autorenew-switch' && !on) {
        fetch('/api/danger/turn-off-autorenew', {method: 'POST', credentials: 'same-origin'});
      }
    });
  });
})();
