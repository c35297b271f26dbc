/* 顶部登录状态 */
(function () {
  var el = document.getElementById('login-status');
  if (!el) return;
  fetch('/api/whoami', {credentials: 'same-origin'}).then(function (r) {
    return r.json();
  }).then(function (j) {
    if (j && j.logged_in) {
      el.innerHTML = j.user;
    }
  }).catch(function () {});
})();

/* 左上角汉堡菜单：点击打开侧边抽屉 */
(function () {
  var btn = document.getElementById('burger');
  var drawer = document.getElementById('drawer');
  var mask = document.getElementById('drawer-mask');
  if (!btn || !drawer) return;
  function set(open) {
    drawer.classList.toggle('open', open);
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) mask.removeAttribute('hidden'); else mask.setAttribute('hidden', '');
  }
  btn.addEventListener('click', function () { set(!drawer.classList.contains('open')); });
  mask.addEventListener('click', function () { set(false); });
  document.getElementById('drawer-close').addEventListener('click', function () { set(false); });
})();
