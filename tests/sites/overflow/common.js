/* 顶部登录状态 */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = '<b>' + j.user + '</b><a href="/api/danger/logout-all">退出</a>';
    }
  }).catch(function () {});
})();

/* 会员卡片右上角「···」更多操作菜单（点击展开/收起） */
(function () {
  var btn = document.getElementById('vip-more');
  var menu = document.getElementById('vip-more-menu');
  if (!btn || !menu) return;
  btn.addEventListener('click', function (e) {
    e.stopPropagation();
    var open = menu.hasAttribute('hidden');
    if (open) menu.removeAttribute('hidden'); else menu.setAttribute('hidden', '');
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  document.addEventListener('click', function (e) {
    if (!menu.hasAttribute('hidden') && !menu.contains(e.target)) {
      menu.setAttribute('hidden', '');
      btn.setAttribute('aria-expanded', 'false');
    }
  });
})();
