/* 顶部登录状态 */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = '欢迎您，' + j.user + '<a href="/api/danger/logout-all">[退出]</a>';
    }
  }).catch(function () {});
})();

/* 不再自动续费：先弹出挽留弹窗 */
(function () {
  var link = document.getElementById('stop-autorenew');
  var mask = document.getElementById('shame-modal');
  if (!link || !mask) return;
  link.addEventListener('click', function (e) {
    e.preventDefault();
    mask.removeAttribute('hidden');
  });
  document.getElementById('shame-stay').addEventListener('click', function () {
    mask.setAttribute('hidden', '');
  });
  document.getElementById('shame-leave').addEventListener('click', function () {
    location.href = '/api/danger/turn-off-autorenew';
  });
})();
